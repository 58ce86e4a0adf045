"""The indicators report (GB/T 33357-style evaluation of the hotline, GB/T 44190 clause 7).

Definitions (all over records created from `start` to `end` inclusive, the hotline's calendar days):
- volume: citizen messages by channel; work orders by channel, category, appeal type, department, status;
- emergency referrals: count, by service, by linkage status;
- self-service answer rate: conversations answered from the knowledge base that opened no work order,
  over those plus the conversations that opened one;
- on-time completion rate: orders answered (办结) on or before their deadline, over the orders due:
  answered ones plus unanswered ones whose deadline has passed by `as_of`;
- satisfaction rate: 非常满意 + 满意 + 基本满意 over rated orders;
- callback rate: called-back orders over answered orders.
Rates are None when their denominator is zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from gateway.store.models import EmergencyReferral, InboundMessage
from gateway.workdays import DEFAULT_TIMEZONE, day_start, hotline_zone, local_date
from gateway.workorders.lifecycle import UNFINISHED
from gateway.workorders.records import WorkOrderRecord
from gateway.workorders.repository import WorkOrderRepository
from gateway.workorders.transitions import SATISFIED_LEVELS


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass(frozen=True)
class Period:
    """Whole days of the hotline's timezone: in China a day runs from 16:00 UTC to 16:00 UTC."""

    start: date
    end: date
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("the period ends before it starts")

    @property
    def zone(self) -> tzinfo:
        return hotline_zone(self.timezone)

    @property
    def lower(self) -> datetime:
        return day_start(self.start, self.zone)

    @property
    def upper(self) -> datetime:
        return day_start(self.end + timedelta(days=1), self.zone)


def indicators(engine: Engine, period: Period, as_of: date) -> dict[str, Any]:
    orders = WorkOrderRepository(engine, timezone=period.timezone).between(period.start, period.end)
    sessions = sessionmaker(engine)
    with sessions() as session:
        messages = session.execute(
            select(InboundMessage.channel, InboundMessage.conversation_id, InboundMessage.outcome).where(
                InboundMessage.received_at >= period.lower, InboundMessage.received_at < period.upper
            )
        ).all()
        referrals = session.execute(
            select(EmergencyReferral.services, EmergencyReferral.linkage_status).where(
                EmergencyReferral.created_at >= period.lower, EmergencyReferral.created_at < period.upper
            )
        ).all()
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat(), "as_of": as_of.isoformat()},
        "messages": {
            "total": len(messages),
            "by_channel": _sorted(Counter(channel for channel, _c, _o in messages)),
            "conversations": len({conversation for _ch, conversation, _o in messages}),
        },
        "work_orders": _volume(orders, as_of),
        "emergency_referrals": {
            "total": len(referrals),
            "by_service": _sorted(Counter(s for services, _status in referrals for s in services)),
            "by_linkage_status": _sorted(Counter(status for _services, status in referrals)),
        },
        "self_service": _self_service(messages, orders),
        "on_time_completion": _on_time(orders, as_of, period.zone),
        "satisfaction": _satisfaction(orders),
        "callback": _callback(orders),
    }


def _sorted(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def _volume(orders: list[WorkOrderRecord], as_of: date) -> dict[str, Any]:
    return {
        "total": len(orders),
        "by_channel": _sorted(Counter(o.channel for o in orders)),
        "by_category": _sorted(Counter(o.category_l1 for o in orders)),
        "by_appeal_type": _sorted(Counter(o.appeal_type for o in orders)),
        "by_department": _sorted(Counter(o.department for o in orders)),
        "by_status": _sorted(Counter(o.status for o in orders)),
        "overdue_open": sum(1 for o in orders if o.overdue(as_of)),
        "duplicates": sum(1 for o in orders if o.duplicate_of),
    }


def _answered_from_knowledge(outcome: Any) -> bool:
    if not isinstance(outcome, dict):
        return False
    return any(isinstance(r, dict) and r.get("kind") == "answer" for r in outcome.get("replies") or ())


def _self_service(messages: Sequence[Any], orders: list[WorkOrderRecord]) -> dict[str, Any]:
    answered = {conversation for _ch, conversation, outcome in messages if _answered_from_knowledge(outcome)}
    with_orders = {o.conversation_id for o in orders}
    self_served = answered - with_orders
    return {
        "answered_without_work_order": len(self_served),
        "conversations_with_work_order": len(with_orders),
        "rate": rate(len(self_served), len(self_served) + len(with_orders)),
    }


def _on_time(orders: list[WorkOrderRecord], as_of: date, zone: tzinfo) -> dict[str, Any]:
    answered = [o for o in orders if o.completed_at is not None]
    # Answered on the deadline's day where the hotline is (not the UTC day) counts as on time.
    on_time = sum(1 for o in answered if o.completed_at is not None and local_date(o.completed_at, zone) <= o.deadline)
    late_open = sum(1 for o in orders if o.completed_at is None and o.status in UNFINISHED and o.deadline < as_of)
    due = len(answered) + late_open
    return {
        "due": due,
        "on_time": on_time,
        "answered_late": len(answered) - on_time,
        "overdue_open": late_open,
        "rate": rate(on_time, due),
    }


def _satisfaction(orders: list[WorkOrderRecord]) -> dict[str, Any]:
    rated = [o.rating for o in orders if o.rating]
    satisfied = sum(1 for level in rated if level in SATISFIED_LEVELS)
    return {
        "rated": len(rated),
        "satisfied": satisfied,
        "rate": rate(satisfied, len(rated)),
        "by_level": _sorted(Counter(level for level in rated if level)),
    }


def _callback(orders: list[WorkOrderRecord]) -> dict[str, Any]:
    answered = [o for o in orders if o.completed_at is not None or o.callback_at is not None]
    called = sum(1 for o in answered if o.callback_at is not None)
    return {"answered": len(answered), "called_back": called, "rate": rate(called, len(answered))}
