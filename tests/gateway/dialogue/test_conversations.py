"""Multi-turn conversations through the whole app, as a citizen would have them on the web chat.

Each script is a list of turns. A turn says something and states what the citizen must see: a new ticket,
an emergency instruction, words in the reply. `ANSWER` turns play a citizen who answers whatever detail
the assistant asks for, until it shows the summary to confirm; they check that it asks one thing at a time
and never asks again for what it has.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from classifier.catalogue import load_catalogue

PROMPTS = {detail: prompt for detail, prompt in load_catalogue().detail_prompts.items()}
TICKET = re.compile(r"12345-\d{8}-\d{6}")


@dataclass(frozen=True)
class Say:
    text: str
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    new_ticket: bool | None = None
    emergency: tuple[str, ...] | None = None
    buttons: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RatingRequested:
    """The order was completed and the callback asks this conversation for a 好差评 rating."""


@dataclass(frozen=True)
class Answer:
    """Answer every detail question with these values until the summary appears."""

    values: dict[str, str] = field(default_factory=dict)
    summary_contains: tuple[str, ...] = ()


DEFAULT_ANSWERS = {
    "location": "鼓楼区中山北路88号幸福小区东门",
    "time": "昨天晚上十点左右",
    "contact": "13912345678",
    "employer": "宏达建筑劳务有限公司",
    "organisation": "好邻居超市中山路店",
    "vehicle": "苏A12345",
    "amount": "三万二千元",
    "person": "王经理",
    "school": "鼓楼区第一实验小学",
    "hospital": "市第一人民医院急诊科",
    "order_number": "SF1234567890123",
}

SUMMARY = "请确认"
CONFIDENTIAL_Q = "是否需要对个人信息保密"
DONE = "信息已补充完整"


def appeal(first: str, *, summary: tuple[str, ...] = (), confidential: str = "不需要保密") -> list[Any]:
    return [
        Say(first, contains=("工单号",), new_ticket=True),
        Answer(summary_contains=summary),
        Say("正确", contains=(CONFIDENTIAL_Q,)),
        Say(confidential, contains=(DONE,), new_ticket=False),
    ]


CONVERSATIONS: dict[str, list[Any]] = {
    # Appeals across categories, each ending in a completed work order.
    "rubbish_at_gate": appeal("小区门口的垃圾堆了一个星期没人清理，臭得不行", summary=("地点",)),
    "street_light": appeal("中山北路那一段路灯坏了半个月了，晚上黑漆漆的很危险"),
    "wage_arrears_letter": appeal(
        "尊敬的领导：我是在工地干活的农民工，从今年三月干到八月，包工头一直拖着不发工资，"
        "一共欠我们十几个人四十多万，去劳动监察大队反映过两次也没有结果，眼看要过年了，家里老人孩子都等着用钱，"
        "恳请政府帮我们讨回血汗钱！"
    ),
    "noise_at_night": appeal("楼下广场舞每天晚上放到十点多，音响开得震天响，孩子没法写作业"),
    "food_safety": appeal("在一家小饭馆吃饭吃出了虫子，老板态度还很恶劣，拒绝退钱"),
    "school_fees": appeal("孩子学校要求每个学生交500块钱的资料费，也不给收据，这合理吗？我要投诉"),
    "bus_route": appeal("建议在幸福小区门口增设一个公交站，现在老人要走二十分钟才能坐上车"),
    "rural_subsidy": appeal("我们村的耕地地力保护补贴今年到现在还没发，村干部说不知道怎么回事"),
    "taxi_overcharge": appeal("昨天打出租车从火车站到市区，司机不打表要了我150块，太黑了"),
    "traditional_chars": appeal("我們社區的路燈壞了好幾天，晚上走路很不安全，請盡快派人維修！"),
    "voice_transcript": appeal("喂你好我想反映一下我们小区的电梯老是坏上个礼拜还把人关在里面了物业也不管"),
    "emoji_and_fullwidth": appeal("！！！工地半夜还在施工😡😡ＸＸ路和ＹＹ路交叉口，吵得根本睡不着！！！"),
    "confidential_report": appeal(
        "我要举报我们单位领导利用职权收受好处费，好几个工程都是他亲戚做的", confidential="需要保密"
    ),
    "medical_dispute": appeal("在医院做完手术后伤口一直感染，医院推卸责任不给说法"),
    "pension": appeal("我今年刚退休，养老金核算的数字比同事少了很多，想请人帮忙核实一下"),
    # The phone number in the first message is used; the assistant does not ask for it again.
    "contact_given_upfront": [
        Say(
            "幸福小区东门口的下水道堵了，污水流到马路上，我电话13987654321",
            new_ticket=True,
            absent=(PROMPTS["contact"],),
        ),
        Answer(summary_contains=("139****4321",)),
        Say("对的", contains=(CONFIDENTIAL_Q,)),
        Say("不用保密", contains=(DONE,)),
    ],
    # Corrections: "不对，是..." changes the detail just given.
    "correction_of_contact": [
        Say("中山路菜市场门口占道经营太严重了，车都过不去", new_ticket=True),
        Answer({"contact": "13911112222"}),
        Say("不对，电话是13933334444", contains=(SUMMARY, "139****4444"), absent=("139****2222",)),
        Say("正确", contains=(CONFIDENTIAL_Q,)),
        Say("不需要", contains=(DONE,)),
    ],
    "correction_at_summary": [
        Say("幸福小区5栋楼顶漏水，下雨天家里天花板一直滴水，物业不给修", new_ticket=True),
        Answer(),
        Say("需要修改", contains=("需要修改的内容",)),
        Say("电话是13955556666", contains=(SUMMARY, "139****6666")),
        Say("正确", contains=(CONFIDENTIAL_Q,)),
        Say("不需要保密", contains=(DONE,)),
    ],
    # An emergency in the middle of collecting details overrides everything, then the dialogue goes on.
    "emergency_mid_dialogue": [
        Say("我们楼道里堆满了杂物，物业一直不清理", new_ticket=True),
        Say("天啊楼道里的杂物着火了，好大的烟", emergency=("119",), new_ticket=False),
    ],
    "fire_first": [Say("我家厨房着火了", emergency=("119",), new_ticket=False, contains=("119",))],
    # Only the statistical model sees a fire here: advised to call 119 and the appeal is still taken.
    "model_only_fire": [
        Say("二楼窗户里头红彤彤的一片 还往外冒黑的", emergency=("119",), new_ticket=True, contains=("119", "继续受理"))
    ],
    "robbery": [Say("救命！有人拿刀抢劫，就在中山路地铁站出口", emergency=("110",), new_ticket=False)],
    "stroke": [Say("我奶奶突然说话不清楚，半边身子动不了", emergency=("120",), new_ticket=False)],
    "crash_with_injury": [Say("高架上追尾了三辆车，有个司机头上在流血", emergency=("120", "122"), new_ticket=False)],
    "gas_leak": [Say("家里一股很浓的煤气味，燃气灶关了还是有", emergency=("119",), new_ticket=False)],
    # Hazards and negations are appeals, not emergencies.
    "fire_escape_blocked": [Say("消防通道被私家车堵了好几天，万一着火消防车都进不来", new_ticket=True, emergency=())],
    "negated_fire": [Say("放心不是着火，是隔壁烧烤店的油烟太大熏得整栋楼都是味", new_ticket=True, emergency=())],
    "past_fire_compensation": [
        Say("上个月小区着火把我家车烧了，现在物业和保险公司互相推诿，赔偿怎么办", new_ticket=True, emergency=())
    ],
    "ebike_charging": [Say("有人天天把电动车推进楼道里充电，太危险了，物业也不管", new_ticket=True, emergency=())],
    # Small talk never opens a work order.
    "greeting": [Say("你好", contains=("12345",), new_ticket=False)],
    "thanks": [Say("谢谢你们", contains=("不客气",), new_ticket=False)],
    "goodbye": [Say("好的，再见", new_ticket=False)],
    # Status queries: the ticket number from this conversation, verified by the phone's last four digits.
    "status_query_verified": [
        Say("幸福小区北门的路面塌了一个大坑，电动车都摔了好几辆，我电话13900001111", new_ticket=True),
        Answer(),
        Say("正确"),
        Say("不需要保密", contains=(DONE,)),
        Say("{ticket}办得怎么样了", contains=("后四位",)),
        Say("1111", contains=("当前状态", "受理")),
    ],
    "status_query_wrong_digits": [
        Say("中山路小学门口早上接送孩子的车乱停，堵得水泄不通，电话13900002222", new_ticket=True),
        Say("{ticket}进度", contains=("后四位",)),
        Say("9999", contains=("不一致",), absent=("当前状态",)),
    ],
    "status_query_unknown_ticket": [Say("查一下12345-20200101-000001", contains=("没有找到",), new_ticket=False)],
    "status_query_asks_for_ticket": [
        Say("我想查询一下我之前反映的问题处理得怎么样了", new_ticket=False),
    ],
    # Handoff on request.
    "handoff_request": [Say("转人工", contains=("人工客服",), new_ticket=False)],
    "handoff_request_polite": [Say("我要人工服务，你们机器人说不清楚", contains=("人工客服",), new_ticket=False)],
    # Two appeals in one conversation: a new topic while details are asked opens a second work order.
    "two_topics": [
        Say("我们小区的电梯三天两头坏，物业就是不修", new_ticket=True),
        Say("另外我还要反映，公司拖欠了我三个月工资一直不发，老板电话也不接", new_ticket=True),
    ],
    # Utility outages name the operator's hotline and still open a work order.
    "power_outage": [Say("我们整栋楼从早上停电到现在，也没有任何通知", contains=("95598",), new_ticket=True)],
    "missing_child": [Say("我家孩子在公园里走丢了半个小时了，到处找不到", emergency=("110",), new_ticket=False)],
    # Ratings after completion, on the five 好差评 levels; a poor rating asks for the reason.
    "rating_satisfied": [
        Say("幸福小区西门的井盖丢了，晚上很危险，电话13900003333", new_ticket=True),
        RatingRequested(),
        Say("非常满意", contains=("感谢您的评价", "非常满意")),
    ],
    "rating_unsatisfied_with_reason": [
        Say("中山路的共享单车堆成山把人行道全占了，电话13900004444", new_ticket=True),
        RatingRequested(),
        Say("不满意", contains=("不满意的原因",)),
        Say("问题根本没解决，只是打了个电话敷衍", contains=("已记录您的意见",)),
    ],
    # Declining an optional detail moves on.
    "declines_contact": [
        Say("小区里的流浪狗越来越多了，晚上追着人叫，孩子都不敢出门", new_ticket=True),
        Answer({"contact": "不方便留电话"}, summary_contains=(SUMMARY,)),
    ],
}


def conversation_ids() -> Iterator[str]:
    yield from CONVERSATIONS


@pytest.fixture(scope="module")
def client(trained_models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from gateway.app import create_app
    from gateway.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("conversations"), models_path=trained_models_dir, embedded_workers=2
    )
    with TestClient(create_app(settings)) as app_client:
        yield app_client


_message_ids = itertools.count()


def post(client: TestClient, session: str, text: str) -> dict[str, Any]:
    response = client.post(
        "/channels/web/messages",
        json={"session_id": session, "message_id": f"m{next(_message_ids)}", "text": text},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def reply_text(body: dict[str, Any]) -> str:
    return "\n".join(reply["text"] for reply in body["replies"])


def test_at_least_forty_conversations() -> None:
    assert len(CONVERSATIONS) >= 40


@pytest.mark.parametrize("name", list(conversation_ids()))
def test_conversation(client: TestClient, name: str) -> None:
    session = f"conv-{name}"
    tickets: list[str] = []
    for turn in CONVERSATIONS[name]:
        if isinstance(turn, Answer):
            _answer_until_summary(client, session, turn)
            continue
        if isinstance(turn, RatingRequested):
            _request_rating(client, session, tickets[-1])
            continue
        text = turn.text.replace("{ticket}", tickets[-1] if tickets else "")
        body = post(client, session, text)
        said = reply_text(body)
        for fragment in turn.contains:
            assert fragment in said, f"{name}: expected {fragment!r} after {text!r}, got {said!r}"
        for fragment in turn.absent:
            assert fragment not in said, f"{name}: {fragment!r} should not follow {text!r}: {said!r}"
        if turn.new_ticket is not None:
            assert (body["work_order"] is not None) == turn.new_ticket, f"{name}: {text!r} -> {body}"
        if body["work_order"]:
            tickets.append(body["work_order"]["ticket"])
            assert body["work_order"]["ticket"] in said
        if turn.emergency is not None:
            services = tuple(body["emergency"]["services"]) if body["emergency"] else ()
            for service in turn.emergency:
                assert service in services, f"{name}: {text!r} should go to {service}, got {services}"
            if not turn.emergency:
                assert services == ()


def _answer_until_summary(client: TestClient, session: str, turn: Answer) -> None:
    values = {**DEFAULT_ANSWERS, **turn.values}
    asked: list[str] = []
    last = _last_reply(client, session)
    for _ in range(8):
        if SUMMARY in last:
            for fragment in turn.summary_contains:
                assert fragment in last, f"summary lacks {fragment!r}: {last!r}"
            return
        detail = next((d for d, prompt in PROMPTS.items() if prompt in last), None)
        assert detail is not None, f"expected a detail question or the summary, got {last!r}"
        assert detail not in asked, f"asked twice for {detail}: {last!r}"
        asked.append(detail)
        body = post(client, session, values[detail])
        assert body["work_order"] is None, "answering a detail must not open another work order"
        last = reply_text(body)
    pytest.fail(f"no summary after answering {asked}")


def _last_reply(client: TestClient, session: str) -> str:
    history = client.get(f"/channels/web/sessions/{session}/history").json()["messages"]
    return "\n".join(reply["text"] for reply in history[-1]["replies"])


def _request_rating(client: TestClient, session: str, ticket: str) -> None:
    from gateway.processor import request_rating

    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    conversation_id = runtime.store.find_conversation("web", session)
    client.portal.call(request_rating, runtime.state, conversation_id, ticket, 600)  # type: ignore[union-attr]
    events_before = runtime.store.events_for("work_order", ticket)
    assert not [e for e in events_before if e["kind"] == "work_order.rated"]
