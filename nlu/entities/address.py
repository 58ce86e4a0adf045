"""Addresses assembled from jieba tokens: admin units, roads, numbers, estates, buildings, units, rooms,
and landmarks such as "和平路小区东门".

Working on tokens instead of raw characters gives the left boundary for free: "我住在鼓楼区" is
segmented 我/住在/鼓楼区, so the address starts at 鼓楼区 and never swallows the verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.entities.base import Span

# Levels: lower numbers are coarser; masking keeps levels <= STREET_LEVEL.
PROVINCE, CITY, DISTRICT, STREET, COMMUNITY, ROAD, NUMBER, ESTATE, BUILDING, UNIT, ROOM, SPOT = range(12)
STREET_LEVEL = ROAD

_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("特别行政区", PROVINCE),
    ("自治区", PROVINCE),
    ("省", PROVINCE),
    ("自治州", CITY),
    ("市", CITY),
    ("盟", CITY),
    ("新区", DISTRICT),
    ("开发区", DISTRICT),
    ("高新区", DISTRICT),
    ("区", DISTRICT),
    ("县", DISTRICT),
    ("旗", DISTRICT),
    ("街道", STREET),
    ("镇", STREET),
    ("乡", STREET),
    ("社区", COMMUNITY),
    ("居委会", COMMUNITY),
    ("村", COMMUNITY),
    ("屯", COMMUNITY),
    ("东路", ROAD),
    ("西路", ROAD),
    ("南路", ROAD),
    ("北路", ROAD),
    ("中路", ROAD),
    ("大道", ROAD),
    ("大街", ROAD),
    ("路", ROAD),
    ("街", ROAD),
    ("巷", ROAD),
    ("弄", ROAD),
    ("胡同", ROAD),
    ("里", ROAD),
    ("小区", ESTATE),
    ("花园", ESTATE),
    ("家园", ESTATE),
    ("公寓", ESTATE),
    ("大厦", ESTATE),
    ("广场", ESTATE),
    ("新村", ESTATE),
    ("苑", ESTATE),
    ("山庄", ESTATE),
    ("府", ESTATE),
    ("庭", ESTATE),
    ("城", ESTATE),
    ("公馆", ESTATE),
    ("华府", ESTATE),
    ("嘉园", ESTATE),
    ("雅居", ESTATE),
    ("菜市场", ESTATE),
    ("农贸市场", ESTATE),
    ("商场", ESTATE),
    ("公园", ESTATE),
    ("地铁站", ESTATE),
    ("公交站", ESTATE),
    ("车站", ESTATE),
    ("火车站", ESTATE),
    ("站", ESTATE),
    ("工业园", ESTATE),
    ("园", ESTATE),
)
_SUFFIX_LEVEL = dict(_SUFFIXES)
_SUFFIXES_BY_LENGTH = sorted(_SUFFIX_LEVEL, key=len, reverse=True)
# Index by last character: _suffix_level runs for every token of every message.
_SUFFIXES_BY_LAST_CHAR: dict[str, tuple[str, ...]] = {
    ch: tuple(s for s in _SUFFIXES_BY_LENGTH if s[-1] == ch) for ch in {s[-1] for s in _SUFFIXES_BY_LENGTH}
}

# Words that end like an address component but are not one.
_GENERIC = frozenset(
    (  # noqa: SIM905
        "小区 社区 地区 城区 市区 郊区 景区 园区 辖区 片区 街道 马路 公路 "
        "道路 走路 路上 城市 超市 都市 门市 上市 夜市 早市 股市 城里 这里 "
        "那里 哪里 家里 心里 公里 千里 故里 邻里 屋里 村里 县里 市里 区里 "
        "手里 站 车站 网站 站点 加油站 一路 一街 老街 上街 逛街 街坊 大街 "
        "大道 胡同 政府 官府 王府 长城 进城 全城 同城 满城 县城 省城 京城 "
        "商城 古城 城管 新城 本市 全市 该市 此市 我市 本区 全区 该区 我区 "
        "本县 该县 我县 全省 本省 外省 本镇 该镇 全镇 农村 乡村 全村 本村 "
        "同村 该村 家庭 法庭 门庭 苑 花园 公园 广场 大厦 商场 公寓 地铁站 "
        "公交站 火车站 菜市场 农贸市场 新村 山庄 华府 嘉园 家园 公园 校园 园区 幼儿园 动物园 植物园 游乐园 果园 "
        "菜园 庄园 陵园 墓园 乐园 家园 田园 花园 园 "
        # "在电梯里" is where the citizen is, not a 里 (lane) address
        "电梯里 厕所里 卫生间里 房间里 厨房里 车里 水里 河里 井里 楼里 店里 院里 院子里 锅里 包里 梦里 "
        "眼里 嘴里 肚子里 柜子里 楼道里 房里 屋子里 单位里 学校里 公司里 医院里 群里 电话里 被子里 地里"
    ).split()
)
_PROVINCES = (  # noqa: SIM905
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 "
    "江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 "
    "台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
).split()
_CITIES = (  # noqa: SIM905
    "南京 苏州 无锡 常州 南通 扬州 镇江 泰州 徐州 盐城 淮安 宿迁 连云港 "
    "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 台州 合肥 芜湖 福州 厦门 泉州 "
    "南昌 济南 青岛 烟台 潍坊 郑州 洛阳 武汉 宜昌 襄阳 长沙 株洲 广州 "
    "深圳 珠海 佛山 东莞 中山 惠州 汕头 南宁 桂林 海口 三亚 成都 绵阳 "
    "贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐 石家庄 唐山 保定 太原 "
    "大同 沈阳 大连 长春 哈尔滨 呼和浩特 包头"
).split()
_GAZETTEER: dict[str, int] = {**dict.fromkeys(_PROVINCES, PROVINCE), **dict.fromkeys(_CITIES, CITY)}

_STOP = frozenset(
    (  # noqa: SIM905
        "我 你 他 她 它 我们 你们 他们 在 住 住在 是 的 了 到 去 从 于 "
        "位于 给 把 被 说 要 请 帮 问 这 那 这个 那个 就 还 也 都 又 "
        "或 等 为 让 叫 着 过 和 跟 与 及 对 向 往 投诉 举报 反映 地址 "
        "家住 来自 附近 旁边 对面 门口 有 有人 没 没有 不 很 太 又 一直 "
        "现在 今天 昨天 已经 导致 因为 所以 但是 而且 可以 能 会 想 我家 "
        "咨询"
    ).split()
)
_NUM_TOKEN = re.compile(r"^(?:\d+|[一二三四五六七八九十两零百]+)$")
_NUM_UNITS: dict[str, int] = {
    "号": NUMBER,
    "号院": NUMBER,
    "弄": NUMBER,
    "号楼": BUILDING,
    "栋": BUILDING,
    "幢": BUILDING,
    "座": BUILDING,
    "楼": BUILDING,
    "单元": UNIT,
    "室": ROOM,
    "号房": ROOM,
    "层": UNIT,
    "期": ESTATE,
    "号门": SPOT,
    "户": ROOM,
}
_SPOTS = frozenset(
    (  # noqa: SIM905
        "东门 西门 南门 北门 正门 后门 侧门 门口 大门 路口 十字路口 交叉口 地下车库 停车场 附近 对面 旁边 门 号门"
    ).split()
)
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")


# Estate words that make an address on their own (幸福小区, 阳光新村); 某某城 or 某某府 need company.
_STRONG_ESTATE = ("小区", "花园", "家园", "新村", "公寓", "大厦", "山庄", "嘉园", "华府", "苑", "园", "雅居", "公馆")


@dataclass(frozen=True, slots=True)
class Part:
    start: int
    end: int
    level: int
    strong: bool = False


def _suffix_level(token: str) -> int | None:
    """Level of a token that is a whole component (鼓楼区, 宁海路); None if it is not one."""
    if token in _GAZETTEER:
        return _GAZETTEER[token]
    if token in _GENERIC or not _CJK.match(token):
        return None
    for suffix in _SUFFIXES_BY_LAST_CHAR.get(token[-1], ()):
        if token.endswith(suffix) and len(token) > len(suffix):
            head = token[: -len(suffix)]
            if head in _STOP or head[-1] in "的了在是":
                return None
            return _SUFFIX_LEVEL[suffix]
    return None


def _is_name(token: str) -> bool:
    return bool(_CJK.match(token)) and token not in _STOP and token not in _SPOTS


def _component_at(tokens: list[tuple[str, int, int]], i: int) -> tuple[Part, int] | None:
    """The address component starting at token i: (part, index after it), or None."""
    tok, start, end = tokens[i]
    nxt = tokens[i + 1][0] if i + 1 < len(tokens) else ""
    # number + unit: 12号, 3栋, 201室, 三单元
    if _NUM_TOKEN.match(tok) and nxt in _NUM_UNITS:
        return Part(start, tokens[i + 1][2], _NUM_UNITS[nxt]), i + 2
    if re.match(r"^\d+(?:号|栋|幢|室|单元|号楼)$", tok):
        unit = tok.lstrip("0123456789")
        return Part(start, end, _NUM_UNITS.get(unit, NUMBER)), i + 1
    # name (+ name) + bare suffix: 宁海/路, 北京/西路, 阳光/花园
    for span in (1, 2):
        j = i + span
        if j >= len(tokens):
            break
        names = tokens[i:j]
        if not all(_is_name(t[0]) for t in names):
            break
        if sum(len(t[0]) for t in names) > 6:
            break
        suffix = tokens[j][0]
        if suffix in _SUFFIX_LEVEL and "".join(t[0] for t in names) + suffix not in _GENERIC:
            return Part(start, tokens[j][2], _SUFFIX_LEVEL[suffix], suffix in _STRONG_ESTATE), j + 1
    level = _suffix_level(tok)
    if level is not None:
        return Part(start, end, level, tok.endswith(_STRONG_ESTATE)), i + 1
    return None


def _continuation_at(tokens: list[tuple[str, int, int]], i: int) -> tuple[Part, int] | None:
    """Inside an address, a short name piece may precede a component: 岳麓区/麓/山南路, 昆山市/玉/山镇."""
    found = _component_at(tokens, i)
    if found is not None:
        return found
    tok, start, _ = tokens[i]
    if len(tok) <= 2 and _is_name(tok) and i + 1 < len(tokens):
        nxt = _component_at(tokens, i + 1)
        if nxt is not None and nxt[0].level not in (NUMBER, BUILDING, UNIT, ROOM, SPOT):
            return Part(start, nxt[0].end, nxt[0].level, nxt[0].strong), nxt[1]
    return None


def parts_from_tokens(tokens: list[tuple[str, int, int]]) -> list[list[Part]]:
    """Maximal runs of address components (each run is one address)."""
    runs: list[list[Part]] = []
    # Cheap filter: most tokens of a message cannot start an address; skip the full check for them.
    bare = [t[0] in _SUFFIX_LEVEL for t in tokens] + [False, False]
    i = 0
    while i < len(tokens):
        tok = tokens[i][0]
        if not (
            bare[i + 1]
            or bare[i + 2]
            or tok[-1] in _SUFFIXES_BY_LAST_CHAR
            or tok in _GAZETTEER
            or tok[0].isdigit()
            or tok[0] in "一二三四五六七八九十两零百"
        ):
            i += 1
            continue
        found = _component_at(tokens, i)
        if found is None:
            i += 1
            continue
        run = [found[0]]
        i = found[1]
        while i < len(tokens):
            if tokens[i][0] in _SPOTS:
                run.append(Part(tokens[i][1], tokens[i][2], SPOT))
                i += 1
                continue
            nxt = _continuation_at(tokens, i)
            if nxt is not None:
                run.append(nxt[0])
                i = nxt[1]
                continue
            # A bare room number after a unit or building: 3单元502
            if run[-1].level in (UNIT, BUILDING) and tokens[i][0].isdigit() and len(tokens[i][0]) >= 3:
                run.append(Part(tokens[i][1], tokens[i][2], ROOM))
                i += 1
                continue
            break
        runs.append(run)
    return runs


def _keep(run: list[Part]) -> bool:
    named = [p for p in run if p.level not in (NUMBER, BUILDING, UNIT, ROOM, SPOT)]
    if not named:
        return False
    # A single estate-like word ("某某城") needs company to count as an address.
    return len(run) >= 2 or named[0].level <= ROAD or named[0].strong


def extract_from_tokens(text: str, tokens: list[tuple[str, int, int]]) -> list[Span]:
    spans: list[Span] = []
    for run in parts_from_tokens(tokens):
        if not _keep(run):
            continue
        start, end = run[0].start, run[-1].end
        value = re.sub(r"\s+", "", text[start:end])
        spans.append(Span("address", start, end, value))
    return spans


def street_prefix_end(text: str, tokens: list[tuple[str, int, int]], start: int, end: int) -> int:
    """Where the street-level prefix of the address text[start:end] ends (for masking)."""
    keep_to = start
    for run in parts_from_tokens([t for t in tokens if t[1] >= start and t[2] <= end]):
        for part in run:
            if part.level > STREET_LEVEL:
                return keep_to
            keep_to = part.end
    return keep_to
