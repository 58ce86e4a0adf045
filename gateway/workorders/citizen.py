"""Telling the citizen: the department's answer at 办结, with the 好差评 rating request, on their channel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from anyio import to_thread

from channels.base import Outcome, Reply
from gateway import replies
from gateway.processor import recipient_of, request_rating
from gateway.workorders.conversation import completion_text
from gateway.workorders.records import WorkOrderRecord
from gateway.workorders.transitions import RATING_LEVELS

if TYPE_CHECKING:
    from gateway.workorders.wiring import Services

log = logging.getLogger(__name__)


async def notify_completion(services: Services, order: WorkOrderRecord) -> bool:
    """Send the reply and ask for a rating; the conversation reads the next short answer as the rating.

    The order is already 办结 whatever happens here: a channel that cannot send is recorded, not raised.
    """
    inbound = await to_thread.run_sync(services.store.get_inbound, order.inbound_message_id)
    sender = services.senders.get(order.channel)
    if inbound is None or sender is None:
        await _record(services, order, "work_order.citizen_not_notified", {"channel": order.channel})
        return False
    await request_rating(services.state, order.conversation_id, order.ticket, services.settings.session_ttl_seconds)
    outcome = Outcome(
        message_id=f"{order.ticket}:completed",
        replies=(
            Reply(completion_text(order), kind="text"),
            Reply(replies.ask_rating(order.ticket), buttons=RATING_LEVELS),
        ),
        work_order={"ticket": order.ticket, "status": order.status},
    )
    try:
        await sender(recipient_of(inbound), outcome)
    except Exception as error:
        # Logged without the text: it may hold the citizen's personal data.
        log.warning("completion notice for %s failed: %s", order.ticket, type(error).__name__)
        await _record(services, order, "work_order.citizen_not_notified", {"error": type(error).__name__})
        return False
    await _record(services, order, "work_order.citizen_notified", {"channel": order.channel})
    return True


async def _record(services: Services, order: WorkOrderRecord, kind: str, data: dict[str, object]) -> None:
    await to_thread.run_sync(services.store.record_event, kind, "system", "work_order", order.ticket, dict(data))
