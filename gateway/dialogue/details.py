"""The details an appeal needs (catalogue `required_details`), read from entities or the citizen's words."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# Which entity type answers which detail; details without one take the citizen's words as they are.
_ENTITY_FOR_DETAIL: Mapping[str, tuple[str, ...]] = {
    "location": ("address",),
    "time": ("datetime",),
    "contact": ("phone",),
    "employer": ("org",),
    "organisation": ("org",),
    "vehicle": ("plate",),
    "amount": ("money",),
    "person": ("person",),
    "school": ("org",),
    "hospital": ("org",),
}
DETAIL_LABELS: Mapping[str, str] = {
    "location": "地点",
    "time": "时间",
    "contact": "联系电话",
    "employer": "用人单位",
    "organisation": "涉及单位",
    "vehicle": "车辆",
    "amount": "金额",
    "person": "涉及人员",
    "school": "学校",
    "hospital": "医院",
    "order_number": "订单号",
}
_ORDER_NUMBER = re.compile(r"[A-Za-z0-9]{8,30}")
_DISTRICT = re.compile(r"([\u4e00-\u9fa5]{1,6}?(?:新区|区|县))")


def from_entities(detail: str, entities: Sequence[Mapping[str, Any]]) -> str | None:
    wanted = _ENTITY_FOR_DETAIL.get(detail, ())
    for entity in entities:
        if entity.get("type") in wanted:
            return str(entity.get("value") or entity.get("text"))
    return None


def prefill(details: Sequence[str], entities: Sequence[Mapping[str, Any]], text: str) -> dict[str, str]:
    """Details already present in the first message."""
    found: dict[str, str] = {}
    for detail in details:
        value = from_entities(detail, entities)
        if value is None and detail == "order_number":
            match = _ORDER_NUMBER.search(text)
            value = match.group(0) if match else None
        if value:
            found[detail] = value
    return found


def answer_for(detail: str, entities: Sequence[Mapping[str, Any]], text: str) -> str:
    """The value of a detail from a reply to its question: the entity when there is one, else the reply."""
    return from_entities(detail, entities) or text.strip(" 。，,.")


def detail_of_correction(entities: Sequence[Mapping[str, Any]], fallback: str | None) -> str | None:
    """Which detail a correction like "地点是东门" or "电话是139..." changes."""
    for detail in ("contact", "location", "time", "vehicle", "amount"):
        if from_entities(detail, entities):
            return detail
    return fallback


def district_of(entities: Sequence[Mapping[str, Any]]) -> str | None:
    for entity in entities:
        if entity.get("type") == "address":
            match = _DISTRICT.search(str(entity.get("value") or entity.get("text") or ""))
            if match:
                return match.group(1)
    return None
