"""The gateway's intake: inbox row first, then the queue, then wait for the outcome within a budget."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from anyio import to_thread

from channels.base import Message, Outcome, Reply
from gateway import replies
from gateway.metrics import DUPLICATES, MESSAGES, PENDING_REPLIES
from gateway.processor import OUTCOMES_CHANNEL
from gateway.state import StateBackends
from gateway.store import InboundRecord, Store
from gateway.workorders.conversation import with_staff_replies
from gateway.workorders.repository import WorkOrderRepository

log = logging.getLogger(__name__)

# How often a waiting request looks at the store in case a notification was missed.
_POLL_SECONDS = 0.25
# A retry of a message whose reply was already pushed: the reply is not repeated, the citizen is pointed at it.
_ALREADY_ANSWERED = "这条留言已经答复过了，请查看之前收到的回复。"


class IntakeService:
    """Inbox row first, then the queue; emergencies jump the queue; a long queue means replies come later."""

    def __init__(
        self,
        store: Store,
        state: StateBackends,
        emergency_check: Callable[[str], bool] | None = None,
        process_now: Callable[[int], Awaitable[Outcome | None]] | None = None,
        max_queue_depth: int = 5_000,
    ) -> None:
        self.store = store
        self.state = state
        self.emergency_check = emergency_check
        self.process_now = process_now
        self.max_queue_depth = max_queue_depth
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="outcome-listener")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener

    async def submit(self, message: Message, budget_seconds: float) -> Outcome:
        record, created = await to_thread.run_sync(self.store.record_inbound, message)
        if not created:
            DUPLICATES.labels(message.channel).inc()
        if record.outcome is not None:
            return await self._answer(record, Outcome.from_dict(record.outcome))
        if not created:
            return await self._await_outcome(record, budget_seconds)
        MESSAGES.labels(message.channel).inc()
        if self._is_emergency(message.text):
            # Nothing may delay an emergency: it is processed here and now, not behind the queue.
            outcome = await self.process_now(record.id) if self.process_now else None
            if outcome is not None:
                return await self._answer(record, outcome)
        await self.state.queue.publish({"inbound_id": str(record.id), "conversation": record.conversation_id})
        if await self._overloaded():
            return await self._await_outcome(record, budget_seconds=0)
        return await self._await_outcome(record, budget_seconds)

    def _is_emergency(self, text: str) -> bool:
        return self.emergency_check is not None and self.emergency_check(text)

    async def _overloaded(self) -> bool:
        try:
            return await self.state.queue.depth() > self.max_queue_depth
        except Exception:
            return False

    async def history(self, channel: str, session_key: str) -> list[dict[str, object]]:
        return await conversation_history(self.store, channel, session_key)

    async def _await_outcome(self, record: InboundRecord, budget_seconds: float) -> Outcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget_seconds
        while True:
            current = await to_thread.run_sync(self.store.get_inbound, record.id)
            if current is not None and current.outcome is not None:
                return await self._answer(record, Outcome.from_dict(current.outcome))
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            future: asyncio.Future[None] = loop.create_future()
            self._waiters.setdefault(record.id, []).append(future)
            try:
                await asyncio.wait_for(future, timeout=min(remaining, _POLL_SECONDS))
            except TimeoutError:
                pass
            finally:
                waiters = self._waiters.get(record.id, [])
                if future in waiters:
                    waiters.remove(future)
                if not waiters:
                    self._waiters.pop(record.id, None)
        # Out of budget: whoever sets delivery first decides who sends the reply.
        holder = await to_thread.run_sync(self.store.decide_delivery, record.id, "async")
        if holder == "ready":
            done = await to_thread.run_sync(self.store.get_inbound, record.id)
            if done is not None and done.outcome is not None:
                return Outcome.from_dict(done.outcome)
        PENDING_REPLIES.labels(record.channel).inc()
        return _pending(record)

    async def _answer(self, record: InboundRecord, outcome: Outcome) -> Outcome:
        """The outcome goes back in this response only if delivery is (or now becomes) "ready".

        Seeing an outcome is not enough: a concurrent attempt of the same message may have run out of
        budget and set delivery to "async", and then the processor pushes the reply. Returning it here
        too would answer the citizen twice, so an "async" message gets the acknowledgement instead.
        """
        holder = await to_thread.run_sync(self.store.decide_delivery, record.id, "ready")
        if holder == "ready":
            return outcome
        current = await to_thread.run_sync(self.store.get_inbound, record.id)
        if current is not None and current.delivered_at is not None:
            return Outcome(message_id=record.external_id, replies=(Reply(_ALREADY_ANSWERED),), pending=True)
        return _pending(record)

    async def _listen(self) -> None:
        while True:
            try:
                async for data in self.state.pubsub.subscribe(OUTCOMES_CHANNEL):
                    inbound_id = int(json.loads(data)["inbound_id"])
                    for future in self._waiters.get(inbound_id, []):
                        if not future.done():
                            future.set_result(None)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The store poll keeps answers flowing while the subscription reconnects.
                log.warning("outcome subscription lost; reconnecting", exc_info=True)
                await asyncio.sleep(1)


def _pending(record: InboundRecord) -> Outcome:
    return Outcome(
        message_id=record.external_id,
        replies=(Reply("您的留言已收到，正在为您处理，稍后回复您。"),),
        pending=True,
    )


def temporary_failure_outcome(message_id: str) -> Outcome:
    return Outcome(message_id=message_id, replies=(Reply(replies.temporary_failure()),), pending=True)


async def conversation_history(store: Store, channel: str, session_key: str) -> list[dict[str, object]]:
    conversation_id = await to_thread.run_sync(store.find_conversation, channel, session_key)
    if conversation_id is None:
        return []
    records = await to_thread.run_sync(store.conversation_messages, conversation_id)
    # Agents' replies and 办结 notices are not inbox rows: merged in so a reloaded chat still shows them.
    orders = WorkOrderRepository(store.engine)
    staff = await to_thread.run_sync(orders.replies_in_conversation, conversation_id)
    completed = await to_thread.run_sync(orders.completed_in_conversation, conversation_id)
    citizen = [
        {
            "message_id": record.external_id.split(":", 1)[-1],
            "text": record.text,
            "received_at": record.received_at.isoformat(),
            "status": record.status,
            **(Outcome.from_dict(record.outcome).to_dict() if record.outcome else {"replies": []}),
        }
        for record in records
    ]
    return with_staff_replies(citizen, staff, completed)
