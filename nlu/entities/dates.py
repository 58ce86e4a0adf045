"""Colloquial dates, times and durations; values are normalised but relative (no reference clock).

Value forms: "2024-03-05", "--03-05" (no year), "day-1" (yesterday), "week-1:3" (last Wednesday),
"T22:00", combined "day-1T22:00", and ISO 8601 durations "P3D", "PT2H", "P1M".
"""

from __future__ import annotations

import re

from nlu.entities.base import Span
from nlu.numerals import DIGITS, NUMERAL_CHARS, parse_number

# Anchored at the start of a run (linear time on long digit strings).
_N = rf"(?<![\d{NUMERAL_CHARS}])(?:\d+|[{NUMERAL_CHARS}]+)"
_DAYS = {
    "大前天": -3,
    "前天": -2,
    "昨天": -1,
    "昨日": -1,
    "昨晚": -1,
    "昨夜": -1,
    "今天": 0,
    "今日": 0,
    "今晚": 0,
    "今早": 0,
    "今儿": 0,
    "当天": 0,
    "明天": 1,
    "明早": 1,
    "明晚": 1,
    "后天": 2,
    "大后天": 3,
}
_PERIODS = {
    "凌晨": "early",
    "早上": "am",
    "早晨": "am",
    "清晨": "am",
    "上午": "am",
    "中午": "noon",
    "下午": "pm",
    "傍晚": "pm",
    "晚上": "pm",
    "夜里": "pm",
    "半夜": "night",
    "深夜": "night",
    "夜间": "pm",
}
_DAY_IMPLIED_PERIOD = {"昨晚": "pm", "昨夜": "night", "今晚": "pm", "今早": "am", "明早": "am", "明晚": "pm"}
_WEEK = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1}
_WEEKDAY = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "末": 6}
_DUR_UNITS = {
    "天": "D",
    "日": "D",
    "周": "W",
    "星期": "W",
    "礼拜": "W",
    "个月": "M",
    "月": "M",
    "年": "Y",
    "个小时": "H",
    "小时": "H",
    "钟头": "H",
    "个钟头": "H",
    "分钟": "MIN",
}

_DAY_WORD = "|".join(sorted(_DAYS, key=len, reverse=True))
_PERIOD_WORD = "|".join(_PERIODS)
_CLOCK = rf"({_N})(?:点|时)(半|一刻|三刻|{_N}分?)?"
_DATE_ABS = re.compile(
    rf"(?:(\d{{4}}|[{NUMERAL_CHARS}]{{4}})年)?({_N})月({_N})(?:日|号)|(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}})"
)
_DAY_REL = re.compile(rf"({_DAY_WORD})({_PERIOD_WORD})?(?:{_CLOCK})?")
_WEEK_REL = re.compile(
    rf"(上上|上|这|本|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天末])({_PERIOD_WORD})?(?:{_CLOCK})?"
)
_TIME = re.compile(rf"({_PERIOD_WORD})?{_CLOCK}")
_DURATION = re.compile(rf"(?:连续|整整|足足|长达)?({_N}|半|几)(个)?(多)?(小时|钟头|分钟|月|星期|礼拜|天|周|年)")
_MONTH_REL = re.compile(rf"(上个月|上月|这个月|本月|下个月|下月)({_N})(?:号|日)")


def _num(text: str) -> int | None:
    try:
        return int(parse_number(text))
    except ValueError:
        return None


