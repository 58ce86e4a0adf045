"""The fixed label sets: appeal types of GB/T 44190-2024 4.1 and the conversational intents of the dialogue."""

from __future__ import annotations

from typing import Final

APPEAL_TYPES: Final[tuple[str, ...]] = ("咨询", "求助", "投诉", "举报", "意见建议", "在线办理指导")

CONVERSATIONAL_INTENTS: Final[tuple[str, ...]] = (
    "greet",
    "thanks",
    "goodbye",
    "query_status",
    "rate_service",
    "request_human",
    "affirm",
    "deny",
    "out_of_scope",
)

ALL_INTENTS: Final[tuple[str, ...]] = APPEAL_TYPES + CONVERSATIONAL_INTENTS

OUT_OF_SCOPE: Final = "out_of_scope"

# Emergency services a message may belong to (nlu's rule detector is primary; the model is a second net).
EMERGENCY_SERVICES: Final[tuple[str, ...]] = ("110", "119", "120", "122")

# ASCII names for tools that dislike non-ASCII labels (the Rasa export).
INTENT_ASCII: Final[dict[str, str]] = {
    "咨询": "consult",
    "求助": "seek_help",
    "投诉": "complain",
    "举报": "report",
    "意见建议": "suggest",
    "在线办理指导": "online_guide",
    **{name: name for name in CONVERSATIONAL_INTENTS},
}


def is_appeal_type(intent: str) -> bool:
    return intent in APPEAL_TYPES


def category_key(l1: str, l2: str) -> str:
    return f"{l1}/{l2}"


def split_category(key: str) -> tuple[str, str]:
    l1, sep, l2 = key.partition("/")
    if not sep or not l1 or not l2:
        raise ValueError(f"category must look like '一级/二级', got {key!r}")
    return l1, l2
