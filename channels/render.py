"""Replies degrade by capability: buttons become numbered text, long text is cut to the channel's limit.

Like Rasa's OutputChannel.send_text_with_buttons: a channel that cannot show buttons lists them as
"1. 是  2. 否" lines; the citizen answers with the number or the words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from channels.base import Outcome, Reply

# C0 controls other than tab/newline are invalid in XML 1.0 and garble SMS and mail.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Capabilities:
    buttons: bool = False
    # Characters one reply may hold (None: no limit). Counted in UTF-16 units, as SMS and WeChat do.
    max_chars: int | None = None
    # How several replies of one outcome are joined when the channel sends one message.
    separator: str = "\n\n"


def clean(text: str) -> str:
    return _CONTROL.sub("", text).replace("\r\n", "\n").strip()


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, max_units: int, marker: str = _ELLIPSIS) -> str:
    """Cut to at most max_units UTF-16 units, never inside a surrogate pair, marking the cut."""
    if utf16_len(text) <= max_units:
        return text
    budget = max_units - utf16_len(marker)
    out: list[str] = []
    used = 0
    for char in text:
        size = utf16_len(char)
        if used + size > budget:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + marker


def reply_text(reply: Reply, caps: Capabilities) -> str:
    text = clean(reply.text)
    if reply.buttons and not caps.buttons:
        options = "\n".join(f"{index}. {clean(label)}" for index, label in enumerate(reply.buttons, 1))
        text = f"{text}\n{options}\n（请回复序号或文字）"
    return text


def outcome_texts(outcome: Outcome, caps: Capabilities) -> list[str]:
    """One text per reply, each within the channel's limit."""
    texts = [reply_text(reply, caps) for reply in outcome.replies]
    texts = [text for text in texts if text]
    if caps.max_chars is not None:
        texts = [truncate(text, caps.max_chars) for text in texts]
    return texts


def outcome_text(outcome: Outcome, caps: Capabilities) -> str:
    """All replies of an outcome as one message (passive replies, SMS, mail bodies)."""
    joined = caps.separator.join(reply_text(reply, caps) for reply in outcome.replies)
    joined = clean(joined)
    return truncate(joined, caps.max_chars) if caps.max_chars is not None else joined


def join_nonempty(parts: Iterable[str], separator: str = "\n") -> str:
    return separator.join(part for part in parts if part)
