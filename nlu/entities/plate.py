"""Licence plates: province + letter + 5 characters, or 6 for new-energy plates (D/F), with 警/学/挂."""

from __future__ import annotations

import re

from nlu.entities.base import Span

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Za-hj-np-z"  # I and O are never used
_PLATE = re.compile(
    rf"(?<![{PROVINCES}A-Za-z0-9])([{PROVINCES}])\s?([{_LETTER}])\s?[·•.\-]?\s?"
    # Ordinary/new-energy bodies have 5-6 characters; 警/学/挂/领/港/澳 plates have 4 plus the suffix.
    rf"(?:([{_LETTER}0-9]{{5,6}})(?![A-Za-z0-9])|([{_LETTER}0-9]{{4}})([警学挂领港澳]))"
)


def _is_plate_body(body: str) -> bool:
    body = body.upper()
    if len(body) == 6:
        # New-energy: D/F first (small car) or last (large vehicle).
        return body[0] in "DF" or body[-1] in "DF"
    # Ordinary plates have at least one digit; five letters are a word, not a plate.
    return any(ch.isdigit() for ch in body)


def extract(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _PLATE.finditer(text):
        province, letter, long_body, short_body, suffix = m.groups()
        body = long_body or short_body
        if long_body is not None and not _is_plate_body(body):
            continue
        value = f"{province}{letter.upper()}{body.upper()}{suffix or ''}"
        spans.append(Span("plate", m.start(), m.end(), value))
    return spans
