"""What each lifecycle action does to an order besides moving its status (GB/T 44190 6.2.3).

One function per action, applied to the locked row inside the repository's transaction; each checks its
inputs, changes the row and returns the data of the audit event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from gateway.store.models import WorkOrder
from gateway.workdays import HolidayCalendar
from gateway.workorders.errors import IllegalTransition, InvalidValue, MissingField
from gateway.workorders.lifecycle import Action

# 好差评 levels, best first; the first three count as satisfied in the indicators report.
RATING_LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
SATISFIED_LEVELS = frozenset(RATING_LEVELS[:3])
_UNSATISFIED = frozenset(RATING_LEVELS[3:])
MAX_EXTENSION_DAYS = 30


@dataclass(frozen=True)
class TransitionInput:
    department: str | None = None
    reason: str | None = None
    reply: str | None = None
    days: int | None = None
    rating: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Rules:
    """What the actions need besides the row: working days, the clock, the warning window."""

    calendar: HolidayCalendar
    clock: Callable[[], datetime]
    warn_working_days: int

    def in_warning_window(self, deadline: date, day: date) -> bool:
        return day <= deadline <= self.calendar.add_working_days(day, self.warn_working_days)


def apply(rules: Rules, action: Action, row: WorkOrder, data: TransitionInput, day: date) -> dict[str, Any]:
    """Run the action's own checks and changes; returns the audit event's data."""
    handler = _HANDLERS.get(action)
    extra = handler(rules, row, data, day) if handler else {}
    if data.note:
        extra["note"] = data.note
    return extra


def _dispatch(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    department = (data.department or row.department or "").strip()
    if not department:
        raise MissingField("dispatch needs a department")
    previous = row.department
    row.department = department
    return {"department": department, "previous_department": previous}


def _return(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    return {"reason": _required(data.reason, "退单 needs a reason"), "department": row.department}


def _complete(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    row.reply_text = _required(data.reply, "办结 needs the reply to the citizen")
    row.completed_at = rules.clock()
    return {"reply": row.reply_text}


def _reject(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    reason = _required(data.reason, "审核不通过 needs a reason")
    # The department answers again; the clock for on-time completion runs on.
    row.completed_at = None
    return {"reason": reason}


def _callback(rules: Rules, row: WorkOrder, data: TransitionInput, day: date) -> dict[str, Any]:
    row.callback_at = rules.clock()
    extra: dict[str, Any] = {}
    if data.rating:
        extra.update(_rate(rules, row, data, day))
    return extra


def _archive(rules: Rules, row: WorkOrder, _data: TransitionInput, _day: date) -> dict[str, Any]:
    row.archived_at = rules.clock()
    return {}


def _request_extension(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    if row.extension_days is not None:
        raise IllegalTransition("an extension request is already pending")
    if data.days is None:
        raise MissingField("延期 needs the number of working days")
    if not 1 <= data.days <= MAX_EXTENSION_DAYS:
        raise InvalidValue(f"延期 must be 1 to {MAX_EXTENSION_DAYS} working days")
    row.extension_days = data.days
    row.extension_reason = _required(data.reason, "延期 needs a reason")
    return {"days": data.days, "reason": row.extension_reason}


def _approve_extension(rules: Rules, row: WorkOrder, _data: TransitionInput, _day: date) -> dict[str, Any]:
    days = _pending_extension(row)
    previous = row.deadline
    row.deadline = rules.calendar.add_working_days(row.deadline, days)
    row.extension_days = None
    row.extension_reason = None
    # The new deadline gets its own warning.
    row.warned_at = None
    return {"days": days, "previous_deadline": previous.isoformat(), "deadline": row.deadline.isoformat()}


def _reject_extension(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    days = _pending_extension(row)
    row.extension_days = None
    row.extension_reason = None
    return {"days": days, "reason": data.reason or ""}


def _pending_extension(row: WorkOrder) -> int:
    if row.extension_days is None:
        raise IllegalTransition("no extension request is pending")
    return int(row.extension_days)


def _supervise(rules: Rules, row: WorkOrder, _data: TransitionInput, day: date) -> dict[str, Any]:
    if day <= row.deadline:
        raise IllegalTransition(f"督办 is for overdue orders; the deadline is {row.deadline.isoformat()}")
    row.supervision_count = int(row.supervision_count or 0) + 1
    row.supervised_at = rules.clock()
    return {
        "deadline": row.deadline.isoformat(),
        "days_overdue": (day - row.deadline).days,
        "count": row.supervision_count,
    }


def _warn(rules: Rules, row: WorkOrder, _data: TransitionInput, day: date) -> dict[str, Any]:
    if row.warned_at is not None:
        raise IllegalTransition("the order was already warned for this deadline")
    if not rules.in_warning_window(row.deadline, day):
        raise IllegalTransition(f"预警 starts {rules.warn_working_days} working days ahead of the deadline")
    row.warned_at = rules.clock()
    return {"deadline": row.deadline.isoformat()}


def _rate(rules: Rules, row: WorkOrder, data: TransitionInput, _day: date) -> dict[str, Any]:
    level = _required(data.rating, "好差评 needs a rating")
    if level not in RATING_LEVELS:
        raise InvalidValue(f"rating must be one of {'、'.join(RATING_LEVELS)}")
    if row.rating is not None:
        raise IllegalTransition("the order is already rated")
    reason = (data.reason or "").strip()
    if level in _UNSATISFIED and not reason:
        raise MissingField("a 不满意 rating needs a reason")
    row.rating = level
    row.rating_reason = reason or None
    row.rated_at = rules.clock()
    return {"rating": level, "reason": reason}


def _required(value: str | None, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise MissingField(message)
    return text


_Handler = Callable[[Rules, WorkOrder, TransitionInput, date], dict[str, Any]]
_HANDLERS: dict[Action, _Handler] = {
    Action.DISPATCH: _dispatch,
    Action.RETURN: _return,
    Action.COMPLETE: _complete,
    Action.RESOLVE: _complete,
    Action.REJECT: _reject,
    Action.CALLBACK: _callback,
    Action.ARCHIVE: _archive,
    Action.REQUEST_EXTENSION: _request_extension,
    Action.APPROVE_EXTENSION: _approve_extension,
    Action.REJECT_EXTENSION: _reject_extension,
    Action.SUPERVISE: _supervise,
    Action.WARN: _warn,
    Action.RATE: _rate,
}
