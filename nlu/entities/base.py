"""Entity spans on the normalised text, before they are mapped back to the original."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# Entity precedence when spans overlap (lower wins); longer spans win within one type.
PRIORITY: dict[str, int] = {
    "id_card": 0,
    "phone": 1,
    "plate": 2,
    "money": 3,
    "datetime": 4,
    "address": 5,
    "org": 6,
    "person": 7,
}


@dataclass(frozen=True, slots=True)
class Span:
    type: str
    start: int
    end: int
    value: str


Extractor = Callable[[str], list[Span]]


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep a non-overlapping set: higher priority first, then longer, then earlier."""
    ordered = sorted(spans, key=lambda s: (PRIORITY[s.type], -(s.end - s.start), s.start))
    taken: list[Span] = []
    for span in ordered:
        if all(span.end <= t.start or span.start >= t.end for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)
