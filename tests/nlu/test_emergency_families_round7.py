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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我坐的出租车司机不按导航走 一直往山里开 我喊他停车他也不停", ("110",)),
        ("骗子冒充我儿子借钱 我已经转了两万 对方还在催 能不能马上帮我冻结", ("110",)),
        ("嗯那个我们楼下车库冒烟了好大的烟有股烧电线的味道物业电话打不通", ("119",)),
        ("那个就是我们那个小吃店后面着货了火从排烟管里冒出来了", ("119",)),
        ("我吃了头孢 晚上又喝了两杯酒 现在心慌得厉害 脸通红 好难受", ("120",)),
        ("我老公喝多了 吐完就睡了 怎么叫都叫不醒 呼吸声好奇怪", ("120",)),
    ],
)
def test_round12_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "没有打起来，就是两个大爷在公园为了下棋吵架，声音很大",
        "先说明不是紧急情况，我们小区的消防栓被人拆了一个，想反映一下",
        "刚才那个电话是我打的，其实不是着火，是邻居在熏腊肉，不用派车了",
        "上个礼拜我家店里被偷了 到现在派出所也没给个回复",
        "上回电梯停电把我关在里面二十分钟，物业到现在都没解释",
        "窗外看着像着火了一样，其实是对面广告牌的灯太亮，晚上睡不着",
        "食堂后面天天烧锅炉，黑烟滚滚，呛得人喘不过气",
        "做饭做到一半燃气没气了，燃气公司也没有提前通知",
        "家里老人误吞药片的话，第一步应该怎么做",
        "万一哪天我妈在家摔倒了，或者半夜心脏不舒服，身边没人怎么办，有没有呼叫器补贴",
        "救救我们这些业主吧，开发商交房一年了还不给办房产证",
        "工地塔吊天天从我们楼顶上转来转去，起火原因调查报告什么时候出来",
    ],
)
def test_round12_hard_negatives(text: str) -> None:
    assert _services(text) == ()


def test_a_long_letter_that_opens_in_the_past_and_asks_about_a_bill_is_not_an_emergency() -> None:
    letter = (
        "上个月十号晚上我在小区门口散步，走着走着突然眼前一黑就晕倒了，是路过的邻居帮我叫的救护车。"
        "到了医院检查说是低血糖，输了点葡萄糖就回家了，前后不到两个小时。"
        "现在医院寄来的账单上除了检查费，还有一笔三百多的出车费和一笔急救处置费，我觉得有点贵。"
        "想问一下救护车出车费的收费标准是多少，有没有规定，急救处置费又是按什么收的，合理吗？"
    )
    assert _services(letter) == ()
    # The same opening with something happening now is still an emergency.
    assert _services("上个月十号我做了心脏支架手术 刚才突然胸口疼得厉害 一直出冷汗") == ("120",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("急！有个小孩掉进小区的人工湖里了 在水里扑腾 旁边没人会游泳", ("110", "120")),
        ("快！有人在桥洞底下打人 一直用棍子打头", ("110",)),
        ("喂 喂 你听我说 我们厂的仓库着火了 火很大 里面还有两个人", ("119",)),
        ("城东菜场 起火 速来", ("119",)),
        ("锅炉房的储气罐一直呲呲响 压力表都打到头了 我们先撤出来了", ("119",)),
        ("我妈刚才拿杯子拿不住 走路往一边歪 说话也含糊", ("120",)),
        ("我爸被马蜂蛰了 现在脸肿得厉害 呼吸很急", ("120",)),
        ("高架上有个人下了车在车道上走来走去 车开得很快", ("110", "122")),
        ("我同学在朋友圈发了对不起爸妈 再见了 电话打不通", ("110", "120")),
    ],
)
def test_round13_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "电梯没关人 就是停在两层中间不动了 物业说明天来修",
        "路上看到老人晕倒了 扶起来会不会被讹",
        "被狗咬了是不是一定要打狂犬疫苗",
        "半夜要是突然心口疼 是先吃速效救心丸还是先打120",
        "刚才那个跳河的报警不用管了 他自己从栏杆上下来了 家里人在陪着",
        "早上闻到的煤气味 燃气公司师傅来看过 管子已经拧好了",
        "落水的那个孩子救过来了 想给救人的小伙子申请见义勇为",
        "夜市的摊子都用明火烧烤 离加油站太近了",
        "燃气灶火苗发黄是怎么回事",
        "邻居在阳台上烧炭烤肉 烟全飘进我家了",
        "看了个剧 里面主角被困电梯 自己把门扒开爬出去了 现实里能这样吗",
        "这个月绩效又扣了 杀了我吧",
        "电动车停在楼下不见了 是不是被城管拖走了 去哪里取",
        "车牌被风刮掉了找不到 咋补办",
    ],
)
def test_round13_hard_negatives(text: str) -> None:
    assert _services(text) == ()
