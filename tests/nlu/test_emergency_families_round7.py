"""Eleventh round (session 6), from part L's error families: a correction ("不是着火，是…"), negation with a
subject between (没有小孩落水), a fire put out while the burns remain, symptoms after wild mushrooms, someone
still missing after a past departure, people cut off by a flood, a smell "like gas", a throat closing, chest
pressure with cold sweat, similes and medicine names that hold trigger words, and model hits on sentences
that start with 过 (过敏) no longer read as "…过" after a trigger.

Every sentence here was written for these tests; none is copied or paraphrased from a held-out set.
"""

import pytest

import nlu
from nlu.emergency import context
from nlu.normalization import normalize


def _services(text: str) -> tuple[str, ...]:
    result = nlu.analyse(text).emergency
    return () if result is None else result.services


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("炒菜的时候锅里起火了，我婆婆手臂烧伤了一大片，火现在灭了", ("120",)),
        ("前天在山上捡的菌子煮了吃，今天我们三个吃了都在吐，我老公开始说胡话", ("120",)),
        ("我奶奶有老年痴呆 早上八点自己出门买菜 到现在都没回来 手机也没带", ("110",)),
        ("我儿子十四岁 前天晚上跟我吵架离家出走了 同学说看见他上了一辆黑车", ("110",)),
        ("河水涨得太快 把路冲断了 我们村十几户人困住出不去", ("119",)),
        ("厨房里一股味道 像是天然气 我头都有点晕", ("119",)),
        ("吃了虾以后浑身起疙瘩 喉咙越来越紧 说话都费劲", ("120",)),
        ("我爸从早上就说胸闷，刚才一直出冷汗，脸色发白", ("120",)),
        ("过敏了 嗓子肿 快不能呼吸了", ("120",)),
        ("对面那家一直有个孩子在哭 天天挨打 今天又在打 一直在喊救我", ("110",)),
    ],
)
def test_round11_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "不是着火，是楼下饭店在熏鸭子，烟很大，窗户都不敢开",
        "没有人落水，就是湖边的救生圈被人偷了，希望补一个",
        "不是我要跳楼，是想问楼顶天台能不能装个防护栏",
        "刚才有个老人走丢了，派出所已经把他送回家了，想给民警送个锦旗",
        "昨天被困在景区山上的驴友已经被救下来了，想问救援要不要收费",
        "孩子发烧抽了一下，医生看过了，现在退烧了，想问还能不能去上学",
        "想问一下烫伤膏医保能报销吗",
        "今年的房价跌得跟跳楼一样，首付都亏没了，能不能维权",
        "办个居住证跑了五趟，急得我头发都快烧着了",
        "这家店的辣子鸡辣到爆，强烈推荐给大家",
    ],
)
def test_round11_hard_negatives(text: str) -> None:
    assert _services(text) == ()


def test_a_sentence_that_starts_with_guo_is_not_an_experienced_event() -> None:
    """The model's veto scores a sentence from its start; "过敏" there is not the "过" of "被打过"."""
    index = context.TextIndex(context.mask_phrases(normalize("过敏了喉咙好紧").text))
    assert context.blocked_by(index, 0, 0, needs_present=False, critical=False) is None
    index = context.TextIndex("他被打过")
    assert context.blocked_by(index, 1, 3, needs_present=False, critical=False) == "past event"
