"""`hotline report`, `hotline staffing`, `hotline export`, `hotline users ...`, `hotline workorders sweep`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

from gateway.cli import users

workorders_app = typer.Typer(help="Work-order maintenance.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(report)
    app.command()(staffing)
    app.command("export")(export_orders)
    app.add_typer(users.app, name="users")
    app.add_typer(workorders_app, name="workorders")


def _engine() -> Any:
    from gateway.settings import get_settings
    from gateway.store import create_engine_for, upgrade_database

    url = get_settings().resolved_database_url
    upgrade_database(url)
    return create_engine_for(url)


def _timezone() -> str:
    from gateway.settings import get_settings

    return get_settings().timezone


def _today(timezone: str) -> date:
    """Today where the hotline is (report days and overdue flags are its calendar days, not UTC's)."""
    from gateway.workdays import hotline_today

    return hotline_today(timezone)


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=option) from error


def report(
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day (inclusive), YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Indicators for a period: volume, emergencies, self-service, on-time, satisfaction, callback rates."""
    from gateway.workorders.indicators import Period, indicators

    timezone = _timezone()
    try:
        period = Period(_day(start, "--from"), _day(end, "--to"), timezone)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from error
    figures = indicators(_engine(), period, _today(timezone))
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    typer.echo(_report_text(figures))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _report_text(f: dict[str, Any]) -> str:
    orders = f["work_orders"]
    lines = [
        f"period {f['period']['from']} .. {f['period']['to']}",
        f"messages          {f['messages']['total']}  {f['messages']['by_channel']}",
        f"work orders       {orders['total']}  by channel {orders['by_channel']}",
        f"  by category     {orders['by_category']}",
        f"  by appeal type  {orders['by_appeal_type']}",
        f"emergencies       {f['emergency_referrals']['total']}  {f['emergency_referrals']['by_service']}",
        f"self-service      {_pct(f['self_service']['rate'])}",
        f"on-time           {_pct(f['on_time_completion']['rate'])}"
        f"  ({f['on_time_completion']['on_time']}/{f['on_time_completion']['due']})",
        f"satisfaction      {_pct(f['satisfaction']['rate'])}"
        f"  ({f['satisfaction']['satisfied']}/{f['satisfaction']['rated']})",
        f"callback          {_pct(f['callback']['rate'])}"
        f"  ({f['callback']['called_back']}/{f['callback']['answered']})",
    ]
    return "\n".join(lines)


def staffing(
    calls_per_hour: float = typer.Option(None, min=0, help="Calls (contacts) per hour."),
    aht: float = typer.Option(..., min=0.001, help="Average handling time, seconds."),
    service_level: float = typer.Option(0.8, help="Share answered within --answer-within, e.g. 0.8."),
    answer_within: float = typer.Option(20, min=0, help="Seconds."),
    shrinkage: float = typer.Option(0.0, help="Share of paid time off the phones (breaks, training), e.g. 0.3."),
    max_occupancy: float = typer.Option(None, help="Cap on occupancy, e.g. 0.85."),
    daily_volume: float = typer.Option(None, min=0, help="Contacts per day, spread by the hourly profile."),
    population: int = typer.Option(None, min=1, help="Residents served (with --calls-per-thousand)."),
    calls_per_thousand: float = typer.Option(None, min=0, help="Daily contacts per 1000 residents."),
    profile: Path = typer.Option(None, help="24 hourly weights: JSON list, YAML list or one number a line."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Agents needed (Erlang C) for an hourly volume, or seats per hour for a daily volume."""
    from gateway.workorders import staffing as erlang

    try:
        if calls_per_hour is not None:
            plan = erlang.agents_needed(
                calls_per_hour,
                aht,
                service_level,
                answer_within,
                shrinkage=shrinkage,
                max_occupancy=max_occupancy,
            )
            result: dict[str, Any] = {
                **plan.to_dict(),
                "target": {"service_level": service_level, "answer_within_seconds": answer_within},
                "shrinkage": shrinkage,
            }
        else:
            if daily_volume is None:
                if population is None or calls_per_thousand is None:
                    raise typer.BadParameter(
                        "give --calls-per-hour, --daily-volume, or --population with --calls-per-thousand"
                    )
                daily_volume = erlang.daily_volume_from_population(population, calls_per_thousand)
            weights = _profile(profile) if profile else erlang.DEFAULT_HOURLY_PROFILE
            result = erlang.daily_plan(
                daily_volume,
                aht,
                service_level,
                answer_within,
                profile=weights,
                shrinkage=shrinkage,
                max_occupancy=max_occupancy,
            )
    except erlang.StaffingError as error:
        raise typer.BadParameter(str(error)) from error
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
    elif "hours" in result:
        for hour in result["hours"]:
            typer.echo(
                f"{hour['hour']:02d}:00  calls {hour['calls_per_hour']:>8}  agents {hour['agents']:>4}"
                f"  seats {hour['seats']:>4}  SL {_pct(hour['service_level'])}"
            )
        typer.echo(f"peak {result['peak']['hour']:02d}:00: {result['agents']} agents, {result['seats']} seats")
    else:
        typer.echo(
            f"{result['agents']} agents: service level {_pct(result['service_level'])}, "
            f"occupancy {_pct(result['occupancy'])}, ASA {result['asa_seconds']:.1f} s, "
            f"{result['seats']} seats with shrinkage {shrinkage:.0%}"
        )


def _profile(path: Path) -> list[float]:
    import yaml

    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if isinstance(data, dict):
        data = data.get("profile") or data.get("hours")
    if not isinstance(data, list):
        data = [line for line in text.replace(",", "\n").split() if line.strip()]
    try:
        return [float(v) for v in data]
    except (TypeError, ValueError) as error:
        raise typer.BadParameter(f"{path}: the profile must be 24 numbers") from error


def export_orders(
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day (inclusive), YYYY-MM-DD."),
    fmt: str = typer.Option("csv", "--format", help="csv or json."),
    output: Path = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
    include_personal: bool = typer.Option(False, help="Unmasked contacts and texts (not for confidential orders)."),
) -> None:
    """Export the work orders created in a period (CSV for spreadsheets, JSON for data exchange)."""
    from gateway.workorders.exports import export
    from gateway.workorders.repository import WorkOrderRepository

    if fmt not in ("csv", "json"):
        raise typer.BadParameter("--format is csv or json")
    timezone = _timezone()
    orders = WorkOrderRepository(_engine(), timezone=timezone).between(_day(start, "--from"), _day(end, "--to"))
    body = export(orders, _today(timezone), fmt, include_personal=include_personal)  # type: ignore[arg-type]
    if output is None:
        typer.echo(body, nl=False)
    else:
        output.write_text(body, encoding="utf-8")
        typer.echo(f"{len(orders)} work orders written to {output}", err=True)


@workorders_app.command("sweep")
def sweep() -> None:
    """Run 预警, 督办, duplicate linking and rating adoption once (serve runs it periodically)."""
    from gateway.linkage import LinkageService
    from gateway.settings import get_settings
    from gateway.workorders.wiring import linkage_config, workorder_service

    settings = get_settings()
    engine = _engine()
    service = workorder_service(settings, engine, LinkageService(engine, linkage_config(settings)))
    typer.echo(json.dumps(service.sweep().to_dict(), ensure_ascii=False))
