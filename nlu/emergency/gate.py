"""A cheap character gate in front of many regexes: run only those that can start a match in the text.

Running every trigger regex of the lexicon over a short message costs more in Python call overhead
than in matching: most of them cannot match at all. For each pattern we read, from its parse tree,
the class of characters a match can start with (lookarounds and anchors consume nothing, optional
prefixes add their own first characters). A pattern whose match can start with anything (a leading
`.` or negated class, or one that can match the empty string) is never skipped. Membership of a
text character is decided by the regex engine itself (a one-character class compiled with the
pattern's flags), so case-insensitive patterns are gated exactly; the answer is memoised per
character.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from typing import Any

# The regex parser of the standard library (re._parser since 3.11; sre_parse is its deprecated alias).
_p: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

_CATEGORIES = {
    _c.CATEGORY_DIGIT: r"\d",
    _c.CATEGORY_SPACE: r"\s",
    _c.CATEGORY_WORD: r"\w",
}
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)}
_ZERO_WIDTH = {_c.ASSERT, _c.ASSERT_NOT, _c.AT}
# A character cache larger than this is dropped and rebuilt (texts with endless distinct symbols).
_MAX_CACHED_CHARS = 50_000


class _Unbounded(Exception):
    """The pattern's first character can be (almost) anything: it cannot be gated."""


def _escape(code: int) -> str:
    return re.escape(chr(code))


def _first_of_item(op: Any, av: Any) -> tuple[set[str], bool]:
    """(class pieces a match of this item can start with, whether the item can match empty)."""
    if op is _c.LITERAL:
        return {_escape(av)}, False
    if op is _c.IN:
        pieces: set[str] = set()
        for sub_op, sub_av in av:
            if sub_op is _c.LITERAL:
                pieces.add(_escape(sub_av))
            elif sub_op is _c.RANGE:
                pieces.add(f"{_escape(sub_av[0])}-{_escape(sub_av[1])}")
            elif sub_op is _c.CATEGORY and sub_av in _CATEGORIES:
                pieces.add(_CATEGORIES[sub_av])
            else:  # NEGATE, negated categories: too wide to gate on
                raise _Unbounded
        return pieces, False
    if op is _c.BRANCH:
        pieces = set()
        nullable = False
        for alternative in av[1]:
            alt_pieces, alt_nullable = _first_of_sequence(alternative)
            pieces |= alt_pieces
            nullable = nullable or alt_nullable
        return pieces, nullable
    if op is _c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:  # an inline flag group changes the matching rules
            raise _Unbounded
        return _first_of_sequence(sub)
    if op is getattr(_c, "ATOMIC_GROUP", None):
        return _first_of_sequence(av)
    if op in _REPEATS:
        low, _high, sub = av
        pieces, nullable = _first_of_sequence(sub)
        return pieces, nullable or low == 0
    if op in _ZERO_WIDTH:
        return set(), True
    raise _Unbounded  # ANY, NOT_LITERAL, group references, anything unknown


def _first_of_sequence(items: Sequence[tuple[Any, Any]]) -> tuple[set[str], bool]:
    pieces: set[str] = set()
    for op, av in items:
        item_pieces, nullable = _first_of_item(op, av)
        pieces |= item_pieces
        if not nullable:
            return pieces, False
    return pieces, True


def first_class(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """A one-character regex matching every character a match of `pattern` can start with.

    None when the pattern cannot be gated (its matches can start anywhere or be empty).
    """
    try:
        pieces, nullable = _first_of_sequence(_p.parse(pattern.pattern, pattern.flags))
    except _Unbounded:
        return None
    if nullable or not pieces:
        return None
    return re.compile("[" + "".join(sorted(pieces)) + "]", pattern.flags)


class CharGate:
    """Which of `patterns` can match somewhere in a text, judged by the characters it holds."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self._classes = [first_class(p) for p in patterns]
        self._always = 0
        for i, cls in enumerate(self._classes):
            if cls is None:
                self._always |= 1 << i
        self._by_char: dict[str, int] = {}

    @property
    def ungated(self) -> int:
        """How many patterns always run."""
        return bin(self._always).count("1")

    def _char_mask(self, ch: str) -> int:
        mask = 0
        for i, cls in enumerate(self._classes):
            if cls is not None and cls.match(ch):
                mask |= 1 << i
        if len(self._by_char) >= _MAX_CACHED_CHARS:
            self._by_char.clear()
        self._by_char[ch] = mask
        return mask

    def mask(self, text: str) -> int:
        """Bit i set: pattern i may match in `text` (and must be run); unset: it cannot match."""
        mask = self._always
        by_char = self._by_char
        for ch in set(text):
            bits = by_char.get(ch)
            mask |= self._char_mask(ch) if bits is None else bits
        return mask
