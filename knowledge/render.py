"""Turn an article answer into a reply for a channel: plain text for SMS, source and validity always kept.

The reply ends with the feedback question; when the channel limits length (SMS), the answer body is cut
at a line boundary where possible and the source, validity and question are never cut.
"""

from __future__ import annotations

import re
from datetime import date

from knowledge.models import Answer

FEEDBACK_QUESTION = "这个回答解决您的问题了吗？"
_ELLIPSIS = "……"


def markdown_to_text(markdown: str) -> str:
    """Plain text for SMS and mail: emphasis and headings dropped, bullets become '·', links keep the URL."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1（\2）", markdown)
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"^#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"^\s*[-*+]\s+", "· ", text, flags=re.MULTILINE)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def footer(answer: Answer) -> str:
    lines = []
    if answer.source:
        lines.append(f"来源：{answer.source}")
    if answer.source_url:
        lines.append(f"详见：{answer.source_url}")
    if answer.valid_until:
        lines.append(f"有效期至：{answer.valid_until:%Y年%m月%d日}")
    return "\n".join(lines)


def render_answer(answer: Answer, max_chars: int | None = None, markdown: bool = False) -> str:
    """The full reply; `max_chars` (e.g. an SMS budget) caps the total length, `markdown` keeps formatting."""
    body = answer.answer.strip() if markdown else markdown_to_text(answer.answer)
    tail = "\n".join(part for part in (footer(answer), FEEDBACK_QUESTION) if part)
    if max_chars is None or len(body) + 2 + len(tail) <= max_chars:
        return f"{body}\n\n{tail}"
    room = max_chars - len(tail) - 2 - len(_ELLIPSIS)
    if room <= 0:
        return tail[:max_chars]
    cut = body[:room]
    newline = cut.rfind("\n")
    if newline >= room // 2:
        cut = cut[:newline]
    return f"{cut.rstrip()}{_ELLIPSIS}\n\n{tail}"


def validity_note(answer: Answer, today: date) -> str:
    """A warning when an article is about to lapse (maintainers see it; citizens see the date)."""
    if answer.valid_until is None:
        return ""
    days = (answer.valid_until - today).days
    return f"本条目将在 {days} 天后到期" if 0 <= days <= 30 else ""


_TAIL_PREFIXES = ("来源：", "详见：", "有效期至：")


def _units(text: str) -> int:
    # SMS budgets count UTF-16 units: characters outside the BMP (emoji) take two.
    return len(text.encode("utf-16-le")) // 2


def fit_answer_text(text: str, max_units: int) -> str:
    """Shorten a rendered answer (title line, body, then source / validity / feedback question lines) to
    `max_units` UTF-16 units by cutting the body only: a length-limited channel (SMS) still carries where
    the answer comes from, how long it is valid and the question that opens a work order."""
    if _units(text) <= max_units:
        return text
    lines = text.split("\n")
    tail_at = next(
        (i for i, line in enumerate(lines) if i > 0 and (line.startswith(_TAIL_PREFIXES) or line == FEEDBACK_QUESTION)),
        len(lines),
    )
    head, body, tail = lines[0], "\n".join(lines[1:tail_at]), "\n".join(lines[tail_at:])
    room = max_units - _units(head) - _units(tail) - _units(_ELLIPSIS) - 2
    if room <= 0:
        return "\n".join(part for part in (head, tail) if part)[: max(0, max_units)]
    cut: list[str] = []
    used = 0
    for char in body:
        if used + _units(char) > room:
            break
        cut.append(char)
        used += _units(char)
    kept = "".join(cut)
    newline = kept.rfind("\n")
    if newline >= room // 2:
        kept = kept[:newline]
    return "\n".join(part for part in (head, kept.rstrip() + _ELLIPSIS, tail) if part)
