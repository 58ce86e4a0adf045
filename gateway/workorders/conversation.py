"""The staff's side of a citizen's conversation: replies agents sent on its work orders.

The live chat shows an agent's reply when it is pushed; the conversation history (what a reloaded widget
shows) must show it too, in order and marked as the agent's, not the assistant's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gateway.workorders.records import NoteRecord


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


def with_staff_replies(citizen: Sequence[dict[str, Any]], notes: Sequence[NoteRecord]) -> list[dict[str, Any]]:
    """The citizen's messages (with the assistant's answers) and the agents' replies, oldest first."""
    entries = [{"from": "citizen", **entry} for entry in citizen] + [staff_entry(note) for note in notes]

    def when(entry: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(str(entry.get("received_at") or entry["at"]))

    # Stable sort: entries at the same instant keep citizen-before-agent order.
    return sorted(entries, key=when)
