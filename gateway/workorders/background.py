"""What a gateway process does in the background for work orders and linkage.

- emergency alerts (pub/sub) are pushed to the linkage endpoints at once;
- new work orders (pub/sub) are examined for duplicates;
- a poll pushes due linkage deliveries (retries with backoff);
- a periodic sweep warns (预警), supervises (督办), links missed duplicates and queues missed referrals.
Pub/sub is fast but lossy; the sweep and the poll read SQL, so nothing depends on a message arriving.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
from anyio import to_thread

from gateway.workorders.wiring import ALERTS_CHANNEL, WORK_ORDERS_CHANNEL, Services

log = logging.getLogger(__name__)


class Background:
    def __init__(self, services: Services, client: httpx.AsyncClient | None = None) -> None:
        self.services = services
        self.client = client or httpx.AsyncClient()
        self._owns_client = client is None
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        settings = self.services.settings
        poll = max(0.5, min(5.0, settings.linkage_backoff_seconds))
        loops: list[tuple[str, Callable[[], Coroutine[Any, Any, None]]]] = [
            ("alerts", lambda: self._listen(ALERTS_CHANNEL, self._on_alert)),
            ("created", lambda: self._listen(WORK_ORDERS_CHANNEL, self._on_work_order)),
            ("linkage", lambda: self._every(poll, self.push_linkage)),
        ]
        if settings.sweep_interval_seconds > 0:
            loops.append(("sweep", lambda: self._every(settings.sweep_interval_seconds, self.sweep)))
        for name, loop in loops:
            self._tasks.append(asyncio.create_task(loop(), name=f"workorders-{name}"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        if self._owns_client:
            await self.client.aclose()

    async def sweep(self) -> None:
        services = self.services
        result = await to_thread.run_sync(services.workorders.sweep)
        for change in [*result.warned, *result.supervised]:
            await services.publish(change)
        for referral_id in await to_thread.run_sync(services.linkage.unpushed_referrals):
            await to_thread.run_sync(services.linkage.refer_emergency, referral_id)

    async def push_linkage(self) -> None:
        await self.services.linkage.push_due(self.client)

    async def _on_alert(self, data: dict[str, object]) -> None:
        referral_id = data.get("referral_id")
        if data.get("type") != "emergency" or not isinstance(referral_id, int):
            return
        queued = await to_thread.run_sync(self.services.linkage.refer_emergency, referral_id)
        if queued:
            await self.services.linkage.push_due(self.client, queued)

    async def _on_work_order(self, data: dict[str, object]) -> None:
        ticket = data.get("ticket")
        if data.get("type") != "created" or not isinstance(ticket, str):
            return
        root = await to_thread.run_sync(self.services.workorders.link_duplicate, ticket)
        if root:
            await self.services.pubsub.publish(
                WORK_ORDERS_CHANNEL,
                json.dumps({"type": "duplicate", "ticket": ticket, "duplicate_of": root}, ensure_ascii=False),
            )

    async def _listen(self, channel: str, handle: Callable[[dict[str, object]], Awaitable[None]]) -> None:
        while True:
            try:
                async for raw in self.services.pubsub.subscribe(channel):
                    try:
                        await handle(json.loads(raw))
                    except Exception:
                        # One bad message must not stop the listener; the sweep catches up later.
                        log.exception("handling a %s message failed", channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("lost the %s subscription; reconnecting", channel, exc_info=True)
                await asyncio.sleep(1)

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background job failed; retrying at the next interval")
            await asyncio.sleep(seconds)
