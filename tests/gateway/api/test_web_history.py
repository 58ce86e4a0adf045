"""A reloaded web chat shows what agents replied, in order and marked as theirs, not only the assistant's answers."""

from __future__ import annotations

import uuid
from typing import Any

from tests.gateway.api.conftest import Api

FIRST = "我们楼下的烧烤摊每天开到凌晨两点，油烟直往楼上窜，窗户都不敢开！！"
LATER = "谢谢，那大概什么时候能有结果？"


def test_history_after_reload_includes_agents_replies_in_order(api: Api) -> None:
    session = f"reload-{uuid.uuid4().hex[:8]}"
    opened = api.say(FIRST, session)
    ticket = opened["work_order"]["ticket"]
    reply = f"/api/workorders/{ticket}/reply"
    first = api.post("agent.wang", reply, {"text": "您好，已联系城管中队今晚到现场查看。"})
    second = api.post("agent.zhao", reply, {"text": "补充：执法队员已到场，摊主已承诺整改。"})
    assert first.status_code == 200 and second.status_code == 200
    api.say(LATER, session)

    history = api.client.get(f"/channels/web/sessions/{session}/history").json()["messages"]

    spoken = [(m["from"], m.get("author"), m.get("text") or m["replies"][0]["text"]) for m in history]
    assert spoken == [
        ("citizen", None, FIRST),
        ("agent", "agent.wang", "您好，已联系城管中队今晚到现场查看。"),
        ("agent", "agent.zhao", "补充：执法队员已到场，摊主已承诺整改。"),
        ("citizen", None, LATER),
    ]
    # The assistant's answer to the first message is still there, with the ticket; the agents' entries name it.
    assert any(ticket in reply["text"] for reply in history[0]["replies"])
    assert all(m["message_id"] == f"{ticket}:reply" and m["work_order"]["ticket"] == ticket for m in history[1:3])

    # Another citizen's chat shows none of it.
    other = f"other-{uuid.uuid4().hex[:8]}"
    api.say("小区电梯又坏了，老人上下楼太难了", other)
    others = api.client.get(f"/channels/web/sessions/{other}/history").json()["messages"]
    assert [m["from"] for m in others] == ["citizen"]


def test_internal_notes_are_not_shown_to_the_citizen(api: Api) -> None:
    session = f"notes-{uuid.uuid4().hex[:8]}"
    ticket = api.say(FIRST, session)["work_order"]["ticket"]
    note = api.post("agent.wang", f"/api/workorders/{ticket}/notes", {"text": "内部：摊主是老面孔，上次已警告"})
    assert note.status_code == 201
    history = api.client.get(f"/channels/web/sessions/{session}/history").json()["messages"]
    assert [m["from"] for m in history] == ["citizen"]
    assert "内部" not in str(history)


def test_history_after_reload_shows_the_completion_notice_and_its_rating_buttons_until_rated(api: Api) -> None:
    session = f"done-{uuid.uuid4().hex[:8]}"
    ticket = api.say("幸福路和人民路路口的红绿灯坏了三天了，早晚高峰很乱", session)["work_order"]["ticket"]
    resolved = api.post(
        "agent.wang",
        f"/api/workorders/{ticket}/transitions",
        {"action": "resolve", "reply": "已通知交警支队设施科，信号灯今日下午修复。"},
    )
    assert resolved.status_code == 200, resolved.text

    def history() -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = api.client.get(f"/channels/web/sessions/{session}/history").json()["messages"]
        return messages

    (first, notice) = history()
    assert first["from"] == "citizen"
    assert notice["from"] == "department" and notice["message_id"] == f"{ticket}:completed"
    text, ask = notice["replies"]
    assert "已办结" in text["text"] and "信号灯今日下午修复" in text["text"]
    assert ask["buttons"][0] == "非常满意"

    api.say("满意", session)
    after = history()
    assert [m["from"] for m in after] == ["citizen", "department", "citizen"]
    assert after[1]["replies"][1]["buttons"] == []
