"""Tickets and report days are the hotline's days (Asia/Shanghai): an appeal at 16:30 UTC is tomorrow's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from channels.base import Message
from gateway import clock
from gateway.store import Store
from gateway.store.repository import NewWorkOrder
from gateway.workorders.indicators import Period, indicators
from gateway.workorders.repository import QueueFilter, WorkOrderRepository
from tests.gateway.workorders.conftest import OpenOrder

EVENING_BEFORE = datetime(2026, 11, 28, 15, 59, tzinfo=UTC)  # 23:59 on the 28th in Beijing
AFTER_MIDNIGHT = datetime(2026, 11, 28, 16, 1, tzinfo=UTC)  # 00:01 on the 29th in Beijing


def open_at(monkeypatch: pytest.MonkeyPatch, open_order: OpenOrder, moment: datetime, text: str) -> str:
    monkeypatch.setattr(clock, "utc_now", lambda: moment)
    return open_order(text)


def test_ticket_dates_and_report_days_turn_at_16_utc(
    store: Store, open_order: OpenOrder, monkeypatch: pytest.MonkeyPatch
) -> None:
    late = open_at(monkeypatch, open_order, EVENING_BEFORE, "楼道声控灯坏了，晚上上楼看不见台阶")
    early = open_at(monkeypatch, open_order, AFTER_MIDNIGHT, "半夜工地还在打桩，吵得孩子睡不着！")
    assert late.startswith("12345-20261128-")
    # Same UTC day, but the next day in China: the ticket is dated the 29th and numbered from 1 again.
    assert early == "12345-20261129-000001"

    repo = WorkOrderRepository(store.engine)
    assert [o.ticket for o in repo.between(date(2026, 11, 28), date(2026, 11, 28))] == [late]
    assert [o.ticket for o in repo.between(date(2026, 11, 29), date(2026, 11, 29))] == [early]
    queue, total = repo.query(QueueFilter(created_from=date(2026, 11, 29)), date(2026, 11, 29))
    assert total == 1 and queue[0].ticket == early

    report = indicators(store.engine, Period(date(2026, 11, 29), date(2026, 11, 29)), as_of=date(2026, 11, 29))
    assert report["work_orders"]["total"] == 1

    # A hotline configured for UTC sees both on the 28th.
    utc_repo = WorkOrderRepository(store.engine, timezone="UTC")
    assert len(utc_repo.between(date(2026, 11, 28), date(2026, 11, 28))) == 2
    utc_report = indicators(store.engine, Period(date(2026, 11, 28), date(2026, 11, 28), "UTC"), date(2026, 11, 29))
    assert utc_report["work_orders"]["total"] == 2


def test_a_utc_hotline_dates_tickets_by_utc(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    utc_store = Store(store.engine, timezone="UTC")
    monkeypatch.setattr(clock, "utc_now", lambda: AFTER_MIDNIGHT)
    text = "路灯不亮"
    inbound, _ = store.record_inbound(
        Message(channel="web", external_id="utc:1", session_key="utc", sender="utc", text=text, raw=text)
    )
    order, _ = utc_store.create_work_order(
        NewWorkOrder(
            conversation_id=inbound.conversation_id,
            inbound_message_id=inbound.id,
            channel="web",
            appeal_type="求助",
            category_l1="城乡建设",
            category_l2=None,
            confidence=0.8,
            department="市城市管理局",
            deadline=date(2026, 12, 4),
            description=text,
            contact=None,
            entities=[],
        )
    )
    assert order.ticket.startswith("12345-20261128-")
