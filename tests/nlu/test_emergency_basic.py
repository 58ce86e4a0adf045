import pytest

import nlu


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("我家厨房着火了", "119"),
        ("邻居家一直冒烟敲门没人应", "119"),
        ("我爸突然晕倒了叫不醒", "120"),
        ("有人拿刀在砍人快来", "110"),
        ("前面路口两辆车撞了", "122"),
        ("車禍了有人受傷", "122"),
        ("我家着伙了", "119"),
        ("救命啊", "110"),
    ],
)
def test_emergencies(text: str, service: str) -> None:
    result = nlu.analyse(text).emergency
    assert result is not None
    assert service in result.services


@pytest.mark.parametrize(
    "text",
    [
        "没有着火",
        "如果着火了怎么办",
        "消防通道被堵",
        "不是打架",
        "灭火器在哪里买",
        "上周着火了现在赔偿怎么办",
        "楼道堆满杂物有火灾隐患",
        "电动车在楼道充电",
    ],
)
def test_not_emergencies(text: str) -> None:
    assert nlu.analyse(text).emergency is None


def test_evidence_points_into_original() -> None:
    text = "救救我！！廚房著火了"
    result = nlu.analyse(text).emergency
    assert result is not None
    assert text[result.start : result.end] == result.evidence


def test_accident_with_injury_adds_ambulance() -> None:
    result = nlu.analyse("路口两辆车撞了，有人流血躺在地上").emergency
    assert result is not None
    assert result.services == ("120", "122")
