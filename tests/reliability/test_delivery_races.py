"""Exactly one reply per message when requests, retries, processors and pushers interleave.

Each interleaving is forced step by step (the next step starts when the previous one has provably happened),
never by sleeping and hoping: SQLite inbox, in-memory queue and pub/sub, a recording push channel.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
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
from gateway.state import build_state
from gateway.store import Store, create_engine_for, upgrade_database
from gateway.workdays import HolidayCalendar
from gateway.worker import Worker, WorkerTiming
from tests.support.understanding import understanding


@dataclass
class NoiseComplaints:
    """Reads every message as a noise complaint (the dialogue opens a work order at once)."""

    catalogue: Catalogue = field(default_factory=load_catalogue)

    def required_details(self, understanding: Understanding) -> tuple[str, ...]:
        return ()

    def answer(self, question: str) -> KnowledgeAnswer | None:
        return None

    def understand(self, text: str) -> Understanding:
        return understanding(text, intent_confidence=0.92, category_confidence=0.81)


@dataclass
class Pushes:
    """The channel's late-reply sender: records what went out; `before_send` runs inside the push."""

    sent: list[tuple[Recipient, Outcome]] = field(default_factory=list)
    before_send: Callable[[], Awaitable[None]] | None = None

    async def __call__(self, recipient: Recipient, outcome: Outcome) -> None:
        if self.before_send is not None:
            hook, self.before_send = self.before_send, None
            await hook()
        self.sent.append((recipient, outcome))


@dataclass
class Rig:
    store: Store
    intake: IntakeService
    processor: Processor
    pushes: Pushes


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    url = f"sqlite:///{tmp_path / 'races.sqlite3'}"
    upgrade_database(url)
    store = Store(create_engine_for(url))
    state = build_state("", "races")
    models = NoiseComplaints()
    effects = Effects(store=store, catalogue=models.catalogue, pubsub=state.pubsub, calendar=HolidayCalendar.load())
    pushes = Pushes()
    processor = Processor(
        store=store, state=state, models=models, effects=effects, session_ttl_seconds=600, deliver=pushes
    )
    # No worker consumes the queue: each test runs the processor itself at the moment it chooses.
    intake = IntakeService(store, state, process_now=processor.process)
    await intake.start()
    try:
        yield Rig(store, intake, processor, pushes)
    finally:
        await intake.stop()
        store.engine.dispose()


def citizen(message_id: str, text: str = "楼下广场舞音响开到晚上十点半，吵得老人睡不着！") -> Message:
    return Message(channel="web", external_id=f"s-races:{message_id}", session_key="s-races", sender="s-races",
                   text=text, raw="{}")  # fmt: skip


async def until(check: Callable[[], bool], what: str) -> None:
    """Yield to the event loop until `check` holds; bounded so a broken interleaving fails, not hangs."""
    deadline = time.monotonic() + 10
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        await asyncio.sleep(0.01)


def ticket_of(outcome: Outcome) -> str | None:
    return (outcome.work_order or {}).get("ticket")


async def test_waiting_request_does_not_return_a_reply_a_retry_already_handed_to_the_pusher(rig: Rig) -> None:
    original = asyncio.create_task(rig.intake.submit(citizen("m1"), budget_seconds=30))
    # Step 1: the first request is waiting for the outcome.
    await until(lambda: bool(rig.intake._waiters), "the first request waiting")
    # Step 2: a retry of the same message runs out of its (zero) budget: the reply is to be pushed.
    retry = await rig.intake.submit(citizen("m1"), budget_seconds=0)
    assert retry.pending
    # Step 3: the message is processed; the processor pushes, and the outcome notification wakes step 1.
    record = rig.store.find_inbound("web", "s-races:m1")
    assert record is not None
    processed = await rig.processor.process(record.id)
    assert processed is not None and ticket_of(processed)
    first = await asyncio.wait_for(original, timeout=10)

    assert len(rig.pushes.sent) == 1, "the reply is pushed once"
    assert first.pending and ticket_of(first) is None, "and not also returned to the waiting request"


async def test_retry_after_the_push_is_not_answered_with_the_reply_again(rig: Rig) -> None:
    pending = await rig.intake.submit(citizen("m2"), budget_seconds=0)
    assert pending.pending
    record = rig.store.find_inbound("web", "s-races:m2")
    assert record is not None
    await rig.processor.process(record.id)
    assert len(rig.pushes.sent) == 1

    again = await rig.intake.submit(citizen("m2"), budget_seconds=5)
    assert again.pending and ticket_of(again) is None
    assert "已经答复过" in again.replies[0].text
    assert len(rig.pushes.sent) == 1


async def test_emergency_processed_in_the_request_is_not_returned_when_a_retry_asked_for_a_push(
    rig: Rig,
) -> None:
    retried: list[Outcome] = []
    process = rig.processor.process

    async def process_with_a_retry_arriving(inbound_id: int) -> Outcome | None:
        # The retry lands while the emergency is being processed in the first request and gives up at once.
        retried.append(await rig.intake.submit(citizen("m3", "邻居家厨房冒黑烟，好像着火了"), budget_seconds=0))
        return await process(inbound_id)

    rig.intake.emergency_check = lambda text: "着火" in text
    rig.intake.process_now = process_with_a_retry_arriving
    first = await rig.intake.submit(citizen("m3", "邻居家厨房冒黑烟，好像着火了"), budget_seconds=5)

    assert retried and retried[0].pending
    assert len(rig.pushes.sent) == 1
    assert first.pending, "the push is the one reply; the first request only acknowledges"


async def test_reply_in_budget_is_returned_and_never_pushed(rig: Rig) -> None:
    task = asyncio.create_task(rig.intake.submit(citizen("m4"), budget_seconds=30))
    await until(lambda: bool(rig.intake._waiters), "the request waiting")
    record = rig.store.find_inbound("web", "s-races:m4")
    assert record is not None
    await rig.processor.process(record.id)
    answer = await asyncio.wait_for(task, timeout=10)
    assert not answer.pending and ticket_of(answer)
    worker = Worker("reconciler", rig.processor, rig.processor.state.queue, rig.store, _immediate())
    await worker._maintain()
    assert rig.pushes.sent == []


# --- a pusher interrupted between saving the reply and handing it to the channel ----------------------


def _immediate() -> WorkerTiming:
    return WorkerTiming(reconcile_after_seconds=0, claim_stale_seconds=0)


async def test_push_cancelled_mid_send_is_pushed_once_by_the_reconciler(rig: Rig) -> None:
    """A drain deadline cancels a worker inside the channel's send: the reply is stored, not delivered."""
    await rig.intake.submit(citizen("m5"), budget_seconds=0)
    record = rig.store.find_inbound("web", "s-races:m5")
    assert record is not None
    entered = asyncio.Event()

    async def hang() -> None:
        entered.set()
        await asyncio.Event().wait()

    rig.pushes.before_send = hang
    processing = asyncio.create_task(rig.processor.process(record.id))
    await asyncio.wait_for(entered.wait(), timeout=10)
    processing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await processing
    stored = rig.store.get_inbound(record.id)
    assert stored is not None and stored.outcome is not None and stored.delivered_at is None
    assert rig.pushes.sent == []

    # A live claim is respected: a reconciler does not push what someone may still be pushing.
    patient = Worker("patient", rig.processor, rig.processor.state.queue, rig.store, WorkerTiming())
    await patient._maintain()
    assert rig.pushes.sent == []

    reconciler = Worker("reconciler", rig.processor, rig.processor.state.queue, rig.store, _immediate())
    await reconciler._maintain()
    await reconciler._maintain()
    assert len(rig.pushes.sent) == 1
    recipient, outcome = rig.pushes.sent[0]
    assert recipient.external_id == "s-races:m5" and ticket_of(outcome)
    delivered = rig.store.get_inbound(record.id)
    assert delivered is not None and delivered.delivered_at is not None


