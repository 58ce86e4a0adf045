"""`hotline staffing`, `hotline report`, `hotline export`, `hotline users` as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway.cli import app
from gateway.settings import get_settings
from gateway.workdays import hotline_today

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_staffing_for_an_hourly_volume() -> None:
    code, out = run(
        "staffing",
        "--calls-per-hour",
        "200",
        "--aht",
        "180",
        "--service-level",
        "0.8",
        "--answer-within",
        "20",
        "--json",
    )
    assert code == 0, out
    result = json.loads(out)
    assert result["agents"] == 14 and result["service_level"] == pytest.approx(0.8884, abs=1e-4)
    assert result["occupancy"] == pytest.approx(0.7143, abs=1e-4)
    code, out = run("staffing", "--calls-per-hour", "200", "--aht", "180", "--shrinkage", "0.3")
    assert code == 0 and out.startswith("14 agents") and "20 seats" in out


def test_staffing_for_a_daily_volume(tmp_path: Path) -> None:
    profile = tmp_path / "profile.txt"
    profile.write_text("\n".join(["1"] * 24), encoding="utf-8")
    code, out = run(
        "staffing", "--daily-volume", "4800", "--aht", "180", "--profile", str(profile), "--shrinkage", "0.3", "--json"
    )
    assert code == 0, out
    result = json.loads(out)
    assert result["agents"] == 14 and result["seats"] == 20 and len(result["hours"]) == 24
    code, out = run("staffing", "--population", "2000000", "--calls-per-thousand", "2.4", "--aht", "180", "--json")
    assert code == 0 and json.loads(out)["daily_volume"] == 4800
    code, _out = run("staffing", "--aht", "180")
    assert code == 2


def test_users_report_and_export(tmp_path: Path) -> None:
    code, out = run(
        "users", "create", "wang.fang", "--role", "agent", "--password-stdin", stdin="坐席王芳的密码-2026\n"
    )
    assert code == 0, out
    code, out = run("users", "create", "li.qiang", "--role", "department", "--no-password")
    assert code == 1 and "department" in out
    code, out = run("users", "list", "--json")
    assert code == 0 and json.loads(out)[0]["username"] == "wang.fang"
    code, out = run("users", "token", "wang.fang", "--name", "console")
    assert code == 0 and out.startswith("hlt_")
    code, _ = run("users", "disable", "wang.fang")
    assert code == 0
    today = hotline_today().isoformat()
    code, out = run("report", "--from", today, "--to", today, "--json")
    assert code == 0, out
    assert json.loads(out)["work_orders"]["total"] == 0
    code, out = run("report", "--from", today, "--to", "2000-01-01")
    assert code == 2
    target = tmp_path / "orders.json"
    code, out = run("export", "--from", today, "--to", today, "--format", "json", "--output", str(target))
    assert code == 0 and json.loads(target.read_text(encoding="utf-8")) == []
    code, out = run("workorders", "sweep")
    assert code == 0 and json.loads(out) == {"warned": [], "supervised": [], "linked": [], "rated": []}
