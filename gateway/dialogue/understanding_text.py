"""Small readings of a citizen's reply inside a dialogue: yes/no, corrections, ratings, ticket numbers."""

from __future__ import annotations

import re

# The five levels of the 好差评 rating system, best first, with the words citizens use for them.
RATING_LEVELS: tuple[str, ...] = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
_RATING_WORDS: tuple[tuple[str, str], ...] = (
    ("非常不满意", "非常不满意"),
    ("很不满意", "非常不满意"),
    ("特别不满意", "非常不满意"),
    ("非常满意", "非常满意"),
    ("很满意", "非常满意"),
    ("特别满意", "非常满意"),
    ("基本满意", "基本满意"),
    ("还行", "基本满意"),
    ("一般", "基本满意"),
    ("不满意", "不满意"),
    ("满意", "满意"),
)

TICKET_PATTERN = re.compile(r"\d{5}-\d{8}-\d{6}")
_AFFIRM = re.compile(r"^(是|是的|对|对的|没错|正确|确认|好|好的|可以|嗯|恩|行|要|需要|yes|ok|解决了|已解决|有用)")
_DENY = re.compile(r"^(不是|不对|不用|不要|不需要|没有|否|no|错了|没解决|未解决|不行|没用)")
_CORRECTION = re.compile(r"^(不对|不是|错了|说错了|更正|改一下|应该是)[，,。:： ]*(是|在)?")
_SKIP = re.compile(r"(不方便|不想说|不知道|不清楚|跳过|不提供|没有电话|不留)")
_DIGITS4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")
# How-to and where/whether questions: a 求助 or 投诉 asked this way is often a consultation in disguise
# ("工资不给去哪要", "宽带断了能投诉吗"). Rhetorical 凭什么/为什么 and a bare "？" do not count.
_ASKS = re.compile(
    r"(怎么办|咋办|怎么弄|咋弄|怎么处理|怎么[办补换查领退取申迁开注]|咋[办补换查领退取申迁开注整]|如何|怎样|"
    r"去哪|上哪|在哪|哪里|哪儿|哪个部门|找谁|找哪|谁管|归谁|打哪个|打什么电话|"
    r"能不能|可不可以|可以不|行不行|能否|是否|有没有|要不要|需不需要|"
    r"多久|多长时间|[要需得]几天|几天[能可才]|几个工作日|多少钱|什么材料|要带|带什么|带啥|啥材料|"
    r"(?:能|可以|合法|正常|对|算|行|有用|靠谱|管用)[^，。！？,.!?]{0,8}吗|吗\s*[？?]?\s*$)"
)


def clean(text: str) -> str:
    return text.strip().strip("。.!！~～ ").lower()


def is_affirm(text: str) -> bool:
    value = clean(text)
    return bool(_AFFIRM.match(value)) and not is_deny(value) and len(value) <= 12


def is_deny(text: str) -> bool:
    value = clean(text)
    return bool(_DENY.match(value)) and len(value) <= 16


def correction_value(text: str) -> str | None:
    """ "不对，是东门" -> "东门"; None when the reply is not a correction."""
    value = text.strip()
    match = _CORRECTION.match(value)
    if not match:
        return None
    rest = value[match.end() :].strip(" ，,。")
    return rest or None


def wants_change(text: str) -> bool:
    return any(word in text for word in ("修改", "更改", "改一下", "有误", "不正确")) and len(text) <= 20


def declines_detail(text: str) -> bool:
    return bool(_SKIP.search(text)) and len(text) <= 20


def rating_level(text: str) -> str | None:
    value = clean(text)
    if len(value) > 30:
        return None
    for word, level in _RATING_WORDS:
        if word in value:
            return level
    if value.isdigit() and len(value) == 1 and 1 <= int(value) <= 5:
        return RATING_LEVELS[int(value) - 1]
    return None


def ticket_in(text: str) -> str | None:
    match = TICKET_PATTERN.search(text)
    return match.group(0) if match else None


def four_digits(text: str) -> str | None:
    match = _DIGITS4.search(text)
    return match.group(1) if match else None


def wants_confidential(text: str) -> bool | None:
    value = clean(text)
    if any(word in value for word in ("不用保密", "不需要保密", "无需保密", "公开", "不用")):
        return False
    if any(word in value for word in ("保密", "匿名", "不公开", "需要")):
        return True
    if is_affirm(value):
        return True
    if is_deny(value):
        return False
    return None


# ... unless the citizen asks for something to be done: that is a work order, whatever the phrasing.
_WANTS_ACTION = re.compile(
    r"(我要投诉|投诉一下|我要举报|举报一下|派人|来看看|管一管|管管|有没有人管|没人管|协调|给个说法|答复|尽快|赶紧|抓紧|处理一下|解决一下|"
    r"帮[我咱]们?[^，。！？,.!?]{0,4}(?:要|追|讨|维权|查|修)|请[^，。！？,.!?]{0,8}(?:处理|解决|整治|查处|督促)|"
    r"希望[^，。！？,.!?]{0,10}(?:处理|解决|整治|查处|督促))"
)


# Longer than this it is a letter: an appeal to be handled, even when it ends with a question.
_MAX_QUESTION_CHARS = 150


def asks_how(text: str) -> bool:
    """Whether the message asks how, where, whom or whether (not a rhetorical question, not a request
    for action, not a letter)."""
    if len(text) > _MAX_QUESTION_CHARS:
        return False
    return bool(_ASKS.search(text)) and not _WANTS_ACTION.search(text)
