"""Mobile numbers (+86, spaced or dashed), landlines with area codes and extensions, 400/800 numbers."""

from __future__ import annotations

import re

from nlu.entities.base import Span

_SEP = r"[\s\-]?"
_MOBILE = re.compile(rf"(?<![\d])(?:(?:\+|00)?86{_SEP})?(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
_SERVICE = re.compile(rf"(?<![\d])([48]00){_SEP}(\d{{3}}){_SEP}(\d{{4}})(?!\d)")
# Area codes: 010, 02X, and 0[3-9]XX; the subscriber number has 7 or 8 digits.
_LANDLINE = re.compile(
    r"(?<![\d])(?:\(|（)?(0(?:10|2\d|[3-9]\d{2}))(?:\)|）)?[\s\-]?([2-9]\d{2,3})[\s\-]?(\d{4})"
    r"(?:(?:转|-|ext\.?)(\d{1,5}))?(?!\d)"
)
# A local landline without area code is only taken after a cue word, to avoid counting other numbers.
_LOCAL = re.compile(r"(?:电话|座机|联系方式|手机|号码|打)[:：是为]?\s*([2-9]\d{3})[\s\-]?(\d{4})(?!\d)")


def extract(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _MOBILE.finditer(text):
        spans.append(Span("phone", m.start(), m.end(), "".join(m.groups())))
    for m in _SERVICE.finditer(text):
        spans.append(Span("phone", m.start(), m.end(), "".join(m.groups())))
    for m in _LANDLINE.finditer(text):
        area, head, tail, ext = m.groups()
        value = f"{area}-{head}{tail}" + (f"-{ext}" if ext else "")
        spans.append(Span("phone", m.start(), m.end(), value))
    for m in _LOCAL.finditer(text):
        spans.append(Span("phone", m.start(1), m.end(), m.group(1) + m.group(2)))
    return spans
