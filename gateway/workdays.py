"""Deadlines in working days, counted on the hotline's own calendar days.

Weekends and a configurable holiday calendar are skipped. A "day" is a day where the hotline is (its
timezone, Asia/Shanghai by default): China changes day at 16:00 UTC, so a message at 17:00 UTC belongs to
the next day for its deadline, its ticket number and the reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


def hotline_zone(name: str = DEFAULT_TIMEZONE) -> ZoneInfo:
    """The IANA zone by name; ValueError for a name the zone database does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown timezone {name!r} (an IANA name such as Asia/Shanghai)") from error


def local_date(moment: datetime, zone: tzinfo) -> date:
    """The hotline's calendar day of an instant (a naive datetime is UTC, as SQLite returns them)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).date()


def hotline_today(timezone: str = DEFAULT_TIMEZONE, now: datetime | None = None) -> date:
    """Today's date where the hotline is."""
    return local_date(now or datetime.now(UTC), hotline_zone(timezone))


def day_start(day: date, zone: tzinfo) -> datetime:
    """The instant (in UTC) the hotline's calendar day begins: 2026-10-01 starts 2026-09-30T16:00Z in China."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def add_working_days(start: date, days: int, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> date:
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
    """Holidays and make-up working days, loaded from YAML (gateway/config/holidays.yaml by default), and the
    timezone whose days they are."""

    def __init__(
        self, holidays: Iterable[date] = (), workdays: Iterable[date] = (), timezone: str = DEFAULT_TIMEZONE
    ) -> None:
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.zone = hotline_zone(timezone)

    @classmethod
    def load(cls, path: Path | None = None, timezone: str = DEFAULT_TIMEZONE) -> HolidayCalendar:
        import yaml

        source = path or Path(__file__).with_name("config") / "holidays.yaml"
        data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        return cls(
            holidays=(_as_date(d) for d in data.get("holidays", [])),
            workdays=(_as_date(d) for d in data.get("workdays", [])),
            timezone=timezone,
        )

    def add_working_days(self, start: date, days: int) -> date:
        return add_working_days(start, days, self.holidays, self.workdays)

    def date_of(self, moment: datetime) -> date:
        return local_date(moment, self.zone)

    def today(self, now: datetime | None = None) -> date:
        return self.date_of(now or datetime.now(UTC))

    def deadline(self, opened_at: datetime, days: int) -> date:
        """The deadline of an order opened at `opened_at`: `days` working days after its local day."""
        return self.add_working_days(self.date_of(opened_at), days)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
