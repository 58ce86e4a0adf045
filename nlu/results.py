"""The typed results of the analysis; plain frozen dataclasses every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal["phone", "id_card", "plate", "address", "datetime", "money", "person", "org"]
Service = Literal["110", "119", "120", "122"]
Severity = Literal["critical", "high"]
Utility = Literal["water", "power", "gas", "heating", "telecom"]

ENTITY_TYPES: tuple[str, ...] = ("phone", "id_card", "plate", "address", "datetime", "money", "person", "org")
SERVICES: tuple[str, ...] = ("110", "119", "120", "122")


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity; `start`/`end` index the ORIGINAL text, `value` is the normalised form."""

    type: str
    text: str
    value: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "text": self.text,
            "value": self.value,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class Emergency:
    """The message belongs to one or more emergency services; `evidence` is original text."""

    services: tuple[str, ...]
    severity: str
    evidence: str
    start: int
    end: int
    reason: str
    # "rules" (a trigger in its present, real context) or "model" (the statistical safety net alone:
    # the dialogue gives the emergency advice and still takes the appeal, in case it is an ordinary one)
    source: str = "rules"

    def to_dict(self) -> dict[str, Any]:
        return {
            "services": list(self.services),
            "severity": self.severity,
            "evidence": self.evidence,
            "reason": self.reason,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class UtilityReferral:
    """An outage or leak that belongs to a public-utility operator (GB/T 44190 6.3.2)."""

    utility: str
    operator: str
    hotline: str
    evidence: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "utility": self.utility,
            "operator": self.operator,
            "hotline": self.hotline,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus, per normalised character, the original span it came from."""

    text: str
    original: str
    starts: tuple[int, ...] = field(repr=False)
    ends: tuple[int, ...] = field(repr=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the normalised text to the span of the original text it came from."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything nlu knows about one message."""

    text: str
    normalized: str
    tokens: tuple[str, ...]
    entities: tuple[Entity, ...]
    emergency: Emergency | None
    utility: UtilityReferral | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `hotline nlu analyse --json`."""
        return {
            "text": self.text,
            "normalized": self.normalized,
            "tokens": list(self.tokens),
            "entities": [e.to_dict() for e in self.entities],
            "emergency": None if self.emergency is None else self.emergency.to_dict(),
            "utility": None if self.utility is None else self.utility.to_dict(),
        }
