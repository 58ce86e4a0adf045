"""Carrying out the policy's actions: records, referrals, work orders, alerts; returns the Outcome."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anyio import to_thread

from channels.base import Outcome, Reply
from classifier.catalogue import Catalogue
from gateway import replies
from gateway.dialogue import (
    AnswerFromKnowledge,
    Decision,
    Handoff,
    OpenWorkOrder,
    RecordRating,
    ReferEmergency,
    SendReply,
    Understanding,
    UpdateWorkOrder,
)
from gateway.dialogue.details import district_of
from gateway.state import PubSub
from gateway.store import InboundRecord, Store
from gateway.store.repository import NewWorkOrder, WorkOrderRecord
from gateway.workdays import HolidayCalendar

log = logging.getLogger(__name__)

ALERTS_CHANNEL = "alerts"
WORK_ORDERS_CHANNEL = "work_orders"


@dataclass
class Effects:
    store: Store
    catalogue: Catalogue
    pubsub: PubSub
    calendar: HolidayCalendar
    # The work-order service's rating (validated, pushed to 好差评 at once); without it the rating is only
    # recorded in the audit log, where the periodic sweep adopts it.
    rate: Callable[[str, str, str | None], object] | None = None

    async def apply(self, inbound: InboundRecord, understanding: Understanding, decision: Decision) -> Outcome:
        out: list[Reply] = []
        emergency: dict[str, Any] | None = None
        work_order: dict[str, Any] | None = None
        for action in decision.actions:
            if isinstance(action, ReferEmergency):
                emergency = await self._refer(inbound, action)
            elif isinstance(action, SendReply):
                out.append(Reply(action.text, action.buttons, kind=action.kind))  # type: ignore[arg-type]
            elif isinstance(action, OpenWorkOrder):
                opened, reply = await to_thread.run_sync(self._open_work_order, inbound, understanding, action)
                work_order = opened
                out.append(reply)
                await self._publish(WORK_ORDERS_CHANNEL, {"type": "created", **opened})
            elif isinstance(action, UpdateWorkOrder):
                await self._update(action)
            elif isinstance(action, RecordRating):
                await to_thread.run_sync(self._rate, action)
            elif isinstance(action, Handoff):
                await self._handoff(inbound, action)
            elif isinstance(action, AnswerFromKnowledge):
                out.append(await self._answer(inbound, action))
        return Outcome(message_id=inbound.external_id, replies=tuple(out), emergency=emergency, work_order=work_order)

    async def _refer(self, inbound: InboundRecord, action: ReferEmergency) -> dict[str, Any]:
        referral_id = await to_thread.run_sync(
            self.store.record_emergency,
            inbound,
            list(action.services),
            action.severity,
            action.evidence,
            action.reason,
        )
        emergency = {
            "services": list(action.services),
            "severity": action.severity,
            "evidence": action.evidence,
            "reason": action.reason,
            "referral_id": referral_id,
        }
        await self._publish(ALERTS_CHANNEL, {"type": "emergency", "inbound_id": inbound.id, **emergency})
        return emergency

    def _rate(self, action: RecordRating) -> None:
        if self.rate is not None:
            try:
                self.rate(action.ticket, action.level, action.reason)
                return
            except Exception as error:  # e.g. not yet rateable: keep the citizen's word in the audit log
                log.info("rating of %s kept for the sweep: %s", action.ticket, type(error).__name__)
        self.store.record_rating(action.ticket, action.level, action.reason)

    async def _update(self, action: UpdateWorkOrder) -> None:
        def write() -> WorkOrderRecord | None:
            return self.store.update_work_order(action.ticket, action.details, action.confidential, action.note)

        updated = await to_thread.run_sync(write)
        if updated is not None:
            await self._publish(WORK_ORDERS_CHANNEL, {"type": "updated", **updated.summary()})

    async def _handoff(self, inbound: InboundRecord, action: Handoff) -> None:
        await to_thread.run_sync(
            self.store.record_event,
            "conversation.handoff",
            "system",
            "conversation",
            inbound.conversation_id,
            {"reason": action.reason, "channel": inbound.channel},
        )
        await self._publish(
            ALERTS_CHANNEL,
            {"type": "handoff", "conversation_id": inbound.conversation_id, "channel": inbound.channel},
        )

    async def _answer(self, inbound: InboundRecord, action: AnswerFromKnowledge) -> Reply:
        answer = action.answer
        await to_thread.run_sync(
            self.store.record_event,
            "knowledge.answered",
            "system",
            "conversation",
            inbound.conversation_id,
            {"article_id": answer.article_id, "score": round(answer.score, 4), "channel": inbound.channel},
        )
        text = replies.knowledge_answer(answer.title, answer.answer, answer.source, answer.valid_until)
        return Reply(text, replies.FEEDBACK_BUTTONS, kind="answer")

    def _open_work_order(
        self, inbound: InboundRecord, understanding: Understanding, action: OpenWorkOrder
    ) -> tuple[dict[str, Any], Reply]:
        route = self.catalogue.route(
            action.category_l1,
            action.category_l2,
            district_of(understanding.entities),
            appeal_type=action.appeal_type,
        )
        today = self.calendar.today()  # the hotline's day: China is a day ahead from 16:00 UTC
        deadline = self.calendar.add_working_days(today, route.deadline_working_days)
        record, _created = self.store.create_work_order(
            NewWorkOrder(
                conversation_id=inbound.conversation_id,
                inbound_message_id=inbound.id,
                channel=inbound.channel,
                appeal_type=action.appeal_type,
                category_l1=route.category_l1,
                category_l2=route.category_l2,
                confidence=action.confidence,
                department=route.department,
                deadline=deadline,
                description=action.description,
                contact=action.details.get("contact") or inbound.contact,
                entities=understanding.entities,
                details=action.details,
            )
        )
        text = replies.work_order_opened(record.ticket, record.appeal_type, record.department, record.deadline)
        if action.follow_up:
            text = replies.opened_with_question(text, action.follow_up)
        return record.summary(), Reply(text, action.follow_up_buttons, kind="ticket")

    async def _publish(self, channel: str, data: dict[str, Any]) -> None:
        await self.pubsub.publish(channel, json.dumps(data, ensure_ascii=False, default=str))
