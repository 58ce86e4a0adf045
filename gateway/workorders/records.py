"""Plain records of work orders and notes: what the store, the API, exports and reports see of them.

`WorkOrderRecord` is the one snapshot of a work-order row; the intake's store and the lifecycle's repository
both return it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from typing import Any

from gateway.clock import as_utc
from gateway.store.models import WorkOrder, WorkOrderNote
from gateway.workorders.lifecycle import FINISHED, UNFINISHED


def mask_phone(value: str | None) -> str | None:
    """Keep the first three and last four digits of a contact number: 138****5678."""
    if not value:
        return value
    digits = value.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


@dataclass(frozen=True)
class WorkOrderRecord:
    id: int
    ticket: str
    conversation_id: str
    inbound_message_id: int
    channel: str
    appeal_type: str
    category_l1: str
    category_l2: str | None
    confidence: float
    department: str
    status: str
    deadline: date
    description: str
    contact: str | None
    entities: list[dict[str, Any]]
    # Details the dialogue collected (location, time, employer, ...) and the citizen's 保密 choice.
    details: dict[str, str]
    confidential: bool | None
    created_at: datetime
    updated_at: datetime
    assignee: str | None
    reply_text: str | None
    completed_at: datetime | None
    callback_at: datetime | None
    archived_at: datetime | None
    rating: str | None
    rating_reason: str | None
    rated_at: datetime | None
    extension_days: int | None
    extension_reason: str | None
    warned_at: datetime | None
    supervised_at: datetime | None
    supervision_count: int
    place_key: str | None
    duplicate_of: str | None

    @classmethod
    def of(cls, row: WorkOrder) -> WorkOrderRecord:
        values: dict[str, Any] = {}
        for f in fields(cls):
            value = getattr(row, f.name)
            values[f.name] = as_utc(value) if isinstance(value, datetime) else value
        values["entities"] = list(row.entities or [])
        values["details"] = dict(row.details or {})
        values["supervision_count"] = int(row.supervision_count or 0)
        return cls(**values)

    def overdue(self, today: date) -> bool:
        """Past its deadline without an answer (办结 or later stops the clock)."""
        return self.status in UNFINISHED and today > self.deadline

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def summary(self) -> dict[str, Any]:
        """What the citizen's ticket reply and the agents' live feed carry."""
        return {
            "ticket": self.ticket,
            "appeal_type": self.appeal_type,
            "category": self.category_l1,
            "category_l2": self.category_l2,
            "department": self.department,
            "deadline": self.deadline.isoformat(),
            "status": self.status,
        }

    def to_dict(self, today: date, *, include_contact: bool = False) -> dict[str, Any]:
        """JSON-ready view; the contact number is masked unless the caller may see it."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, datetime | date):
                value = value.isoformat()
            out[f.name] = value
        out["contact"] = self.contact if include_contact else mask_phone(self.contact)
        if not include_contact and "contact" in self.details:
            out["details"] = {**self.details, "contact": mask_phone(self.details["contact"])}
        out["overdue"] = self.overdue(today)
        return out


@dataclass(frozen=True)
class NoteRecord:
    id: int
    ticket: str
    author: str
    kind: str
    text: str
    at: datetime

    @classmethod
    def of(cls, row: WorkOrderNote) -> NoteRecord:
        return cls(
            id=row.id,
            ticket=row.ticket,
            author=row.author,
            kind=row.kind,
            text=row.text,
            at=as_utc(row.at) or datetime.now(UTC),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author": self.author,
            "kind": self.kind,
            "text": self.text,
            "at": self.at.isoformat(),
        }
