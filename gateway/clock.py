"""The gateway's one notion of "now": timezone-aware UTC, also for values read back from SQLite."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes for timezone-aware columns; all our stored times are UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value
