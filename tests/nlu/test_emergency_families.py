"""Each hard-case family of the emergency detector, as parametrised tables."""

import pytest

import nlu


def _services(text: str) -> tuple[str, ...]:
    result = nlu.analyse(text).emergency
    return () if result is None else result.services


NEGATION = [
    "没有着火，是邻居在烧烤",
    "不是打架，他们在闹着玩",
    "没人晕倒，我想问下社区医院电话",
    "并没有发生火灾，消防车为什么停在小区",
    "孩子没有走丢，在同学家",
    "没有人被困，电梯停在一楼不动了",
]
HYPOTHETICAL = [
    "如果着火了怎么办",
    "灭火器在哪里买",
    "万一电梯困人了打哪个电话",
    "要是发生车祸对方逃逸怎么办",
    "楼道堆的纸箱一旦着火后果不堪设想",
    "高层着火时应该往楼上跑还是楼下跑",
    "煤气中毒有什么症状，怎么预防",
]
PAST = [
    "上周着火了现在赔偿怎么办",
    "去年出了车祸，对方一直不赔医药费",
    "前几天被人打了，派出所立案了没有进展",
    "之前晕倒过一次，想问问医保能报多少",
    "上个月家里进小偷了，案子一直没破",
]
RESOLVED = [
    "刚才厨房着火已经扑灭了，墙被熏黑了找谁",
    "孩子已经找到了，谢谢你们",
    "我爸晕倒了一会儿已经醒过来了",
    "火已经灭了，烧坏的电表谁来换",
]
COMPLAINT_HAZARD = [
    "消防通道被堵",
    "楼道堆满杂物有火灾隐患",
    "电动车在楼道充电",
    "有人飞线给电动车充电，很危险",
    "小区消防栓没水",
    "老旧燃气管道有泄漏的风险",
    "工厂烟囱天天冒黑烟",
    "有人在河边烧垃圾冒黑烟，呛人",
]
INFORMATIONAL = [
    "看新闻说外地小区着火了，我们小区消防合格吗",
    "社区组织消防演练在哪里报名",
    "网上有视频说这里有人落水，能不能辟谣",
]
COLLOQUIAL = [
    "累得快晕倒了",
    "价格战打得火热",
    "这家火锅店太火爆了",
    "跳楼价甩卖是真的吗",
    "打人工客服一直打不通",
    "被电话骚扰烦死了",
]


@pytest.mark.parametrize(
    "text", NEGATION + HYPOTHETICAL + PAST + RESOLVED + COMPLAINT_HAZARD + INFORMATIONAL + COLLOQUIAL
)
def test_hard_negatives(text: str) -> None:
    assert _services(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # reports about others
        ("邻居家一直冒烟敲门没人应", ("119",)),
        ("楼下有个老人倒在地上叫不醒", ("120",)),
        ("对面楼有人拿刀追人", ("110",)),
        # typos, pinyin slips, traditional characters
        ("我家着伙了", ("119",)),
        ("zhaohuo le kuai lai", ("119",)),
        ("我爸晕到了", ("120",)),
        ("救名啊有人打人", ("110",)),
        ("車禍了有人受傷", ("120", "122")),
        ("煤氣洩漏了", ("119",)),
        # voice transcripts without punctuation
        ("喂那个我们这边着火了在幸福路菜市场后面你们快来", ("119",)),
        ("就是我老婆羊水破了现在怎么办啊", ("120",)),
        ("那个前面路口两辆车撞了有个人躺地上不动", ("120", "122")),
        # a negation next to a real emergency does not cancel it
        ("不是开玩笑，真的着火了", ("119",)),
        ("我没有报警，但是有人在砸我家门", ("110",)),
        # a complaint in the same message does not hide the emergency
        ("我要投诉物业，现在楼下着火了", ("119",)),
        # several services at once
        ("有人被捅了好几刀，一直在流血", ("110", "120")),
        ("失火了有人被烧伤了", ("119", "120")),
    ],
)
def test_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("有人被困在火里出不来", "critical"),
        ("我爸昏迷了", "critical"),
        ("有人持刀抢劫", "critical"),
        ("车被追尾了", "high"),
        ("楼下垃圾桶着火了", "high"),
    ],
)
def test_severity(text: str, severity: str) -> None:
    result = nlu.analyse(text).emergency
    assert result is not None
    assert result.severity == severity


def test_reason_names_trigger_and_evidence_is_original() -> None:
    text = "隔壁家裡著火了，有人被困"
    result = nlu.analyse(text).emergency
    assert result is not None
    assert text[result.start : result.end] == result.evidence
    assert "着火" in result.reason or "被困" in result.reason


def test_generic_cry_for_help_defers_to_specific_service() -> None:
    assert _services("救命啊") == ("110",)
    assert _services("救命啊厨房着火了") == ("119",)


def test_real_emergency_after_many_negated_mentions() -> None:
    # Every negated mention is checked; the one real report at the end is still found.
    text = "没有着火，" * 300 + "现在真的着火了"
    result = nlu.analyse(text).emergency
    assert result is not None
    assert result.services == ("119",)
    assert result.start == len(text) - 3


@pytest.mark.parametrize("text", ["1" * 3000, "一" * 3000, "三万二" * 500, "😀" * 1000, "a b " * 1000])
def test_degenerate_inputs(text: str) -> None:
    result = nlu.analyse(text)
    assert result.emergency is None
    assert nlu.mask_pii(text)
