"""The store: every durable read and write of the gateway, one method per operation, one transaction each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from channels.base import Message
from gateway import clock
from gateway.clock import as_utc
from gateway.store.models import (
    Conversation,
    EmergencyReferral,
    Event,
    InboundMessage,
    TicketSequence,
    WorkOrder,
)
from gateway.workdays import DEFAULT_TIMEZONE, hotline_zone, local_date
from gateway.workorders.records import WorkOrderRecord as WorkOrderRecord  # the one work-order record


def _storable(text: str) -> str:
    # PostgreSQL text cannot hold NUL; it becomes U+FFFD so the message is kept, visibly altered.
    return text.replace("\x00", "\ufffd")


@dataclass(frozen=True)
class InboundRecord:
    id: int
    channel: str
    external_id: str
    conversation_id: str
    sender: str
    kind: str
    text: str
    contact: str | None
    meta: dict[str, str]
    received_at: datetime
    status: str
    attempts: int
    outcome: dict[str, Any] | None
    delivery: str | None
    delivered_at: datetime | None = None

    @classmethod
    def of(cls, row: InboundMessage) -> InboundRecord:
        return cls(
            id=row.id,
            channel=row.channel,
            external_id=row.external_id,
            conversation_id=row.conversation_id,
            sender=row.sender,
            kind=row.kind,
            text=row.text,
            contact=row.contact,
            meta=dict(row.meta or {}),
            received_at=as_utc(row.received_at) or clock.utc_now(),
            status=row.status,
            attempts=row.attempts,
            outcome=row.outcome,
            delivery=row.delivery,
            delivered_at=as_utc(row.delivered_at),
        )


@dataclass(frozen=True)
class NewWorkOrder:
    conversation_id: str
    inbound_message_id: int
    channel: str
    appeal_type: str
    category_l1: str
    category_l2: str | None
    confidence: float
    department: str
    deadline: date
    description: str
    contact: str | None
    entities: list[dict[str, Any]]
    details: dict[str, str] = field(default_factory=dict)


class Store:
    def __init__(self, engine: Engine, ticket_prefix: str = "12345", timezone: str = DEFAULT_TIMEZONE) -> None:
        # Tickets carry the hotline's date (12345-YYYYMMDD-n): in China the day turns at 16:00 UTC.
        self.zone = hotline_zone(timezone)
        self.engine = engine
        self.ticket_prefix = ticket_prefix
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def ping(self) -> None:
        with self._sessions() as session:
            session.execute(select(1))

    # -- inbox -------------------------------------------------------------------------------------

    def record_inbound(self, message: Message) -> tuple[InboundRecord, bool]:
        """Write the message before anything else; a repeated (channel, external id) returns the first row."""
        existing = self.find_inbound(message.channel, message.external_id)
        if existing is not None:
            return existing, False
        conversation_id = self.conversation_for(message.channel, message.session_key, message.sender)
        try:
            with self._sessions.begin() as session:
                row = InboundMessage(
                    channel=message.channel,
                    external_id=message.external_id,
                    conversation_id=conversation_id,
                    sender=message.sender,
                    kind=message.kind,
                    text=_storable(message.text),
                    raw=_storable(message.raw),
                    contact=message.contact,
                    meta=dict(message.meta),
                    received_at=message.received_at,
                    status="received",
                    attempts=0,
                )
                session.add(row)
                session.flush()
                record = InboundRecord.of(row)
        except IntegrityError:
            # A concurrent retry of the same message won the insert.
            raced = self.find_inbound(message.channel, message.external_id)
            if raced is None:
                raise
            return raced, False
        return record, True

    def find_inbound(self, channel: str, external_id: str) -> InboundRecord | None:
        with self._sessions() as session:
            row = session.scalar(
                select(InboundMessage).where(
                    InboundMessage.channel == channel, InboundMessage.external_id == external_id
                )
            )
            return InboundRecord.of(row) if row else None

    def get_inbound(self, inbound_id: int) -> InboundRecord | None:
        with self._sessions() as session:
            row = session.get(InboundMessage, inbound_id)
            return InboundRecord.of(row) if row else None

    def claim(self, inbound_id: int, stale_after: timedelta = timedelta(minutes=2)) -> bool:
        """Take the message for processing; false when done or another processor holds a fresh claim."""
        now = clock.utc_now()
        with self._sessions.begin() as session:
            result = session.execute(
                update(InboundMessage)
                .where(
                    InboundMessage.id == inbound_id,
                    (InboundMessage.status.in_(("received", "failed")))
                    | ((InboundMessage.status == "processing") & (InboundMessage.claimed_at < now - stale_after)),
                )
                .values(status="processing", claimed_at=now, attempts=InboundMessage.attempts + 1)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def complete(self, inbound_id: int, outcome: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id)
                .values(status="done", outcome=outcome, processed_at=clock.utc_now(), error=None)
            )

    def fail(self, inbound_id: int, error: str) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id, InboundMessage.status != "done")
                .values(status="failed", error=error[:2000])
            )

    def decide_delivery(self, inbound_id: int, mode: str) -> str:
        """Compare-and-set who delivers the reply; returns the mode that holds (the first one set wins)."""
        with self._sessions.begin() as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id, InboundMessage.delivery.is_(None))
                .values(delivery=mode)
            )
            held = session.scalar(select(InboundMessage.delivery).where(InboundMessage.id == inbound_id))
            return str(held)

    # -- pushed replies ----------------------------------------------------------------------------

    def claim_push(self, inbound_id: int, stale_after: timedelta, max_attempts: int = 5) -> bool:
        """Take the push of a stored "async" reply; false when it went out or a live pusher holds it.

        The claim is a compare-and-set: of two processes (the processor that finished the message and a
        reconciler) only one pushes. A claim older than `stale_after` belongs to a pusher that died.
        """
        now = clock.utc_now()
        with self._sessions.begin() as session:
            result = session.execute(
                update(InboundMessage)
                .where(
                    InboundMessage.id == inbound_id,
                    InboundMessage.delivery == "async",
                    InboundMessage.outcome.is_not(None),
                    InboundMessage.delivered_at.is_(None),
                    InboundMessage.push_attempts < max_attempts,
                    InboundMessage.push_claimed_at.is_(None) | (InboundMessage.push_claimed_at < now - stale_after),
                )
                .values(push_claimed_at=now, push_attempts=InboundMessage.push_attempts + 1)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_delivered(self, inbound_id: int) -> None:
        """The channel took the pushed reply (or settled it: fallback sent, or kept in the inbox and logged)."""
        with self._sessions.begin() as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id, InboundMessage.delivered_at.is_(None))
                .values(delivered_at=clock.utc_now(), push_claimed_at=None)
            )

    def release_push(self, inbound_id: int, error: str) -> None:
        """The push failed: free it for the reconciler's next pass (attempts stay counted)."""
        with self._sessions.begin() as session:
            session.execute(
                update(InboundMessage)
                .where(InboundMessage.id == inbound_id, InboundMessage.delivered_at.is_(None))
                .values(push_claimed_at=None, error=error[:2000])
            )

    def undelivered(
        self, older_than: timedelta, stale_after: timedelta, max_attempts: int = 5, limit: int = 100
    ) -> list[InboundRecord]:
        """Replies owed a push: decided "async" (or never decided) and stored, not delivered, nobody pushing.

        A finished row still undecided long after it was processed lost its processor between storing the
        outcome and deciding: no request is waiting for it any more, so its reply must be pushed. The
        caller decides delivery (compare-and-set) before pushing such a row.
        """
        now = clock.utc_now()
        with self._sessions() as session:
            rows = session.scalars(
                select(InboundMessage)
                .where(
                    InboundMessage.status == "done",
                    InboundMessage.outcome.is_not(None),
                    InboundMessage.delivered_at.is_(None),
                    InboundMessage.delivery.is_(None) | (InboundMessage.delivery == "async"),
                    InboundMessage.processed_at < now - older_than,
                    InboundMessage.push_attempts < max_attempts,
                    InboundMessage.push_claimed_at.is_(None) | (InboundMessage.push_claimed_at < now - stale_after),
                )
                .order_by(InboundMessage.id)
                .limit(limit)
            )
            return [InboundRecord.of(row) for row in rows]

    def unprocessed(self, older_than: timedelta, limit: int = 100) -> list[InboundRecord]:
        """Inbox rows never finished: the reconciler queues them again."""
        cutoff = clock.utc_now() - older_than
        with self._sessions() as session:
            rows = session.scalars(
                select(InboundMessage)
                .where(
                    InboundMessage.status.in_(("received", "processing", "failed")),
                    InboundMessage.received_at < cutoff,
                    InboundMessage.attempts < 5,
                )
                .order_by(InboundMessage.id)
                .limit(limit)
            )
            return [InboundRecord.of(row) for row in rows]

    def conversation_messages(self, conversation_id: str, limit: int = 200) -> list[InboundRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(InboundMessage)
                .where(InboundMessage.conversation_id == conversation_id)
                .order_by(InboundMessage.id)
                .limit(limit)
            )
            return [InboundRecord.of(row) for row in rows]

    # -- conversations -----------------------------------------------------------------------------

    def conversation_for(self, channel: str, session_key: str, sender: str) -> str:
        now = clock.utc_now()
        with self._sessions.begin() as session:
            found = session.scalar(
                select(Conversation.id).where(Conversation.channel == channel, Conversation.session_key == session_key)
            )
            if found is not None:
                session.execute(update(Conversation).where(Conversation.id == found).values(last_message_at=now))
                return found
        new_id = str(uuid.uuid4())
        try:
            with self._sessions.begin() as session:
                session.add(
                    Conversation(
                        id=new_id,
                        channel=channel,
                        session_key=session_key,
                        sender=sender,
                        started_at=now,
                        last_message_at=now,
                    )
                )
        except IntegrityError:
            return self.conversation_for(channel, session_key, sender)
        return new_id

    def find_conversation(self, channel: str, session_key: str) -> str | None:
        with self._sessions() as session:
            return session.scalar(
                select(Conversation.id).where(Conversation.channel == channel, Conversation.session_key == session_key)
            )

    # -- work orders -------------------------------------------------------------------------------

    def create_work_order(self, new: NewWorkOrder, actor: str = "system") -> tuple[WorkOrderRecord, bool]:
        """Open a work order for a message; a second call for the same message returns the first order."""
        existing = self.work_order_for_message(new.inbound_message_id)
        if existing is not None:
            return existing, False
        now = clock.utc_now()
        try:
            with self._sessions.begin() as session:
                ticket = self._next_ticket(session, now)
                row = WorkOrder(
                    ticket=ticket,
                    conversation_id=new.conversation_id,
                    inbound_message_id=new.inbound_message_id,
                    channel=new.channel,
                    appeal_type=new.appeal_type,
                    category_l1=new.category_l1,
                    category_l2=new.category_l2,
                    confidence=new.confidence,
                    department=new.department,
                    status="受理",
                    deadline=new.deadline,
                    description=new.description,
                    contact=new.contact,
                    entities=new.entities,
                    details=new.details,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                session.add(self._event("work_order.created", actor, "work_order", ticket, {"status": "受理"}))
                record = WorkOrderRecord.of(row)
        except IntegrityError:
            raced = self.work_order_for_message(new.inbound_message_id)
            if raced is None:
                raise
            return raced, False
        return record, True

    def _next_ticket(self, session: Session, now: datetime) -> str:
        day = local_date(now, self.zone).strftime("%Y%m%d")
        number = session.scalar(
            update(TicketSequence)
            .where(TicketSequence.day == day)
            .values(last=TicketSequence.last + 1)
            .returning(TicketSequence.last)
        )
        if number is None:
            try:
                with session.begin_nested():
                    session.execute(insert(TicketSequence).values(day=day, last=1))
                number = 1
            except IntegrityError:
                number = session.scalar(
                    update(TicketSequence)
                    .where(TicketSequence.day == day)
                    .values(last=TicketSequence.last + 1)
                    .returning(TicketSequence.last)
                )
        return f"{self.ticket_prefix}-{day}-{int(number or 0):06d}"

    def update_work_order(
        self,
        ticket: str,
        details: dict[str, str] | None = None,
        confidential: bool | None = None,
        note: str | None = None,
        actor: str = "citizen",
    ) -> WorkOrderRecord | None:
        """Add details the citizen gave after the order was opened; every change is an audited event."""
        with self._sessions.begin() as session:
            row = session.scalar(select(WorkOrder).where(WorkOrder.ticket == ticket).with_for_update())
            if row is None:
                return None
            changes: dict[str, Any] = {}
            if details:
                row.details = {**(row.details or {}), **details}
                changes["details"] = sorted(details)
                if "contact" in details:
                    row.contact = details["contact"]
            if confidential is not None:
                row.confidential = confidential
                changes["confidential"] = confidential
            if note:
                row.description = f"{row.description}\n{note}"
                changes["note"] = True
            row.updated_at = clock.utc_now()
            session.add(self._event("work_order.updated", actor, "work_order", ticket, changes))
            session.flush()
            return WorkOrderRecord.of(row)

    def record_rating(self, ticket: str, level: str, reason: str | None, actor: str = "citizen") -> bool:
        """A 好差评 rating of a finished order, kept in the audit log where reports and the push read it."""
        if self.get_work_order(ticket) is None:
            return False
        self.record_event("work_order.rated", actor, "work_order", ticket, {"level": level, "reason": reason})
        return True

    def work_order_for_message(self, inbound_id: int) -> WorkOrderRecord | None:
        with self._sessions() as session:
            row = session.scalar(select(WorkOrder).where(WorkOrder.inbound_message_id == inbound_id))
            return WorkOrderRecord.of(row) if row else None

    def get_work_order(self, ticket: str) -> WorkOrderRecord | None:
        with self._sessions() as session:
            row = session.scalar(select(WorkOrder).where(WorkOrder.ticket == ticket))
            return WorkOrderRecord.of(row) if row else None

    def count_work_orders(self) -> int:
        with self._sessions() as session:
            return int(session.scalar(select(func.count()).select_from(WorkOrder)) or 0)

    # -- emergencies and audit ---------------------------------------------------------------------

    def record_emergency(
        self, inbound: InboundRecord, services: list[str], severity: str, evidence: str, reason: str
    ) -> int:
        try:
            with self._sessions.begin() as session:
                row = EmergencyReferral(
                    inbound_message_id=inbound.id,
                    conversation_id=inbound.conversation_id,
                    services=services,
                    severity=severity,
                    evidence=evidence,
                    reason=reason,
                    created_at=clock.utc_now(),
                    linkage_status="pending",
                )
                session.add(row)
                session.flush()
                session.add(
                    self._event(
                        "emergency.referred",
                        "system",
                        "inbound_message",
                        str(inbound.id),
                        {"services": services},
                    )
                )
                return row.id
        except IntegrityError:
            with self._sessions() as session:
                existing = session.scalar(
                    select(EmergencyReferral.id).where(EmergencyReferral.inbound_message_id == inbound.id)
                )
                if existing is None:
                    raise
                return existing

    def emergencies(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(select(EmergencyReferral).order_by(EmergencyReferral.id.desc()).limit(limit))
            return [
                {
                    "id": row.id,
                    "inbound_message_id": row.inbound_message_id,
                    "services": row.services,
                    "severity": row.severity,
                    "evidence": row.evidence,
                    "created_at": (as_utc(row.created_at) or clock.utc_now()).isoformat(),
                    "linkage_status": row.linkage_status,
                }
                for row in rows
            ]

    def record_event(self, kind: str, actor: str, subject_type: str, subject_id: str, data: dict[str, Any]) -> None:
        with self._sessions.begin() as session:
            session.add(self._event(kind, actor, subject_type, subject_id, data))

    def events_for(self, subject_type: str, subject_id: str) -> list[dict[str, Any]]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Event)
                .where(Event.subject_type == subject_type, Event.subject_id == subject_id)
                .order_by(Event.id)
            )
            return [{"kind": r.kind, "actor": r.actor, "data": r.data} for r in rows]

    @staticmethod
    def _event(kind: str, actor: str, subject_type: str, subject_id: str, data: dict[str, Any]) -> Event:
        at = clock.utc_now()
        return Event(at=at, kind=kind, actor=actor, subject_type=subject_type, subject_id=subject_id, data=data)
