"""Processing one inbox row: claim, understand, decide, apply, store the outcome, hand the reply over.

Any process may run it (the gateway's embedded workers or `hotline worker`); the SQL claim makes sure
one message is processed once, and the delivery compare-and-set makes sure its reply is sent once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from typing import Protocol

from anyio import to_thread

from channels.base import Deliver, Outcome, Recipient
from gateway import policy
from gateway.effects import Effects
from gateway.policy import Understanding
from gateway.state import StateBackends
from gateway.store import InboundRecord, Store

log = logging.getLogger(__name__)

OUTCOMES_CHANNEL = "outcomes"


class Understander(Protocol):
    def understand(self, text: str) -> Understanding: ...


@dataclass
class Processor:
    store: Store
    state: StateBackends
    models: Understander
    effects: Effects
    session_ttl_seconds: int
    deliver: Deliver | None = None
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def process(self, inbound_id: int) -> Outcome | None:
        """Process one message if nobody else has; returns its outcome, or None when not ours to process."""
        claimed = await to_thread.run_sync(self.store.claim, inbound_id)
        if not claimed:
            return None
        inbound = await to_thread.run_sync(self.store.get_inbound, inbound_id)
        if inbound is None:
            return None
        # Messages of one conversation are handled in order: the session state depends on it.
        lock = self._locks.setdefault(inbound.conversation_id, asyncio.Lock())
        try:
            async with lock:
                outcome = await self._run(inbound)
        except Exception as error:
            log.exception("processing failed", extra={"inbound_id": inbound_id})
            await to_thread.run_sync(self.store.fail, inbound_id, f"{type(error).__name__}: {error}")
            raise
        finally:
            if not lock.locked():
                self._locks.pop(inbound.conversation_id, None)
        await to_thread.run_sync(self.store.complete, inbound_id, outcome.to_dict())
        holder = await to_thread.run_sync(self.store.decide_delivery, inbound_id, "ready")
        if holder == "async" and self.deliver is not None:
            await self.deliver(recipient_of(inbound), outcome)
        await self.state.pubsub.publish(OUTCOMES_CHANNEL, json.dumps({"inbound_id": inbound_id}))
        return outcome

    async def _run(self, inbound: InboundRecord) -> Outcome:
        session_key = f"conv:{inbound.conversation_id}"
        session = await self.state.sessions.get(session_key) or {}
        understanding = await to_thread.run_sync(self.models.understand, inbound.text)
        decision = policy.decide(understanding, session)
        outcome = await self.effects.apply(inbound, understanding, decision)
        await self.state.sessions.set(session_key, decision.state, self.session_ttl_seconds)
        return outcome


def recipient_of(inbound: InboundRecord) -> Recipient:
    return Recipient(
        channel=inbound.channel,
        sender=inbound.sender,
        external_id=inbound.external_id,
        contact=inbound.contact,
        meta=inbound.meta,
    )
