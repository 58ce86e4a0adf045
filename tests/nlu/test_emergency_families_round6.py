"""Sixth round: the model's veto of rule hits it reads as ordinary text, and the trigger families that
part F's misses showed were absent (announced attacks, screen-sharing fraud, a child gone in a moment,
confused elderly people on fast roads, burning sheds and vehicles, farewell posts).

Every sentence here was written for these tests; none is copied or paraphrased from a held-out set.
"""

import pytest

import nlu
from nlu.emergency import context, model
from nlu.emergency.detector import detect
from nlu.normalization import normalize


def _services(text: str) -> tuple[str, ...]:
    result = nlu.analyse(text).emergency
    return () if result is None else result.services


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有个人在贴吧放话说周五放学要拿刀去三中门口报复社会", ("110",)),
        ("我前夫喝了酒 说今晚要去我妈家算账 带着砍刀出的门", ("110",)),
        ("对方说是银行客服 让我打开共享屏幕 我现在还在跟他视频", ("110",)),
        ("闺女四岁 在商场里我结个账的功夫人就不见了 广播找了也没有", ("110",)),
        ("快速路中间有个老大爷在走 看着糊涂了 车都擦着他过去", ("110",)),
        ("村口的柴火垛烧起来了 火好大 旁边就是人家", ("119",)),
        ("服务区一辆货车轮胎烧着了 冒的黑烟老高", ("119",)),
        ("我表弟半小时前发了条微博说永别了 电话也不接", ("110", "120")),
        ("宝宝发烧到快四十度 刚才突然抽筋 眼睛往上翻", ("120",)),
        ("高速上有辆小车逆行 开得飞快 就在往机场方向", ("122",)),
    ],
)
def test_round6_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # knowledge questions built around a trigger word, no context rule names them
        "煤气中毒和一氧化碳中毒有什么区别啊",
        "被黄蜂蛰了涂肥皂水管用吗 我就是随便问问",
        # hyperbole
        "这家的麻辣烫香到爆炸 就是排队太久了",
        "早高峰的公交挤得我都快喘不过气了 能不能多发几趟",
        "为了孩子上学的事我急得要上吊 街道办就是不给盖章",
        # denied, resolved, long past
        "不是有人晕倒 是个醉汉躺在长椅上睡着了 想让城管看看",
        "那个要跳楼的姑娘已经被民警劝下来了 我想反映那个天台没装护栏",
        "2019年我们厂里着过一次火 现在想查当年的火灾记录",
        # a complaint that names a collision long done
        "桥头的护栏被撞歪了 一直没修 晚上很危险",
        # effluent, not theft
        "那家电镀厂晚上在偷排污水 河里全是泡沫",
    ],
)
def test_round6_hard_negatives(text: str) -> None:
    assert _services(text) == ()


def test_a_rule_hit_the_model_reads_as_ordinary_is_vetoed() -> None:
    text = "食物中毒一般吃完多久会发作"
    norm = normalize(text)
    masked = context.mask_phrases(norm.text)
    rules_only = detect(norm, use_model=False)
    assert rules_only is not None and rules_only.services == ("120",)  # 中毒, no context rule objects
    assert model.get().support(masked, rules_only.start, rules_only.end) < model.VETO
    assert detect(norm) is None


@pytest.mark.parametrize(
    "text",
    [
        "救命 我家厨房着火了",  # a cry for help is never vetoed
        "快来人 老人晕倒了 叫不醒",
        "楼下两个人打起来了 一个拿着刀",
    ],
)
def test_the_model_never_vetoes_plain_emergencies(text: str) -> None:
    assert nlu.analyse(text).emergency is not None


