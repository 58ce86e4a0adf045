"""Money amounts: 3000元, 1.5万块, 欠薪三万二, 两千五百块钱, ¥200, 人民币五百元."""

from __future__ import annotations

import re

from nlu.entities.base import Span
from nlu.numerals import NUMERAL_CHARS, format_number, parse_number

# Mixed forms such as 1万2 and 3千5 are one number.
# Anchored at the start of a digit/numeral run and one character class wide: no nested quantifiers,
# so a 5,000-digit string costs linear time, not cubic.
_NUM = rf"(?<![\d.{NUMERAL_CHARS}])[\d{NUMERAL_CHARS}][\d.{NUMERAL_CHARS}]*"
_UNIT = r"(?:万元|元钱|块钱|元|块|圆|万块|千块)"
# A number followed by a currency unit.
_WITH_UNIT = re.compile(rf"(?:人民币|¥|￥)?({_NUM})(多)?({_UNIT})")
_PREFIXED = re.compile(r"(?:¥|￥|RMB\s?)(\d+(?:\.\d+)?)")
# A bare number right after a money word (欠薪三万二, 工资8000): only amounts with a magnitude.
_CUE = (
    r"(?:欠薪|欠款|工资|薪水|工钱|货款|押金|定金|罚款|赔偿|补偿|退款|房租|租金|物业费|收费|收了|"
    r"骗了|骗走|被骗|转账|转了|借了|欠了|欠我|欠|花了|花费|损失|赔了|价格|报价|月薪|年薪|薪资|日薪|时薪|底薪|"
    r"提成|奖金|绩效|工资条)"
)
_CUED = re.compile(
    rf"{_CUE}(?:了)?(?:我|他|她|我们|给我|给他)?(?:共|总共|一共|大概|约|将近|差不多)?({_NUM})(?![{NUMERAL_CHARS}\d年月日号天个岁])"
)
_MIN_BARE = 100.0


def _value(numeral: str) -> float | None:
    try:
        return parse_number(numeral)
    except ValueError:
        return None


def extract(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _WITH_UNIT.finditer(text):
        numeral, _, unit = m.groups()
        amount = _value(numeral)
        if amount is None or amount <= 0:
            continue
        if unit.startswith("万"):
            amount *= 10_000
        elif unit.startswith("千"):
            amount *= 1000
        spans.append(Span("money", m.start(), m.end(), format_number(amount)))
    for m in _PREFIXED.finditer(text):
        amount = _value(m.group(1))
        if amount is not None:
            spans.append(Span("money", m.start(), m.end(), format_number(amount)))
    for m in _CUED.finditer(text):
        numeral = m.group(1)
        amount = _value(numeral)
        if amount is None or amount < _MIN_BARE:
            continue
        spans.append(Span("money", m.start(1), m.end(1), format_number(amount)))
    return spans
