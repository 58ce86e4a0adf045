"""The staff's side of a citizen's conversation: replies agents sent on its work orders and 办结 notices.

The live chat shows an agent's reply or the department's answer at 办结 when it is pushed; the conversation
history (what a reloaded widget shows) must show them too, in order and marked as the staff's, not the
assistant's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gateway import replies
from gateway.workorders.records import NoteRecord, WorkOrderRecord
from gateway.workorders.transitions import RATING_LEVELS


def completion_text(order: WorkOrderRecord) -> str:
    return f"您反映的问题（工单号{order.ticket}）已办结，{order.department}答复如下：\n{order.reply_text or ''}"


def staff_entry(note: NoteRecord) -> dict[str, Any]:
    """One agent reply as a history entry, shaped like the live push (`<ticket>:reply`) the widget saw."""
    return {
        "from": "agent",
        "author": note.author,
        "message_id": f"{note.ticket}:reply",
        "note_id": note.id,
        "at": note.at.isoformat(),
        "replies": [{"text": note.text, "buttons": [], "kind": "text"}],
        "work_order": {"ticket": note.ticket},
        "pending": False,
    }


def completion_entry(order: WorkOrderRecord) -> dict[str, Any]:
    """The 办结 notice as a history entry, shaped like its push (`<ticket>:completed`); the rating buttons
    only while the order is still unrated."""
    rated = order.rating is not None
    return {
        "from": "department",
        "author": order.department,
        "message_id": f"{order.ticket}:completed",
        "at": (order.completed_at or order.updated_at).isoformat(),
        "replies": [
            {"text": completion_text(order), "buttons": [], "kind": "text"},
            {"text": replies.ask_rating(order.ticket), "buttons": [] if rated else list(RATING_LEVELS), "kind": "text"},
        ],
        "work_order": {"ticket": order.ticket, "status": order.status},
        "pending": False,
    }


def with_staff_replies(
    citizen: Sequence[dict[str, Any]],
    notes: Sequence[NoteRecord],
    completed: Sequence[WorkOrderRecord] = (),
) -> list[dict[str, Any]]:
    """The citizen's messages (with the assistant's answers), the agents' replies and the 办结 notices,
    oldest first."""
    entries = [{"from": "citizen", **entry} for entry in citizen] + [staff_entry(note) for note in notes]
    entries += [completion_entry(order) for order in completed]

    def when(entry: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(str(entry.get("received_at") or entry["at"]))

    # Stable sort: entries at the same instant keep citizen-before-agent order.
    return sorted(entries, key=when)
