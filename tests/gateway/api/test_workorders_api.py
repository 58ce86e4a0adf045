"""From a citizen's first message to an archived, rated work order through the API, role by role."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from channels.base import Outcome, Recipient
from tests.gateway.api.conftest import PASSWORD, Api, LinkageServer

COMPLAINT = "幸福小区东门的路灯坏了一个多月了，晚上黑漆漆的，老人不敢出门，麻烦尽快修一下"


def open_ticket(api: Api, text: str = COMPLAINT) -> dict[str, Any]:
    body = api.say(text)
    assert body["work_order"] is not None, body
    return body["work_order"]


def act(api: Api, user: str, ticket: str, action: str, **fields: Any) -> Any:
    return api.post(user, f"/api/workorders/{ticket}/transitions", {"action": action, **fields})


def wait_for(predicate: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_first_message_to_archived_rated_order(api: Api, linkage_server: LinkageServer) -> None:
    order = open_ticket(api)
    ticket = order["ticket"]
    department = order["department"]
    # The order lands in the agent's queue with the actions an agent may take.
    queue = api.get("agent.wang", "/api/queue", params={"status": "受理"}).json()
    item = next(i for i in queue["items"] if i["ticket"] == ticket)
    assert "dispatch" in item["actions"] and "sign" not in item["actions"]
    assert "*" in (item["contact"] or "****")
    assert api.post("agent.wang", f"/api/workorders/{ticket}/claim").json()["assignee"] == "agent.wang"
    dispatched = api.post("agent.wang", f"/api/workorders/{ticket}/dispatch", {"department": "市城市管理局"})
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["order"]["status"] == "派单" and dispatched.json()["previous_status"] == "受理"
    assert department  # the suggestion came from the catalogue

    # The department handler of 市城市管理局 sees it; the water office does not.
    city_queue = api.get("city.li", "/api/queue").json()
    assert [i["ticket"] for i in city_queue["items"]] == [ticket]
    assert api.get("water.sun", "/api/queue").json()["total"] == 0
    assert api.get("water.sun", f"/api/workorders/{ticket}").status_code == 404
    for action in ("sign", "start"):
        assert act(api, "city.li", ticket, action).status_code == 200
    done = act(api, "city.li", ticket, "complete", reply="已更换东门路灯灯泡并检修线路，12月3日晚恢复照明。")
    assert done.json()["order"]["status"] == "办结"
    assert act(api, "agent.wang", ticket, "approve").json()["order"]["status"] == "审核"
    called = act(api, "agent.wang", ticket, "callback", rating="满意", note="电话回访，市民确认已修好")
    assert called.json()["order"]["status"] == "回访" and called.json()["order"]["rating"] == "满意"
    archived = act(api, "agent.wang", ticket, "archive")
    assert archived.json()["order"]["status"] == "归档" and archived.json()["actions"] == []

    detail = api.get("sup.chen", f"/api/workorders/{ticket}").json()
    kinds = [h["kind"] for h in detail["history"]]
    for kind in (
        "work_order.created",
        "work_order.claimed",
        "work_order.dispatch",
        "work_order.sign",
        "work_order.start",
        "work_order.complete",
        "work_order.approve",
        "work_order.callback",
        "work_order.archive",
    ):
        assert kind in kinds
    actors = {h["kind"]: h["actor"] for h in detail["history"]}
    assert actors["work_order.sign"] == "city.li" and actors["work_order.approve"] == "agent.wang"
    # The rating goes to the 好差评 endpoint.
    wait_for(lambda: any(path == "/rating" for path, _b, _h in linkage_server.received))
    _path, body, headers = next(r for r in linkage_server.received if r[0] == "/rating")
    assert body["ticket"] == ticket and body["rating"] == "满意"
    assert headers["Authorization"] == "Bearer linkage-test-token"


def test_roles_are_enforced(api: Api) -> None:
    ticket = open_ticket(api)["ticket"]
    assert api.client.get("/api/queue").status_code == 401
    bad = api.client.get("/api/queue", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "invalid_token"
    assert bad.headers["www-authenticate"] == "Bearer"
    # Maintainers work on knowledge and models, not on citizens' orders.
    assert api.get("kb.zhou", "/api/queue").status_code == 403
    assert api.get("kb.zhou", f"/api/workorders/{ticket}").status_code == 403
    # Departments handle; they do not dispatch, claim or reclassify.
    refused = api.post("city.li", f"/api/workorders/{ticket}/dispatch")
    assert refused.status_code in (403, 404)
    assert api.post("city.li", f"/api/workorders/{ticket}/claim").status_code == 403
    # Agents do not approve extensions or supervise.
    assert act(api, "agent.wang", ticket, "approve_extension").status_code == 403
    # Illegal transitions are refused with a code and leave the order alone.
    illegal = act(api, "agent.wang", ticket, "archive")
    assert illegal.status_code == 409 and illegal.json()["error"]["code"] == "illegal_transition"
    unknown = act(api, "agent.wang", ticket, "teleport")
    assert unknown.status_code == 422
    # Claimed orders stay with their agent until a supervisor takes over.
    api.post("agent.wang", f"/api/workorders/{ticket}/claim")
    taken = api.post("agent.zhao", f"/api/workorders/{ticket}/claim")
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "already_claimed"
    over = api.post("sup.chen", f"/api/workorders/{ticket}/claim", {"take_over": True})
    assert over.status_code == 200 and over.json()["assignee"] == "sup.chen"
    # Accounts are managed by admins only.
    assert api.get("agent.wang", "/api/users").status_code == 403
    assert {u["username"] for u in api.get("root", "/api/users").json()} >= {"agent.wang", "city.li"}


def test_return_and_redispatch_extension_and_notes(api: Api) -> None:
    ticket = open_ticket(api, "小区供水管道老化，这个月已经停水三次了，希望尽快更换管道")["ticket"]
    api.post("agent.wang", f"/api/workorders/{ticket}/dispatch", {"department": "市城市管理局"})
    missing = act(api, "city.li", ticket, "return")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "missing_field"
    assert act(api, "city.li", ticket, "return", reason="供水管网归水务局").json()["order"]["status"] == "退单"
    again = api.post("agent.wang", f"/api/workorders/{ticket}/dispatch", {"department": "市水务局"})
    assert again.json()["order"]["department"] == "市水务局"
    assert act(api, "water.sun", ticket, "sign").status_code == 200
    asked = act(api, "water.sun", ticket, "request_extension", days=2, reason="需停水施工，提前公告")
    assert asked.json()["order"]["extension_days"] == 2
    before = asked.json()["order"]["deadline"]
    approved = act(api, "sup.chen", ticket, "approve_extension")
    assert approved.json()["order"]["deadline"] > before and approved.json()["order"]["extension_days"] is None
    note = api.post("water.sun", f"/api/workorders/{ticket}/notes", {"text": "已安排抢修队"})
    assert note.status_code == 201
    detail = api.get("water.sun", f"/api/workorders/{ticket}").json()
    assert [n["text"] for n in detail["notes"]] == ["已安排抢修队"]
    assert detail["order"]["contact"] is None or "*" not in detail["order"]["contact"]


def test_reclassify_is_training_feedback(api: Api) -> None:
    ticket = open_ticket(api, "楼下烧烤店油烟太大了，我电话13912345678，天天熏得窗户都不敢开")["ticket"]
    bad = api.post(
        "agent.wang",
        f"/api/workorders/{ticket}/reclassify",
        {"appeal_type": "投诉", "category_l1": "不存在的分类", "category_l2": "其他"},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_value"
    fixed = api.post(
        "agent.wang",
        f"/api/workorders/{ticket}/reclassify",
        {"appeal_type": "投诉", "category_l1": "环境保护", "category_l2": "环境污染"},
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["category_l1"] == "环境保护"
    rows = [json.loads(line) for line in api.feedback_path.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert row["intent"] == "投诉" and row["category"] == "环境保护/环境污染"
    assert row["agent"] == "agent.wang" and row["ticket"] == ticket
    # The text is training data: personal data is masked before it is written.
    assert "13912345678" not in row["text"] and "油烟" in row["text"]


def test_reply_goes_out_through_the_originating_channel(api: Api) -> None:
    ticket = open_ticket(api)["ticket"]
    sent: list[tuple[Recipient, Outcome]] = []

    async def capture(recipient: Recipient, outcome: Outcome) -> None:
        sent.append((recipient, outcome))

    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    original = runtime.senders["web"]
    runtime.senders["web"] = capture
    try:
        response = api.post("agent.wang", f"/api/workorders/{ticket}/reply", {"text": "您好，已转城管部门处理。"})
    finally:
        runtime.senders["web"] = original
    assert response.status_code == 200 and response.json()["channel"] == "web"
    recipient, outcome = sent[0]
    assert recipient.channel == "web" and outcome.replies[0].text == "您好，已转城管部门处理。"
    notes = api.get("agent.wang", f"/api/workorders/{ticket}").json()["notes"]
    assert notes[-1]["kind"] == "reply"
    assert api.post("city.li", f"/api/workorders/{ticket}/reply", {"text": "x"}).status_code == 403


def test_api_tokens_for_systems(api: Api) -> None:
    created = api.post(
        "root", "/api/users", {"username": "water-backoffice", "role": "department", "department": "市水务局"}
    )
    assert created.status_code == 201, created.text
    issued = api.post("root", "/api/auth/api-tokens", {"name": "sync", "username": "water-backoffice"})
    assert issued.status_code == 201
    token = issued.json()["token"]
    me = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "water-backoffice" and me["department"] == "市水务局"
    assert api.post("agent.wang", "/api/auth/api-tokens", {"name": "x", "username": "root"}).status_code == 403
    api.client.delete(f"/api/auth/api-tokens/{issued.json()['id']}", headers=api.auth("root"))
    assert api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    wrong = api.client.post("/api/auth/token", data={"username": "agent.wang", "password": PASSWORD + "x"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    ("text", "service"), [("我家厨房着火了，火很大", "119"), ("我爸突然倒地不省人事，叫不醒", "120")]
)
def test_emergency_referral_is_pushed_to_the_linkage_endpoint(
    api: Api, linkage_server: LinkageServer, text: str, service: str
) -> None:
    body = api.say(text)
    assert body["emergency"] and service in body["emergency"]["services"]
    wait_for(lambda: any(path == f"/{service}" for path, _b, _h in linkage_server.received))
    _path, payload, headers = next(r for r in linkage_server.received if r[0] == f"/{service}")
    assert payload["type"] == "emergency_referral" and payload["target"] == service
    assert payload["text"] == text
    assert headers["Idempotency-Key"].startswith("emergency-")
    wait_for(lambda: api.services.store.emergencies()[0]["linkage_status"] == "pushed")
    listed = api.get("sup.chen", "/api/linkage/deliveries").json()
    assert listed[0]["status"] == "delivered" and listed[0]["target"] == service
    assert api.get("agent.wang", "/api/emergencies").json()[0]["linkage_status"] == "pushed"


def test_completion_reaches_the_citizen_who_rates_in_the_conversation(api: Api, linkage_server: LinkageServer) -> None:
    session = "citizen-rates-1"
    ticket = api.say("幸福小区西门的井盖丢了，晚上很危险，电话13900003333", session=session)["work_order"]["ticket"]
    sent: list[Outcome] = []
    runtime = api.client.app.state.runtime  # type: ignore[attr-defined]
    original = runtime.senders["web"]

    async def capture(recipient: Recipient, outcome: Outcome) -> None:
        sent.append(outcome)
        await original(recipient, outcome)

    runtime.senders["web"] = capture
    try:
        resolved = act(api, "agent.wang", ticket, "resolve", reply="已通知市政养护单位补装井盖，今日完成。")
    finally:
        runtime.senders["web"] = original
    assert resolved.status_code == 200 and resolved.json()["citizen_notified"] is True
    notice = sent[0]
    assert "已办结" in notice.replies[0].text and "补装井盖" in notice.replies[0].text
    assert notice.replies[1].buttons[0] == "非常满意"
    # The citizen answers in the same conversation; the rating reaches the order at once (nothing left to sweep).
    thanks = api.say("非常满意", session=session)
    assert "感谢您的评价" in thanks["replies"][0]["text"]
    assert api.get("agent.wang", f"/api/workorders/{ticket}").json()["order"]["rating"] == "非常满意"
    swept = api.post("sup.chen", "/api/workorders/sweep").json()
    assert swept["rated"] == []
    assert act(api, "agent.wang", ticket, "approve").status_code == 200
    assert act(api, "agent.wang", ticket, "callback", note="市民已评价").json()["order"]["rating"] == "非常满意"
    assert act(api, "agent.wang", ticket, "archive").json()["order"]["status"] == "归档"
    wait_for(lambda: any(b.get("ticket") == ticket for p, b, _h in linkage_server.received if p == "/rating"))


def test_event_stream_needs_a_role_with_orders(api: Api) -> None:
    assert api.client.get("/api/events").status_code == 401
    refused = api.get("kb.zhou", "/api/events")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "action_forbidden"
