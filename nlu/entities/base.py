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


# Pattern-validated types beat the heuristic ones; among heuristic types the longer span wins, so
# "鼓楼区人民医院" is one organisation rather than an address followed by a stray word.
_HEURISTIC = frozenset({"address", "org", "person"})


def resolve_overlaps(spans: list[Span]) -> list[Span]:
    """Keep a non-overlapping set: validated types first, then longer, then by priority, then earlier."""

    def key(s: Span) -> tuple[int, int, int, int]:
        length = s.end - s.start
        if s.type in _HEURISTIC:
            return (1, -length, PRIORITY[s.type], s.start)
        return (0, PRIORITY[s.type], -length, s.start)

    ordered = sorted(spans, key=key)
    taken: list[Span] = []
    for span in ordered:
        if all(span.end <= t.start or span.start >= t.end for t in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)
