"""The store's contract, run against SQLite (embedded default) and the machine's PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from channels.base import Message
from gateway.store import Store, create_engine_for, upgrade_database
from gateway.store.database import current_revision
from gateway.store.repository import NewWorkOrder


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    upgrade_database(database_url)
    engine = create_engine_for(database_url)
    yield Store(engine)
    engine.dispose()


def message(external_id: str = "m-1", text: str = "小区路灯坏了一个月没人修", session: str = "s-1") -> Message:
    return Message(
        channel="web",
        external_id=f"{session}:{external_id}",
        session_key=session,
        sender=session,
        text=text,
        raw='{"text": "' + text + '"}',
    )


def new_order(store: Store, inbound_id: int, conversation_id: str) -> NewWorkOrder:
    return NewWorkOrder(
        conversation_id=conversation_id,
        inbound_message_id=inbound_id,
        channel="web",
        appeal_type="投诉",
        category_l1="城乡建设",
        category_l2="城市建设和市政管理",
        confidence=0.82,
        department="市城市管理局",
        deadline=date(2026, 12, 7),
        description="小区路灯坏了一个月没人修",
        contact="13812345678",
        entities=[{"type": "address", "text": "幸福小区"}],
    )


def test_migrations_reach_head(database_url: str) -> None:
    upgrade_database(database_url)
    assert current_revision(database_url) is not None


def test_inbound_is_recorded_once_per_channel_message_id(store: Store) -> None:
    first, created = store.record_inbound(message())
    again, created_again = store.record_inbound(message(text="重发的内容不会覆盖原文"))
    assert created and not created_again
    assert again.id == first.id
    assert again.text == "小区路灯坏了一个月没人修"


def test_raw_payload_and_conversation_are_kept(store: Store) -> None:
    first, _ = store.record_inbound(message("m-1"))
    second, _ = store.record_inbound(message("m-2", text="还有楼道灯也不亮"))
    assert first.conversation_id == second.conversation_id
    history = store.conversation_messages(first.conversation_id)
    assert [r.text for r in history] == ["小区路灯坏了一个月没人修", "还有楼道灯也不亮"]
    other, _ = store.record_inbound(message("m-1", session="s-2"))
    assert other.conversation_id != first.conversation_id


def test_claim_is_exclusive_until_stale(store: Store) -> None:
    record, _ = store.record_inbound(message())
    assert store.claim(record.id)
    assert not store.claim(record.id)
    assert store.claim(record.id, stale_after=timedelta(seconds=-1))
    store.complete(record.id, {"message_id": "m-1", "replies": []})
    assert not store.claim(record.id, stale_after=timedelta(seconds=-1))
    done = store.get_inbound(record.id)
    assert done is not None and done.status == "done" and done.outcome == {"message_id": "m-1", "replies": []}


def test_delivery_decision_goes_to_the_first_caller(store: Store) -> None:
    record, _ = store.record_inbound(message())
    assert store.decide_delivery(record.id, "async") == "async"
    assert store.decide_delivery(record.id, "ready") == "async"


def test_failed_messages_are_offered_to_the_reconciler(store: Store) -> None:
    record, _ = store.record_inbound(message())
    assert store.claim(record.id)
    store.fail(record.id, "RuntimeError: model crashed")
    stale = store.unprocessed(older_than=timedelta(seconds=-1))
    assert [r.id for r in stale] == [record.id]
    store.complete(record.id, {"message_id": "m-1", "replies": []})
    assert store.unprocessed(older_than=timedelta(seconds=-1)) == []


def test_one_work_order_per_message_with_daily_ticket_numbers(store: Store) -> None:
    first, _ = store.record_inbound(message("m-1"))
    second, _ = store.record_inbound(message("m-2", text="垃圾站太臭了"))
    order, created = store.create_work_order(new_order(store, first.id, first.conversation_id))
    same, created_again = store.create_work_order(new_order(store, first.id, first.conversation_id))
    other, _ = store.create_work_order(new_order(store, second.id, second.conversation_id))
    assert created and not created_again and same.ticket == order.ticket
    prefix, day, number = order.ticket.split("-")
    assert prefix == "12345" and len(day) == 8 and len(number) == 6
    assert int(other.ticket.split("-")[2]) == int(number) + 1
    assert store.count_work_orders() == 2
    loaded = store.get_work_order(order.ticket)
    assert loaded is not None and loaded.department == "市城市管理局" and loaded.status == "受理"
    assert [e["kind"] for e in store.events_for("work_order", order.ticket)] == ["work_order.created"]


def test_concurrent_tickets_are_unique(store: Store) -> None:
    records = [store.record_inbound(message(f"m-{i}"))[0] for i in range(12)]
    tickets: list[str] = []
    errors: list[BaseException] = []

    def open_order(index: int) -> None:
        try:
            record = records[index]
            order, _ = store.create_work_order(new_order(store, record.id, record.conversation_id))
            tickets.append(order.ticket)
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=open_order, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(tickets)) == 12


def test_emergency_referral_is_recorded_once(store: Store) -> None:
    record, _ = store.record_inbound(message(text="我家厨房着火了"))
    first = store.record_emergency(record, ["119"], "critical", "着火了", "fire in progress")
    second = store.record_emergency(record, ["119"], "critical", "着火了", "fire in progress")
    assert first == second
    assert store.emergencies()[0]["services"] == ["119"]
