"""Builds nlu/data/emergency/tune.txt: hand-written sentences plus template variants.

Run `python -m nlu.evaluation.tuneset` after editing the lists; the output is deterministic (seeded).
Variants change style the way real channels do: voice transcripts without punctuation and with filler
words, traditional characters, emoji, full-width punctuation, common typos, and long letters that
bury the event in context. The held-out files are written by hand and are not produced here.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from nlu.evaluation.dataset import DATA_DIR

SEED = 12345

# --- emergencies: (services, event) written by hand; places and tails are mixed in below ----------
FIRE_EVENTS = [
    "厨房着火了",
    "家里起火了",
    "楼道里着火了浓烟滚滚",
    "电动车在楼下烧起来了",
    "对面楼冒黑烟了",
    "仓库失火了",
    "饭店后厨起火了火很大",
    "车库里一辆车烧着了",
    "阳台上的杂物烧起来了",
    "屋里全是烟看不清",
    "闻到很浓的煤气味",
    "天然气管道漏气了",
    "液化气罐着火了",
    "有人被困在火里出不来",
    "楼上传来爆炸声冒烟了",
    "工厂发生爆炸了",
    "山林起火了烧得很旺",
    "配电箱冒火花着火了",
    "电梯困人了好几个人在里面",
    "油锅起火了扑不灭",
    "窗户里往外窜火苗",
    "整层楼都是烟",
    "燃气泄漏了味道很大",
    "锅炉爆炸了",
    "化工厂泄漏了有毒气体",
    "有个人卡在电梯里出不来",
    "房子塌了有人被压在下面",
    "邻居家门缝冒烟敲门没人应",
    "棉花厂着火了",
    "老人一个人在家屋里着火了",
]
MEDICAL_EVENTS = [
    "我爸突然晕倒了",
    "老人倒在地上叫不醒",
    "孩子没有呼吸了",
    "我妈胸口疼得厉害喘不上气",
    "有人昏迷了",
    "我老婆羊水破了",
    "孕妇要生了",
    "小孩抽搐口吐白沫",
    "我爷爷中风了嘴歪了",
    "他喝了农药",
    "有人割腕了血流不止",
    "孩子误食了药",
    "老公心脏病发作了",
    "有人从楼上摔下来了",
    "工人触电了倒在地上",
    "我朋友吃了安眠药",
    "孩子被异物卡住喉咙了",
    "老人摔倒了起不来",
    "有人大出血",
    "一家人煤气中毒了",
    "有人休克了",
    "女儿过敏喘不上气",
    "他突然倒地没反应",
    "邻居老太太昏倒在楼道里",
    "同事突然失去意识",
    "孩子发高烧抽搐",
    "有个人晕过去了",
    "我妈脑溢血了",
    "有人吐血了",
    "宝宝呛奶脸发紫",
]
POLICE_EVENTS = [
    "有人拿刀砍人",
    "有人在抢劫",
    "我被人跟踪了",
    "老公在打我",
    "有人在打架还拿着棍子",
    "孩子不见了",
    "老人走失了",
    "有人要跳楼",
    "有人撬我家门",
    "小偷正在偷东西",
    "有人威胁要杀我",
    "我被绑架了",
    "有人持刀闯进来了",
    "一群人在群殴",
    "孩子被人抱走了",
    "有人猥亵小女孩",
    "我被关起来了",
    "有人落水了",
    "我朋友说不想活了要自杀",
    "有人在砸车",
    "有人在耍酒疯打人",
    "我被人抢了包",
    "有人拿枪",
    "家暴了快来",
    "陌生人在我家门口一直不走",
    "有人扬言要炸楼",
    "有人在殴打老人",
    "女儿失踪了联系不上",
    "救命",
    "快报警",
]
TRAFFIC_EVENTS = [
    "出车祸了",
    "两辆车撞了",
    "车被追尾了",
    "有辆车翻了",
    "被车撞了",
    "一辆货车侧翻了",
    "连环追尾",
    "电动车和汽车撞了",
    "撞了人就跑了",
    "车撞到护栏上了",
    "摩托车撞倒了行人",
    "发生交通事故了",
    "出租车和公交车相撞",
    "我的车被剐蹭了对方不停",
    "有车掉沟里了",
    "三轮车被撞翻了",
    "高速上撞车了",
    "肇事司机逃逸了",
    "车撞到电线杆了",
    "骑自行车被汽车撞了",
]
INJURY_TAILS = ["有人受伤了", "有人流血了", "人躺在地上不动", "伤得很重", "有人被压住了", "司机昏迷了"]
PLACES = [
    "",
    "我家",
    "楼下",
    "隔壁",
    "对面楼",
    "小区里",
    "3号楼",
    "路口",
    "公司里",
    "学校门口",
    "菜市场",
    "商场里",
    "公园里",
    "地铁站",
    "宿舍里",
    "工地上",
    "村里",
    "出租屋里",
    "医院门口",
    "高速上",
    "滨江路",
    "幸福小区",
    "人民路和解放路路口",
    "东门",
    "地下车库",
]
URGENT_TAILS = [
    "",
    "快来",
    "快来人啊",
    "快点派人",
    "求求你们快点",
    "怎么办",
    "救命",
    "地址是幸福小区5栋",
    "!!!",
    "在人民路",
    "请马上过来",
    "我好害怕",
    "很急",
    "快快快",
    "人在这里",
    "谁来帮帮我",
]
# Hand-written positives in the voice of real messages.
HANDWRITTEN_POS = [
    ("119", "喂喂 我们这边着火了 在那个 幸福路菜市场后面"),
    ("119", "楼上那家一直在冒烟 敲门没人应 是不是出事了"),
    ("119", "我被困在三楼了 楼梯全是烟 下不去"),
    ("119", "快递站的快递堆烧起来了 好大的火"),
    ("119", "有股很浓的天然气味 我不敢开灯 孩子还在睡觉"),
    ("119", "家里燃气灶的软管老化漏气了 现在满屋子都是味"),
    ("119", "我家楼下的电瓶车充电自燃了 火已经烧到二楼窗户"),
    ("119", "厂里的罐子炸了 好几个人在里面"),
    ("119", "电梯坏了 我和孩子被关在电梯里"),
    ("119", "我闻到烧焦的味道 是从隔壁传来的 门缝里在冒黑烟"),
    ("120", "我爸在厕所摔倒了 叫他没反应"),
    ("120", "老婆肚子疼得打滚 怀孕七个月"),
    ("120", "有个老大爷在公交站突然倒下了 旁边的人在做心肺复苏"),
    ("120", "我儿子把硬币吞下去了 一直咳"),
    ("120", "我妈吃了一整瓶降压药 现在迷迷糊糊的"),
    ("120", "朋友喝酒喝到不省人事 怎么叫都不醒"),
    ("120", "我快不行了 心跳得很快 眼前发黑"),
    ("120", "工地上有人被钢筋砸到头了 一直在流血"),
    ("120", "外婆半边身子突然动不了了 说不出话"),
    ("120", "孩子被开水烫伤了 哭得很厉害"),
    ("110", "有个男的在我家门口 拿着刀 说要砍死我"),
    ("110", "我在出租车上 司机不让我下车 往郊区开"),
    ("110", "我女儿今天放学没回家 电话一直关机 到现在还没找到"),
    ("110", "隔壁一直传来打孩子的声音 孩子哭得很惨"),
    ("110", "有人在小区里偷电动车 现在还在撬锁"),
    ("110", "超市里有人拿刀威胁收银员"),
    ("110", "我被前男友堵在家里 他说要弄死我"),
    ("110", "桥上有个人翻过栏杆了 好像要跳河"),
    ("110", "有几个人在KTV里打起来了 有人拿酒瓶砸头"),
    ("110", "我被骗子骗了 现在他们还让我继续转账"),
    ("122", "我在高架上被追尾了 车动不了 后面的车一直按喇叭"),
    ("122", "路口有辆电动车被大货车撞了 人在车底下"),
    ("122", "出车祸了 对方司机喝了酒 还想跑"),
    ("122", "有辆小车翻在路边了 车里还有人"),
    ("122", "我开车撞到一个老人 他躺在地上起不来"),
    ("122", "隧道里好几辆车撞在一起了"),
    ("122", "骑车被一辆黑色轿车刮倒 司机下车看了一眼就跑了"),
    ("122", "十字路口两辆车撞了 有汽油漏出来"),
    ("122", "校车和货车撞了"),
    ("122", "外卖小哥被公交车撞了 头上都是血"),
]

# --- non-emergencies ----------------------------------------------------------------------------
NEG_EVENTS = [  # event words reused by the hard-negative families
    "着火",
    "起火",
    "车祸",
    "打架",
    "晕倒",
    "煤气泄漏",
    "爆炸",
    "追尾",
    "有人落水",
    "孩子走丢",
    "被困电梯",
    "中风",
    "心脏病发作",
    "抢劫",
    "燃气漏气",
    "电动车起火",
    "撞车",
    "被打",
    "触电",
    "食物中毒",
]
NEGATION = [
    ("没有着火", "是邻居在烧烤"),
    ("没有起火", "就是烟雾报警器误报了"),
    ("不是车祸", "就是车子抛锚了"),
    ("不是打架", "是两个人在吵架"),
    ("没有人晕倒", "我想问下社区医院的电话"),
    ("没有煤气泄漏", "燃气公司上门检查说正常"),
    ("不是爆炸", "是工地在拆楼"),
    ("没有追尾", "只是差一点"),
    ("没人落水", "是小孩在河边玩"),
    ("孩子没有走丢", "在同学家"),
    ("没有人被困", "电梯只是停在一楼不动了"),
    ("我没被打", "就是被骂了几句想投诉"),
    ("没有中毒", "就是吃坏肚子想投诉那家店"),
    ("并没有发生火灾", "请问为什么消防车在小区停着"),
    ("不是抢劫", "是朋友之间借钱不还"),
    ("没有受伤", "只是车剐蹭了一下想走保险"),
]
HYP_PREFIX = ["如果", "万一", "要是", "假如", "一旦", "请问", "担心", "怕"]
HYP_SUFFIX = [
    "怎么办",
    "该怎么处理",
    "应该打什么电话",
    "该找哪个部门",
    "怎么自救",
    "有什么预防措施",
    "后果不堪设想",
    "物业会负责吗",
    "保险能赔吗",
    "应该怎么逃生",
]
PAST_PREFIX = ["上个月", "去年", "前几天", "上周", "之前", "前年", "三个月前", "上次"]
AFTERMATH = [
    "到现在还没赔偿",
    "想问下保险怎么理赔",
    "对方一直不给医药费",
    "派出所说在调查一直没结果",
    "事故认定书还没出来",
    "想起诉对方",
    "想问下后续怎么处理",
    "物业不承担责任",
    "想申请补助",
    "医保能报销吗",
    "单位不给算工伤",
    "房东要我赔钱",
]
RESOLVED = [
    "已经扑灭了",
    "已经处理好了",
    "人已经醒了",
    "已经送医院了没事了",
    "已经找到了",
    "交警已经处理完了",
    "火已经灭了",
    "已经关掉阀门了",
    "警察已经来了把人带走了",
]
HAZARD_COMPLAINTS = [
    "消防通道被私家车堵死了",
    "楼道里堆满了纸箱和杂物",
    "电动车在楼道里充电",
    "有人从窗户飞线给电动车充电",
    "小区消防栓没水",
    "商场安全出口被锁住了",
    "楼道的灭火器都过期了",
    "烟感报警器坏了没人修",
    "饭店在门口放了好几个液化气罐",
    "工地没有围挡",
    "井盖丢了没人管",
    "河边没有护栏",
    "高压电线垂得很低",
    "电线私拉乱接",
    "地下室住了很多人还堆了易燃物",
    "老旧燃气管道锈得很厉害",
    "小区大门口的红绿灯坏了",
    "学校门口车速太快",
    "楼顶加盖的彩钢房",
    "逃生通道被商户占用",
    "充电桩附近堆了很多杂物",
    "液化气站离小区太近",
    "楼下仓库存放油漆等易燃品",
    "加油站旁边有人摆摊",
]
HAZARD_TAILS = [
    "存在很大的火灾隐患",
    "很不安全",
    "物业不管",
    "希望有关部门处理",
    "一旦着火后果严重",
    "有安全隐患",
    "万一起火怎么办",
    "随时可能出事",
    "请消防部门来检查",
    "容易引发火灾",
]
POLLUTION = [
    "工厂烟囱冒黑烟",
    "有人在焚烧垃圾冒烟",
    "村民烧秸秆烟很大",
    "烧烤店油烟熏人",
    "化工厂排放刺鼻气体",
    "有人在小区里烧纸钱烟很大",
    "楼下饭店排烟管对着我家窗户",
    "垃圾站焚烧产生浓烟污染",
]
INFORMATIONAL = [
    "看新闻说{e}了",
    "听说隔壁小区{e}了",
    "社区组织{e}演练",
    "电视上报道了一起{e}",
    "网上有视频说这里{e}",
    "我梦见家里{e}了",
    "学校在开展防{e}宣传",
]
INFO_TAILS = ["是真的吗", "我们小区安全吗", "想了解一下", "在哪里报名", "有关部门能不能辟谣", "吓得我睡不着"]
ADMIN = [
    "救护车出车费是怎么收的",
    "120的电话打过去收费吗",
    "交通事故认定书去哪里领",
    "火灾事故证明怎么开",
    "驾驶证被扣分了怎么处理",
    "违章罚款在哪里交",
    "无犯罪记录证明怎么开",
    "消防验收需要什么材料",
    "灭火器哪里可以买到",
    "家庭急救包需要配哪些药",
    "急救培训哪里可以报名",
    "人身安全保护令怎么申请",
    "被狗咬了狂犬疫苗在哪里打",
    "报警回执丢了怎么办",
    "车祸的医药费能报销吗",
    "燃气报警器在哪里装",
    "防溺水宣传材料去哪里领",
    "110和12345有什么区别",
    "交警大队几点上班",
    "消防安全检查多久一次",
]
PLAIN_TOPICS = [
    ("公积金", ["怎么提取", "贷款额度是多少", "异地怎么转移", "缴存比例怎么算", "账户被冻结了"]),
    ("社保", ["断缴了怎么补", "单位不给交", "卡丢了怎么补办", "异地就医怎么备案", "基数怎么调整"]),
    ("物业", ["不作为", "乱收费", "服务太差", "不给开发票", "私自占用公共区域", "保安态度恶劣"]),
    ("小区", ["停水了", "停电两天了", "电梯经常坏", "垃圾没人清理", "路灯坏了", "下水道堵了", "绿化被毁"]),
    ("工地", ["夜间施工噪音大", "渣土车乱倒", "扬尘严重", "占道施工"]),
    ("老板", ["拖欠工资三个月了", "不签劳动合同", "违法辞退", "不给加班费", "克扣工资"]),
    ("学校", ["乱收费", "强制订教辅", "食堂饭菜质量差", "放学太早接不了孩子"]),
    ("医院", ["排队时间太长", "医生态度差", "收费不透明", "停车太难"]),
    ("商家", ["卖假货", "不退款", "缺斤少两", "虚假宣传", "办卡后跑路"]),
    ("房东", ["不退押金", "随意涨房租", "房子漏水不修", "提前赶人"]),
    ("开发商", ["延期交房", "房子质量有问题", "承诺的学校没建", "办不了房产证"]),
    ("马路", ["坑坑洼洼", "积水严重", "井盖松动", "被占道经营", "路灯不亮"]),
    ("公交", ["班次太少", "司机态度差", "站牌位置不合理", "拒载老人"]),
    ("邻居", ["噪音扰民", "狗天天叫", "乱扔垃圾", "私搭乱建", "占用楼道"]),
    ("暖气", ["不热", "温度不达标", "收费太高", "一直漏水"]),
    ("宽带", ["断网三天了", "网速太慢", "装了不能用"]),
    ("出租车", ["拒载", "绕路", "不打表", "多收钱"]),
    ("餐馆", ["卫生差", "油烟扰民", "占道经营", "无证经营"]),
    ("低保", ["怎么申请", "审核太慢", "被取消了"]),
    ("户口", ["迁入需要什么材料", "新生儿怎么落户", "集体户怎么迁出"]),
]
PLAIN_PREFIX = ["", "你好，", "您好，", "请问", "我要投诉", "我想反映一下", "我想咨询一下", "举报，", "麻烦问一下"]
PLAIN_PLACES = ["", "我们", "幸福小区", "人民路", "城南", "我家附近的", "3号楼", "开发区", "老城区"]
PLAIN_TAILS = ["", "，希望尽快处理", "，谢谢", "，到底有没有人管", "，已经反映好几次了", "？", "，请相关部门处理"]
COLLOQUIAL = [
    "热死了，小区什么时候装空调",
    "堵车堵得要疯了",
    "老板骂人太难听了",
    "这政策要了我的命",
    "被客服气死了",
    "累得快晕倒了",
    "这条路烂得像被炸过",
    "价格战打得火热",
    "这家店生意火爆排队太长",
    "吃火锅被宰了",
    "火车票退不了",
    "心态崩了",
    "孩子天天上火",
    "笑死了这个回复",
    "吓死我了电梯突然停了一下",
    "这事把我急死了，社保卡到底什么时候能拿",
    "快递员把我的包裹砸坏了",
    "领导发火骂人",
    "房价涨得太离谱了",
    "打人工客服一直打不通",
    "被电话骚扰烦死了",
    "抢购的东西一直不发货",
    "抢车位天天吵架",
    "抢修队什么时候来",
    "跳楼价甩卖是真的吗",
    "广场舞音响炸耳朵",
    "游戏里被人打了一顿，气死了",
    "小区的猫打架吵得睡不着",
    "孩子考试考砸了",
    "撞衫了好尴尬",
    "这个电话打了八百遍都没人接",
]

_TYPOS = {"着火": "着伙", "晕倒": "晕到了", "车祸": "车货", "救命": "救名", "昏迷": "昏谜", "泄漏": "泄露"}
_FILLERS = ["那个", "就是", "嗯", "喂", "喂喂", "你好", "那什么"]
_EMOJI = ["😭", "😱", "🙏", "😡", "😤", "👍"]
_URGENT_EMOJI = ["🔥", "🆘", "🚑", "😭", "😱"]
_LETTER_HEAD = [
    "你好，我是住在这边的居民，平时很少打扰你们，今天实在没办法了。",
    "尊敬的12345热线工作人员：您好！我想反映一个情况，事情是这样的，",
    "您好，我们小区是老小区，住的大多是老人，物业也不怎么管事，",
    "我下班回家刚到楼下，",
]
_LETTER_TAIL = [
    "我的电话是13812345678，麻烦你们了。",
    "希望你们能尽快处理，谢谢。",
    "我现在很慌不知道该怎么办。",
    "",
]


def _trad(text: str) -> str:
    import opencc

    return str(opencc.OpenCC("s2t").convert(text))


def _voice(text: str, rng: random.Random) -> str:
    text = re.sub(r"[，。！？!?,\s]+", "", text)
    return rng.choice(_FILLERS) + text


def _styled(text: str, rng: random.Random, *, urgent: bool = False) -> str:
    style = rng.random()
    if style < 0.15:
        return _voice(text, rng)
    if style < 0.25:
        return _trad(text)
    if style < 0.33:
        return text + rng.choice(_URGENT_EMOJI if urgent else _EMOJI) * rng.randint(1, 3)
    if style < 0.40:
        for right, wrong in _TYPOS.items():
            if right in text:
                return text.replace(right, wrong, 1)
        return text
    if style < 0.47:
        return text.replace("，", "，").replace(",", "，") + "！！！"
    if style < 0.55:
        return rng.choice(_LETTER_HEAD) + text + "。" + rng.choice(_LETTER_TAIL)
    return text


def _join(*parts: str) -> str:
    out = ""
    for part in parts:
        if not part:
            continue
        if out and not out.endswith(("，", "。", "！", "？", " ")) and not part.startswith(("!", "，")):
            out += "，" if len(out) > 3 else ""
        out += part
    return out


def positives(rng: random.Random) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = [(s, "handwritten", t) for s, t in HANDWRITTEN_POS]
    for services, events, n in (
        ("119", FIRE_EVENTS, 80),
        ("120", MEDICAL_EVENTS, 80),
        ("110", POLICE_EVENTS, 80),
        ("122", TRAFFIC_EVENTS, 40),
    ):
        for _ in range(n):
            event = rng.choice(events)
            place = rng.choice(PLACES)
            text = _join(
                place + event if place and not event.startswith(("我", "有", "孩子")) else event,
                rng.choice(URGENT_TAILS),
            )
            gold = services
            if services == "110" and any(k in event for k in ("落水", "自杀", "跳楼")):
                gold = "110,120"
            if "割腕" in event:
                gold = "120,110"
            rows.append((gold, "template", _styled(text, rng, urgent=True)))
    for _ in range(40):
        text = _join(
            rng.choice(PLACES[:12]) + rng.choice(TRAFFIC_EVENTS), rng.choice(INJURY_TAILS), rng.choice(URGENT_TAILS)
        )
        rows.append(("122,120", "template", _styled(text, rng, urgent=True)))
    return rows


def negatives(rng: random.Random) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for neg, tail in NEGATION:
        rows.append(("-", "negation", f"{neg}，{tail}"))
        rows.append(("-", "negation", _voice(f"{neg}{tail}", rng)))
    for _ in range(50):
        event = rng.choice(NEG_EVENTS)
        rows.append(("-", "hypothetical", _styled(f"{rng.choice(HYP_PREFIX)}{event}了{rng.choice(HYP_SUFFIX)}", rng)))
    for _ in range(60):
        event = rng.choice(NEG_EVENTS)
        rows.append(("-", "past", _styled(f"{rng.choice(PAST_PREFIX)}{event}了，{rng.choice(AFTERMATH)}", rng)))
    for _ in range(30):
        event = rng.choice(NEG_EVENTS)
        rows.append(("-", "resolved", _styled(f"刚才{event}，{rng.choice(RESOLVED)}，想问下后续找谁", rng)))
    for _ in range(80):
        text = f"{rng.choice(PLAIN_PLACES)}{rng.choice(HAZARD_COMPLAINTS)}，{rng.choice(HAZARD_TAILS)}"
        rows.append(("-", "complaint_hazard", _styled(text, rng)))
    for _ in range(25):
        rows.append(("-", "pollution", _styled(f"{rng.choice(POLLUTION)}，{rng.choice(PLAIN_TAILS[1:])}", rng)))
    for _ in range(25):
        tmpl = rng.choice(INFORMATIONAL)
        rows.append(("-", "informational", f"{tmpl.format(e=rng.choice(NEG_EVENTS))}，{rng.choice(INFO_TAILS)}"))
    for text in ADMIN:
        rows.append(("-", "admin", text))
        rows.append(("-", "admin", _styled(text, rng)))
    for text in COLLOQUIAL:
        rows.append(("-", "colloquial", text))
    for _ in range(700):
        subject, problems = rng.choice(PLAIN_TOPICS)
        head = rng.choice(PLAIN_PREFIX) + rng.choice(PLAIN_PLACES)
        text = f"{head}{subject}{rng.choice(problems)}{rng.choice(PLAIN_TAILS)}"
        rows.append(("-", "plain", _styled(text, rng)))
    return rows


def build() -> list[tuple[str, str, str]]:
    rng = random.Random(SEED)
    rows = positives(rng) + negatives(rng)
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row[2] not in seen:
            seen.add(row[2])
            unique.append(row)
    return unique


def write(path: Path = DATA_DIR / "tune.txt") -> int:
    rows = build()
    header = "# Tune part of the emergency set (rules are tuned on it). Built by nlu.evaluation.tuneset.\n"
    header += "# services<TAB>family<TAB>text; services '-' for non-emergencies.\n"
    path.write_text(header + "".join(f"{s}\t{f}\t{t}\n" for s, f, t in rows), encoding="utf-8")
    return len(rows)


if __name__ == "__main__":
    print(write())