def _year(text: str) -> int | None:
    """二〇二三 is read digit by digit, not as a quantity."""
    if text.isdigit():
        return int(text)
    digits = [DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def _clock(period: str | None, hour_s: str | None, minute_s: str | None) -> str | None:
    if hour_s is None:
        return None
    hour = _num(hour_s)
    if hour is None or hour > 24:
        return None
    minute = 0
    if minute_s:
        if minute_s == "半":
            minute = 30
        elif minute_s == "一刻":
            minute = 15
        elif minute_s == "三刻":
            minute = 45
        else:
            parsed = _num(minute_s.rstrip("分"))
            if parsed is None or parsed >= 60:
                return None
            minute = parsed
    kind = _PERIODS.get(period or "", "")
    if kind in ("pm", "night") and hour == 12:
        return f"T00:{minute:02d}"  # 晚上十二点 is midnight
    if kind in ("pm", "noon") and hour < 12 and not (kind == "noon" and hour >= 11):
        hour += 12
    if kind == "night" and 6 <= hour < 12:
        hour += 12
    return f"T{hour % 24:02d}:{minute:02d}" if hour != 24 else "T00:00"


def extract(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _DATE_ABS.finditer(text):
        if m.group(4):
            y, mo, d = int(m.group(4)), int(m.group(5)), int(m.group(6))
            year: int | None = y
        else:
            year = _year(m.group(1)) if m.group(1) else None
            mo_n, d_n = _num(m.group(2)), _num(m.group(3))
            if mo_n is None or d_n is None:
                continue
            mo, d = mo_n, d_n
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            continue
        value = f"{year:04d}-{mo:02d}-{d:02d}" if year else f"--{mo:02d}-{d:02d}"
        end = m.end()
        tm = _TIME.match(text, end)
        if tm and (clock := _clock(tm.group(1), tm.group(2), tm.group(3))):
            value += clock
            end = tm.end()
        spans.append(Span("datetime", m.start(), end, value))
    for m in _DAY_REL.finditer(text):
        word, period, hour, minute = m.groups()
        value = f"day{_DAYS[word]:+d}" if _DAYS[word] else "day+0"
        clock = _clock(period or _DAY_IMPLIED_PERIOD.get(word), hour, minute)
        if clock:
            value += clock
        elif period or word in _DAY_IMPLIED_PERIOD:
            value += f"/{_PERIODS.get(period or '', _DAY_IMPLIED_PERIOD.get(word, ''))}"
        end = m.end() if clock or period else m.start() + len(word)
        spans.append(Span("datetime", m.start(), end, value))
    for m in _WEEK_REL.finditer(text):
        rel, day, period, hour, minute = m.groups()
        value = f"week{_WEEK.get(rel or '这', 0):+d}:{_WEEKDAY[day]}"
        clock = _clock(period, hour, minute)
        if clock:
            value += clock
        elif period:
            value += f"/{_PERIODS[period]}"
        spans.append(Span("datetime", m.start(), m.end(), value))
    for m in _MONTH_REL.finditer(text):
        rel, day_s = m.groups()
        offset = -1 if rel.startswith("上") else (1 if rel.startswith("下") else 0)
        day_n = _num(day_s)
        if day_n is not None and 1 <= day_n <= 31:
            spans.append(Span("datetime", m.start(), m.end(), f"month{offset:+d}-{day_n:02d}"))
    for m in _TIME.finditer(text):
        period, hour, minute = m.groups()
        if period is None and not minute and not _looks_like_clock(text, m.end()):
            continue
        clock = _clock(period, hour, minute)
        if clock:
            spans.append(Span("datetime", m.start(), m.end(), clock))
    for m in _DURATION.finditer(text):
        amount_s, classifier, _, unit = m.groups()
        if unit == "月" and not classifier:
            continue  # 三月 is March, 三个月 is a duration
        code = _DUR_UNITS[unit]
        amount: float | None
        if amount_s == "半":
            amount = 0.5
        elif amount_s == "几":
            amount = None
        else:
            amount = _num(amount_s)
        if amount_s != "几" and amount is None:
            continue
        qty = "n" if amount is None else (f"{amount:g}")
        value = f"PT{qty}H" if code == "H" else (f"PT{qty}M" if code == "MIN" else f"P{qty}{code}")
        spans.append(Span("datetime", m.start(), m.end(), value))
    return _merge_datetime(spans)


def _looks_like_clock(text: str, end: int) -> bool:
    """'三点' alone is a time only when something time-like follows (左右, 多, 钟, 的时候)."""
    return text.startswith(("左右", "多", "钟", "的时候", "开始", "以后", "之后", "前后"), end)


def _merge_datetime(spans: list[Span]) -> list[Span]:
    """Drop spans contained in a longer datetime span."""
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in spans:
        if kept and span.start >= kept[-1].start and span.end <= kept[-1].end:
            continue
        kept.append(span)
    return kept
