"""PII masking for logs and for roles that must not see personal data.

Phones 138****5678, ID numbers 3201**********1234, plates 苏A***45, addresses kept down to the street,
given names starred. Recall over precision: any remaining run of 7+ digits is masked too, so a
mistyped ID or a bank card never reaches a log.
"""

from __future__ import annotations

import re

from nlu.core import Prepared, prepare
from nlu.entities.address import street_prefix_end
from nlu.entities.base import Span

_LONG_DIGITS = re.compile(r"\d[\d\s\-]{5,}\d")
_ADDRESS_MASK = "***"


def _star_middle(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def _mask_span(prep: Prepared, span: Span) -> str | None:
    """Replacement for the span's normalised text, or None to leave it as it is."""
    text = prep.norm.text
    if span.type == "phone":
        digits = re.sub(r"\D", "", span.value)
        return _star_middle(digits, 3, 4)
    if span.type == "id_card":
        return _star_middle(span.value, 4, 4)
    if span.type == "plate":
        return _star_middle(span.value, 2, 2)
    if span.type == "address":
        keep_to = street_prefix_end(text, prep.pieces, span.start, span.end)
        return text[span.start : keep_to] + _ADDRESS_MASK
    if span.type == "person":
        surface = text[span.start : span.end]
        if surface == span.value:  # a full name: keep the surname only
            return surface[0] + "*" * (len(surface) - 1)
        return None  # 王先生 / 老李: surname and title only
    return None


def mask_prepared(prep: Prepared) -> str:
    norm = prep.norm
    replacements: list[tuple[int, int, str]] = []  # original offsets
    covered: list[tuple[int, int]] = []
    for span in prep.spans:
        masked = _mask_span(prep, span)
        if masked is None:
            continue
        start, end = norm.to_original(span.start, span.end)
        replacements.append((start, end, masked))
        covered.append((span.start, span.end))
    for m in _LONG_DIGITS.finditer(norm.text):
        if any(m.start() < e and m.end() > s for s, e in covered):
            continue
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < 7:
            continue
        start, end = norm.to_original(m.start(), m.end())
        replacements.append(
            (start, end, _star_middle(digits, 3, 4) if len(digits) < 15 else _star_middle(digits, 4, 4))
        )
    out = norm.original
    for start, end, masked in sorted(replacements, reverse=True):
        out = out[:start] + masked + out[end:]
    return out


def mask_pii(text: str) -> str:
    """`text` with personal data masked; the rest of the original text is unchanged."""
    return mask_prepared(prepare(text))
