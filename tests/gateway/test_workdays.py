"""Working-day deadlines across weekends, public holidays and make-up working days (调休)."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.workdays import HolidayCalendar, add_working_days

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
