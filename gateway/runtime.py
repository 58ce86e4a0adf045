"""Builds the process's components from settings: store, state, models, processor, intake, workers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from dataclasses import dataclass, field

from channels.base import Deliver, Outcome, Recipient
from gateway.effects import Effects
from gateway.intake import IntakeService
from gateway.processor import Processor
from gateway.settings import Settings
from gateway.state import StateBackends, build_state
from gateway.store import Store, create_engine_for, upgrade_database
from gateway.understanding import Models
from gateway.workdays import HolidayCalendar
from gateway.worker import Worker

log = logging.getLogger(__name__)


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

    @classmethod
    def build(cls, settings: Settings, migrate: bool = True) -> Runtime:
        pin_threads()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        url = settings.resolved_database_url
        if migrate:
            upgrade_database(url)
        store = Store(create_engine_for(url), ticket_prefix=settings.ticket_prefix)
        state = build_state(settings.redis_url, settings.redis_prefix)
        models = Models.load(settings.models_dir, settings.catalogue_path)
        effects = Effects(
            store=store,
            catalogue=models.catalogue,
            pubsub=state.pubsub,
            calendar=HolidayCalendar.load(settings.holidays_path),
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
        return runtime

    async def deliver_async(self, recipient: Recipient, outcome: Outcome) -> None:
        sender = self.senders.get(recipient.channel)
        if sender is None:
            log.warning("no async sender for channel %s; reply kept in the inbox", recipient.channel)
            return
        await sender(recipient, outcome)

    async def start(self, workers: int) -> None:
        await self.intake.start()
        for index in range(workers):
            worker = Worker(f"{os.getpid()}-{index}", self.processor, self.state.queue, self.store)
            self.workers.append(worker)
            self._tasks.append(asyncio.create_task(worker.run(self._stop), name=f"worker-{index}"))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=10)
        await self.intake.stop()
        await self.state.close()
        self.store.engine.dispose()


def _has_emergency(text: str) -> bool:
    import nlu

    return nlu.analyse(text).emergency is not None
