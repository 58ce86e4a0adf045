"""Builds the process's components from settings: store, state, models, processor, intake, workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from channels.base import Deliver, Outcome, Recipient
from gateway.effects import Effects
from gateway.intake import IntakeService
from gateway.processor import Processor
from gateway.settings import Settings
from gateway.state import StateBackends, build_state
from gateway.store import Store, create_engine_for, upgrade_database
from gateway.understanding import Models, open_knowledge
from gateway.workdays import HolidayCalendar
from gateway.worker import Worker, WorkerTiming

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

log = logging.getLogger(__name__)

# How often a process looks for a classifier promoted elsewhere (one small file read).
PROMOTION_CHECK_SECONDS = 10.0
# How long a stopping process waits for its workers to finish the messages they hold.
DRAIN_SECONDS = 20.0


def pin_threads(count: int = 1) -> None:
    """Oversubscribed BLAS/torch threads made encoding 35x slower on 2-core machines."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TOKENIZERS_PARALLELISM"):
        os.environ.setdefault(name, "false" if name == "TOKENIZERS_PARALLELISM" else str(count))
    with contextlib.suppress(ImportError):
        import torch

        torch.set_num_threads(count)


@dataclass
class Runtime:
    settings: Settings
    store: Store
    state: StateBackends
    models: Models
    processor: Processor
    intake: IntakeService
    senders: dict[str, Deliver] = field(default_factory=dict)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    workers: list[Worker] = field(default_factory=list)
    # Set before the app starts (`hotline worker` options); `start` uses it when given no timing.
    timing: WorkerTiming = field(default_factory=WorkerTiming)

    @classmethod
    def build(cls, settings: Settings, migrate: bool = True) -> Runtime:
        pin_threads()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url
        if migrate:
            upgrade_database(url)
        store = Store(create_engine_for(url), ticket_prefix=settings.ticket_prefix, timezone=settings.timezone)
        state = build_state(settings.redis_url, settings.redis_prefix)
        models = Models.load(settings)
        if settings.knowledge_enabled:
            models.knowledge = open_knowledge(settings)
        effects = Effects(
            store=store,
            catalogue=models.catalogue,
            pubsub=state.pubsub,
            calendar=HolidayCalendar.load(settings.holidays_path, settings.timezone),
        )
        processor = Processor(
            store=store,
            state=state,
            models=models,
            effects=effects,
            session_ttl_seconds=settings.session_ttl_seconds,
        )
        runtime = cls(
            settings=settings,
            store=store,
            state=state,
            models=models,
            processor=processor,
            intake=IntakeService(
                store,
                state,
                emergency_check=_has_emergency,
                process_now=processor.process,
                max_queue_depth=settings.max_queue_depth,
            ),
        )
        processor.deliver = runtime.deliver_async
        effects.rate = _work_order_rating(runtime)
        return runtime

    async def deliver_async(self, recipient: Recipient, outcome: Outcome) -> None:
        sender = self.senders.get(recipient.channel)
        if sender is None:
            log.warning("no async sender for channel %s; reply kept in the inbox", recipient.channel)
            return
        await sender(recipient, outcome)

    async def setup_channels(self, app: FastAPI, http: httpx.AsyncClient) -> list[Callable[[], Awaitable[None]]]:
        """Set every registered channel up on this runtime; returns their shutdown hooks, to run in reverse.

        `hotline worker` needs this as much as `hotline serve`: a reply finished after the channel's budget
        is pushed by the process that finished it, through the channel's sender.
        """
        from channels import BUILTIN_CHANNELS
        from channels.base import ChannelServices

        shutdown: list[Callable[[], Awaitable[None]]] = []
        services = ChannelServices(
            intake=self.intake,
            broadcast=self.state.pubsub,
            dedup=self.state.dedup,
            rate_limits=self.state.rate_limits,
            sessions=self.state.sessions,
            http=http,
            register_sender=self.senders.__setitem__,
            on_shutdown=shutdown.append,
        )
        for channel in BUILTIN_CHANNELS.values():
            setup = getattr(channel, "setup", None)
            if setup is not None:
                await setup(app, services)
        return shutdown

    async def start(self, workers: int, timing: WorkerTiming | None = None) -> None:
        timing = timing or self.timing
        # The SQL claim of a crashed processor must lapse about when its queue entry is reclaimed.
        self.processor.claim_stale_after = timing.claim_stale_after
        await self.intake.start()
        self._tasks.append(asyncio.create_task(self._follow_promotions(), name="model-promotions"))
        for index in range(workers):
            worker = Worker(f"{os.getpid()}-{index}", self.processor, self.state.queue, self.store, timing)
            self.workers.append(worker)
            self._tasks.append(asyncio.create_task(worker.run(self._stop), name=f"worker-{index}"))

    async def _follow_promotions(self) -> None:
        """Every process switches to a newly promoted classifier without a restart (the registry is shared)."""
        from anyio import to_thread

        while not self._stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=PROMOTION_CHECK_SECONDS)
            if self._stop.is_set():
                return
            try:
                if await to_thread.run_sync(self.models.reload_if_promoted):
                    log.info("switched to the promoted classifier %s", self.models.classifier_version())
            except Exception:
                log.warning("could not check for a promoted classifier", exc_info=True)

    async def stop(self) -> None:
        await self.drain()
        await self.close()

    async def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Stop taking queue entries and let the workers finish the messages in hand (bounded in time).

        A message still unfinished at the deadline stays claimed in the inbox and pending in the stream:
        another worker takes it over after the reclaim time.
        """
        self._stop.set()
        if not self._tasks:
            return
        _done, late = await asyncio.wait(self._tasks, timeout=timeout)
        for task in late:
            log.warning(
                "worker %s still busy after %.0f s; leaving its message to another worker", task.get_name(), timeout
            )
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()

    async def close(self) -> None:
        await self.intake.stop()
        await self.state.close()
        if self.models.knowledge is not None:
            self.models.knowledge.close()
        self.store.engine.dispose()


def _has_emergency(text: str) -> bool:
    import nlu

    return nlu.analyse(text).emergency is not None


def _work_order_rating(runtime: Runtime) -> Callable[[str, str, str | None], object]:
    from gateway.workorders.wiring import build_services

    return build_services(runtime).workorders.rate
