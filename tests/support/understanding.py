"""A ready-made `Understanding` for tests that replace the models: a complaint unless told otherwise."""

from __future__ import annotations

from typing import Any

from gateway.dialogue import Understanding


def understanding(text: str, **overrides: Any) -> Understanding:
    fields: dict[str, Any] = {
        "text": text,
        "normalized": text,
        "entities": [],
        "emergency": None,
        "utility": None,
        "intent": "投诉",
        "intent_confidence": 0.9,
        "appeal_type": "投诉",
        "category_l1": "城乡建设",
        "category_l2": "城市建设和市政管理",
        "category_confidence": 0.8,
    }
    return Understanding(**(fields | overrides))
