"""The dashboard's data: day-by-day series agree with the period's indicators; the open queue; roles."""

from __future__ import annotations

from datetime import timedelta

from gateway.workdays import hotline_today
from tests.gateway.api.conftest import Api

MESSAGES = [
    "我们村的自来水三天没来了，烧饭洗衣都成问题，什么时候能恢复供水？",
    "快来人！十字路口两辆车撞了，有人倒在地上流了很多血",
    "举报：某某饭店后厨老鼠乱窜，卫生太差了，吃完拉肚子",
    "小區門口的垃圾堆了一個星期沒人清理，臭得不行",
]


def test_series_add_up_to_the_period_totals(api: Api) -> None:
    for text in MESSAGES:
        api.say(text)
    body = api.get("sup.chen", "/api/dashboard").json()
    series, totals = body["series"], body["totals"]
    assert len(series["days"]) == 14 and series["days"][-1] == body["period"]["to"]
    assert sum(sum(v) for v in series["messages_by_channel"].values()) == totals["messages"]["total"] == len(MESSAGES)
    assert series["messages_by_channel"]["web"][-1] == len(MESSAGES)
    assert sum(sum(v) for v in series["orders_by_category"].values()) == totals["work_orders"]["total"] >= 3
    assert sum(series["emergency_referrals"]) == totals["emergency_referrals"]["total"] >= 1
    assert len(series["on_time_rate"]) == 14
    queue = body["queue"]
    assert queue["by_status"].get("受理", 0) == queue["total"] == totals["work_orders"]["total"]
    assert queue["overdue"] == 0


def test_period_and_roles(api: Api) -> None:
    today = hotline_today()
    week = api.get("kb.zhou", "/api/dashboard", params={"from": (today - timedelta(days=6)).isoformat()})
    assert week.status_code == 200 and len(week.json()["series"]["days"]) == 7
    backwards = {"from": today.isoformat(), "to": (today - timedelta(days=1)).isoformat()}
    assert api.get("sup.chen", "/api/dashboard", params=backwards).status_code == 422
    too_long = {"from": (today - timedelta(days=200)).isoformat(), "to": today.isoformat()}
    assert api.get("sup.chen", "/api/dashboard", params=too_long).status_code == 422
    assert api.get("agent.wang", "/api/dashboard").status_code == 403
    assert api.client.get("/api/dashboard").status_code == 401


def test_reporting_roles_may_read_it(api: Api) -> None:
    for user in ("sup.chen", "root", "kb.zhou"):
        assert api.get(user, "/api/dashboard").json()["queue"]["total"] == 0
