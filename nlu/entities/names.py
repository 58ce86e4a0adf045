"""Person and organisation names where the text makes them detectable (cue words, titles, suffixes)."""

from __future__ import annotations

import re

from nlu.entities.base import Span

SURNAMES = (  # noqa: SIM905
    "欧阳 上官 司马 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 夏侯 王 李 张 "
    "刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 "
    "宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 "
    "程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 "
    "夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 "
    "黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 "
    "施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 "
    "殷 詹 申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 "
    "纪 梅 童 凌 毕 单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 "
    "游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳 "
    "时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 "
    "党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 "
    "边 卞 姬 师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 "
    "敖 巩 明 佘 池 查 麻 苑 迟 邝"
).split()
_SURNAME_SET = frozenset(SURNAMES)
_SURNAME = "|".join(sorted(SURNAMES, key=len, reverse=True))
_GIVEN = r"[\u4e00-\u9fff]"
# Characters that end a name candidate: function words, verbs that commonly follow a name.
_NOT_GIVEN = set("的了在是和与跟说讲来去打把被给我你他她们也都又就还不没很要会想叫让向对从到先女老师经")
# Words that often follow a name; a name never ends with their first character.
_FOLLOW_WORDS = (
    "电话",
    "手机",
    "联系",
    "身份",
    "住在",
    "住址",
    "家住",
    "今年",
    "男",
    "女",
    "号码",
    "微信",
    "年龄",
    "性别",
    "工作",
    "在",
    "是",
    "的",
    "说",
    "想",
    "要",
    "反映",
    "投诉",
    "举报",
    "先生",
    "女士",
    "身份证",
    "QQ",
    "邮箱",
)
_TITLE = (
    r"(?:先生|女士|小姐|师傅|经理|老板|主任|书记|局长|科长|处长|所长|队长|"
    r"老师|医生|大夫|护士|律师|警官|同志|阿姨|大爷|大妈|大姐|总)"
)
_CUED = re.compile(
    r"(?:我叫|名叫|叫做|姓名[:：是]?|联系人[:：是]?|本人|我是|投诉人[:：]?|举报人[:：]?|反映人[:：]?)"
    rf"\s?(({_SURNAME}){_GIVEN}{{1,2}})"
)
_TITLED = re.compile(rf"(({_SURNAME})(?:{_GIVEN})?){_TITLE}")
_OLD_YOUNG = re.compile(rf"(?:老|小)({_SURNAME})")
# 老X / 小X that are ordinary words although X is a surname.
_OLD_YOUNG_WORDS = frozenset(
    (  # noqa: SIM905
        "小时 小于 小康 小路 老路 小米 小龙 老毛 小车 老房 小商 小程 小包 小孔 小卫 小石 老方 老师 "
        "小单 小费 小麦 小游 小学 小席 老成 小全 小冷 老年 小年 小宫"
    ).split()
)

_ORG_SUFFIX = (
    r"(?:有限责任公司|股份有限公司|有限公司|分公司|公司|集团|物业服务中心|物业管理处|物业|管理处|派出所|公安局|"
    r"分局|交警大队|大队|支队|街道办事处|街道办|办事处|居委会|村委会|委员会|医院|卫生院|卫生服务中心|诊所|"
    r"小学|中学|大学|学院|学校|幼儿园|培训机构|银行|支行|超市|商场|酒店|饭店|餐厅|4S店|局|中心|厂)"
)
# Organisation names: 2-10 characters before the suffix, without function words.
_ORG = re.compile(rf"([\u4e00-\u9fffA-Za-z0-9（）()]{{2,14}}?){_ORG_SUFFIX}")
_ORG_GENERIC = frozenset(
    [
        "这家",
        "那家",
        "这个",
        "那个",
        "我们",
        "你们",
        "他们",
        "一家",
        "某某",
        "当地",
        "附近",
        "本地",
        "相关",
        "有关",
        "上级",
        "我们的",
    ]
)


_ORG_LEAD = re.compile(
    r".*(?:投诉|举报|反映|咨询|联系|打电话给|打给|找|给|向|跟|和|与|被|在|是|的|了|到|去|从|对|说|问|我|你|他|她|们|"
    r"把|让|叫|请|帮|这|那|个|有|就|还|也|都|要|会|想|打|\d)"
)


def _trim_org(text: str, start: int, end: int) -> int:
    """Move `start` past the last function word or verb, so '打12345投诉城管局' starts at 城管."""
    m = _ORG_LEAD.match(text, start, end)
    return m.end() if m else start


def extract(text: str) -> list[Span]:
    spans: list[Span] = []
    for m in _CUED.finditer(text):
        name = m.group(1)
        while len(name) > 2 and name[-1] in _NOT_GIVEN:
            name = name[:-1]
        # "张伟电话…": the third character starts the next word, not the given name.
        if len(name) == len(m.group(2)) + 2 and text.startswith(_FOLLOW_WORDS, m.start(1) + len(name) - 1):
            name = name[:-1]
        if name[-1] in _NOT_GIVEN:
            continue
        spans.append(Span("person", m.start(1), m.start(1) + len(name), name))
    for m in _TITLED.finditer(text):
        name = m.group(1)
        start = m.start(1)
        if len(name) > 1 and name[-1] in _NOT_GIVEN:
            continue
        # 班主任黄老师: 任 is a surname too, but here it ends the word before the name.
        if len(name) == 2 and name[1] in _SURNAME_SET and start > 0 and "\u4e00" <= text[start - 1] <= "\u9fff":
            name, start = name[1:], start + 1
        # '张经理' is a person mentioned by title; the value keeps the title for readability.
        spans.append(Span("person", start, m.end(), text[start : m.end()]))
    for m in _OLD_YOUNG.finditer(text):
        if m.group(0) in _OLD_YOUNG_WORDS or text.startswith(("师", "人", "区"), m.end()):
            continue
        spans.append(Span("person", m.start(), m.end(), m.group(0)))
    for m in _ORG.finditer(text):
        name_start = _trim_org(text, m.start(1), m.end(1))
        name = text[name_start : m.end(1)]
        if len(name) < 2 or name in _ORG_GENERIC:
            continue
        spans.append(Span("org", name_start, m.end(), text[name_start : m.end()]))
    return spans
