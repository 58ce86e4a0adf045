"""Working-day deadlines across weekends, public holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.workdays import HolidayCalendar, add_working_days, day_start, hotline_today, hotline_zone, local_date

CALENDAR = HolidayCalendar.load()


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday + 1 -> Monday
        (date(2026, 11, 28), 5, date(2026, 12, 4)),  # Saturday + 5 -> next Friday
        (date(2026, 11, 30), 0, date(2026, 11, 30)),
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # National Day week is skipped
        (date(2026, 10, 9), 1, date(2026, 10, 10)),  # Saturday 10 October is a make-up working day
        (date(2026, 2, 13), 1, date(2026, 2, 14)),  # Saturday before Spring Festival works
        (date(2026, 4, 30), 2, date(2026, 5, 7)),  # Labour Day holiday 1-5 May
    ],
)
def test_deadlines_skip_days_off(start: date, days: int, expected: date) -> None:
    assert CALENDAR.add_working_days(start, days) == expected


def test_plain_weekends_without_a_calendar() -> None:
    assert add_working_days(date(2026, 10, 1), 3) == date(2026, 10, 6)


# -- the hotline's day: China (UTC+8) turns the date at 16:00 UTC -----------------------------------------


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-11-28T15:59:59", date(2026, 11, 28)),  # 23:59:59 in Beijing
        ("2026-11-28T16:00:00", date(2026, 11, 29)),  # midnight in Beijing: already tomorrow
        ("2026-12-31T16:30:00", date(2027, 1, 1)),  # New Year in Beijing, still the old year in UTC
    ],
)
def test_a_day_is_the_hotlines_day(moment: str, day: date) -> None:
    assert CALENDAR.date_of(utc(moment)) == day
    assert hotline_today(now=utc(moment)) == day
    assert local_date(utc(moment).replace(tzinfo=None), hotline_zone()) == day  # SQLite's naive UTC


def test_day_starts_at_16_utc_the_evening_before() -> None:
    assert day_start(date(2026, 10, 1), hotline_zone()) == utc("2026-09-30T16:00:00")
    assert day_start(date(2026, 10, 1), hotline_zone("UTC")) == utc("2026-10-01T00:00:00")


@pytest.mark.parametrize(
    ("opened", "expected"),
    [
        # Tuesday 29 September, 23:59 in Beijing: one working day is Wednesday the 30th.
        ("2026-09-29T15:59:00", date(2026, 9, 30)),
        # One minute later it is Wednesday the 30th in Beijing: the next working day is after National Day.
        ("2026-09-29T16:00:00", date(2026, 10, 8)),
        # Opened on the holiday itself (1 October, 08:00 in Beijing).
        ("2026-10-01T00:00:00", date(2026, 10, 8)),
    ],
)
def test_deadline_counts_from_the_local_day_across_a_holiday(opened: str, expected: date) -> None:
    assert CALENDAR.deadline(utc(opened), 1) == expected


def test_a_configured_timezone_moves_the_boundary() -> None:
    utc_calendar = HolidayCalendar.load(timezone="UTC")
    assert utc_calendar.deadline(utc("2026-09-29T16:00:00"), 1) == date(2026, 9, 30)
    with pytest.raises(ValueError, match="unknown timezone"):
        HolidayCalendar(timezone="Asia/Beijing")  # not an IANA name: China's zone is Asia/Shanghai
