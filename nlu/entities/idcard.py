"""Resident ID numbers: 18 digits with the GB 11643 checksum and a real birth date; 15-digit legacy."""

from __future__ import annotations

import datetime as dt
import re

from nlu.entities.base import Span

_ID18 = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3})([\dXx])(?![\dA-Za-z])")
_ID15 = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{6})(\d{3})(?![\dA-Za-z])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def checksum_char(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _valid_date(yyyymmdd: str) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return dt.date(1900, 1, 1) <= born <= dt.date.today()


def is_valid_id18(number: str) -> bool:
    number = number.upper()
    return (
        len(number) == 18
        and number[:17].isdigit()
        and number[0] != "0"
        and _valid_date(number[6:14])
        and checksum_char(number[:17]) == number[17]
    )


def is_valid_id15(number: str) -> bool:
    return len(number) == 15 and number.isdigit() and number[0] != "0" and _valid_date("19" + number[6:12])


def extract(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _ID18.finditer(text):
        number = m.group(0).upper()
        if is_valid_id18(number):
            spans.append(Span("id_card", m.start(), m.end(), number))
    for m in _ID15.finditer(text):
        if is_valid_id15(m.group(0)):
            spans.append(Span("id_card", m.start(), m.end(), m.group(0)))
    return spans
