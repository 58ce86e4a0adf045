"""Entity extraction on normalised text; explicit registry of the character-level extractors."""

from __future__ import annotations

from nlu.entities import dates, idcard, money, names, phone, plate
from nlu.entities.address import extract_from_tokens as extract_addresses
from nlu.entities.base import Extractor, Span, resolve_overlaps

# Character-level extractors (addresses need tokens and are run separately).
EXTRACTORS: dict[str, Extractor] = {
    "id_card": idcard.extract,
    "phone": phone.extract,
    "plate": plate.extract,
    "money": money.extract,
    "datetime": dates.extract,
    "names": names.extract,
}


def extract_all(text: str, tokens: list[tuple[str, int, int]]) -> list[Span]:
    """Every entity in the normalised `text`, overlaps resolved."""
    spans: list[Span] = []
    for extractor in EXTRACTORS.values():
        spans.extend(extractor(text))
    spans.extend(extract_addresses(text, tokens))
    return resolve_overlaps(spans)


__all__ = ["EXTRACTORS", "Span", "extract_all", "resolve_overlaps"]
