"""SQL access for work orders after creation: locked changes with their audit event, queue queries, notes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Select, and_, exists, func, select, update
from sqlalchemy.orm import sessionmaker

from gateway.clock import as_utc, utc_now
from gateway.store.models import EmergencyReferral, Event, WorkOrder, WorkOrderNote
from gateway.workdays import DEFAULT_TIMEZONE, day_start, hotline_zone
from gateway.workorders.errors import WorkOrderNotFound
from gateway.workorders.lifecycle import UNFINISHED
from gateway.workorders.records import NoteRecord, WorkOrderRecord


@dataclass(frozen=True)
class QueueFilter:
    status: tuple[str, ...] = ()
    category_l1: str | None = None
    channel: str | None = None
    appeal_type: str | None = None
    department: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    emergency: bool | None = None
    created_from: date | None = None
    created_to: date | None = None  # inclusive
    limit: int = 50
    offset: int = 0


# Mutates the locked row and returns the audit event's data.
Mutation = Callable[[WorkOrder], dict[str, Any]]


class WorkOrderRepository:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = utc_now, timezone: str = DEFAULT_TIMEZONE
    ) -> None:
        self.engine = engine
        # Every timestamp this repository writes comes from here (tests move time forward).
        self.clock = clock
        # Date filters and periods are the hotline's calendar days, not UTC days.
        self.zone = hotline_zone(timezone)
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def get(self, ticket: str) -> WorkOrderRecord | None:
        with self._sessions() as session:
            row = session.scalar(select(WorkOrder).where(WorkOrder.ticket == ticket))
            return WorkOrderRecord.of(row) if row else None

    def change(self, ticket: str, kind: str, actor: str, mutate: Mutation) -> tuple[WorkOrderRecord, str]:
        """Lock the order, apply `mutate`, write its audit event; returns the order and its previous status.

        `mutate` raises to refuse the change; nothing is written then.
        """
        with self._sessions.begin() as session:
            # Write first, read second: SQLite ignores FOR UPDATE, but a write takes its database lock, so a
            # concurrent change waits and then reads what this one committed (PostgreSQL locks the row).
            touched = session.execute(
                update(WorkOrder).where(WorkOrder.ticket == ticket).values(updated_at=WorkOrder.updated_at)
            )
            row = session.scalar(select(WorkOrder).where(WorkOrder.ticket == ticket).with_for_update())
            if row is None or not touched.rowcount:  # type: ignore[attr-defined]
                raise WorkOrderNotFound(f"no work order {ticket}")
            previous = row.status
            data = mutate(row)
            at = self.clock()
            row.updated_at = at
            data = {"from": previous, "to": row.status, **data}
            session.add(Event(at=at, kind=kind, actor=actor, subject_type="work_order", subject_id=ticket, data=data))
            session.flush()
            return WorkOrderRecord.of(row), previous

    def query(self, where: QueueFilter, today: date) -> tuple[list[WorkOrderRecord], int]:
        """Orders matching the filter, oldest deadline first, and how many match in all."""
        statement = self._filtered(select(WorkOrder), where, today)
        counting = self._filtered(select(func.count()).select_from(WorkOrder), where, today)
        with self._sessions() as session:
            total = int(session.scalar(counting) or 0)
            rows = session.scalars(
                statement.order_by(WorkOrder.deadline, WorkOrder.id).limit(where.limit).offset(where.offset)
            )
            return [WorkOrderRecord.of(row) for row in rows], total

    def _filtered(self, statement: Select[Any], where: QueueFilter, today: date) -> Select[Any]:
        conditions: list[Any] = []
        if where.status:
            conditions.append(WorkOrder.status.in_(where.status))
        if where.category_l1:
            conditions.append(WorkOrder.category_l1 == where.category_l1)
        if where.channel:
            conditions.append(WorkOrder.channel == where.channel)
        if where.appeal_type:
            conditions.append(WorkOrder.appeal_type == where.appeal_type)
        if where.department is not None:
            conditions.append(WorkOrder.department == where.department)
        if where.assignee:
            conditions.append(WorkOrder.assignee == where.assignee)
        if where.created_from:
            conditions.append(WorkOrder.created_at >= day_start(where.created_from, self.zone))
        if where.created_to:
            conditions.append(WorkOrder.created_at < day_start(where.created_to + timedelta(days=1), self.zone))
        if where.overdue is not None:
            late = and_(WorkOrder.status.in_([s.value for s in UNFINISHED]), WorkOrder.deadline < today)
            conditions.append(late if where.overdue else ~late)
        if where.emergency is not None:
            # An order is an emergency one when its conversation also produced an emergency referral.
            referred = exists().where(EmergencyReferral.conversation_id == WorkOrder.conversation_id)
            conditions.append(referred if where.emergency else ~referred)
        return statement.where(*conditions) if conditions else statement

    def between(self, start: date, end: date) -> list[WorkOrderRecord]:
        """Orders created from `start` to `end` inclusive (the hotline's days), in ticket order."""
        with self._sessions() as session:
            rows = session.scalars(
                select(WorkOrder)
                .where(
                    WorkOrder.created_at >= day_start(start, self.zone),
                    WorkOrder.created_at < day_start(end + timedelta(days=1), self.zone),
                )
                .order_by(WorkOrder.id)
            )
            return [WorkOrderRecord.of(row) for row in rows]

    # -- notes and audit -------------------------------------------------------------------------

    def add_note(self, ticket: str, author: str, kind: str, text: str, data: dict[str, Any]) -> NoteRecord:
        with self._sessions.begin() as session:
            if session.scalar(select(WorkOrder.id).where(WorkOrder.ticket == ticket)) is None:
                raise WorkOrderNotFound(f"no work order {ticket}")
            at = self.clock()
            row = WorkOrderNote(ticket=ticket, author=author, kind=kind, text=text, at=at)
            session.add(row)
            session.add(
                Event(
                    at=at,
                    kind=f"work_order.{kind}",
                    actor=author,
                    subject_type="work_order",
                    subject_id=ticket,
                    data=data,
                )
            )
            session.flush()
            return NoteRecord.of(row)

    def notes(self, ticket: str) -> list[NoteRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(WorkOrderNote).where(WorkOrderNote.ticket == ticket).order_by(WorkOrderNote.id)
            )
            return [NoteRecord.of(row) for row in rows]

    def replies_in_conversation(self, conversation_id: str) -> list[NoteRecord]:
        """What agents sent the citizen on any work order of this conversation, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(WorkOrderNote)
                .join(WorkOrder, WorkOrder.ticket == WorkOrderNote.ticket)
                .where(WorkOrder.conversation_id == conversation_id, WorkOrderNote.kind == "reply")
                .order_by(WorkOrderNote.at, WorkOrderNote.id)
            )
            return [NoteRecord.of(row) for row in rows]

    def completed_in_conversation(self, conversation_id: str) -> list[WorkOrderRecord]:
        """Orders of this conversation answered at 办结 (the citizen was sent the department's reply)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(WorkOrder)
                .where(
                    WorkOrder.conversation_id == conversation_id,
                    WorkOrder.completed_at.is_not(None),
                    WorkOrder.reply_text.is_not(None),
                )
                .order_by(WorkOrder.completed_at, WorkOrder.id)
            )
            return [WorkOrderRecord.of(row) for row in rows]

    def history(self, ticket: str) -> list[dict[str, Any]]:
        """The audit trail of one order: every event with its actor and time, oldest first."""
        with self._sessions() as session:
            rows = session.scalars(
                select(Event).where(Event.subject_type == "work_order", Event.subject_id == ticket).order_by(Event.id)
            )
            return [
                {
                    "at": (as_utc(r.at) or self.clock()).isoformat(),
                    "kind": r.kind,
                    "actor": r.actor,
                    "data": r.data,
                }
                for r in rows
            ]

    # -- sweeps and hot spots --------------------------------------------------------------------

    def unfinished_due_by(self, last_day: date) -> list[str]:
        """Tickets of unfinished orders whose deadline is on or before `last_day`."""
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(WorkOrder.ticket)
                    .where(
                        WorkOrder.status.in_([s.value for s in UNFINISHED]),
                        WorkOrder.deadline <= last_day,
                    )
                    .order_by(WorkOrder.deadline, WorkOrder.id)
                )
            )

    def unexamined_for_duplicates(self, limit: int = 500) -> list[str]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(WorkOrder.ticket).where(WorkOrder.place_key.is_(None)).order_by(WorkOrder.id).limit(limit)
                )
            )

    def unexamined_before(self, order_id: int, category_l1: str, since: datetime) -> list[str]:
        with self._sessions() as session:
            return list(
                session.scalars(
                    select(WorkOrder.ticket)
                    .where(
                        WorkOrder.place_key.is_(None),
                        WorkOrder.id < order_id,
                        WorkOrder.category_l1 == category_l1,
                        WorkOrder.created_at >= since,
                    )
                    .order_by(WorkOrder.id)
                )
            )

    def duplicate_root(self, order_id: int, category_l1: str, place_key: str, since: datetime) -> str | None:
        """The first earlier order of the same place and category within the window, itself no duplicate."""
        with self._sessions() as session:
            return session.scalar(
                select(WorkOrder.ticket)
                .where(
                    WorkOrder.category_l1 == category_l1,
                    WorkOrder.place_key == place_key,
                    WorkOrder.duplicate_of.is_(None),
                    WorkOrder.id < order_id,
                    WorkOrder.created_at >= since,
                )
                .order_by(WorkOrder.id)
                .limit(1)
            )

    def hotspots(self, since: datetime, min_orders: int) -> list[dict[str, Any]]:
        """Roots of duplicate groups with at least `min_orders` orders (the root included)."""
        with self._sessions() as session:
            counts = (
                select(WorkOrder.duplicate_of.label("root"), func.count().label("n"))
                .where(WorkOrder.duplicate_of.is_not(None), WorkOrder.created_at >= since)
                .group_by(WorkOrder.duplicate_of)
                .subquery()
            )
            rows = session.execute(
                select(WorkOrder, counts.c.n)
                .join(counts, counts.c.root == WorkOrder.ticket)
                .where(counts.c.n + 1 >= min_orders)
                .order_by(counts.c.n.desc(), WorkOrder.id)
            ).all()
            return [
                {
                    "ticket": order.ticket,
                    "category_l1": order.category_l1,
                    "place": order.place_key,
                    "department": order.department,
                    "status": order.status,
                    "orders": int(n) + 1,
                }
                for order, n in rows
            ]

    def unadopted_ratings(self, since: datetime) -> list[tuple[str, str, str | None]]:
        """Ratings the conversation logged as `work_order.rated` events on orders whose rating is still empty."""
        with self._sessions() as session:
            rows = session.execute(
                select(Event.subject_id, Event.data)
                .join(WorkOrder, WorkOrder.ticket == Event.subject_id)
                .where(
                    Event.kind == "work_order.rated",
                    Event.subject_type == "work_order",
                    Event.at >= since,
                    WorkOrder.rating.is_(None),
                )
                .order_by(Event.id)
            ).all()
            out = []
            for ticket, data in rows:
                level = (data or {}).get("level")
                if isinstance(level, str):
                    reason = (data or {}).get("reason")
                    out.append((ticket, level, reason if isinstance(reason, str) else None))
            return out

    def duplicates_of(self, ticket: str) -> list[str]:
        with self._sessions() as session:
            return list(
                session.scalars(select(WorkOrder.ticket).where(WorkOrder.duplicate_of == ticket).order_by(WorkOrder.id))
            )

    def find_by_contact_suffix(self, ticket: str, last_four: str) -> WorkOrderRecord | None:
        """The order, if its contact number ends with the given four digits (citizen status query)."""
        order = self.get(ticket)
        if order is None or not order.contact or len(last_four) != 4:
            return None
        return order if order.contact.strip().endswith(last_four) else None
