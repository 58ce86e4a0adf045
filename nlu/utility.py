"""Public-utility referral: outages and leaks that belong to water, power, gas, heating or telecom."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from nlu.errors import ConfigError
from nlu.results import Normalized, UtilityReferral

DEFAULT_OPERATORS = Path(__file__).with_name("data") / "utilities.json"
OPERATORS_ENV = "HOTLINE_NLU_UTILITIES"
UTILITIES = ("water", "power", "gas", "heating", "telecom")

_PATTERNS: dict[str, re.Pattern[str]] = {
    "water": re.compile(
        r"停水|断水|没水|没有水|没自来水|水管(?:爆|破|裂|漏)|爆管|自来水管|水表(?:漏|坏|爆)|水压(?:低|小|不够|太小)|"
        r"水(?:很)?(?:浑|黄|发黄|浑浊|有异味|有沙)|自来水(?:浑|黄|有味|发黄|停)|出水(?:小|慢|发黄)|供水(?:中断|不足|管)|"
        r"水龙头(?:不出水|没水)|地下水管|总阀漏"
    ),
    "power": re.compile(
        r"停电|断电|没电|没有电|跳闸|电压(?:不稳|低|不够)|电线(?:掉|断|落|垂|老化|冒火花|打火)|电线杆(?:倒|歪|断)|"
        r"变压器(?:响|冒|坏|故障)|供电(?:中断|不稳|故障)|电表(?:坏|跳|不走)|灯全灭了|整栋楼没电|一片漆黑"
    ),
    "gas": re.compile(
        r"停气|没气了|没有气|燃气(?:表|管|管道|灶|中断|停|压力|不足)|天然气(?:停|没|表|管|压力)|煤气(?:停|没|表|管)|"
        r"(?:燃气|天然气|煤气)(?:泄漏|泄露|味)|漏气|打不着火|点不着火|气压(?:低|不足)"
    ),
    "heating": re.compile(
        r"暖气(?:不热|不暖|冰凉|凉|温度低|太低|漏水|爆|坏|停|没有|不够)|没暖气|没有暖气|不供暖|停暖|供暖(?:不足|不达标|中断|温度)|"
        r"室温(?:太低|只有|不达标)|暖气片|地暖不热|供热(?:不足|中断|温度)"
    ),
    "telecom": re.compile(
        r"宽带(?:断|坏|不通|没网|掉线|故障|太慢|很慢)|断网|没网|没有网|网络(?:中断|故障|断了|信号差)|光纤(?:断|坏|被挖断)|"
        r"手机(?:没信号|信号差|信号不好)|没信号|信号(?:很差|太差|不好|弱)|基站|座机(?:打不通|没声音)|固话(?:不通|故障)|"
        r"电话线(?:断|被剪)|通信(?:中断|故障)"
    ),
}


@dataclass(frozen=True, slots=True)
class Operator:
    operator: str
    hotline: str


def _operators_path() -> Path:
    env = os.environ.get(OPERATORS_ENV)
    return Path(env) if env else DEFAULT_OPERATORS


@lru_cache(maxsize=1)
def operators() -> tuple[dict[str, Operator], dict[str, Operator]]:
    """(utility -> operator, telecom carrier keyword -> operator), read once."""
    path = _operators_path()
    try:
        raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        by_utility = {u: Operator(raw[u]["operator"], raw[u]["hotline"]) for u in UTILITIES}
        carriers = {k: Operator(v["operator"], v["hotline"]) for k, v in raw.get("telecom_carriers", {}).items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"invalid utility operator file {path}: {exc}") from exc
    return by_utility, carriers


def detect(norm: Normalized) -> UtilityReferral | None:
    """The first utility problem mentioned, with its operator; None if there is none."""
    best: tuple[int, str, re.Match[str]] | None = None
    for utility, pattern in _PATTERNS.items():
        m = pattern.search(norm.text)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), utility, m)
    if best is None:
        return None
    _, utility, match = best
    by_utility, carriers = operators()
    op = by_utility[utility]
    if utility == "telecom":
        for keyword, carrier in carriers.items():
            if keyword in norm.text:
                op = carrier
                break
    start, end = norm.to_original(match.start(), match.end())
    return UtilityReferral(utility=utility, operator=op.operator, hotline=op.hotline, evidence=norm.original[start:end])


def reload_operators() -> None:
    operators.cache_clear()
