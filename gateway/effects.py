"""Carrying out the policy's actions: records, referrals, work orders, alerts; returns the Outcome."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from channels.base import Outcome, Reply
from classifier.catalogue import Catalogue
from gateway import replies
from gateway.policy import Decision, OpenWorkOrder, ReferEmergency, SendReply, Understanding
from gateway.state import PubSub
from gateway.store import InboundRecord, Store
from gateway.store.repository import NewWorkOrder
from gateway.workdays import HolidayCalendar

ALERTS_CHANNEL = "alerts"
WORK_ORDERS_CHANNEL = "work_orders"


@dataclass
class Effects:
    store: Store
    catalogue: Catalogue
    pubsub: PubSub
    calendar: HolidayCalendar

    async def apply(
        self, inbound: InboundRecord, understanding: Understanding, decision: Decision
    ) -> Outcome:
        from anyio import to_thread

        out: list[Reply] = []
        emergency: dict[str, Any] | None = None
        work_order: dict[str, Any] | None = None
        for action in decision.actions:
            if isinstance(action, ReferEmergency):
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
                await self.pubsub.publish(
                    ALERTS_CHANNEL,
                    json.dumps(
                        {"type": "emergency", "inbound_id": inbound.id, **emergency}, ensure_ascii=False
                    ),
                )
            elif isinstance(action, SendReply):
                out.append(Reply(action.text, action.buttons, kind=action.kind))  # type: ignore[arg-type]
            elif isinstance(action, OpenWorkOrder):
                opened, reply = await to_thread.run_sync(self._open_work_order, inbound, understanding, action)
                work_order = opened
                out.append(reply)
                await self.pubsub.publish(
                    WORK_ORDERS_CHANNEL, json.dumps({"type": "created", **opened}, ensure_ascii=False)
                )
        return Outcome(
            message_id=inbound.external_id, replies=tuple(out), emergency=emergency, work_order=work_order
        )

    def _open_work_order(
        self, inbound: InboundRecord, understanding: Understanding, action: OpenWorkOrder
    ) -> tuple[dict[str, Any], Reply]:
        route = self.catalogue.route(
            action.category_l1, action.category_l2, _district(understanding), appeal_type=action.appeal_type
        )
        today = datetime.now(UTC).date()
        deadline = self.calendar.add_working_days(today, route.deadline_working_days)
        record, _created = self.store.create_work_order(
            NewWorkOrder(
                conversation_id=inbound.conversation_id,
                inbound_message_id=inbound.id,
                channel=inbound.channel,
                appeal_type=action.appeal_type,
                category_l1=action.category_l1,
                category_l2=action.category_l2,
                confidence=action.confidence,
                department=route.department,
                deadline=deadline,
                description=action.description,
                contact=inbound.contact,
                entities=understanding.entities,
            )
        )
        text = replies.work_order_opened(
            record.ticket, record.appeal_type, record.department, record.deadline
        )
        return record.summary(), Reply(text, kind="ticket")


def _district(understanding: Understanding) -> str | None:
    for entity in understanding.entities:
        if entity.get("type") == "address":
            value = entity.get("value")
            if isinstance(value, dict) and value.get("district"):
                return str(value["district"])
    return None
