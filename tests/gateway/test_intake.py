"""Intake guarantees: inbox first, one processing per message, one reply delivery, late replies pushed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from channels.base import Message, Outcome, Recipient
from classifier.catalogue import Catalogue, load_catalogue
from gateway.dialogue import KnowledgeAnswer, Understanding
from gateway.effects import Effects
from gateway.intake import IntakeService
from gateway.processor import Processor
from gateway.state import StateBackends, build_state
from gateway.store import Store, create_engine_for, upgrade_database
from gateway.workdays import HolidayCalendar
from gateway.worker import Worker
from tests.support.understanding import understanding


@dataclass
class ScriptedModels:
    """Understands every message as a sanitation complaint, after a configurable delay."""

    delay_seconds: float = 0.0
    calls: list[str] = field(default_factory=list)
    catalogue: Catalogue = field(default_factory=load_catalogue)

    def required_details(self, understanding: Understanding) -> tuple[str, ...]:
        return ()

    def answer(self, question: str) -> KnowledgeAnswer | None:
        return None

    def understand(self, text: str) -> Understanding:
        self.calls.append(text)
        time.sleep(self.delay_seconds)
        return understanding(text)


@dataclass
class Harness:
    store: Store
    state: StateBackends
    models: ScriptedModels
    intake: IntakeService
    processor: Processor
    delivered: list[tuple[Recipient, Outcome]]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    url = f"sqlite:///{tmp_path / 'intake.sqlite3'}"
    upgrade_database(url)
    store = Store(create_engine_for(url))
    state = build_state("", "test")
    models = ScriptedModels()
    catalogue = load_catalogue()
    effects = Effects(store=store, catalogue=catalogue, pubsub=state.pubsub, calendar=HolidayCalendar.load())
    delivered: list[tuple[Recipient, Outcome]] = []

    async def deliver(recipient: Recipient, outcome: Outcome) -> None:
        delivered.append((recipient, outcome))

    processor = Processor(
        store=store, state=state, models=models, effects=effects, session_ttl_seconds=600, deliver=deliver
    )
    intake = IntakeService(store, state)
    await intake.start()
    stop = asyncio.Event()
    workers = [asyncio.create_task(Worker(f"w{i}", processor, state.queue, store).run(stop)) for i in range(2)]
    yield Harness(store, state, models, intake, processor, delivered)
    stop.set()
    await asyncio.gather(*workers)
    await intake.stop()
    store.engine.dispose()


def message(message_id: str = "m1") -> Message:
    return Message(
        channel="web",
        external_id=f"s1:{message_id}",
        session_key="s1",
        sender="s1",
        text="垃圾站一周没清运了，臭气熏天",
        raw="{}",
    )


async def test_reply_within_budget_is_returned_and_not_pushed(harness: Harness) -> None:
    outcome = await harness.intake.submit(message(), budget_seconds=5)
    assert not outcome.pending and outcome.work_order is not None
    assert harness.delivered == []


async def test_late_reply_is_pushed_once_after_a_pending_answer(harness: Harness) -> None:
    harness.models.delay_seconds = 0.6
    outcome = await harness.intake.submit(message(), budget_seconds=0.1)
    assert outcome.pending and outcome.work_order is None
    for _ in range(50):
        if harness.delivered:
            break
        await asyncio.sleep(0.1)
    assert len(harness.delivered) == 1
    recipient, late = harness.delivered[0]
    assert recipient.sender == "s1" and late.work_order is not None
    # A retry after the push is acknowledged, not answered with the same reply again, and nothing is re-pushed.
    again = await harness.intake.submit(message(), budget_seconds=1)
    assert again.pending and again.work_order is None
    await asyncio.sleep(0.2)
    assert len(harness.delivered) == 1


async def test_concurrent_retries_are_processed_once(harness: Harness) -> None:
    harness.models.delay_seconds = 0.2
    outcomes = await asyncio.gather(*(harness.intake.submit(message("same"), budget_seconds=5) for _ in range(5)))
    tickets = {o.work_order["ticket"] for o in outcomes if o.work_order}
    assert len(tickets) == 1
    assert len(harness.models.calls) == 1
    assert harness.store.count_work_orders() == 1


async def test_reconciler_requeues_messages_the_queue_lost(harness: Harness) -> None:
    record, _ = await asyncio.to_thread(harness.store.record_inbound, message("lost"))
    # Nothing was queued (as after a Redis restart without data): the reconciler finds the inbox row.
    idle = Worker(
        "reconciler", harness.processor, harness.state.queue, harness.store, reconcile_older_than=timedelta(0)
    )
    await idle._maintain()
    for _ in range(50):
        done = await asyncio.to_thread(harness.store.get_inbound, record.id)
        if done is not None and done.status == "done":
            break
        await asyncio.sleep(0.1)
    assert done is not None and done.status == "done" and done.outcome is not None


async def test_emergency_is_processed_at_once_even_with_no_worker_free(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fast.sqlite3'}"
    upgrade_database(url)
    store = Store(create_engine_for(url))
    state = build_state("", "test")
    models = ScriptedModels()
    effects = Effects(store=store, catalogue=models.catalogue, pubsub=state.pubsub, calendar=HolidayCalendar.load())
    processor = Processor(store=store, state=state, models=models, effects=effects, session_ttl_seconds=600)
    intake = IntakeService(
        store,
        state,
        emergency_check=lambda text: "着火" in text,
        process_now=processor.process,
        max_queue_depth=0,
    )
    await intake.start()
    try:
        # No worker consumes the queue, and the queue counts as overloaded.
        emergency = Message(
            channel="web", external_id="s9:e1", session_key="s9", sender="s9", text="仓库着火了", raw="{}"
        )
        outcome = await intake.submit(emergency, budget_seconds=1)
        assert not outcome.pending and models.calls == ["仓库着火了"]
        ordinary = Message(channel="web", external_id="s9:e2", session_key="s9", sender="s9", text="路灯坏了", raw="{}")
        waited = asyncio.get_running_loop().time()
        later = await intake.submit(ordinary, budget_seconds=5)
        assert later.pending and asyncio.get_running_loop().time() - waited < 2
        assert await state.queue.depth() == 1
    finally:
        await intake.stop()
        store.engine.dispose()
