"""The steps every analysis shares: normalise, segment (with offsets), extract entities."""

from __future__ import annotations

from dataclasses import dataclass

from nlu import segment
from nlu.entities import Span, extract_all
from nlu.normalization import normalize
from nlu.results import Entity, Normalized

TokenOffsets = list[tuple[str, int, int]]


@dataclass(frozen=True, slots=True)
class Prepared:
    norm: Normalized
    pieces: TokenOffsets  # every jieba piece with offsets into norm.text
    spans: list[Span]  # entities on norm.text


def pieces_with_offsets(text: str) -> TokenOffsets:
    out: TokenOffsets = []
    pos = 0
    for piece in segment.cut(text):
        out.append((piece, pos, pos + len(piece)))
        pos += len(piece)
    return out


def words(pieces: TokenOffsets) -> tuple[str, ...]:
    return tuple(p for p, _, _ in pieces if segment.is_word(p))


def prepare(text: str) -> Prepared:
    norm = normalize(text)
    pieces = pieces_with_offsets(norm.text)
    return Prepared(norm, pieces, extract_all(norm.text, pieces))


def to_entities(norm: Normalized, spans: list[Span]) -> tuple[Entity, ...]:
    out: list[Entity] = []
    for span in spans:
        start, end = norm.to_original(span.start, span.end)
        out.append(Entity(span.type, norm.original[start:end], span.value, start, end))
    return tuple(out)
