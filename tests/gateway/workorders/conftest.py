"""Work-order fixtures: a migrated store on SQLite and PostgreSQL, orders opened like the pipeline does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from channels.base import Message
from gateway.store import Store, create_engine_for, upgrade_database
from gateway.store.repository import NewWorkOrder
from gateway.workdays import HolidayCalendar
from gateway.workorders.repository import WorkOrderRepository
from gateway.workorders.service import WorkOrderService

# National Day 2026 as a holiday week with a make-up working Sunday, to test working-day deadlines.
CALENDAR = HolidayCalendar(
    holidays=[date(2026, 10, d) for d in range(1, 8)] + [date(2026, 12, 25)],
    workdays=[date(2026, 9, 27)],
)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    yield Store(engine)
    engine.dispose()


@pytest.fixture
def service(store: Store) -> WorkOrderService:
    return WorkOrderService(WorkOrderRepository(store.engine), CALENDAR, warn_working_days=1)


class Clock:
    """A settable clock for the repository: sweeps on chosen days stamp those days."""

    def __init__(self, day: date) -> None:
        self.set(day)

    def set(self, day: date, hour: int = 9) -> None:
        self.at = datetime.combine(day, time(hour), tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


OpenOrder = Callable[..., str]


@pytest.fixture
def open_order(store: Store) -> OpenOrder:
    """Open a work order the way effects.py does; returns its ticket."""
    counter = iter(range(1, 10_000))

    def make(
        text: str = "幸福小区东门的路灯坏了一个月了，晚上黑漆漆的老人不敢出门",
        *,
        category_l1: str = "城乡建设",
        category_l2: str | None = "市政设施",
        department: str = "市城市管理局",
        deadline: date = date(2026, 12, 10),
        appeal_type: str = "求助",
        address: str | None = "幸福小区东门",
        contact: str | None = "13812345678",
        channel: str = "web",
        session: str | None = None,
    ) -> str:
        n = next(counter)
        key = session or f"s-{n}"
        inbound, _ = store.record_inbound(
            Message(
                channel=channel,
                external_id=f"{key}:m-{n}",
                session_key=key,
                sender=key,
                text=text,
                raw=text,
                contact=contact,
            )
        )
        entities = [{"type": "address", "text": address, "value": address, "start": 0, "end": 1}] if address else []
        order, _ = store.create_work_order(
            NewWorkOrder(
                conversation_id=inbound.conversation_id,
                inbound_message_id=inbound.id,
                channel=channel,
                appeal_type=appeal_type,
                category_l1=category_l1,
                category_l2=category_l2,
                confidence=0.8,
                department=department,
                deadline=deadline,
                description=text,
                contact=contact,
                entities=entities,
            )
        )
        return order.ticket

    return make
