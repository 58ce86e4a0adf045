"""The pages and the widget script are served; the console's helper endpoints (catalogue, conversation,
classification) answer by role and mask a 保密 citizen's data for departments."""

from __future__ import annotations

import pytest

from gateway.workorders.lifecycle import Actor, Role
from tests.gateway.api.conftest import Api

LETTER = (
    "我叫王建国，电话13912345678。幸福小区东门的路灯坏了一个多月了，晚上黑漆漆的，"
    "上周我妈在门口摔了一跤，麻烦尽快修一下！！"
)


PAGES = {
    "/console": "12345 坐席工作台",
    "/maintain": "知识与模型维护",
    "/dashboard": "运行看板",
    "/": 'id="composer"',
}


def test_pages_are_served_as_utf8_html_with_their_assets(api: Api) -> None:
    for path, marker in PAGES.items():
        response = api.client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert marker in response.text
        for asset in [part.split('"')[0] for part in response.text.split("/static/")[1:]]:
            assert api.client.get("/static/" + asset).status_code == 200, (path, asset)


def test_widget_script_is_javascript_any_site_may_load(api: Api) -> None:
    response = api.client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["access-control-allow-origin"] == "*"
    assert "data-base" in response.text and "/?embed=1" in response.text


def test_catalogue_lists_categories_with_departments(api: Api) -> None:
    body = api.get("agent.wang", "/api/catalogue").json()
    assert "投诉" in body["appeal_types"] and "意见建议" in body["appeal_types"]
    urban = next(c for c in body["categories"] if c["l1"] == "城乡建设")
    assert all(entry["department"] and entry["deadline_working_days"] > 0 for entry in urban["l2"])
    assert api.client.get("/api/catalogue").status_code == 401


def test_conversation_and_classification_for_the_agent(api: Api) -> None:
    ticket = api.say(LETTER)["work_order"]["ticket"]
    convo = api.get("agent.wang", f"/api/workorders/{ticket}/conversation").json()
    assert convo["masked"] is False
    first = convo["messages"][0]
    assert first["this_order"] is True and "13912345678" in first["text"]
    assert any(r["kind"] == "ticket" and ticket in r["text"] for r in first["replies"])

    clf = api.get("agent.wang", f"/api/workorders/{ticket}/classification").json()
    assert clf["order"]["category_l1"] and clf["alternatives"]
    confidences = [a["confidence"] for a in clf["alternatives"]]
    assert confidences == sorted(confidences, reverse=True)
    assert all(a["department"] for a in clf["alternatives"])
    assert api.get("kb.zhou", f"/api/workorders/{ticket}/classification").status_code == 403


def test_department_sees_a_confidential_citizen_masked(api: Api) -> None:
    ticket = api.say(LETTER)["work_order"]["ticket"]
    assert (
        api.post("agent.wang", f"/api/workorders/{ticket}/dispatch", {"department": "市城市管理局"}).status_code == 200
    )
    plain = api.get("city.li", f"/api/workorders/{ticket}/conversation").json()
    assert plain["masked"] is False and "13912345678" in plain["messages"][0]["text"]

    api.services.store.update_work_order(ticket, confidential=True, actor="citizen")
    hidden = api.get("city.li", f"/api/workorders/{ticket}/conversation").json()
    assert hidden["masked"] is True
    text = hidden["messages"][0]["text"]
    assert "13912345678" not in text and "王建国" not in text and "路灯" in text
    assert api.get("agent.wang", f"/api/workorders/{ticket}/conversation").json()["masked"] is False
    assert api.get("water.sun", f"/api/workorders/{ticket}/conversation").status_code == 404
    # The order itself tells the department what and where, not who.
    order = api.get("city.li", f"/api/workorders/{ticket}").json()["order"]
    assert "13912345678" not in order["description"] and "王建国" not in order["description"]
    assert "路灯" in order["description"]
    assert not [e for e in order["entities"] if e["type"] in {"phone", "id_card", "person"}]
    assert "13912345678" in api.get("agent.wang", f"/api/workorders/{ticket}").json()["order"]["description"]


@pytest.mark.parametrize(
    ("role", "confidential", "sees"),
    [
        (Role.AGENT, True, True),
        (Role.SUPERVISOR, True, True),
        (Role.DEPARTMENT, False, True),
        (Role.DEPARTMENT, True, False),
        (Role.DEPARTMENT, None, True),
    ],
)
def test_personal_data_rule(role: Role, confidential: bool | None, sees: bool) -> None:
    from dataclasses import dataclass

    from gateway.api.desk import sees_personal_data

    @dataclass
    class Order:
        confidential: bool | None

    assert sees_personal_data(Actor("x", role, "市城市管理局"), Order(confidential)) is sees  # type: ignore[arg-type]
