import pytest

import nlu


@pytest.mark.parametrize(
    ("text", "utility", "hotline"),
    [
        ("小区停水两天了", "water", "96116"),
        ("楼下水管爆了，水哗哗往外流", "water", "96116"),
        ("自来水发黄有异味", "water", "96116"),
        ("整栋楼停电了", "power", "95598"),
        ("电线杆倒了压在路上", "power", "95598"),
        ("家里跳闸了总是断电", "power", "95598"),
        ("燃气表坏了不走字", "gas", "96777"),
        ("天然气停了没法做饭", "gas", "96777"),
        ("暖气不热，室温只有十五度", "heating", "96069"),
        ("我家没暖气了", "heating", "96069"),
        ("宽带断网三天了", "telecom", "10000 / 10010 / 10086"),
        ("联通宽带断了", "telecom", "10010"),
        ("移动手机没信号", "telecom", "10086"),
    ],
)
def test_referral(text: str, utility: str, hotline: str) -> None:
    referral = nlu.analyse(text).utility
    assert referral is not None
    assert (referral.utility, referral.hotline) == (utility, hotline)
    assert referral.evidence in text


def test_power_operator_is_state_grid() -> None:
    referral = nlu.analyse("停电了").utility
    assert referral is not None
    assert referral.operator == "国网电力 95598"


@pytest.mark.parametrize("text", ["公积金怎么提取", "物业不作为", "水费怎么交"])
def test_no_referral(text: str) -> None:
    assert nlu.analyse(text).utility is None


def test_gas_leak_is_emergency_and_utility() -> None:
    result = nlu.analyse("煤气泄漏了，味道很大")
    assert result.emergency is not None and "119" in result.emergency.services
    assert result.utility is not None and result.utility.utility == "gas"