async def test_processor_lost_before_deciding_delivery_gets_its_reply_pushed(rig: Rig) -> None:
    """Outcome saved, then the process died before deciding: nobody waits any more, so it is pushed."""
    record, _ = rig.store.record_inbound(citizen("m6"))
    rig.store.claim(record.id)
    outcome = Outcome(message_id=record.external_id, replies=())
    rig.store.complete(record.id, outcome.to_dict())

    reconciler = Worker("reconciler", rig.processor, rig.processor.state.queue, rig.store, _immediate())
    await reconciler._maintain()
    assert len(rig.pushes.sent) == 1
    # A retry arriving afterwards must not get the same reply in its response.
    again = await rig.intake.submit(citizen("m6"), budget_seconds=1)
    assert again.pending
    await reconciler._maintain()
    assert len(rig.pushes.sent) == 1


async def test_failed_push_is_retried_and_then_given_up_after_its_attempts(rig: Rig) -> None:
    failures = 0

    async def refuse() -> None:
        nonlocal failures
        failures += 1
        rig.pushes.before_send = refuse
        raise ConnectionError("api.weixin.qq.com unreachable")

    await rig.intake.submit(citizen("m7"), budget_seconds=0)
    record = rig.store.find_inbound("web", "s-races:m7")
    assert record is not None
    rig.pushes.before_send = refuse
    await rig.processor.process(record.id)
    reconciler = Worker("reconciler", rig.processor, rig.processor.state.queue, rig.store, _immediate())
    for _ in range(8):
        await reconciler._maintain()
    assert failures == 5, "bounded: five attempts in all, not one per reconciler pass forever"
    assert rig.pushes.sent == []
    stuck = rig.store.undelivered(timedelta(0), timedelta(0), max_attempts=10)
    assert [row.id for row in stuck] == [record.id], "the undelivered reply stays visible in the inbox"


async def test_miniprogram_retries_answered_within_budget_send_the_reply_once() -> None:
    """The mini-program sends even a ready reply through the API: three tries of one message, one send."""
    import httpx
    from fastapi import FastAPI

    from channels.base import ChannelServices, Reply
    from channels.miniprogram import MiniProgram, MiniProgramSettings

    sent: list[str] = []

    def wechat(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/token":
            return httpx.Response(200, json={"access_token": "TOKEN_mp", "expires_in": 7200})
        sent.append(request.read().decode())
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})

    class ReadyIntake:
        async def submit(self, message: Message, budget_seconds: float) -> Outcome:
            return Outcome(message.external_id, (Reply("您反映的路灯问题已登记，工单号12345-20261128-000417。"),))

    state = build_state("", "mp-retries")
    http = httpx.AsyncClient(transport=httpx.MockTransport(wechat))
    services = ChannelServices(
        intake=ReadyIntake(),  # type: ignore[arg-type]  # only submit is used
        broadcast=state.pubsub,
        dedup=state.dedup,
        rate_limits=state.rate_limits,
        sessions=state.sessions,
        http=http,
        register_sender=lambda _name, _deliver: None,
        on_shutdown=lambda _hook: None,
    )
    settings = MiniProgramSettings(
        token="mp-races-token", appid="wx00races00000001", secret="mp-races-secret", api_base="https://api.weixin.test"
    )
    channel = MiniProgram(settings, services, FastAPI())
    message = Message(channel="miniprogram", external_id="24590000000000417", session_key="oMpRetry01",
                      sender="oMpRetry01", text="村口路灯坏了一个月，晚上走路看不见", raw="{}")  # fmt: skip
    try:
        for _ in range(3):
            await channel.handle(message)
        await channel.drain()
    finally:
        await http.aclose()
        await state.close()
    assert len(sent) == 1 and "000417" in sent[0]
