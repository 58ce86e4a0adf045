"""WeChat official account: parsing every message type, the three modes over HTTP, the 5 s rule, quota."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from channels import wechat_oa
from channels.base import Outcome, Recipient, Reply
from channels.errors import InvalidPayload
from channels.wechat_crypto import MessageCrypto, signature
from channels.xmlsafe import parse_flat
from tests.channels.conftest import Kit, make_kit
from tests.channels.fakes import FakeWeChatApi

TOKEN = "hotline12345token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx5823bf96d3bd56c7"
SECRET = "oa-test-secret-0123456789"
ENV = {
    "HOTLINE_WECHAT_OA_TOKEN": TOKEN,
    "HOTLINE_WECHAT_OA_APPID": APPID,
    "HOTLINE_WECHAT_OA_SECRET": SECRET,
    "HOTLINE_WECHAT_OA_AES_KEY": AES_KEY,
    "HOTLINE_WECHAT_OA_MODE": "compatible",
    "HOTLINE_WECHAT_OA_API_BASE": "https://api.weixin.test",
}


def push(msg_type: str, body: str, openid: str = "oHotlineCitizen0001", create: int = 1764316800) -> str:
    return (
        f"<xml><ToUserName><![CDATA[gh_12345hotline]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{create}</CreateTime>"
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>{body}</xml>"
    )


TEXT = push(
    "text",
    "<Content><![CDATA[楼下烧烤店油烟太大，晚上12点还在营业😤]]></Content><MsgId>24560000000000001</MsgId>",
)
VOICE = push(
    "voice",
    "<MediaId><![CDATA[media_v1]]></MediaId><Format><![CDATA[amr]]></Format>"
    "<Recognition><![CDATA[我家小区停水三天了也没有通知]]></Recognition><MsgId>24560000000000002</MsgId>",
)
VOICE_NO_ASR = push("voice", "<MediaId><![CDATA[m2]]></MediaId><Format><![CDATA[amr]]></Format><MsgId>3</MsgId>")
IMAGE = push(
    "image",
    "<PicUrl><![CDATA[http://mmbiz.qpic.cn/x.jpg]]></PicUrl><MediaId><![CDATA[img1]]></MediaId><MsgId>4</MsgId>",
)
LOCATION = push(
    "location",
    "<Location_X>39.915</Location_X><Location_Y>116.404</Location_Y><Scale>15</Scale>"
    "<Label><![CDATA[北京市东城区东长安街]]></Label><MsgId>5</MsgId>",
)
LINK = push(
    "link",
    "<Title><![CDATA[噪音扰民]]></Title><Description><![CDATA[工地夜间施工]]></Description>"
    "<Url><![CDATA[https://mp.weixin.qq.com/s/abc]]></Url><MsgId>6</MsgId>",
)
SUBSCRIBE = push("event", "<Event><![CDATA[subscribe]]></Event>")
CLICK = push("event", "<Event><![CDATA[CLICK]]></Event><EventKey><![CDATA[GUIDE]]></EventKey>")
LOCATION_EVENT = push(
    "event",
    "<Event><![CDATA[LOCATION]]></Event><Latitude>23.137466</Latitude><Longitude>113.352425</Longitude>"
    "<Precision>119.385040</Precision>",
)
VIDEO = push("video", "<MediaId><![CDATA[v]]></MediaId><ThumbMediaId><![CDATA[t]]></ThumbMediaId><MsgId>7</MsgId>")


@pytest.mark.parametrize(
    ("xml", "kind", "text", "external_id"),
    [
        (TEXT, "text", "楼下烧烤店油烟太大，晚上12点还在营业😤", "24560000000000001"),
        (VOICE, "voice", "我家小区停水三天了也没有通知", "24560000000000002"),
        (VOICE_NO_ASR, "voice", "[语音]", "3"),
        (IMAGE, "image", "[图片]", "4"),
        (LOCATION, "location", "[位置] 北京市东城区东长安街 (39.915,116.404)", "5"),
        (LINK, "link", "[链接] 噪音扰民 工地夜间施工 https://mp.weixin.qq.com/s/abc", "6"),
        (SUBSCRIBE, "event", "[事件] subscribe", "oHotlineCitizen0001:1764316800:event"),
        (CLICK, "event", "[事件] CLICK GUIDE", "oHotlineCitizen0001:1764316800:event"),
        (VIDEO, "unknown", "[video]", "7"),
    ],
)
def test_every_message_type_becomes_a_message(xml: str, kind: str, text: str, external_id: str) -> None:
    message = wechat_oa.message_from_fields(parse_flat(xml.encode(), 65536), xml, "wechat_oa", 2000)
    assert (message.kind, message.text, message.external_id) == (kind, text, external_id)
    assert message.sender == message.session_key == "oHotlineCitizen0001"
    assert message.raw == xml
    assert message.meta["to_user"] == "gh_12345hotline"


def test_media_fields_are_kept_in_meta() -> None:
    image = wechat_oa.message_from_fields(parse_flat(IMAGE.encode(), 65536), IMAGE, "wechat_oa", 2000)
    assert image.meta["pic_url"] == "http://mmbiz.qpic.cn/x.jpg"
    assert image.meta["media_id"] == "img1"


@pytest.mark.parametrize(
    "fields", [{"MsgType": "text"}, {"FromUserName": "o1"}, {"FromUserName": "o" * 300, "MsgType": "text"}]
)
def test_pushes_without_sender_or_type_are_refused(fields: dict[str, str]) -> None:
    with pytest.raises(InvalidPayload):
        wechat_oa.message_from_fields(fields, "", "wechat_oa", 2000)


# --- over HTTP -----------------------------------------------------------------------------------


def signed(extra: dict[str, str] | None = None, encrypt: str | None = None, stamp: int | None = None) -> dict[str, str]:
    timestamp = str(int(time.time()) if stamp is None else stamp)
    params = {
        "timestamp": timestamp,
        "nonce": "1029384756",
        "signature": signature(TOKEN, timestamp, "1029384756"),
    }
    if encrypt is not None:
        params |= {"encrypt_type": "aes", "msg_signature": signature(TOKEN, timestamp, "1029384756", encrypt)}
    return params | (extra or {})


def encrypted_body(xml: str) -> tuple[str, str]:
    encrypt = MessageCrypto(AES_KEY, APPID).encrypt(xml)
    return (
        f"<xml><ToUserName><![CDATA[gh_12345hotline]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
        encrypt,
    )


def oa_client(client_for: Callable[..., TestClient], kit: Kit, **env: str) -> TestClient:
    return client_for(wechat_oa, kit, **(ENV | env))


def reply_content(xml: str) -> str:
    return parse_flat(xml.encode(), 65536)["Content"]


def test_server_url_verification_echoes_echostr(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = oa_client(client_for, kit)
    response = client.get("/channels/wechat-oa", params=signed({"echostr": "5837397520786423156"}))
    assert response.status_code == 200
    assert response.text == "5837397520786423156"


@pytest.mark.parametrize(
    "params",
    [
        {
            "echostr": "1",
            "timestamp": "1764316800",
            "nonce": "n",
            "signature": signature(TOKEN, "1764316800", "n"),
        },
        {"echostr": "1", "timestamp": str(int(time.time())), "nonce": "n", "signature": "0" * 40},
        {"echostr": "1"},
    ],
    ids=["replayed-timestamp", "forged-signature", "no-signature"],
)
def test_verification_refuses_forgeries_and_replays(
    kit: Kit, client_for: Callable[..., TestClient], params: dict[str, str]
) -> None:
    response = oa_client(client_for, kit).get("/channels/wechat-oa", params=params)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "signature_invalid"


def test_plaintext_push_gets_a_passive_reply_with_numbered_buttons(
    kit: Kit, client_for: Callable[..., TestClient]
) -> None:
    client = oa_client(client_for, kit)
    response = client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode())
    assert response.status_code == 200
    reply = parse_flat(response.content, 65536)
    assert reply["ToUserName"] == "oHotlineCitizen0001"
    assert reply["FromUserName"] == "gh_12345hotline"
    assert "12345-20261128-000001" in reply["Content"]
    assert "1. 已解决\n2. 未解决" in reply["Content"]
    assert [m.text for m in kit.intake.messages] == ["楼下烧烤店油烟太大，晚上12点还在营业😤"]


def test_safe_mode_push_is_decrypted_and_the_reply_encrypted(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = oa_client(client_for, kit, HOTLINE_WECHAT_OA_MODE="safe")
    body, encrypt = encrypted_body(VOICE)
    params = signed(encrypt=encrypt)
    response = client.post("/channels/wechat-oa", params=params, content=body.encode())
    assert response.status_code == 200
    outer = parse_flat(response.content, 65536)
    assert outer["MsgSignature"] == signature(TOKEN, outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
    inner = MessageCrypto(AES_KEY, APPID).decrypt(outer["Encrypt"])
    assert "12345-20261128-000001" in reply_content(inner)
    message = kit.intake.messages[0]
    assert message.text == "我家小区停水三天了也没有通知"
    assert message.meta["encrypted"] == "1"
    assert message.raw == VOICE


def test_compatible_mode_body_carries_both_and_is_read_encrypted(
    kit: Kit, client_for: Callable[..., TestClient]
) -> None:
    client = oa_client(client_for, kit)
    encrypt = MessageCrypto(AES_KEY, APPID).encrypt(TEXT)
    body = TEXT.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    response = client.post("/channels/wechat-oa", params=signed(encrypt=encrypt), content=body.encode())
    assert response.status_code == 200
    assert "Encrypt" in parse_flat(response.content, 65536)


def test_safe_mode_refuses_plaintext(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = oa_client(client_for, kit, HOTLINE_WECHAT_OA_MODE="safe")
    response = client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode())
    assert response.status_code == 403
    assert kit.intake.messages == []


def test_forged_msg_signature_and_foreign_ciphertext_are_refused(
    kit: Kit, client_for: Callable[..., TestClient]
) -> None:
    client = oa_client(client_for, kit)
    body, encrypt = encrypted_body(TEXT)
    params = signed(encrypt=encrypt) | {"msg_signature": "0" * 40}
    assert client.post("/channels/wechat-oa", params=params, content=body.encode()).status_code == 403
    foreign = MessageCrypto("Z" * 43, APPID).encrypt(TEXT)
    body = f"<xml><Encrypt><![CDATA[{foreign}]]></Encrypt></xml>"
    response = client.post("/channels/wechat-oa", params=signed(encrypt=foreign), content=body.encode())
    assert response.status_code == 403
    assert kit.intake.messages == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"<xml><Content>broken", 400, "malformed_body"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><A>&e;</A></xml>',
            400,
            "malformed_body",
        ),
        (b"<xml><A>" + "投诉".encode() * 40000 + b"</A></xml>", 413, "payload_too_large"),
        (b"<xml><ToUserName>gh</ToUserName></xml>", 422, "invalid_payload"),
        (b"", 400, "malformed_body"),
    ],
    ids=["malformed", "xxe", "oversized", "no-fields", "empty"],
)
def test_bad_bodies_get_clear_errors_never_500(
    kit: Kit, client_for: Callable[..., TestClient], body: bytes, status: int, code: str
) -> None:
    response = oa_client(client_for, kit).post("/channels/wechat-oa", params=signed(), content=body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_replayed_push_is_refused(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    response = oa_client(client_for, kit).post(
        "/channels/wechat-oa", params=signed(stamp=int(time.time()) - 3600), content=TEXT.encode()
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("xml", "expected"),
    [(SUBSCRIBE, "欢迎关注12345"), (CLICK, "办事指南在这里"), (VIDEO, "暂不支持这种消息类型")],
)
def test_events_and_unknown_types_are_answered_without_the_pipeline(
    kit: Kit, client_for: Callable[..., TestClient], xml: str, expected: str
) -> None:
    client = oa_client(client_for, kit, HOTLINE_WECHAT_OA_MENU_TEXTS='{"GUIDE": "办事指南在这里"}')
    response = client.post("/channels/wechat-oa", params=signed(), content=xml.encode())
    assert response.status_code == 200
    assert expected in reply_content(response.text)
    assert kit.intake.messages == []


def test_location_event_is_remembered_for_the_next_message(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = oa_client(client_for, kit)
    assert client.post("/channels/wechat-oa", params=signed(), content=LOCATION_EVENT.encode()).text == "success"
    client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode())
    assert kit.intake.messages[0].meta["reported_location"] == "23.137466,113.352425"


def test_three_retries_of_one_msgid_make_one_message_and_the_same_reply(
    kit: Kit, client_for: Callable[..., TestClient]
) -> None:
    client = oa_client(client_for, kit)
    replies = [client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode()) for _ in range(3)]
    assert len({reply_content(r.text) for r in replies}) == 1
    assert len(kit.intake.messages) == 1


def test_rate_limit_per_openid_answers_politely(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = oa_client(client_for, kit, HOTLINE_WECHAT_OA_RATE_LIMIT_PER_MINUTE="2")
    texts = []
    for index in range(3):
        xml = TEXT.replace("24560000000000001", f"99{index}")
        texts.append(reply_content(client.post("/channels/wechat-oa", params=signed(), content=xml.encode()).text))
    assert "太频繁" in texts[2]
    assert len(kit.intake.messages) == 2


def test_disabled_channel_answers_404(
    kit: Kit, client_for: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOTLINE_WECHAT_OA_TOKEN", raising=False)
    client = client_for(wechat_oa, kit)
    response = client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "channel_disabled"


# --- past the budget: success now, customer-service API later ---------------------------------------


def api_kit() -> tuple[Kit, FakeWeChatApi]:
    fake = FakeWeChatApi(appid=APPID, secret=SECRET)
    return make_kit(fake), fake


def test_slow_pipeline_answers_success_then_sends_through_the_customer_service_api(
    client_for: Callable[..., TestClient],
) -> None:
    kit, fake = api_kit()
    kit.intake.pending = True
    client = oa_client(client_for, kit)
    response = client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode())
    assert response.text == "success"
    # A WeChat retry after `success` must not produce a passive reply too.
    assert client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode()).text == "success"
    outcome = kit.intake.outcomes[("wechat_oa", "24560000000000001")]
    deliver = kit.senders["wechat_oa"]
    client.portal.call(deliver, Recipient("wechat_oa", "oHotlineCitizen0001", "24560000000000001"), outcome)  # type: ignore[union-attr]
    assert [item["touser"] for item in fake.custom_sent] == ["oHotlineCitizen0001"] * 2
    assert "12345-20261128-000001" in fake.texts()[0]
    assert "1. 已解决" in fake.texts()[1]
    assert fake.tokens_issued == 1


def outcome_of(*texts: str) -> Outcome:
    return Outcome(message_id="m", replies=tuple(Reply(text) for text in texts))


async def open_channel(
    kit: Kit, monkeypatch: pytest.MonkeyPatch, app_state: Any = None, **env: str
) -> wechat_oa.WeChatOA:
    for name, value in (ENV | env).items():
        monkeypatch.setenv(name, value)
    from fastapi import FastAPI

    app = FastAPI()
    if app_state:
        app.state.sms_outbound = app_state
    await wechat_oa.setup(app, kit.services)
    channel: wechat_oa.WeChatOA = app.state.wechat_oa
    return channel


async def test_token_is_cached_and_refreshed_once_on_40001(monkeypatch: pytest.MonkeyPatch) -> None:
    kit, fake = api_kit()
    channel = await open_channel(kit, monkeypatch)
    recipient = Recipient("wechat_oa", "oCitizen", "1")
    await channel.quota.opened("oCitizen")
    await channel.deliver(recipient, outcome_of("第一条"))
    await channel.deliver(recipient, outcome_of("第二条"))
    assert fake.tokens_issued == 1
    fake.custom_errors = [40001]
    await channel.deliver(recipient, outcome_of("第三条"))
    assert fake.tokens_issued == 2
    assert fake.texts() == ["第一条", "第二条", "第三条"]


async def test_quota_of_five_then_template_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    kit, fake = api_kit()
    channel = await open_channel(kit, monkeypatch, HOTLINE_WECHAT_OA_TEMPLATE_ID="TPL_reply_001")
    await channel.quota.opened("oCitizen")
    await channel.deliver(Recipient("wechat_oa", "oCitizen", "1"), outcome_of(*[f"第{i}条" for i in range(1, 8)]))
    assert len(fake.custom_sent) == 5
    assert fake.templates_sent[0]["template_id"] == "TPL_reply_001"
    assert fake.templates_sent[0]["data"]["content"]["value"] == "第6条\n第7条"


async def test_window_closed_by_wechat_falls_back_to_sms(monkeypatch: pytest.MonkeyPatch) -> None:
    class Sms:
        def __init__(self) -> None:
            self.sent: list[tuple[str, str]] = []

        async def send(self, phone: str, text: str) -> None:
            self.sent.append((phone, text))

    sms = Sms()
    kit, fake = api_kit()
    fake.custom_errors = [45015]
    channel = await open_channel(kit, monkeypatch, app_state=sms)
    await channel.quota.opened("oCitizen")
    await channel.deliver(Recipient("wechat_oa", "oCitizen", "1", contact="13800138000"), outcome_of("工单已办结"))
    assert sms.sent == [("13800138000", "工单已办结")]


async def test_quota_window_and_count(kit: Kit) -> None:
    from channels.wechat_cs import CustomerServiceQuota

    quota = CustomerServiceQuota(kit.services.sessions, "t", limit=2, window_seconds=100)
    assert await quota.remaining("o1") is None  # no record (expired, or lost with Redis): unknown
    assert await quota.take("o1")  # so the send is tried: WeChat knows the window
    await quota.refused("o1", 45015)  # and its refusal is remembered: no more tries
    assert not await quota.take("o1")
    await quota.opened("o1", now=1000)
    assert await quota.take("o1", now=1050)
    assert await quota.take("o1", now=1060)
    assert not await quota.take("o1", now=1070)
    await quota.opened("o1", now=1080)  # a new citizen message reopens the window
    assert await quota.take("o1", now=1090)
    assert not await quota.take("o1", now=1200)  # 48 h (here 100 s) passed


def test_attempt_that_finishes_after_a_concurrent_one_went_async_stays_silent(
    client_for: Callable[..., TestClient],
) -> None:
    """Two concurrent tries: one ran out of budget (reply by API); the other must not also reply passively."""
    kit, _fake = api_kit()
    original = kit.intake.submit

    async def submit_while_another_try_goes_async(message: Any, budget: float) -> Outcome:
        outcome = await original(message, budget)
        await kit.services.sessions.set(f"wechat_oa:async:{message.external_id}", {"at": 0}, 60)
        return outcome

    kit.intake.submit = submit_while_another_try_goes_async  # type: ignore[method-assign]
    client = oa_client(client_for, kit)
    assert client.post("/channels/wechat-oa", params=signed(), content=TEXT.encode()).text == "success"
