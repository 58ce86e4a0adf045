"""The walking skeleton through HTTP: web chat in, ticket or emergency instruction out."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

COMPLAINT = "小区门口的垃圾堆了一个星期没人清理，臭得不行"


def send(client: TestClient, text: str, session: str = "s-e2e", message_id: str | None = None) -> Any:
    return client.post(
        "/channels/web/messages",
        json={"session_id": session, "message_id": message_id or uuid.uuid4().hex, "text": text},
    )


def inbox_count(client: TestClient) -> int:
    from sqlalchemy import func, select

    from gateway.store.models import InboundMessage

    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(InboundMessage)).scalar_one())


def test_complaint_gets_a_ticket_and_a_category(gateway_client: TestClient) -> None:
    response = send(gateway_client, COMPLAINT)
    assert response.status_code == 200
    body = response.json()
    order = body["work_order"]
    assert order is not None
    assert order["ticket"].startswith("12345-") and len(order["ticket"].split("-")[2]) == 6
    assert order["category"] in {"城乡建设", "环境保护"}
    assert order["appeal_type"] == "投诉"
    assert order["department"]
    assert body["emergency"] is None
    assert order["ticket"] in body["replies"][-1]["text"]


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("我家厨房着火了", "119"),
        ("救命！有人拿刀在楼下砍人", "110"),
        ("我爸突然倒地不省人事，叫不醒", "120"),
        ("中山路口两辆车撞了，有人受伤流血", "122"),
    ],
)
def test_emergency_is_told_which_number_to_call(gateway_client: TestClient, text: str, service: str) -> None:
    body = send(gateway_client, text).json()
    assert body["emergency"] is not None
    assert service in body["emergency"]["services"]
    assert body["work_order"] is None
    first = body["replies"][0]
    assert first["kind"] == "emergency" and service in first["text"]
    referrals = gateway_client.app.state.runtime.store.emergencies()  # type: ignore[attr-defined]
    assert service in referrals[0]["services"]


@pytest.mark.parametrize("text", ["我家没有着火，就是楼道里电动车充电让人担心", "消防通道被堵了好几天没人管"])
def test_non_emergencies_open_work_orders(gateway_client: TestClient, text: str) -> None:
    body = send(gateway_client, text).json()
    assert body["emergency"] is None
    assert body["work_order"] is not None


def test_same_client_message_id_creates_one_work_order(gateway_client: TestClient) -> None:
    first = send(gateway_client, COMPLAINT, message_id="dup-1").json()
    second = send(gateway_client, COMPLAINT, message_id="dup-1").json()
    assert first == second
    assert gateway_client.app.state.runtime.store.count_work_orders() == 1  # type: ignore[attr-defined]
    assert inbox_count(gateway_client) == 1


def test_greeting_is_answered_without_a_work_order(gateway_client: TestClient) -> None:
    body = send(gateway_client, "你好").json()
    assert body["work_order"] is None and body["emergency"] is None
    assert "12345" in body["replies"][0]["text"]


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b'{"session_id": "s", "message_id": "m", "text": ', 400, "malformed_body"),
        (b'{"session_id": "s", "message_id": "m", "text": "\xff\xfe"}', 400, "malformed_body"),
        (b'{"session_id": "s", "message_id": "m", "text": "   "}', 422, "invalid_payload"),
        (b'{"session_id": "s", "message_id": "m", "text": "hi", "extra": 1}', 422, "invalid_payload"),
        (
            ('{"session_id": "s", "message_id": "m", "text": "' + "投" * 100_000 + '"}').encode(),
            413,
            "payload_too_large",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    gateway_client: TestClient, content: bytes, status: int, code: str
) -> None:
    response = gateway_client.post(
        "/channels/web/messages", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert inbox_count(gateway_client) == 0


def test_websocket_acks_replies_and_resumes_history(gateway_client: TestClient) -> None:
    with gateway_client.websocket_connect("/channels/web/ws?session_id=s-ws") as socket:
        assert socket.receive_json() == {"type": "history", "session_id": "s-ws", "messages": []}
        socket.send_json({"type": "message", "session_id": "s-ws", "message_id": "w1", "text": COMPLAINT})
        assert socket.receive_json() == {"type": "ack", "message_id": "w1"}
        reply = socket.receive_json()
        assert reply["type"] == "reply" and reply["work_order"]["ticket"]
        socket.send_text("{not json")
        assert socket.receive_json()["code"] == "malformed_body"
    with gateway_client.websocket_connect("/channels/web/ws?session_id=s-ws") as socket:
        history = socket.receive_json()
        assert [m["text"] for m in history["messages"]] == [COMPLAINT]
        assert history["messages"][0]["work_order"]["ticket"] == reply["work_order"]["ticket"]


def test_health_readiness_and_chat_page(gateway_client: TestClient) -> None:
    assert gateway_client.get("/healthz").json()["status"] == "ok"
    ready = gateway_client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["store"] == "sqlite"
    page = gateway_client.get("/")
    assert page.status_code == 200 and "12345" in page.text and "/static/chat.js" in page.text


def test_metrics_and_request_ids(gateway_client: TestClient) -> None:
    send(gateway_client, COMPLAINT)
    response = gateway_client.get("/metrics", headers={"X-Request-Id": "trace-42"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-42"
    text = response.text
    assert 'hotline_messages_total{channel="web"}' in text
    assert "hotline_stage_seconds_bucket" in text
    assert 'route="/channels/web/messages"' in text
    assert "hotline_queue_depth" in text
