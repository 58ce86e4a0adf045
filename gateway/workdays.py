"""Deadlines in working days: weekends and a configurable holiday calendar are skipped."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path


def add_working_days(
    start: date, days: int, holidays: Iterable[date] = (), workdays: Iterable[date] = ()
) -> date:
    """The date `days` working days after `start`; `workdays` are weekend days made working (调休)."""
    off = set(holidays)
    on = set(workdays)
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if _is_working(current, off, on):
            remaining -= 1
    return current


def _is_working(day: date, holidays: set[date], workdays: set[date]) -> bool:
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


class HolidayCalendar:
    """Holidays and make-up working days, loaded from YAML (gateway/config/holidays.yaml by default)."""

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)

    @classmethod
    def load(cls, path: Path | None = None) -> HolidayCalendar:
        import yaml

        source = path or Path(__file__).with_name("config") / "holidays.yaml"
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        return cls(
            holidays=(_as_date(d) for d in data.get("holidays", [])),
            workdays=(_as_date(d) for d in data.get("workdays", [])),
        )

    def add_working_days(self, start: date, days: int) -> date:
        return add_working_days(start, days, self.holidays, self.workdays)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
