"""SMS length rules and opt-out words.

One SMS holds 70 UCS-2 units; a concatenated SMS holds 67 per part (the rest is the UDH). Providers add
the signature 【签名】 to the text, and it counts. Opt-out words are the ones Chinese carriers honour.
"""

from __future__ import annotations

import re
import unicodedata

from channels.render import truncate, utf16_len

SINGLE = 70
PART = 67
_MORE = "…详询12345"

OPT_OUT_WORDS = frozenset({"退订", "TD", "T", "N", "STOP", "UNSUBSCRIBE", "取消订阅", "退订短信", "QXDY", "0000"})
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def is_opt_out(text: str) -> bool:
    """'退订' / 'TD' / 'ｔｄ' / 'STOP。' count; '我不想退订' does not."""
    folded = unicodedata.normalize("NFKC", text).upper()
    return _PUNCTUATION.sub("", folded) in OPT_OUT_WORDS


def sign_units(sign_name: str) -> int:
    return utf16_len(f"【{sign_name}】") if sign_name else 0


def concatenated(text: str, sign_name: str, max_parts: int) -> str:
    """One long SMS: the whole text within max_parts * 67 units (signature included), cut with a pointer."""
    limit = (SINGLE if max_parts == 1 else PART * max_parts) - sign_units(sign_name)
    return truncate(text, limit, marker=_MORE)


def split(text: str, sign_name: str, max_parts: int) -> list[str]:
    """Separate SMS, each within 70 units with its signature and a '(i/n)' counter."""
    room = SINGLE - sign_units(sign_name)
    if utf16_len(text) <= room:
        return [text]
    counter = len(f"({max_parts}/{max_parts})")
    size = room - counter
    capped = truncate(text, size * max_parts, marker=_MORE)
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for char in capped:
        units = utf16_len(char)
        if used + units > size:
            chunks.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += units
    if current:
        chunks.append("".join(current))
    return [f"({index}/{len(chunks)}){chunk}" for index, chunk in enumerate(chunks, 1)]
