"""Emergency triggers per service. Patterns run on NORMALISED text (simplified, half-width).

Each trigger names its services, whether it is life-threatening by itself (critical), and what it
needs to count: `needs_present` (a present-tense marker in the sentence; e.g. theft is only an
emergency in progress), `needs_context` (a context regex in the sentence; e.g. 撞了 only with a
vehicle). Typos, homophones and pinyin slips are alternatives inside the patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    pattern: re.Pattern[str]
    services: tuple[str, ...]
    critical: bool = False
    needs_present: bool = False
    needs_context: re.Pattern[str] | None = None
    # A cry for help that names no service: counts as 110 only when nothing more specific fired.
    generic: bool = False


def _t(
    name: str,
    pattern: str,
    services: tuple[str, ...],
    *,
    critical: bool = False,
    needs_present: bool = False,
    context: str | None = None,
    generic: bool = False,
) -> Trigger:
    return Trigger(
        name,
        re.compile(pattern, re.IGNORECASE),
        services,
        critical,
        needs_present,
        re.compile(context, re.IGNORECASE) if context else None,
        generic,
    )


VEHICLE = (
    r"车|司机|路口|马路|公路|高速|货车|汽车|公交|出租|的士|三轮|行人|大巴|轿车|卡车|摩托|电动车|电瓶车|"
    r"自行车|单车|渣土|拖拉机|面包车|红绿灯|斑马线|驾驶"
)
PERSON = (
    r"人|老人|老太|老头|大爷|大妈|孩子|小孩|宝宝|婴儿|他|她|爸|妈|爷爷|奶奶|外婆|外公|"
    r"老公|老婆|丈夫|妻子|儿子|女儿|同事|邻居|朋友|工人|学生"
)

FIRE: tuple[Trigger, ...] = (
    _t(
        "fire",
        r"着火|起火|失火|着伙|起伙|火灾|大火|火势|烧起来|烧着了|燃起来|火苗|明火|火光|火很大|"
        r"zhao ?huo|qi ?huo|烧了起来|火烧|火烧起来|窜火|蹿火|冒火|火着了|烧着|自燃|烧到",
        ("119",),
    ),
    _t(
        "smoke",
        r"冒烟|冒黑烟|浓烟|黑烟|烟雾很大|烟很大|好多烟|全是烟|都是烟|满屋(?:子)?(?:都是)?烟|烟很浓|有烟味|烧焦味|焦糊味|"
        r"糊味很重|烟味很重",
        ("119",),
    ),
    _t(
        "explosion",
        r"爆炸|(?:锅炉|煤气罐|液化气罐|气罐|燃气罐|高压锅|电瓶|电池|充电宝|变压器|罐子)(?:炸了|爆了)|"
        r"炸响|巨响",
        ("119",),
        critical=True,
    ),
    _t(
        "gas_leak",
        r"(?:煤气|燃气|天然气|液化气|气)(?:泄漏|泄露|泻漏)|漏气|(?:煤气|燃气|天然气|液化气)味|"
        r"闻到(?:很大的)?(?:煤气|燃气|天然气)",
        ("119",),
    ),
    _t(
        "trapped",
        r"被困(?!扰|惑|难)|困在|困住|关在电梯|电梯(?:里)?困人|卡在电梯|出不来|跑不出来|逃不出来|"
        r"下不来",
        ("119",),
        critical=True,
        context=r"火|烟|电梯|楼|屋|房|井|水|废墟|坍塌|塌|车里|山|困",
    ),
    _t(
        "hazmat",
        r"危化品|化学品泄漏|化工厂|毒气|有毒气体|氯气|氨气|硫化氢|液氨|罐车泄漏|刺鼻的气味",
        ("119",),
        context=r"泄漏|泄露|漏|味|熏|晕|刺鼻|飘|爆|着火|冒",
    ),
    _t(
        "collapse",
        r"(?:房子|楼|墙|屋顶|房顶|天花板|桥|围墙)(?:塌了|倒塌|坍塌|塌下来)|坍塌|塌方",
        ("119",),
        critical=True,
    ),
    _t(
        "call_fire",
        r"(?:快|赶紧|马上|帮我|帮忙)?叫消防|消防车快|打119|拨119|119(?:打不通|没人接|占线)",
        ("119",),
    ),
)

MEDICAL: tuple[Trigger, ...] = (
    _t(
        "unconscious",
        r"晕倒|昏倒|晕过去|昏过去|晕到了|晕到在|不省人事|昏迷|昏谜|叫不醒|喊不醒|没有意识|失去意识|没意识|"
        r"(?:叫|喊|拍|摇)[^,。!?]{0,4}没(?:有)?(?:反应|动静)|倒地不起|倒在地上|瘫倒|休克|突然倒下|倒下了|心肺复苏|"
        r"人工呼吸",
        ("120",),
        critical=True,
    ),
    _t(
        "breathing",
        r"没有呼吸|没呼吸|呼吸困难|喘不上气|喘不过气|上不来气|不喘气|没气了|窒息|噎住|卡住喉咙|卡喉咙|"
        r"憋得脸发紫|嘴唇发紫|脸(?:色)?发紫|脸都紫了|呛奶",
        ("120",),
        critical=True,
    ),
    _t(
        "cardiac",
        r"心跳停|心脏骤停|心脏病(?:发作|犯了)|心梗|心肌梗|胸口(?:剧)?(?:痛|疼)|胸痛|心口疼|心绞痛|"
        r"心脏(?:很)?不舒服",
        ("120",),
        critical=True,
    ),
    _t(
        "stroke",
        r"中风|脑梗|脑溢血|脑出血|(?:半边|一边)(?:身子|身体|手|脸)[^,。!?]{0,3}(?:不能动|动不了|麻|没知觉)|嘴歪|口齿不清|"
        r"说不出话",
        ("120",),
        critical=True,
    ),
    _t("seizure", r"抽搐|抽风|口吐白沫|癫痫(?:发作|犯了)|浑身发抖停不下来", ("120",), critical=True),
    _t(
        "bleeding",
        r"大出血|血流不止|流了很多血|流血不止|满身是血|一直(?:在)?流血|大量出血|吐血|血止不住|头破血流|"
        r"流了一地血|一地的血|好多血",
        ("120",),
        critical=True,
    ),
    _t(
        "poisoning",
        r"喝了?农药|吃了?(?:安眠药|老鼠药|耗子药)|服毒|吞了(?:药|电池|硬币|异物)|吞下去了|卡在喉咙|中毒|误服|误食|"
        r"吃了一整瓶|吃了好多药",
        ("120",),
        critical=True,
    ),
    _t(
        "injury",
        r"骨折|摔断|摔得起不来|摔倒(?:了)?(?:在地上)?起不来|从楼上(?:摔|掉)|高空坠落|坠楼|掉下来摔|"
        r"烫伤|烧伤|触电|被电(?:到|击)|电击|被狗咬伤|咬伤|砸伤|砸到头|压伤|被压住|卡住了?手|割伤|刺伤",
        ("120",),
    ),
    _t(
        "labour",
        r"羊水破|破水|要生了|快生了|马上要生|临产|宫缩|生在家里|孩子(?:头)?(?:快|要)出来了|阵痛",
        ("120",),
        critical=True,
    ),
    _t("fever_child", r"高烧(?:抽|惊厥)|发烧抽搐|高热惊厥", ("120",), critical=True),
    _t(
        "drowning",
        r"溺水|淹着了|呛水|落水|掉(?:进|到)?(?:河|湖|水|池塘|江|海)里|掉水里|在水里(?:挣扎|扑腾)",
        ("110", "120"),
        critical=True,
    ),
    _t(
        "call_ambulance",
        r"(?:快|赶紧|马上|帮我|帮忙|请)?叫(?:个)?救护车|需要救护车|打120|拨120|"
        r"120(?:打不通|没人接|占线)|送医院抢救|快不行了|不行了快|没有心跳|没心跳",
        ("120",),
        critical=True,
    ),
    _t(
        "severe_pain",
        r"疼得(?:打滚|受不了|直不起腰|晕)|肚子剧痛|剧烈(?:腹痛|头痛|疼痛)|痛得(?:打滚|受不了)",
        ("120",),
    ),
    _t("allergy", r"过敏(?:性)?休克|过敏(?:得)?(?:喘不上气|呼吸困难|喉咙肿)|喉咙肿", ("120",), critical=True),
)

POLICE: tuple[Trigger, ...] = (
    _t(
        "robbery",
        r"抢劫|打劫|抢钱|抢包|抢手机|被抢|被人抢|抢了我|抢走|抢东西|飞车抢|抢结|抢截",
        ("110",),
        critical=True,
    ),
    _t(
        "weapon",
        r"持刀|拿刀|拿着刀|带着刀|举着刀|拿菜刀|提着刀|挥刀|动刀|拿枪|有枪|开枪|枪声|持械|拿棍子|拿铁棍|"
        r"拿砖头|拿斧头|拿着棍",
        ("110",),
        critical=True,
    ),
    _t(
        "kill",
        r"砍人|砍伤|砍了|捅人|捅伤|捅了|杀人|要杀|杀了我|杀死|弄死|打死|掐死|掐脖子|砸死|同归于尽|"
        r"要我的命|灭了我",
        ("110",),
        critical=True,
    ),
    _t(
        "violence",
        r"打人(?!工)|被打(?!扰|折|回|电话|卡|款|钱|分|印|包|开|针|疫苗|上|了?[一二三四五六七八九十几\d]+(?:个|次|通)电话)|"
        r"(?:在|又|要|一直|正在|他|她|老公|男人|丈夫|儿子|老婆)打我(?!电话|手机|的电话)|殴打|打架|斗殴|群殴|互殴|"
        r"围殴|动手打|打起来了|打成一团|家暴|家庭暴力|施暴|踢我|掐我|揍我|揍人|被揍|打孩子|打老婆|打女人|虐待|"
        r"打得(?:头破血流|鼻青脸肿|满脸是血|很惨|站不起来|不行了|流血)|惨叫|打骂声",
        ("110",),
    ),
    _t(
        "kidnap",
        r"绑架|劫持|人质|拐卖|拐走|抱走|被拐|非法拘禁|被关起来|被锁在|囚禁|控制起来|不让我(?:下车|走|出去|离开)|"
        r"把我锁在",
        ("110",),
        critical=True,
    ),
    _t(
        "sexual",
        r"强奸|性侵|猥亵|非礼|强行(?:脱|摸|亲)|摸我|掀裙子|偷拍(?:裙底|洗澡)",
        ("110",),
        critical=True,
    ),
    _t(
        "missing",
        r"(?:孩子|小孩|儿子|女儿|宝宝|老人|老人家|爷爷|奶奶|外婆|外公|我爸|我妈|父亲|母亲)"
        r"(?:(?!没|不是|未)[^,。!?]){0,4}(?:丢了|不见了|走丢|走失|失踪|找不到了|联系不上了?|没回家|一直没回来|被人带走)|"
        r"走失|失踪|走丢了",
        ("110",),
        critical=True,
    ),
    _t(
        "suicide",
        r"跳楼|要跳下去|要往下跳|想跳下去|站在楼顶|站在天台|爬上(?:楼顶|天台|塔吊)|轻生|自杀|不想活|寻死|割腕|"
        r"上吊|跳河|跳江|烧炭|遗书|活不下去了",
        ("110", "120"),
        critical=True,
    ),
    _t(
        "intrusion",
        r"入室|撬门|撬锁|撬窗|(?:撬|砸|踹).{0,4}(?:门|锁|窗)|砸门|踹门|有人闯|闯进|翻窗进|翻墙进|陌生人在我家|有人在我家|"
        r"小偷|偷东西|在偷|扒手|偷车|盗窃",
        ("110",),
        needs_present=True,
    ),
    _t(
        "stalking",
        r"跟踪我|被跟踪|被人跟踪|有人跟踪|尾随|一直跟着我|守在门口不走|堵在门口|偷窥",
        ("110",),
    ),
    _t(
        "threat",
        r"威胁(?:我|要|说|他|她|我们|恐吓)|恐吓|勒索|敲诈|扬言要|说要(?:杀|砍|弄死|报复)|要报复|"
        r"(?:放|泼)汽油|要炸",
        ("110",),
    ),
    _t(
        "fraud_now",
        r"(?:正在|现在|刚刚|刚才)(?:被骗|转账给骗子)|被骗了?(?:正在|还在)转|(?:骗子|对方).{0,8}(?:让|要|叫)我(?:继续)?转",
        ("110",),
        needs_present=True,
    ),
    _t("explosive", r"炸弹|炸药|爆炸物|雷管", ("110", "119"), critical=True),
    _t("riot", r"聚众闹事|打砸|砸东西|砸店|砸车|围攻|冲突升级|闹事的人", ("110",)),
    _t(
        "help",
        r"救命|救救我|救救(?:孩子|他|她|我们)|jiu ?ming|help me|sos|救名|快来人",
        ("110",),
        critical=True,
        generic=True,
    ),
    _t(
        "call_police",
        r"(?:快|赶紧|马上|帮我|帮忙|请|替我)(?:报警|叫警察)|打110|拨110|110(?:打不通|没人接|占线)|"
        r"快派警察|需要警察",
        ("110",),
    ),
)

TRAFFIC: tuple[Trigger, ...] = (
    _t(
        "crash",
        r"车祸|车货|出事故|交通事故|撞车|相撞|追尾|翻车|侧翻|车翻了|连环撞|肇事|逃逸|chehuo|che huo|"
        r"被车撞|被车压|撞倒|撞飞|轧到|碾压|压到人|撞了人|撞人(?:后|逃逸|就跑)",
        ("122",),
    ),
    _t(
        "hit",
        r"撞了|被撞|撞人|撞到|撞上|撞在一起|撞一起|撞成|剐蹭|刮擦|剐了|蹭了|碰了|(?:刮|撞|蹭|碰|带)倒|翻(?:在|到|进)|翻了",
        ("122",),
        context=VEHICLE,
    ),
    _t(
        "off_road",
        r"掉(?:进)?沟里|冲出(?:护栏|路面)|冲下|开进河里|掉进河里|卡在车里",
        ("122",),
        context=VEHICLE,
    ),
    _t("call_traffic", r"打122|拨122|122(?:打不通|没人接|占线)|叫交警|找交警来", ("122",)),
)

ALL_TRIGGERS: tuple[Trigger, ...] = FIRE + MEDICAL + POLICE + TRAFFIC

# With an accident or violence, these words mean someone is hurt: add 120.
INJURY = re.compile(
    r"受伤|伤得|流血|出血|血流|昏迷|倒地|躺在地上|躺地上|动不了|起不来|骨折|重伤|伤者|伤员|人飞出去|压住|压在|"
    rf"卡在车里|被压|不省人事|没反应|没有反应|晕过去|晕倒|头破|满身是血|伤了|伤到|砍伤|捅伤|(?:{PERSON})(?:被)?撞(?:了|倒|飞|伤)"
)
# Words that make any emergency life-threatening.
LIFE_THREAT = re.compile(
    r"被困|困在|出不来|有人在里面|里面有人|还有人|孩子在家|老人在家|快不行了|没呼吸|昏迷|流了很多血|死人|"
    r"要死了|会死|救命|快来人|重伤|压在下面|爆炸|很多人|好几个人|一家人|整栋楼|火很大|火越来越大|浓烟"
)
