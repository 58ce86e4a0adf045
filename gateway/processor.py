"""Processing one inbox row: claim, understand, decide, apply, store the outcome, hand the reply over.

Any process may run it (the gateway's embedded workers or `hotline worker`); the SQL claim makes sure
one message is processed once, and the delivery compare-and-set makes sure its reply is sent once.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from anyio import to_thread

from channels.base import Deliver, Outcome, Recipient
from classifier.catalogue import Catalogue
from gateway.dialogue import Context, KnowledgeAnswer, Understanding, decide
from gateway.dialogue import understanding_text as said
from gateway.dialogue.policy import chosen_option, may_answer, overriding_emergency
from gateway.effects import Effects
from gateway.metrics import (
    CLASSIFIER_CONFIDENCE,
    EMERGENCIES,
    KB_ANSWERS,
    PROCESSING_FAILURES,
    QUEUE_LAG_SECONDS,
    STAGE_SECONDS,
    WORK_ORDERS,
)
from gateway.state import StateBackends
from gateway.store import InboundRecord, Store
from gateway.understanding import ticket_view

log = logging.getLogger(__name__)

OUTCOMES_CHANNEL = "outcomes"
# A turn takes milliseconds; the lock outlives a crashed holder by at most a minute.
_LOCK_TTL_MS = 60_000
_LOCK_WAIT_MS = 20_000


class Understander(Protocol):
    catalogue: Catalogue

    def understand(self, text: str) -> Understanding: ...

    def required_details(self, understanding: Understanding) -> tuple[str, ...]: ...

    def answer(self, question: str) -> KnowledgeAnswer | None: ...


@dataclass
class Processor:
    store: Store
    state: StateBackends
    models: Understander
    effects: Effects
    session_ttl_seconds: int
    deliver: Deliver | None = None
    # A claim older than this belongs to a crashed processor and may be taken over (match the reclaim time).
    claim_stale_after: timedelta = timedelta(minutes=2)

    async def process(self, inbound_id: int) -> Outcome | None:
        """Process one message if nobody else has; returns its outcome, or None when not ours to process."""
        claimed = await to_thread.run_sync(self.store.claim, inbound_id, self.claim_stale_after)
        if not claimed:
            return None
        inbound = await to_thread.run_sync(self.store.get_inbound, inbound_id)
        if inbound is None:
            return None
        # Messages of one conversation are handled one at a time, across every worker process:
        # the session state each turn reads is the one the previous turn wrote.
        lock_key = f"conv:{inbound.conversation_id}"
        token = await self.state.locks.acquire(lock_key, ttl_ms=_LOCK_TTL_MS, wait_ms=_LOCK_WAIT_MS)
        if token is None:
            log.warning("conversation lock not had in time; processing message %s anyway", inbound_id)
        try:
            outcome = await self._run(inbound)
        except Exception as error:
            PROCESSING_FAILURES.inc()
            log.exception("processing failed", extra={"inbound_id": inbound_id})
            await to_thread.run_sync(self.store.fail, inbound_id, f"{type(error).__name__}: {error}")
            raise
        finally:
            if token is not None:
                await self.state.locks.release(lock_key, token)
        await to_thread.run_sync(self.store.complete, inbound_id, outcome.to_dict())
        holder = await to_thread.run_sync(self.store.decide_delivery, inbound_id, "ready")
        if holder == "async":
            await self.push(inbound, outcome)
        await self.state.pubsub.publish(OUTCOMES_CHANNEL, json.dumps({"inbound_id": inbound_id}))
        return outcome

    async def push(self, inbound: InboundRecord, outcome: Outcome, stale_after: timedelta | None = None) -> bool:
        """Push a stored reply through its channel, once: claim (compare-and-set), send, record.

        A pusher that dies after its claim leaves the row undelivered; the reconciler takes the claim over
        once it is stale and pushes again. Returns whether this call pushed it.
        """
        if self.deliver is None:
            return False
        stale = self.claim_stale_after if stale_after is None else stale_after
        claimed = await to_thread.run_sync(self.store.claim_push, inbound.id, stale)
        if not claimed:
            return False
        try:
            await self.deliver(recipient_of(inbound), outcome)
        except Exception as error:
            log.warning("push of message %s failed; the reconciler retries it", inbound.id, exc_info=True)
            await to_thread.run_sync(self.store.release_push, inbound.id, f"push: {type(error).__name__}: {error}")
            return False
        await to_thread.run_sync(self.store.mark_delivered, inbound.id)
        return True

    async def push_owed(self, inbound: InboundRecord, stale_after: timedelta | None = None) -> bool:
        """The reconciler's half: a finished reply nobody delivered (its pusher or its decider died)."""
        if inbound.outcome is None:
            return False
        if inbound.delivery is None:
            # Long finished and never decided: no request waits for it any more, so it is pushed.
            holder = await to_thread.run_sync(self.store.decide_delivery, inbound.id, "async")
            if holder != "async":
                return False
        return await self.push(inbound, Outcome.from_dict(inbound.outcome), stale_after)

    async def _run(self, inbound: InboundRecord) -> Outcome:
        QUEUE_LAG_SECONDS.observe(max(0.0, (datetime.now(UTC) - inbound.received_at).total_seconds()))
        started = time.perf_counter()
        session_key = f"conv:{inbound.conversation_id}"
        session = await self.state.sessions.get(session_key) or {}
        text = chosen_option(inbound.text, session)
        with STAGE_SECONDS.labels("understand").time():
            understanding = await to_thread.run_sync(self.models.understand, text)
        with STAGE_SECONDS.labels("context").time():
            context = await to_thread.run_sync(self._context, inbound, understanding, session)
        with STAGE_SECONDS.labels("decide").time():
            decision = decide(understanding, session, context)
        with STAGE_SECONDS.labels("effects").time():
            outcome = await self.effects.apply(inbound, understanding, decision)
        _remember_new_ticket(decision.state, outcome)
        await self.state.sessions.set(session_key, decision.state, self.session_ttl_seconds)
        STAGE_SECONDS.labels("total").observe(time.perf_counter() - started)
        _count(understanding, outcome)
        return outcome

    def _context(self, inbound: InboundRecord, understanding: Understanding, session: dict[str, Any]) -> Context:
        """Look up what the policy may need this turn: the ticket mentioned, the KB answer, the details."""
        ticket = said.ticket_in(inbound.text) or session.get("status_query", {}).get("ticket")
        answer = None
        waiting = {"draft", "status_query", "rating"} & session.keys()
        if may_answer(understanding) and not overriding_emergency(understanding) and not waiting:
            answer = self.models.answer(inbound.text)
        return Context(
            channel=inbound.channel,
            contact=inbound.contact,
            ticket=ticket_view(self.store, ticket) if ticket else None,
            answer=answer,
            required_details=self.models.required_details(understanding),
            detail_prompts=dict(self.models.catalogue.detail_prompts),
        )


