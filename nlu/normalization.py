"""Text normalisation that keeps, for every output character, the original span it came from.

Steps: full-width -> half-width, emoji and decorative symbols dropped (a few that carry meaning in an
emergency become words), zero-width characters dropped, spaces between Chinese characters dropped
(voice and SMS texts spaced out), whitespace collapsed, runs of the same punctuation collapsed, and
traditional -> simplified Chinese with OpenCC.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from typing import Protocol

from nlu.results import Normalized

# Emoji that citizens use instead of the word; everything else pictographic is dropped.
_EMOJI_WORDS: dict[str, str] = {
    "🔥": "火",
    "🚒": "消防车",
    "🚑": "救护车",
    "🚓": "警车",
    "🚔": "警车",
    "🆘": "救命",
    "🩸": "血",
    "💣": "炸弹",
    "🔪": "刀",
}

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f\u180e")
# Punctuation whose repetition carries no meaning ("！！！", "。。。", "???").
_COLLAPSIBLE = frozenset("!?,.;:~。，、；：？！…-—·*#=_")

# OpenCC's t2s leaves characters that are valid in both scripts; fix the ones that matter to us.
# Each pair has the same length so the offset map stays one-to-one.
_T2S_FIXES: tuple[tuple[str, str], ...] = (
    ("著火", "着火"),
    ("著急", "着急"),
    ("睡著", "睡着"),
    ("著涼", "着凉"),
    ("著涼", "着凉"),
    ("燒著", "烧着"),
    ("烧著", "烧着"),
    ("醒著", "醒着"),
    ("躺著", "躺着"),
)


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


_converter_lock = threading.Lock()
_converter: _Converter | None = None


def _opencc() -> _Converter:
    """The OpenCC t2s converter, created once per process (the C library is thread-safe for reads)."""
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc  # heavy C extension: import lazily

                _converter = opencc.OpenCC("t2s")
    return _converter


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=4096)
def _char_class(ch: str) -> str:
    """'drop' for symbols/emoji, 'space', or 'keep'."""
    if ch in _ZERO_WIDTH:
        return "drop"
    if ch.isspace():
        return "space"
    cat = unicodedata.category(ch)
    if cat in ("So", "Sk", "Cs", "Co", "Cn", "Cc", "Cf", "Mn", "Me"):
        return "drop"
    return "keep"


def _half_width(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return ch


def _char_pass(text: str) -> tuple[list[str], list[int], list[int]]:
    """Every character-level step; returns output chars with their original start/end."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space: int | None = None  # original index of a whitespace run not yet emitted
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        # Surrogate-free Python strings: emoji are single code points, but flags/keycaps are sequences.
        word = _EMOJI_WORDS.get(ch)
        if word is not None:
            for w in word:
                out.append(w)
                starts.append(i)
                ends.append(i + 1)
            pending_space = None
            i += 1
            continue
        ch = _half_width(ch)
        kind = _char_class(ch)
        if kind == "drop":
            i += 1
            continue
        if kind == "space":
            if pending_space is None:
                pending_space = i
            i += 1
            continue
        if pending_space is not None:
            # Spaces between two Chinese characters are an artefact ("着 火 了"); elsewhere keep one.
            if out and not (_is_cjk(out[-1]) and _is_cjk(ch)):
                out.append(" ")
                starts.append(pending_space)
                ends.append(pending_space + 1)
            pending_space = None
        if ch in _COLLAPSIBLE and out and out[-1] == ch:
            ends[-1] = i + 1
            i += 1
            continue
        out.append(ch)
        starts.append(i)
        ends.append(i + 1)
        i += 1
    return out, starts, ends


def _to_simplified(chars: list[str]) -> list[str]:
    joined = "".join(chars)
    if joined.isascii():
        return chars
    converted = _opencc().convert(joined)
    for trad, simp in _T2S_FIXES:
        if trad in converted:
            converted = converted.replace(trad, simp)
    if len(converted) == len(joined):
        return list(converted)
    # A phrase conversion changed the length: fall back to character-by-character so offsets hold.
    conv = _opencc()
    return [c2 if len(c2 := conv.convert(c)) == 1 else c for c in chars]


# Text made only of these characters needs no character pass beyond a 1:1 half-width translation.
_PLAIN = re.compile(
    r"[^\u4e00-\u9fff\u3400-\u4dbf!-\]_a-~\uff01-\uff3d\uff3f\uff41-\uff5e\u3001\u3002\u300a-\u3011\u2026]"
)
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_REPEATED = re.compile("([" + re.escape("".join(sorted(_COLLAPSIBLE))) + "])\\1")


def _fast_pass(text: str) -> list[str] | None:
    """The common case (no whitespace, emoji, symbols or repeated punctuation): a 1:1 translation."""
    if _PLAIN.search(text):
        return None
    half = text.translate(_HALF_WIDTH)
    if _REPEATED.search(half):
        return None
    return list(half)


def normalize(text: str) -> Normalized:
    """Normalise `text`; `Normalized.to_original` maps spans back to `text`."""
    fast = _fast_pass(text)
    if fast is not None:
        n = len(text)
        chars = _to_simplified(fast)
        return Normalized(text="".join(chars), original=text, starts=tuple(range(n)), ends=tuple(range(1, n + 1)))
    chars, starts, ends = _char_pass(text)
    chars = _to_simplified(chars)
    return Normalized(text="".join(chars), original=text, starts=tuple(starts), ends=tuple(ends))


def warm_up() -> None:
    _opencc()
