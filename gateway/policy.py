"""Dialogue policy: from what a message means and the conversation so far, decide what to do.

Pure functions on plain data; effects (storage, notifications, replies) happen elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway import replies

# Conversational intents the policy answers itself; every other intent is an appeal.
_SMALL_TALK = {"greet", "thanks", "goodbye"}
# Messages this short carry too little to open a work order on ("你好", "在吗").
_MIN_APPEAL_CHARS = 6


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
    category_l1: str
    category_l2: str | None
    category_confidence: float


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


Action = SendReply | ReferEmergency | OpenWorkOrder


@dataclass
class Decision:
    actions: list[Action] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


def decide(understanding: Understanding, state: dict[str, Any]) -> Decision:
    """Emergency first, always; then small talk; then an appeal becomes a work order."""
    new_state = dict(state)
    new_state["turns"] = int(state.get("turns", 0)) + 1
    emergency = understanding.emergency
    if emergency:
        services = tuple(emergency["services"])
        new_state["last_emergency"] = list(services)
        return Decision(
            actions=[
                ReferEmergency(
                    services=services,
                    severity=str(emergency.get("severity", "critical")),
                    evidence=str(emergency.get("evidence", "")),
                    reason=str(emergency.get("reason", "")),
                ),
                SendReply(replies.emergency(services), buttons=tuple(services), kind="emergency"),
            ],
            state=new_state,
        )
    if understanding.intent in _SMALL_TALK or len(understanding.normalized.strip()) < _MIN_APPEAL_CHARS:
        return Decision(actions=[SendReply(replies.small_talk(understanding.intent))], state=new_state)
    appeal_type = understanding.appeal_type or "求助"
    actions: list[Action] = []
    if understanding.utility:
        actions.append(SendReply(replies.utility(understanding.utility)))
    actions.append(
        OpenWorkOrder(
            appeal_type=appeal_type,
            category_l1=understanding.category_l1,
            category_l2=understanding.category_l2,
            confidence=understanding.category_confidence,
            description=understanding.text,
        )
    )
    return Decision(actions=actions, state=new_state)