def _count(understanding: Understanding, outcome: Outcome) -> None:
    if understanding.category_l1:
        CLASSIFIER_CONFIDENCE.observe(understanding.category_confidence)
    for service in (outcome.emergency or {}).get("services", []):
        EMERGENCIES.labels(str(service)).inc()
    if outcome.work_order:
        WORK_ORDERS.labels(str(outcome.work_order.get("appeal_type"))).inc()
    if any(reply.kind == "answer" for reply in outcome.replies):
        KB_ANSWERS.inc()


def _remember_new_ticket(state: dict[str, Any], outcome: Outcome) -> None:
    draft = state.get("draft")
    if isinstance(draft, dict) and draft.get("ticket") is None and outcome.work_order:
        draft["ticket"] = outcome.work_order["ticket"]
        draft["department"] = outcome.work_order["department"]
        draft["deadline"] = outcome.work_order["deadline"]


async def request_rating(state: StateBackends, conversation_id: str, ticket: str, ttl_seconds: int) -> None:
    """After 办结/回访: the conversation's next short reply is read as a 好差评 rating of this ticket."""
    key = f"conv:{conversation_id}"
    session = await state.sessions.get(key) or {}
    session["rating"] = {"ticket": ticket}
    await state.sessions.set(key, session, ttl_seconds)


def recipient_of(inbound: InboundRecord) -> Recipient:
    return Recipient(
        channel=inbound.channel,
        sender=inbound.sender,
        external_id=inbound.external_id,
        contact=inbound.contact,
        meta=inbound.meta,
    )
