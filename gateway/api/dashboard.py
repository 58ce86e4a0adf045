"""Operations dashboard data: the indicators of a period, day by day, and the open work-order queue now.

Built on `gateway.workorders.indicators` (one definition of every figure): each day of the period is a
one-day indicators report, so a day's bar and the period's total always agree.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import sessionmaker

from gateway.api.deps import Reporting, ServicesDep
from gateway.api.errors import ErrorTranslatingRoute
from gateway.store.models import WorkOrder
from gateway.workorders.errors import InvalidValue
from gateway.workorders.indicators import Period, indicators
from gateway.workorders.lifecycle import UNFINISHED

router = APIRouter(prefix="/api", tags=["reports"], route_class=ErrorTranslatingRoute)

MAX_DAYS = 92
# Categories beyond the busiest few are summed as 其他 so the chart stays legible.
TOP_CATEGORIES = 6


def open_queue(engine: Engine, today: date) -> dict[str, Any]:
    """Unfinished work orders by status, and how many of them are past their deadline."""
    with sessionmaker(engine)() as session:
        rows = session.execute(
            select(WorkOrder.status, func.count())
            .where(WorkOrder.status.in_([s.value for s in UNFINISHED]))
            .group_by(WorkOrder.status)
        ).all()
        overdue = session.scalar(
            select(func.count()).where(WorkOrder.status.in_([s.value for s in UNFINISHED]), WorkOrder.deadline < today)
        )
    by_status = {str(status): int(count) for status, count in rows}
    return {"total": sum(by_status.values()), "by_status": by_status, "overdue": int(overdue or 0)}


def series(engine: Engine, start: date, end: date, today: date, timezone: str) -> dict[str, Any]:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    daily = [indicators(engine, Period(day, day, timezone), today) for day in days]
    channels = sorted({c for d in daily for c in d["messages"]["by_channel"]})
    category_totals: Counter[str] = Counter()
    for d in daily:
        category_totals.update(d["work_orders"]["by_category"])
    top = [c for c, _ in category_totals.most_common(TOP_CATEGORIES)]

    def categories_of(d: dict[str, Any]) -> dict[str, int]:
        counts = d["work_orders"]["by_category"]
        out = {c: int(counts.get(c, 0)) for c in top}
        rest = sum(v for c, v in counts.items() if c not in top)
        if len(category_totals) > len(top):
            out["其他"] = rest
        return out

    by_category = [categories_of(d) for d in daily]
    return {
        "days": [day.isoformat() for day in days],
        "messages_by_channel": {c: [d["messages"]["by_channel"].get(c, 0) for d in daily] for c in channels},
        "orders_by_category": {c: [row[c] for row in by_category] for c in (by_category[0] if by_category else {})},
        "emergency_referrals": [d["emergency_referrals"]["total"] for d in daily],
        "self_service_rate": [d["self_service"]["rate"] for d in daily],
        "on_time_rate": [d["on_time_completion"]["rate"] for d in daily],
        "satisfaction_rate": [d["satisfaction"]["rate"] for d in daily],
    }


@router.get("/dashboard", summary="Day-by-day volumes and rates of a period, its totals, and the open queue")
async def dashboard(
    _user: Reporting,
    services: ServicesDep,
    start: Annotated[date | None, Query(alias="from", description="first day (default: 13 days before to)")] = None,
    end: Annotated[date | None, Query(alias="to", description="last day, inclusive (default: today)")] = None,
) -> dict[str, Any]:
    today = services.workorders.today()
    end = end or today
    start = start or end - timedelta(days=13)
    if end < start or (end - start).days >= MAX_DAYS:
        raise InvalidValue(f"the period must run forwards and span at most {MAX_DAYS} days")
    engine = services.store.engine
    timezone = services.settings.timezone

    def build() -> dict[str, Any]:
        return {
            "period": {"from": start.isoformat(), "to": end.isoformat(), "as_of": today.isoformat()},
            "series": series(engine, start, end, today, timezone),
            "totals": indicators(engine, Period(start, end, timezone), today),
            "queue": open_queue(engine, today),
        }

    return await to_thread.run_sync(build)
