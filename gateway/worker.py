"""Workers consume the intake queue; a reconciler re-queues inbox rows that never finished."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from anyio import to_thread

from gateway.processor import Processor
from gateway.state import IntakeQueue, QueueEntry
from gateway.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerTiming:
    """How soon a crashed worker's messages are taken over; production defaults, tests shorten them.

    A queue entry idle longer than `reclaim_idle_ms` is taken over (XAUTOCLAIM); an inbox row still
    unfinished `reconcile_after_seconds` after it arrived is queued again (Redis may have lost it); a
    processing claim older than `claim_stale_seconds` is presumed dead. One turn takes milliseconds,
    so each horizon is far above the time a live worker holds a message.
    """

    reclaim_idle_ms: int = 60_000
    reconcile_every_seconds: float = 30.0
    reconcile_after_seconds: float = 120.0
    claim_stale_seconds: float = 120.0
    batch: int = 8

    @property
    def reconcile_older_than(self) -> timedelta:
        return timedelta(seconds=self.reconcile_after_seconds)

    @property
    def claim_stale_after(self) -> timedelta:
        return timedelta(seconds=self.claim_stale_seconds)


class Worker:
    def __init__(
        self,
        name: str,
        processor: Processor,
        queue: IntakeQueue,
        store: Store,
        timing: WorkerTiming | None = None,
        reclaim_idle_ms: int | None = None,
        reconcile_every_seconds: float | None = None,
        reconcile_older_than: timedelta | None = None,
    ) -> None:
        self.name = name
        self.processor = processor
        self.queue = queue
        self.store = store
        self.timing = timing or WorkerTiming()
        self.reclaim_idle_ms = reclaim_idle_ms if reclaim_idle_ms is not None else self.timing.reclaim_idle_ms
        self.reconcile_every_seconds = (
            reconcile_every_seconds if reconcile_every_seconds is not None else self.timing.reconcile_every_seconds
        )
        self.reconcile_older_than = (
            reconcile_older_than if reconcile_older_than is not None else self.timing.reconcile_older_than
        )
        self.processed = 0

    async def run(self, stop: asyncio.Event) -> None:
        last_maintenance = 0.0
        while not stop.is_set():
            if time.monotonic() - last_maintenance >= self.reconcile_every_seconds:
                last_maintenance = time.monotonic()
                await self._maintain()
            try:
                entries = await self.queue.consume(self.name, count=self.timing.batch, block_ms=500)
            except Exception:
                log.warning("queue unavailable; retrying", exc_info=True)
                await asyncio.sleep(1)
                continue
            for entry in entries:
                await self._handle(entry)

    async def _handle(self, entry: QueueEntry) -> None:
        try:
            inbound_id = int(entry.fields["inbound_id"])
        except (KeyError, ValueError):
            log.error("dropping malformed queue entry %s", entry.entry_id)
            await self.queue.ack(entry.entry_id)
            return
        try:
            await self.processor.process(inbound_id)
            self.processed += 1
        except Exception:
            # The inbox row is marked failed; the reconciler retries it a bounded number of times.
            log.warning("message %s failed; it stays in the inbox for a retry", inbound_id)
        await self.queue.ack(entry.entry_id)

    async def _maintain(self) -> None:
        with contextlib.suppress(Exception):
            for entry in await self.queue.reclaim(self.name, self.reclaim_idle_ms, count=50):
                await self._handle(entry)
        try:
            stale = await to_thread.run_sync(self.store.unprocessed, self.reconcile_older_than)
        except Exception:
            log.warning("reconciler could not read the inbox", exc_info=True)
            return
        for record in stale:
            await self.queue.publish({"inbound_id": str(record.id), "conversation": record.conversation_id})
        if stale:
            log.info("reconciler re-queued %d unfinished messages", len(stale))
        await self._push_owed()

    async def _push_owed(self) -> None:
        """Replies stored but never pushed (the pusher died between saving and sending): push them once."""
        try:
            owed = await to_thread.run_sync(
                self.store.undelivered, self.reconcile_older_than, self.timing.claim_stale_after
            )
        except Exception:
            log.warning("reconciler could not read undelivered replies", exc_info=True)
            return
        pushed = 0
        for record in owed:
            try:
                pushed += await self.processor.push_owed(record, self.timing.claim_stale_after)
            except Exception:
                log.warning("reconciler could not push the reply to message %s", record.id, exc_info=True)
        if pushed:
            log.info("reconciler pushed %d replies a crashed process owed", pushed)
