"""Hard-case families fixed in the fourth round (held-out part D), one parametrised table per family.

Every sentence here was written for these tests; none is copied or paraphrased from a held-out set.
"""

import pytest

import nlu


def _services(text: str) -> tuple[str, ...]:
    result = nlu.analyse(text).emergency
    return () if result is None else result.services


# Dialect and colloquial negators (冇, 没得, 唔系) and "说没…".
DIALECT_NEGATION = [
    "冇着火 系隔离屋企煎鱼 烟大咗啲",
    "没得着火哈 是对门在炕腊肉",
    "物业说没着火，是楼下饭馆在熏鸭子",
]
# Conditionals and how-to questions right after the trigger, with nobody named.
QUESTION_AFTER_TRIGGER = [
    "液化气泄漏的话要不要先关总阀",
    "锂电池起火了能不能用水扑",
    "被毒蛇咬了一般该怎么处理",
    "地震的时候可以躲在卫生间吗",
    "商场着火时能不能走扶梯",
    "心梗发作的时候应该怎么急救",
]
# A past event named as "那场/那起/前晚…", the experiential "过", "现在还能…吗".
PAST_REFERENCE = [
    "那场火灾以后，小区的电梯一直没修好",
    "前两天那起车祸的事故认定什么时候出",
    "前晚楼下着火以后，我家窗户熏黑了谁来赔",
    "我以前被狗咬伤过，现在还能申请补偿吗",
    "那件事之后孩子一直做噩梦，学校有没有心理老师",
]
# Resolved: the police or the ambulance took the people away; the case was solved.
RESOLVED_TAKEN_AWAY = [
    "闹事的已经被警察带走了，店里的损失找谁",
    "摔倒的阿姨救护车已经拉走了，想问问是哪个医院",
    "盗窃案已经破了，赃物什么时候发还",
]
# Figurative cries for help, lost animals and objects, weather damage, smelly complaints.
FIGURATIVE_AND_OBJECTS = [
    "救命 公积金小程序一直转圈登录不了",
    "救救孩子吧 寒假作业太多了",
    "我家的鹦鹉走丢了，飞到别人家了",
    "小狗失踪两天了，能不能在社区群里帮忙问问",
    "孩子的借书证丢了怎么补",
    "冰雹把车棚砸了好几个洞",
    "台风把路边的树刮倒了，砸坏了一辆小车",
    "工业区有人烧塑料，黑烟滚滚臭得很",
    "交警在路口查酒驾，车排了好长",
    "加班加得我快喘不过气了",
    "被物业气得我胸口疼",
]
# Model-only hits that a standing-hazard complaint or a utility outage explains.
MODEL_VETOES = [
    "小区自来水管裂了，水从地下一直往外冒",
    "楼道里有人私拉电线给电瓶车充电，太危险了，请督促整改",
]


@pytest.mark.parametrize(
    "text",
    DIALECT_NEGATION
    + QUESTION_AFTER_TRIGGER
    + PAST_REFERENCE
    + RESOLVED_TAKEN_AWAY
    + FIGURATIVE_AND_OBJECTS
    + MODEL_VETOES,
)
def test_round4_hard_negatives(text: str) -> None:
    assert _services(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # gas: the rotten-egg smell, a hedged guess about the cause does not cancel it
        ("楼道里臭鸡蛋味越来越重 可能是谁家燃气管漏了", ("119",)),
        # trapped: a lift stuck between floors, a worker who did not come back up
        ("电梯停在两层中间不动了 我们三个人在里面", ("119",)),
        ("有人下到污水井里清理 半天没上来", ("119",)),
        # smoke described without the usual words
        ("屋里好大的烟 我抱着孩子躲在厕所", ("119",)),
        ("不知道谁把门口的纸箱点了 烟往屋里灌", ("119",)),
        # a bang, then it blew up
        ("厂房那边砰的一声炸了 窗户都震碎了", ("119",)),
        # collapses with people under them
        ("工地的围墙倒了 下面压着人", ("119",)),
        # stalking and forced entry in other words, dialect included
        ("那个男的从公交站一路跟到我家楼下", ("110",)),
        ("有人一直使劲敲我家门 非要进来", ("110",)),
        ("有个人喺门口一直拍门 话要入嚟", ("110",)),
        ("回家发现门锁被撬了 屋里还有声音", ("110",)),
        # weapons that are tools
        ("有个人举着锤子在菜场追人", ("110",)),
        # a driver who will not stop
        ("网约车司机不让我下车 我喊停车他也不停", ("110",)),
        # a vulnerable person who has not come back
        ("我外婆老年痴呆 下午出去遛弯到现在都没回来", ("110",)),
        # drink spiking, drunk driving
        ("有人往我杯子里下了药 我现在站都站不稳", ("110", "120")),
        ("前面那辆车开得歪歪扭扭的 司机像是喝醉了 还在往前开", ("110", "122")),
        # household poisons swallowed, asthma, shock, a fall an old person cannot get up from
        ("宝宝把洗衣凝珠咬破吞下去了", ("120",)),
        ("我叔喝了敌敌畏 现在在抽", ("120",)),
        ("儿子哮喘发作 喷了药还是喘不过来", ("120",)),
        ("姑父接电线被电打了 现在人迷糊", ("120",)),
        ("我奶奶在厨房跌了一跤 起不来了", ("120",)),
        ("我爸吃着饭突然栽下去了 叫他也不应", ("120",)),
        ("我妈头疼得要炸了 还一直吐", ("120",)),
        ("师傅被钢管扎穿了小腿", ("120",)),
        # CO from a charcoal stove is poisoning, not suicide
        ("屋里烧炭取暖 一家人头晕 孩子叫不醒", ("120",)),
        # suicide threats and people walking into water: police and ambulance
        ("有个小伙子爬到了楼顶边上 说要跳下去", ("110", "120")),
        ("一个阿姨一直往河里走 水都到胸口了", ("110", "120")),
        # accidents: a person struck or thrown is hurt; a scrape with a fight is also 110
        ("一辆三轮车撞倒了一个小学生 孩子趴在地上", ("120", "122")),
        ("面包车撞飞了一个骑车的 人摔出去好远", ("120", "122")),
        ("两辆车撞了 都没人受伤 但是堵在路中间", ("122",)),
        ("我的车被一辆货车刮了 对方司机拿着扳手要打我", ("110", "122")),
        ("汽车被大货车挤到了护栏上 车门打不开", ("122",)),
        # an assault with a knife wound also needs an ambulance
        ("我被人捅了一刀 在后背上", ("110", "120")),
    ],
)
def test_round4_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


def test_child_lost_near_a_vehicle_word_is_still_missing() -> None:
    # The animal/belonging filter looks only at bare "走丢了"; a named child is never filtered.
    assert _services("坐公交车的时候孩子走丢了") == ("110",)
    assert _services("在车站 我儿子不见了") == ("110",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("没伤着人 就是被快递三轮轻轻蹭了一下 想问问找谁", ()),
        ("停车的时候只是被旁边的车碰了一下 漆掉了一块", ()),
        # without a minimiser a scrape whose driver left is still a traffic matter
        ("我的车刚被一辆面包车剐了一下 对方直接开跑了", ("122",)),
    ],
)
def test_minimised_scrapes(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected
