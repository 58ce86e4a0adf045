"""The indicators report on a small month worked out by hand, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from channels.base import Message
from gateway.store import Store
from gateway.workdays import hotline_today
from gateway.workorders.indicators import Period, indicators
from gateway.workorders.lifecycle import Action, Actor, Role
from gateway.workorders.service import WorkOrderService
from gateway.workorders.transitions import TransitionInput
from tests.gateway.workorders.conftest import OpenOrder

AGENT = Actor("agent.wang", Role.AGENT)
CITY = Actor("handler.li", Role.DEPARTMENT, "市城市管理局")


def at(day: Any, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def kb_answered(store: Store, session: str, text: str) -> int:
    record, _ = store.record_inbound(
        Message(channel="web", external_id=f"{session}:kb", session_key=session, sender=session, text=text, raw=text)
    )
    store.complete(
        record.id,
        {"message_id": "kb", "replies": [{"text": "根据《办事指南》……", "buttons": ["已解决"], "kind": "answer"}]},
    )
    return record.id


def test_indicators_by_hand(store: Store, service: WorkOrderService, open_order: OpenOrder) -> None:
    today = hotline_today()
    d = lambda n: today + timedelta(days=n)  # noqa: E731 - a short table helper

    o1 = open_order("路灯坏了", channel="web", appeal_type="投诉", deadline=d(5), address="幸福路")
    o2 = open_order("井盖丢了", channel="sms", appeal_type="求助", deadline=d(2), address="光明路")
    o3 = open_order(
        "河水发臭", channel="wechat_oa", appeal_type="投诉", category_l1="环境保护", deadline=d(-1), address="清水河"
    )
    open_order("欠薪", channel="web", appeal_type="求助", category_l1="劳动和社会保障", deadline=d(10), address=None)
    o5 = open_order("医保咨询", channel="web", appeal_type="咨询", category_l1="卫生计生", deadline=d(3), address=None)
    kb_answered(store, "kb1", "社保卡怎么补办")
    kb2 = kb_answered(store, "kb2", "公积金怎么提取")
    kb_answered(store, "kb3", "居住证怎么办")
    open_order("居住证办不下来，派出所说材料不全", channel="web", deadline=d(10), session="kb3", address=None)
    store.record_emergency(store.get_inbound(kb2), ["119", "120"], "critical", "着火", "fire")  # type: ignore[arg-type]

    clock = service.repo.clock
    # o1 answered on day 1 (deadline day 5): on time, reviewed, called back, 满意.
    service.repo.clock = lambda: at(d(1))
    service.act(o1, Action.RESOLVE, AGENT, TransitionInput(reply="已修复"))
    service.act(o1, Action.APPROVE, AGENT)
    service.act(o1, Action.CALLBACK, AGENT, TransitionInput(rating="满意"))
    # o2 answered on day 4 (deadline day 2): late; no callback; the citizen rates 不满意.
    service.act(o2, Action.DISPATCH, AGENT)
    service.act(o2, Action.SIGN, CITY)
    service.act(o2, Action.START, CITY)
    service.repo.clock = lambda: at(d(4))
    service.act(o2, Action.COMPLETE, CITY, TransitionInput(reply="已补井盖"))
    service.rate(o2, "不满意", "拖了四天")
    # o5 answered today (deadline day 3): on time, reviewed, called back, 基本满意.
    service.repo.clock = lambda: at(today)
    service.act(o5, Action.RESOLVE, AGENT, TransitionInput(reply="新生儿医保在社区办理"))
    service.act(o5, Action.APPROVE, AGENT)
    service.act(o5, Action.CALLBACK, AGENT, TransitionInput(rating="基本满意"))
    service.repo.clock = clock

    report = indicators(store.engine, Period(today, today), as_of=d(3))

    assert report["messages"] == {"total": 9, "by_channel": {"web": 7, "sms": 1, "wechat_oa": 1}, "conversations": 8}
    orders = report["work_orders"]
    assert orders["total"] == 6
    assert orders["by_channel"] == {"web": 4, "sms": 1, "wechat_oa": 1}
    assert orders["by_appeal_type"] == {"求助": 3, "投诉": 2, "咨询": 1}
    assert orders["by_category"] == {"城乡建设": 3, "劳动和社会保障": 1, "卫生计生": 1, "环境保护": 1}
    assert orders["overdue_open"] == 1  # o3, deadline passed, unanswered
    assert report["emergency_referrals"]["total"] == 1
    assert report["emergency_referrals"]["by_service"] == {"119": 1, "120": 1}
    # Self-service: kb1, kb2 answered without an order; 6 conversations opened one (kb3 among them): 2/8.
    assert report["self_service"] == {
        "answered_without_work_order": 2,
        "conversations_with_work_order": 6,
        "rate": 0.25,
    }
    # Due: o1, o2, o5 answered + o3 overdue = 4; on time: o1, o5 = 2.
    assert report["on_time_completion"] == {"due": 4, "on_time": 2, "answered_late": 1, "overdue_open": 1, "rate": 0.5}
    # Rated 满意, 不满意, 基本满意: satisfied 2 of 3.
    assert report["satisfaction"]["rated"] == 3 and report["satisfaction"]["satisfied"] == 2
    assert report["satisfaction"]["rate"] == pytest.approx(0.6667)
    # Answered 3, called back 2.
    assert report["callback"] == {"answered": 3, "called_back": 2, "rate": 0.6667}
    assert o3  # present in the volume, due and overdue

    empty = indicators(store.engine, Period(d(-30), d(-20)), as_of=today)
    assert empty["work_orders"]["total"] == 0
    assert empty["on_time_completion"]["rate"] is None and empty["satisfaction"]["rate"] is None


def test_period_must_be_ordered() -> None:
    today = hotline_today()
    with pytest.raises(ValueError):
        Period(today, today - timedelta(days=1))