def test_a_confident_model_hit_is_not_dropped_for_a_danger_complaint_word() -> None:
    # "太危险了" is a complaint word, but people say it of emergencies too; the model is sure here.
    text = "河边有个人一直往深水那边走 喊他也不回头 太危险了"
    masked = context.mask_phrases(normalize(text).text)
    assert detect(normalize(text), use_model=False) is None
    assert model.get().support(masked, 0, len(masked)) >= model.CONFIDENT
    result = nlu.analyse(text).emergency
    assert result is not None and result.source == "model"
    assert "110" in result.services


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # history mentioned after a present emergency does not put it in the past (the space is a boundary)
        ("我爸突然说胸口疼 一直冒汗 他以前做过心脏支架", ("120",)),
        ("奶奶倒在厕所里叫不醒 她前年也晕过一次", ("120",)),
        # hearsay after the trigger is the writer's worry, not the event's source
        ("工人下到污水井里喊了半天没反应 听人说井里有毒气", ("120",)),
        # ongoing since yesterday is not over
        ("我妈从昨晚开始一边手脚都不听使唤 说话也说不清", ("120",)),
        # "now" after an earlier quarrel
        ("两个邻居之前就吵过 现在一个掏出了刀在楼道里追另一个", ("110",)),
        # fear is how real reports sound
        ("我好怕 有个男的一直在拧我家门把手 还在外面说话", ("110",)),
        # a stranger leading a child away, hiding from an intruder
        ("放学路上有个不认识的阿姨拉着我的手要带我走", ("110",)),
        ("我躲在卫生间里 客厅有人在翻东西 不是我家里人", ("110",)),
        # new words: 瓦斯 (traditional usage), stuck on a ride, trapped for an hour in a lift
        ("家裡瓦斯味很重 頭有點暈", ("119",)),
        ("过山车停在半空 上面困着十几个人", ("119",)),
        ("电梯困了一个多小时了 里面有老人 喘不上气", ("119", "120")),
    ],
)
def test_round7_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "那时候我被关在电梯里四十分钟 物业到现在都没道歉",
        "前几个月巷子里有人抢手机 后来抓到了 但路灯还是没修",
        "孩子手指被门夹了 已经拔出来了 有点红 用不用拍片子",
        "老爸切菜把手割了 已经在诊所缝了两针 破伤风要打吗",
        "饭店把泔水全倒在下水道里 堵得冒臭水",
        "我说不想活了是开玩笑的 就是想问加班费怎么算",
    ],
)
def test_round7_hard_negatives(text: str) -> None:
    assert _services(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the fire was not put out; the pain goes on after it was
        ("阳台的杂物烧起来了 我们端水泼了几盆也没浇灭 烟越来越大", ("119",)),
        ("炒菜油锅起火把我手烫伤了 火是灭了但是手疼得发抖 起了一片水泡", ("119", "120")),
        # a "today" after a habit: today's incident
        ("楼下饭馆天天在门口烧烤 今天烤炉把雨棚点着了", ("119",)),
        # a crash nobody was hurt in, still standing in the road
        ("两辆车撞了 都没受伤 但是车横在路中间 后面堵了一长串", ("122",)),
        # bleeding that goes on, a bone showing
        ("小腿被铁丝网划开了 血一直在往外流 按不住", ("120",)),
        ("我叔从梯子上摔下来 骨头都露出来了", ("120",)),
        # fire spreading from burning straw
        ("地里烧麦秆的火蔓延到旁边的林子了 几个人都扑不灭", ("119",)),
        # pinyin cries
        ("jiuming you ren qiang wo bao", ("110",)),
    ],
)
def test_round8_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "上个月那次食物中毒我们全家都去了医院 那家店现在又开张了 卫生查过了吗",
        "前两天商场电梯困人困了半小时 现在还照常开着 没人检修",
        "我妈早上晕倒了 已经送到中心医院了 医生说没大碍 想问陪护假怎么请",
        "早上追尾了 交警处理完了 对方全责 代步车的钱能要吗",
        "燃气灶的火被风吹灭了 闻到点味 关阀开窗以后现在没味道了",
        "这个路口堵得我都要吐血了 红绿灯能不能调长一点",
        "一氧化碳中毒跟煤气中毒有什么区别",
        "跟我老公吵得差点打起来 哈哈 没那么严重 想问下财产怎么分",
    ],
)
def test_round8_hard_negatives(text: str) -> None:
    assert _services(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("仓库那边一股怪味 好几个人都在咳嗽 眼睛都睁不开", ("119",)),
        ("面粉厂车间粉尘炸了 房顶都掀了", ("119",)),
        ("楼道里没气泄露了 味道好大", ("119",)),  # 没 for 煤, a voice-input slip
        ("她喝了酒一直哭 现在站在窗台边上 我拉不住", ("110", "120")),
        ("我好怕 门外有个男的一直在拧门把手", ("110",)),  # fear of what is happening, not a worry
    ],
)
def test_round9_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "交警已经到了 正在处理 想问下这个路口几点能通车",
        "电工已经来断电修好了 就是想问插座冒火花是不是房东的责任",
        "网站卡得我要吐血 挂号一直刷不出来",
        "楼下跳广场舞的音乐吵得我原地爆炸",
        "公园那棵枯树的树枝快掉下来了 正对着滑梯",
    ],
)
def test_round9_hard_negatives(text: str) -> None:
    assert _services(text) == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "是不是" asks, it does not deny
        ("楼道里一股臭鸡蛋味 是不是漏气了 我头有点晕", ("119",)),
        ("我爷爷突然说话说不清楚 半边脸耷拉下来 这是不是中风啊", ("120",)),
        # a habit, and tonight it is still going on
        ("对门那家天天打孩子 今晚打得特别狠 现在还在打", ("110",)),
        # a birth at home, a baby's fall with vomiting
        ("老婆在卫生间里生了 孩子脐带还连着 怎么办", ("120",)),
        ("八个月的宝宝从床上掉下来 吐了两次 现在一直嗜睡", ("120",)),
        # rescued but not breathing
        ("孩子从水里捞上来了 但是没气了 我们在按压", ("120",)),
    ],
)
def test_round10_emergencies(text: str, expected: tuple[str, ...]) -> None:
    assert _services(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "楼下垃圾桶着火 我们已经拿灭火器灭了 过期的灭火器谁来换",
        "走丢的小孩我们已经交给他家长了 想开个做好事的证明",
        "排队办证排得我快晕倒了 窗口只开了一个",
        "这家火锅辣得我整个人都着火了 但我投诉的是餐位费",
        "树干都空了 台风一来一倒下就会砸到停着的车",
    ],
)
def test_round10_hard_negatives(text: str) -> None:
    assert _services(text) == ()


def test_someone_at_the_door_is_not_someone_in_the_house() -> None:
    # The intrusion rule no longer fires on "有人在我家门口…"; the model still reads the vandalism as a possible
    # 110 and says so (a model-only hit keeps the work order, see the dialogue).
    rules_only = detect(normalize("有人在我家门口泼了油漆 想调一下楼道监控"), use_model=False)
    assert rules_only is None
    assert _services("有人在我家里翻东西 我躲在阳台") == ("110",)
