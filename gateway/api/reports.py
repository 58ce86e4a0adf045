"""Indicators report, work-order exports and the staffing calculator over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from anyio import to_thread
from fastapi import APIRouter, Query
from fastapi.responses import Response

from gateway.api.deps import Reporting, ServicesDep
from gateway.api.errors import ErrorTranslatingRoute
from gateway.auth.errors import NotPermitted
from gateway.workorders.errors import InvalidValue
from gateway.workorders.exports import export
from gateway.workorders.indicators import Period, indicators
from gateway.workorders.lifecycle import Role
from gateway.workorders.repository import WorkOrderRepository
from gateway.workorders.staffing import StaffingError, agents_needed

router = APIRouter(prefix="/api", tags=["reports"], route_class=ErrorTranslatingRoute)

From = Annotated[date, Query(alias="from", description="first day, YYYY-MM-DD")]
To = Annotated[date, Query(alias="to", description="last day (inclusive), YYYY-MM-DD")]


def _period(start: date, end: date, timezone: str) -> Period:
    try:
        return Period(start, end, timezone)
    except ValueError as error:
        raise InvalidValue(str(error)) from error


@router.get("/reports/indicators", summary="Indicators (GB/T 33357 style) for a period")
async def report(_user: Reporting, services: ServicesDep, start: From, end: To) -> dict[str, Any]:
    period = _period(start, end, services.settings.timezone)
    engine = services.store.engine
    return await to_thread.run_sync(indicators, engine, period, services.workorders.today())


@router.get("/exports/workorders", summary="Work orders of a period as CSV or JSON")
async def export_orders(
    user: Reporting,
    services: ServicesDep,
    start: From,
    end: To,
    format: Literal["csv", "json"] = "csv",
    include_personal: bool = False,
) -> Response:
    if include_personal and user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise NotPermitted("only supervisors and admins export personal data")
    period = _period(start, end, services.settings.timezone)
    repo = WorkOrderRepository(services.store.engine, timezone=period.timezone)
    orders = await to_thread.run_sync(repo.between, period.start, period.end)
    body = await to_thread.run_sync(
        lambda: export(orders, services.workorders.today(), format, include_personal=include_personal)
    )
    name = f"workorders-{period.start.isoformat()}-{period.end.isoformat()}.{format}"
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    return Response(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/staffing", summary="Agents needed (Erlang C) for a call volume and service level")
async def staffing(
    _user: Reporting,
    calls_per_hour: Annotated[float, Query(ge=0, le=100_000)],
    aht: Annotated[float, Query(gt=0, le=7_200, description="average handling time, seconds")],
    service_level: Annotated[float, Query(gt=0, lt=1)] = 0.8,
    answer_within: Annotated[float, Query(ge=0, le=3_600)] = 20,
    shrinkage: Annotated[float, Query(ge=0, lt=1)] = 0.0,
) -> dict[str, Any]:
    try:
        plan = agents_needed(calls_per_hour, aht, service_level, answer_within, shrinkage=shrinkage)
    except (StaffingError, OverflowError) as error:
        raise InvalidValue(str(error)) from error
    return plan.to_dict()
