"""Chinese numerals to numbers: 三万二 -> 32000, 两千五 -> 2500, 十二 -> 12, 1.5万 -> 15000."""

from __future__ import annotations

import re

DIGITS: dict[str, int] = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "幺": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}
NUMERAL_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
_PIECES = re.compile(r"\d+(?:\.\d+)?|.")


def _section(text: str) -> float:
    """A numeral below 万 in Chinese or Arabic digits; a digit after a unit abbreviates (两千五 = 2500)."""
    if not text:
        return 0.0
    if _is_arabic(text):
        return float(text)
    total = 0.0
    digit: float | None = None
    last_unit = 1
    after_zero = False
    for piece in _PIECES.findall(text):
        if piece in SMALL_UNITS:
            unit = SMALL_UNITS[piece]
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
            after_zero = False
        elif piece in DIGITS:
            after_zero = after_zero or DIGITS[piece] == 0
            digit = DIGITS[piece]
        elif _is_arabic(piece):
            digit = float(piece)
        else:
            raise ValueError(f"not a numeral: {text!r}")
    if digit is not None:
        # 三百六 = 360 but 一百零六 = 106: only a digit right after a unit is in the next lower place.
        total += digit * (last_unit // 10 if last_unit >= 10 and not after_zero else 1)
    return total


def _is_arabic(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def parse_number(text: str) -> float:
    """Parse a Chinese or mixed numeral (三万二, 1.5万, 两千五百, 3千). Raises ValueError."""
    text = text.strip()
    if not text:
        raise ValueError("empty numeral")
    for unit_char, unit in sorted(BIG_UNITS.items(), key=lambda kv: -kv[1]):
        if unit_char in text:
            head, _, tail = text.partition(unit_char)
            high = parse_number(head) if head else 1.0
            low = 0.0
            if tail:
                low = parse_number(tail)
                # 三万二 = 32000: a lone digit after the big unit is in the next lower place.
                if len(tail) == 1 and (tail in DIGITS or tail.isdigit()):
                    low = (DIGITS[tail] if tail in DIGITS else int(tail)) * unit / 10
            return high * unit + low
    return _section(text)


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
