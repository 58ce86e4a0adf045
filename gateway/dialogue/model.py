"""Plain data of the dialogue: what a message means, what the policy knows, and the actions it decides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Understanding:
    text: str
    normalized: str
    entities: list[dict[str, Any]]
    emergency: dict[str, Any] | None
    utility: dict[str, Any] | None
    intent: str
    intent_confidence: float
    appeal_type: str | None
    category_l1: str | None
    category_l2: str | None
    category_confidence: float
    low_confidence: bool = False
    ranking: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class TicketView:
    """A work order as the dialogue may show it to the citizen who filed it."""

    ticket: str
    status: str
    appeal_type: str
    category: str
    department: str
    deadline: str
    contact_last4: str | None
    reply_text: str | None = None
    rating: str | None = None


@dataclass(frozen=True)
class KnowledgeAnswer:
    article_id: str
    title: str
    answer: str
    score: float
    source: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True)
class Context:
    """What the processor looked up for this turn, so that the policy stays a pure function."""

    channel: str
    contact: str | None = None
    ticket: TicketView | None = None
    answer: KnowledgeAnswer | None = None
    required_details: tuple[str, ...] = ()
    detail_prompts: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendReply:
    text: str
    buttons: tuple[str, ...] = ()
    kind: str = "text"


@dataclass(frozen=True)
class ReferEmergency:
    services: tuple[str, ...]
    severity: str
    evidence: str
    reason: str


@dataclass(frozen=True)
class OpenWorkOrder:
    appeal_type: str
    category_l1: str
    category_l2: str | None
    confidence: float
    description: str
    details: dict[str, str] = field(default_factory=dict)
    # Asked right after the ticket number, in the same reply (the first missing detail).
    follow_up: str | None = None
    follow_up_buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class UpdateWorkOrder:
    ticket: str
    details: dict[str, str] = field(default_factory=dict)
    confidential: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class RecordRating:
    ticket: str
    level: str
    reason: str | None = None


@dataclass(frozen=True)
class Handoff:
    reason: str


@dataclass(frozen=True)
class AnswerFromKnowledge:
    answer: KnowledgeAnswer
    question: str


Action = SendReply | ReferEmergency | OpenWorkOrder | UpdateWorkOrder | RecordRating | Handoff | AnswerFromKnowledge


@dataclass
class Decision:
    actions: list[Action] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)

    def say(self, text: str, buttons: tuple[str, ...] = (), kind: str = "text") -> Decision:
        self.actions.append(SendReply(text, buttons, kind))
        return self
