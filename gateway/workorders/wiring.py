"""One place that builds the work-order, account and linkage services of a running gateway."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from channels.base import Deliver
from classifier.catalogue import Catalogue
from gateway.auth.users import UserStore
from gateway.linkage import LinkageConfig, LinkageService
from gateway.settings import Settings
from gateway.state import PubSub, StateBackends
from gateway.store import Store
from gateway.workdays import HolidayCalendar
from gateway.workorders.adapters import catalogue_routes, classifier_feedback
from gateway.workorders.repository import WorkOrderRepository
from gateway.workorders.service import Change, WorkOrderService

if TYPE_CHECKING:
    from gateway.runtime import Runtime

log = logging.getLogger(__name__)

# The pub/sub channels effects.py publishes on; changes made here go to the same consoles.
WORK_ORDERS_CHANNEL = "work_orders"
ALERTS_CHANNEL = "alerts"


@dataclass
class Services:
    settings: Settings
    store: Store
    users: UserStore
    workorders: WorkOrderService
    linkage: LinkageService
    pubsub: PubSub
    # Sessions among them: 办结 arms the citizen's conversation to read the next reply as a rating.
    state: StateBackends
    senders: dict[str, Deliver]

    async def publish(self, change: Change) -> None:
        await self.pubsub.publish(WORK_ORDERS_CHANNEL, json.dumps(change.message(), ensure_ascii=False))


def linkage_config(settings: Settings) -> LinkageConfig:
    return LinkageConfig(
        endpoints=dict(settings.linkage_endpoints),
        token=settings.linkage_token.get_secret_value(),
        max_attempts=settings.linkage_max_attempts,
        backoff_seconds=settings.linkage_backoff_seconds,
        timeout_seconds=settings.linkage_timeout_seconds,
    )


def workorder_service(
    settings: Settings, engine: Engine, linkage: LinkageService, catalogue: Catalogue | None = None
) -> WorkOrderService:
    """The service with the holiday calendar, and ratings pushed to the 好差评 endpoint once recorded.

    Without a catalogue (command-line sweeps) reclassification is not offered.
    """
    workorders = WorkOrderService(
        WorkOrderRepository(engine, timezone=settings.timezone),
        HolidayCalendar.load(settings.holidays_path, settings.timezone),
        warn_working_days=settings.warning_working_days,
        duplicate_window_days=settings.duplicate_window_days,
        record_feedback=classifier_feedback(settings.models_dir) if catalogue is not None else None,
        route=catalogue_routes(catalogue) if catalogue is not None else None,
    )

    def push_ratings(change: Change) -> None:
        # A rating comes from the citizen (rate) or an agent's callback; the 好差评 system gets it once.
        if change.order.rating is not None and change.kind in ("rate", "callback"):
            linkage.push_rating(change.order.ticket)

    workorders.after_change.append(push_ratings)
    return workorders


def build_services(runtime: Runtime) -> Services:
    settings = runtime.settings
    engine = runtime.store.engine
    linkage = LinkageService(engine, linkage_config(settings))
    return Services(
        settings=settings,
        store=runtime.store,
        users=UserStore(engine),
        workorders=workorder_service(settings, engine, linkage, runtime.models.catalogue),
        linkage=linkage,
        pubsub=runtime.state.pubsub,
        state=runtime.state,
        senders=runtime.senders,
    )


def ensure_bootstrap_admin(users: UserStore, settings: Settings) -> str | None:
    """Create HOTLINE_BOOTSTRAP_ADMIN when no active admin exists; returns the name when created."""
    from gateway.auth.errors import UserExists

    password = settings.bootstrap_admin_password.get_secret_value()
    if not settings.bootstrap_admin or not password or users.count_admins() > 0:
        return None
    try:
        users.create(settings.bootstrap_admin, "admin", password=password, actor="bootstrap")
    except UserExists:
        return None
    log.info("bootstrap admin account created")
    return settings.bootstrap_admin
