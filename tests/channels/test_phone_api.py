"""Phone transcripts and the API intake: bearer tokens, validation, the citizen's words, late outcomes."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from channels import api, phone
from channels.base import Outcome, Recipient, Reply
from tests.channels.conftest import Kit, make_kit

PHONE_ENV = {"HOTLINE_PHONE_TOKEN": "voice-platform-token-0123456789"}
API_ENV = {
    "HOTLINE_API_TOKENS": json.dumps(
        {"110": "police-transfer-token-0123456789", "gov": "gov-platform-token-987654321"}
    ),
    "HOTLINE_API_CALLBACKS": json.dumps({"110": "https://110.partner.test/hotline/outcomes"}),
}
VOICE = {"Authorization": "Bearer voice-platform-token-0123456789"}
POLICE = {"Authorization": "Bearer police-transfer-token-0123456789"}
GOV = {"Authorization": "Bearer gov-platform-token-987654321"}

CALL = {
    "call_id": "CALL-20261128-000321",
    "caller": "13800138000",
    "callee": "12345",
    "started_at": "2026-11-28T20:05:00+08:00",
    "ended_at": "2026-11-28T20:08:10+08:00",
    "asr_confidence": 0.87,
    "agent_id": "A-017",
    "segments": [
        {"speaker": "ivr", "text": "您好，这里是12345热线，请讲。", "start": 0.0, "end": 2.1},
        {"speaker": "citizen", "text": "喂，我要反映一下，我们小区电梯又坏了，", "start": 2.5, "end": 6.0},
        {"speaker": "agent", "text": "请问是哪个小区？", "start": 6.2, "end": 7.0},
        {"speaker": "citizen", "text": "阳光花园8栋，老人上不去楼。", "start": 7.3, "end": 10.0},
    ],
}


def test_transcript_uses_the_citizens_words_and_returns_the_outcome(
    kit: Kit, client_for: Callable[..., TestClient]
) -> None:
    client = client_for(phone, kit, **PHONE_ENV)
    response = client.post("/channels/phone/transcripts", json=CALL, headers=VOICE)
    assert response.status_code == 200
    assert response.json()["call_id"] == "CALL-20261128-000321"
    assert response.json()["work_order"]["ticket"] == "12345-20261128-000001"
    (message,) = kit.intake.messages
    assert message.text == "喂，我要反映一下，我们小区电梯又坏了，\n阳光花园8栋，老人上不去楼。"
    assert message.contact == "+8613800138000"
    assert message.kind == "voice"
    assert message.meta["agent_id"] == "A-017"
    client.post("/channels/phone/transcripts", json=CALL, headers=VOICE)
    assert len(kit.intake.messages) == 1  # the voice platform's retry
    history = client.get("/channels/phone/transcripts/CALL-20261128-000321", headers=VOICE).json()
    assert history["messages"][0]["work_order"]["ticket"] == "12345-20261128-000001"


def test_plain_transcript_and_withheld_number(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = client_for(phone, kit, **PHONE_ENV)
    call = {"call_id": "C2", "caller": "anonymous", "transcript": "  我家楼下有人一直在烧垃圾，烟很大  "}
    assert client.post("/channels/phone/transcripts", json=call, headers=VOICE).status_code == 200
    assert kit.intake.messages[0].contact is None
    assert kit.intake.messages[0].text == "我家楼下有人一直在烧垃圾，烟很大"


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        (CALL, {}, 401, "unauthorized"),
        (CALL, {"Authorization": "Bearer wrong"}, 401, "unauthorized"),
        (CALL, {"Authorization": "Basic dm9pY2U6eA=="}, 401, "unauthorized"),
        ({"call_id": "C3"}, VOICE, 422, "invalid_payload"),
        ({"call_id": "C3", "segments": [{"speaker": "agent", "text": "您好"}]}, VOICE, 422, "invalid_payload"),
        ({"call_id": "../etc", "transcript": "x"}, VOICE, 422, "invalid_payload"),
        ({"call_id": "C4", "transcript": "x", "unknown": 1}, VOICE, 422, "invalid_payload"),
        ({"call_id": "C5", "transcript": "投诉" * 15000}, VOICE, 413, "payload_too_large"),
    ],
)
def test_phone_refusals(
    kit: Kit, client_for: Callable[..., TestClient], body: object, headers: dict[str, str], status: int, code: str
) -> None:
    response = client_for(phone, kit, **PHONE_ENV).post("/channels/phone/transcripts", json=body, headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert kit.intake.messages == []


def test_phone_unknown_call_is_404(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    response = client_for(phone, kit, **PHONE_ENV).get("/channels/phone/transcripts/NOPE", headers=VOICE)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


APPEAL = {
    "appeal_id": "110-20261128-0042",
    "title": "邻里噪音纠纷",
    "text": "报警人称楼上住户每晚跳绳到十二点，经民警研判不属于治安案件，转12345处理。",
    "citizen": {"name": "赵先生", "phone": "+86 137 0000 1111"},
    "location": "幸福路88号3单元",
    "category_hint": "噪声污染",
}


def test_api_appeal_is_filed_under_the_tokens_platform(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = client_for(api, kit, **API_ENV)
    response = client.post("/channels/api/appeals", json=APPEAL, headers=POLICE)
    assert response.status_code == 200
    assert response.json()["platform"] == "110"
    (message,) = kit.intake.messages
    assert message.external_id == "110:110-20261128-0042"
    assert message.text.startswith("邻里噪音纠纷\n报警人称") and message.text.endswith("地点：幸福路88号3单元")
    assert message.contact == "+8613700001111"
    # The same id from another platform is another appeal; each platform reads only its own.
    client.post("/channels/api/appeals", json=APPEAL, headers=GOV)
    assert len(kit.intake.messages) == 2
    assert client.get("/channels/api/appeals/110-20261128-0042", headers=GOV).json()["platform"] == "gov"


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (APPEAL, {}, 401),
        (APPEAL, {"Authorization": "Bearer police-transfer-token-012345678"}, 401),
        (APPEAL | {"text": ""}, POLICE, 422),
        (APPEAL | {"citizen": {"phone": "110"}}, POLICE, 422),
        (APPEAL | {"platform": "gov"}, POLICE, 422),
        (APPEAL | {"text": "' OR 1=1; DROP TABLE work_orders; --"}, POLICE, 200),
    ],
)
def test_api_refusals(
    kit: Kit, client_for: Callable[..., TestClient], body: object, headers: dict[str, str], status: int
) -> None:
    response = client_for(api, kit, **API_ENV).post("/channels/api/appeals", json=body, headers=headers)
    assert response.status_code == status


def test_api_malformed_json(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = client_for(api, kit, **API_ENV)
    response = client.post("/channels/api/appeals", content=b"{\xff", headers=POLICE)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "malformed_body")


def test_late_outcomes_go_to_the_platforms_signed_callback(client_for: Callable[..., TestClient]) -> None:
    received: list[httpx.Request] = []

    def partner(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(200, json={"ok": True})

    kit = make_kit(partner)
    client = client_for(api, kit, **API_ENV)
    recipient = Recipient("api", "110", "110:110-20261128-0042", meta={"platform": "110"})
    outcome = Outcome("110:110-20261128-0042", (Reply("已派单至区城管局"),), work_order={"ticket": "T1"})
    client.portal.call(kit.senders["api"], recipient, outcome)  # type: ignore[union-attr]
    (request,) = received
    assert str(request.url) == "https://110.partner.test/hotline/outcomes"
    stamp = request.headers["X-Hotline-Timestamp"]
    mac = hmac.new(b"police-transfer-token-0123456789", stamp.encode() + b"." + request.content, hashlib.sha256)
    assert request.headers["X-Hotline-Signature"] == f"sha256={mac.hexdigest()}"
    assert json.loads(request.content)["outcome"]["work_order"]["ticket"] == "T1"


def test_disabled_without_tokens(
    kit: Kit, client_for: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOTLINE_API_TOKENS", raising=False)
    monkeypatch.delenv("HOTLINE_PHONE_TOKEN", raising=False)
    assert client_for(api, kit).post("/channels/api/appeals", json=APPEAL).status_code == 404
    assert client_for(phone, kit).post("/channels/phone/transcripts", json=CALL).status_code == 404
