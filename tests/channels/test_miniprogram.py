"""WeChat mini-program: JSON and XML pushes, plaintext and safe mode, replies only through the API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from channels import miniprogram
from channels.base import Outcome, Recipient, Reply
from channels.wechat_crypto import MessageCrypto, signature
from channels.wechat_envelope import parse_xml_or_json
from tests.channels.conftest import Kit, make_kit
from tests.channels.fakes import FakeWeChatApi

TOKEN = "miniprogram-token-42"
AES_KEY = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"
APPID = "wxb7a1c0ffee12345f"
SECRET = "mp-test-secret-0123456789"
ENV = {
    "HOTLINE_MINIPROGRAM_TOKEN": TOKEN,
    "HOTLINE_MINIPROGRAM_APPID": APPID,
    "HOTLINE_MINIPROGRAM_SECRET": SECRET,
    "HOTLINE_MINIPROGRAM_AES_KEY": AES_KEY,
    "HOTLINE_MINIPROGRAM_MODE": "compatible",
    "HOTLINE_MINIPROGRAM_API_BASE": "https://api.weixin.test",
}

TEXT_JSON = {
    "ToUserName": "gh_mp12345",
    "FromUserName": "oMpCitizen0001",
    "CreateTime": 1764316800,
    "MsgType": "text",
    "Content": "我想咨询一下新生儿落户需要带哪些材料？",
    "MsgId": 24561234567890123456,
}
IMAGE_JSON = {
    "ToUserName": "gh_mp12345",
    "FromUserName": "oMpCitizen0001",
    "CreateTime": 1764316801,
    "MsgType": "image",
    "PicUrl": "https://mmbiz.qpic.cn/mp.jpg",
    "MediaId": "media_mp_1",
    "MsgId": 24561234567890123457,
}
CARD_JSON = {
    "ToUserName": "gh_mp12345",
    "FromUserName": "oMpCitizen0001",
    "CreateTime": 1764316802,
    "MsgType": "miniprogrampage",
    "MsgId": 24561234567890123458,
    "Title": "我的工单",
    "AppId": APPID,
    "PagePath": "pages/ticket/detail?id=12345-20261128-000001",
    "ThumbUrl": "",
    "ThumbMediaId": "thumb_1",
}
ENTER_JSON = {
    "ToUserName": "gh_mp12345",
    "FromUserName": "oMpCitizen0001",
    "CreateTime": 1764316803,
    "MsgType": "event",
    "Event": "user_enter_tempsession",
    "SessionFrom": "ticket_page",
}
TEXT_XML = (
    "<xml><ToUserName><![CDATA[gh_mp12345]]></ToUserName><FromUserName><![CDATA[oMpCitizen0002]]></FromUserName>"
    "<CreateTime>1764316900</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[社保卡丢了怎么补办]]></Content><MsgId>24561234567890129999</MsgId></xml>"
)


@pytest.mark.parametrize(
    ("payload", "kind", "text", "external_id"),
    [
        (TEXT_JSON, "text", "我想咨询一下新生儿落户需要带哪些材料？", "24561234567890123456"),
        (IMAGE_JSON, "image", "[图片]", "24561234567890123457"),
        (
            CARD_JSON,
            "link",
            "[小程序卡片] 我的工单 pages/ticket/detail?id=12345-20261128-000001",
            "24561234567890123458",
        ),
        (ENTER_JSON, "event", "[事件] user_enter_tempsession", "oMpCitizen0001:1764316803:event"),
    ],
)
def test_json_pushes_become_messages(payload: dict[str, object], kind: str, text: str, external_id: str) -> None:
    raw = json.dumps(payload, ensure_ascii=False)
    message = miniprogram.message_from_push(parse_xml_or_json(raw.encode(), 65536), raw, 2000)
    assert (message.channel, message.kind, message.text, message.external_id) == (
        "miniprogram",
        kind,
        text,
        external_id,
    )


def test_card_and_session_fields_are_kept() -> None:
    raw = json.dumps(CARD_JSON)
    card = miniprogram.message_from_push(parse_xml_or_json(raw.encode(), 65536), raw, 2000)
    assert card.meta["page_path"].startswith("pages/ticket/detail")
    raw = json.dumps(ENTER_JSON)
    enter = miniprogram.message_from_push(parse_xml_or_json(raw.encode(), 65536), raw, 2000)
    assert enter.meta["session_from"] == "ticket_page"


def signed(encrypt: str | None = None, stamp: int | None = None) -> dict[str, str]:
    timestamp = str(int(time.time()) if stamp is None else stamp)
    params = {"timestamp": timestamp, "nonce": "5566", "signature": signature(TOKEN, timestamp, "5566")}
    if encrypt is not None:
        params |= {"encrypt_type": "aes", "msg_signature": signature(TOKEN, timestamp, "5566", encrypt)}
    return params


def mp_kit() -> tuple[Kit, FakeWeChatApi]:
    fake = FakeWeChatApi(appid=APPID, secret=SECRET)
    return make_kit(fake), fake


def mp_client(client_for: Callable[..., TestClient], kit: Kit, **env: str) -> TestClient:
    return client_for(miniprogram, kit, **(ENV | env))


def drain(client: TestClient) -> None:
    client.portal.call(client.app.state.miniprogram.drain)  # type: ignore[union-attr,attr-defined]


def test_json_push_answers_success_and_replies_through_the_api(client_for: Callable[..., TestClient]) -> None:
    kit, fake = mp_kit()
    client = mp_client(client_for, kit)
    body = json.dumps(TEXT_JSON, ensure_ascii=False).encode()
    response = client.post("/channels/miniprogram", params=signed(), content=body)
    assert response.text == "success"
    drain(client)
    assert [item["touser"] for item in fake.custom_sent] == ["oMpCitizen0001", "oMpCitizen0001"]
    assert "12345-20261128-000001" in fake.texts()[0]
    # WeChat's retry of the same MsgId: no new message, no new reply.
    client.post("/channels/miniprogram", params=signed(), content=body)
    drain(client)
    assert len(kit.intake.messages) == 1 and len(fake.custom_sent) == 2


def test_safe_mode_json_and_xml_pushes(client_for: Callable[..., TestClient]) -> None:
    kit, _fake = mp_kit()
    client = mp_client(client_for, kit, HOTLINE_MINIPROGRAM_MODE="safe")
    crypto = MessageCrypto(AES_KEY, APPID)
    encrypt = crypto.encrypt(json.dumps(TEXT_JSON, ensure_ascii=False))
    body = json.dumps({"ToUserName": "gh_mp12345", "Encrypt": encrypt}).encode()
    assert client.post("/channels/miniprogram", params=signed(encrypt), content=body).text == "success"
    encrypt = crypto.encrypt(TEXT_XML)
    body = f"<xml><ToUserName><![CDATA[gh_mp12345]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    assert client.post("/channels/miniprogram", params=signed(encrypt), content=body.encode()).text == "success"
    assert [m.text for m in kit.intake.messages] == ["我想咨询一下新生儿落户需要带哪些材料？", "社保卡丢了怎么补办"]
    # Safe mode refuses the same push in plaintext.
    plain = json.dumps(TEXT_JSON).encode()
    assert client.post("/channels/miniprogram", params=signed(), content=plain).status_code == 403


def test_entering_the_chat_sends_the_welcome_without_a_work_order(client_for: Callable[..., TestClient]) -> None:
    kit, fake = mp_kit()
    client = mp_client(client_for, kit)
    response = client.post("/channels/miniprogram", params=signed(), content=json.dumps(ENTER_JSON).encode())
    assert response.text == "success"
    drain(client)
    assert kit.intake.messages == []
    assert "12345政务服务便民热线" in fake.texts()[0]


@pytest.mark.parametrize(
    ("body", "params", "status"),
    [
        (b'{"FromUserName": "o", "MsgType": "text"', None, 400),
        (b'{"FromUserName": ["o"], "MsgType": "text"}', None, 422),
        (b"[1, 2]", None, 422),
        (json.dumps(TEXT_JSON).encode(), {"timestamp": "1764316800", "nonce": "1", "signature": "0" * 40}, 403),
        (b"{" + b" " * 70000 + b"}", None, 413),
    ],
    ids=["malformed", "nested-field", "not-object", "forged-replayed", "oversized"],
)
def test_bad_pushes(
    kit: Kit, client_for: Callable[..., TestClient], body: bytes, params: dict[str, str] | None, status: int
) -> None:
    response = mp_client(client_for, kit).post("/channels/miniprogram", params=params or signed(), content=body)
    assert response.status_code == status
    assert kit.intake.messages == []


def test_verification_get(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = mp_client(client_for, kit)
    assert client.get("/channels/miniprogram", params=signed() | {"echostr": "abc123"}).text == "abc123"


async def test_quota_used_up_falls_back_to_sms(monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi import FastAPI

    class Sms:
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []

        async def send(self, phone: str, text: str) -> None:
            self.sent.append((phone, text))

    for name, value in (ENV | {"HOTLINE_MINIPROGRAM_CS_QUOTA": "1"}).items():
        monkeypatch.setenv(name, value)
    kit, fake = mp_kit()
    app = FastAPI()
    app.state.sms_outbound = Sms()
    await miniprogram.setup(app, kit.services)
    channel: miniprogram.MiniProgram = app.state.miniprogram
    await channel.quota.opened("oMp")
    outcome = Outcome("m1", (Reply("第一条"), Reply("第二条")))
    await channel.deliver(Recipient("miniprogram", "oMp", "m1", contact="+8613800138000"), outcome)
    assert fake.texts() == ["第一条"]
    assert app.state.sms_outbound.sent == [("+8613800138000", "第二条")]


def test_disabled(kit: Kit, client_for: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTLINE_MINIPROGRAM_TOKEN", raising=False)
    response = client_for(miniprogram, kit).post("/channels/miniprogram", content=b"{}")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "channel_disabled")
