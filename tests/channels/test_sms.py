"""SMS: provider push formats, signatures against documented vectors, length rules, opt-out, one reply."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from channels import sms
from channels.base import Outcome, Recipient, Reply
from channels.errors import ChannelError, InvalidPayload
from channels.render import utf16_len
from channels.sms import aliyun, generic, segments, tencent
from channels.sms.numbers import national, normalise
from tests.channels.conftest import Kit, make_kit
from tests.channels.fakes import FakeSmsApis

ENV = {
    "HOTLINE_SMS_ALIYUN_PUSH_TOKEN": "aliyun-push-token-1",
    "HOTLINE_SMS_TENCENT_PUSH_TOKEN": "tencent-push-token-1",
    "HOTLINE_SMS_GENERIC_SECRET": "generic-test-secret",
    "HOTLINE_SMS_GENERIC_SEND_URL": "https://sms-gateway.test/send",
    "HOTLINE_SMS_ALIYUN_ACCESS_KEY_ID": "LTAI-test",
    "HOTLINE_SMS_ALIYUN_ACCESS_KEY_SECRET": "aliyun-test-secret",
    "HOTLINE_SMS_ALIYUN_TEMPLATE_CODE": "SMS_123456789",
    "HOTLINE_SMS_TENCENT_SECRET_ID": "AKID-test",
    "HOTLINE_SMS_TENCENT_SECRET_KEY": "tencent-test-key",
    "HOTLINE_SMS_TENCENT_SDK_APP_ID": "1400000000",
    "HOTLINE_SMS_TENCENT_TEMPLATE_ID": "449739",
}

ALIYUN_PUSH = [
    {
        "phone_number": "13800138000",
        "send_time": "2026-11-28 20:01:02",
        "content": "我们村的路灯坏了半个月了，晚上黑咕隆咚的，麻烦派人修一下",
        "sign_name": "12345热线",
        "dest_code": "1069012345",
        "sequence_id": 8848200001,
    },
    {
        "phone_number": "13900139000",
        "send_time": "2026-11-28 20:01:05",
        "content": "公交車站的廣告牌快掉下來了！！",
        "sign_name": "12345热线",
        "dest_code": "1069012345",
        "sequence_id": 8848200002,
    },
]
TENCENT_PUSH = {
    "extend": "",
    "mobile": "13711112222",
    "nationcode": "86",
    "sign": "12345热线",
    "text": "隔壁装修天天早上七点就开始电钻，投诉！",
    "time": 1764331200,
}


# --- pure parts -------------------------------------------------------------------------------------


def test_aliyun_signature_matches_the_documented_example() -> None:
    # Aliyun's SendSms signature example (AccessKeySecret "testSecret").
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun.sign_v1(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_tc3_signature_matches_the_documented_example() -> None:
    # Tencent Cloud's API 3.0 signing example (CVM DescribeInstances, masked example keys).
    payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
    authorization = tencent.tc3_authorization(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
        "Gu5t9xGARNpq86cd98joQYCN3*******",
        "cvm",
        "cvm.tencentcloudapi.com",
        payload,
        1551113065,
    )
    assert authorization == (
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******/2019-02-25/cvm/tc3_request, "
        "SignedHeaders=content-type;host, "
        "Signature=2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
    )


@pytest.mark.parametrize(
    ("raw", "kwargs", "e164"),
    [
        ("13800138000", {}, "+8613800138000"),
        ("+86 138-0013-8000", {}, "+8613800138000"),
        ("008613800138000", {}, "+8613800138000"),
        ("13711112222", {"country_code": "86"}, "+8613711112222"),
        ("0755-83765566", {}, "+8675583765566"),
        ("91234567", {"region": "HK"}, "+85291234567"),
    ],
)
def test_numbers_are_normalised_to_e164(raw: str, kwargs: dict[str, str], e164: str) -> None:
    assert normalise(raw, **kwargs) == e164


@pytest.mark.parametrize("raw", ["12345", "abc", "", "1380013800"])
def test_invalid_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPayload):
        normalise(raw)


def test_national_form_for_provider_apis() -> None:
    assert national("+8613800138000") == "13800138000"
    assert national("+85291234567") == "0085291234567"


@pytest.mark.parametrize(
    ("text", "opt_out"),
    [
        ("退订", True),
        ("TD", True),
        ("td", True),
        ("ＴＤ", True),
        (" STOP。", True),
        ("t", True),
        ("退订！", True),
        ("我不想退订，我要投诉", False),
        ("TD公司噪音扰民", False),
        ("1", False),
    ],
)
def test_opt_out_words(text: str, opt_out: bool) -> None:
    assert segments.is_opt_out(text) is opt_out


def test_concatenated_sms_keeps_within_parts_times_67_with_signature() -> None:
    text = "您反映的问题已受理，" * 60
    capped = segments.concatenated(text, "12345热线", max_parts=3)
    assert utf16_len(capped) + utf16_len("【12345热线】") == 67 * 3
    assert capped.endswith("…详询12345")
    assert segments.concatenated("短回复", "12345热线", 3) == "短回复"


def test_split_sms_each_within_70_with_signature_and_counter_emoji_intact() -> None:
    text = "工单12345-20261128-000123已办结😀，感谢您对我们工作的支持。" * 4
    parts = segments.split(text, "12345热线", max_parts=5)
    assert len(parts) > 1
    assert all(utf16_len(part) + utf16_len("【12345热线】") <= 70 for part in parts)
    assert parts[0].startswith(f"(1/{len(parts)})")
    joined = "".join(part.split(")", 1)[1] for part in parts)
    assert joined == text
    assert segments.split("好的", "12345热线", 5) == ["好的"]


@pytest.mark.parametrize("mode", ["concatenated", "split"])
def test_long_knowledge_answer_keeps_source_validity_and_feedback_options(mode: str) -> None:
    from channels.base import Outcome, Reply
    from channels.sms.outbound import SmsOutbound
    from channels.sms.settings import SmsSettings

    body = "\n".join(f"{i}. 持身份证到户籍所在地派出所办理，可在政务服务网预约📅。" for i in range(1, 15))
    tail = "来源：《中华人民共和国户口登记条例》\n有效期至：2027-12-31\n这个回答解决您的问题了吗？"
    text = f"【户口簿补领】\n{body}\n{tail}"
    outbound = SmsOutbound(SmsSettings(long_messages=mode), None, None)  # type: ignore[arg-type]
    sent = outbound.text_of(Outcome("m1", (Reply(text, ("解决了", "没解决"), kind="answer"),)))
    assert utf16_len(sent) <= outbound.limit()
    assert sent.startswith("【户口簿补领】\n1. 持身份证")
    assert tail in sent
    assert sent.endswith("1. 解决了\n2. 没解决\n（请回复序号或文字）")


def test_parsers_build_messages_with_e164_senders() -> None:
    messages = aliyun.parse_push(json.dumps(ALIYUN_PUSH, ensure_ascii=False).encode(), "sms", "CN")
    assert [m.external_id for m in messages] == ["aliyun:8848200001", "aliyun:8848200002"]
    assert messages[1].sender == messages[1].contact == "+8613900139000"
    assert messages[1].text == "公交車站的廣告牌快掉下來了！！"
    (message,) = tencent.parse_push(json.dumps(TENCENT_PUSH, ensure_ascii=False).encode(), "sms", "CN")
    assert message.sender == "+8613711112222"
    assert message.external_id.startswith("tencent:+8613711112222:1764331200:")


@pytest.mark.parametrize(
    ("parser", "body"),
    [
        (aliyun.parse_push, b"[]"),
        (aliyun.parse_push, b'[{"phone_number": "13800138000"}]'),
        (aliyun.parse_push, b'[{"phone_number": "1", "content": "x", "sequence_id": 1}]'),
        (aliyun.parse_push, b"\xff\xfe"),
        (tencent.parse_push, b'{"mobile": 13800138000, "text": "x", "time": 1}'),
        (tencent.parse_push, b'["not an object"]'),
        (generic.parse_push, b'{"id": "", "from": "13800138000", "text": "x"}'),
        (generic.parse_push, b'{"id": "1", "from": "13800138000", "text": ["x"]}'),
        (generic.parse_push, b"{bad json"),
    ],
)
def test_bad_pushes_are_refused(parser: Callable[[bytes, str, str], object], body: bytes) -> None:
    with pytest.raises(ChannelError) as caught:
        parser(body, "sms", "CN")
    assert getattr(caught.value, "status", 0) in {400, 422}


# --- over HTTP --------------------------------------------------------------------------------------


def sms_client(client_for: Callable[..., TestClient], kit: Kit, **env: str) -> TestClient:
    return client_for(sms, kit, **(ENV | env))


def apis_kit() -> tuple[Kit, FakeSmsApis]:
    fake = FakeSmsApis()
    return make_kit(fake), fake


def test_aliyun_push_is_acknowledged_and_each_message_answered_by_sms(client_for: Callable[..., TestClient]) -> None:
    kit, fake = apis_kit()
    client = sms_client(client_for, kit, HOTLINE_SMS_OUTBOUND="aliyun")
    body = json.dumps(ALIYUN_PUSH, ensure_ascii=False).encode()
    response = client.post("/channels/sms/aliyun", params={"token": "aliyun-push-token-1"}, content=body)
    assert response.json() == {"code": 0, "msg": "成功"}
    assert [m.text for m in kit.intake.messages] == [item["content"] for item in ALIYUN_PUSH]
    assert [(p, phone) for p, phone, _ in fake.sent] == [("aliyun", "13800138000"), ("aliyun", "13900139000")]
    assert "1. 已解决" in fake.sent[0][2]
    # The provider retries the same push: no new message, no second SMS.
    client.post("/channels/sms/aliyun", params={"token": "aliyun-push-token-1"}, content=body)
    assert len(kit.intake.messages) == 2
    assert len(fake.sent) == 2


def test_tencent_callback_answered_through_tencent_send_sms(client_for: Callable[..., TestClient]) -> None:
    kit, fake = apis_kit()
    client = sms_client(client_for, kit, HOTLINE_SMS_OUTBOUND="tencent", HOTLINE_SMS_LONG_MESSAGES="split")
    body = json.dumps(TENCENT_PUSH, ensure_ascii=False).encode()
    response = client.post("/channels/sms/tencent", params={"token": "tencent-push-token-1"}, content=body)
    assert response.json() == {"result": 0, "errmsg": "OK"}
    assert len(fake.sent) >= 2  # the two replies joined exceed one SMS: split into counted parts
    assert all(phone == "+8613711112222" for _, phone, _ in fake.sent)
    assert all(utf16_len(text) + utf16_len("【12345热线】") <= 70 for text in fake.texts())


def test_generic_push_needs_its_hmac_and_replies_signed(client_for: Callable[..., TestClient]) -> None:
    kit, fake = apis_kit()
    client = sms_client(client_for, kit, HOTLINE_SMS_OUTBOUND="generic")
    body = json.dumps({"id": "gw-1", "from": "+8613600136000", "to": "12345", "text": "噪音扰民"}).encode()
    stamp = str(int(time.time()))
    mac = hmac.new(b"generic-test-secret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    headers = {"X-Hotline-Timestamp": stamp, "X-Hotline-Signature": f"sha256={mac}"}
    assert client.post("/channels/sms/generic", content=body, headers=headers).json() == {"ok": True}
    assert fake.sent[0][:2] == ("generic", "+8613600136000")
    forged = headers | {"X-Hotline-Signature": "sha256=" + "0" * 64}
    assert client.post("/channels/sms/generic", content=body, headers=forged).status_code == 403
    stale = str(int(time.time()) - 3600)
    mac = hmac.new(b"generic-test-secret", stale.encode() + b"." + body, hashlib.sha256).hexdigest()
    replay = {"X-Hotline-Timestamp": stale, "X-Hotline-Signature": f"sha256={mac}"}
    assert client.post("/channels/sms/generic", content=body, headers=replay).status_code == 403


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/channels/sms/aliyun", {"token": "wrong"}, 403, "signature_invalid"),
        ("/channels/sms/aliyun", {}, 403, "signature_invalid"),
        ("/channels/sms/unknown", {}, 404, "channel_disabled"),
    ],
)
def test_unauthenticated_or_unknown_pushes_are_refused(
    kit: Kit, client_for: Callable[..., TestClient], path: str, params: dict[str, str], status: int, code: str
) -> None:
    client = sms_client(client_for, kit)
    response = client.post(path, params=params, content=json.dumps(ALIYUN_PUSH).encode())
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert kit.intake.messages == []


def test_oversized_push_is_refused(kit: Kit, client_for: Callable[..., TestClient]) -> None:
    client = sms_client(client_for, kit, HOTLINE_SMS_MAX_BODY_BYTES="1024")
    response = client.post(
        "/channels/sms/aliyun", params={"token": "aliyun-push-token-1"}, content=b"[" + b" " * 2000 + b"]"
    )
    assert response.status_code == 413


def test_opt_out_stops_every_later_message(client_for: Callable[..., TestClient]) -> None:
    kit, fake = apis_kit()
    client = sms_client(client_for, kit, HOTLINE_SMS_OUTBOUND="aliyun")

    def push(sequence: int, content: str) -> None:
        item = ALIYUN_PUSH[0] | {"sequence_id": sequence, "content": content}
        client.post(
            "/channels/sms/aliyun", params={"token": "aliyun-push-token-1"}, content=json.dumps([item]).encode()
        )

    push(1, "退订")
    assert kit.intake.messages == [] and fake.sent == []
    push(2, "路灯还是没修好")
    assert len(kit.intake.messages) == 1  # the appeal is still recorded
    assert fake.sent == []  # but the number gets no more messages


def test_late_reply_is_pushed_even_after_a_lost_ready_attempt(client_for: Callable[..., TestClient]) -> None:
    # Once per message is the inbox's push claim (tests/reliability); the late sender must not be stopped by
    # the marker of a ready-reply attempt that died before sending, or the reconciler's push is lost.
    kit, fake = apis_kit()
    kit.intake.pending = True
    client = sms_client(client_for, kit, HOTLINE_SMS_OUTBOUND="aliyun")
    client.post(
        "/channels/sms/aliyun", params={"token": "aliyun-push-token-1"}, content=json.dumps(ALIYUN_PUSH[:1]).encode()
    )
    assert fake.sent == []
    client.portal.call(kit.services.dedup.first_seen, "sms:sent:aliyun:8848200001", 3600)
    recipient = Recipient("sms", "+8613800138000", "aliyun:8848200001", contact="+8613800138000")
    outcome = Outcome("aliyun:8848200001", (Reply("已为您登记工单，编号12345-20261128-000009。"),))
    client.portal.call(kit.senders["sms"], recipient, outcome)  # type: ignore[union-attr]
    assert fake.sent == [("aliyun", "13800138000", "已为您登记工单，编号12345-20261128-000009。")]


def test_rate_limit_per_number(client_for: Callable[..., TestClient]) -> None:
    kit, _ = apis_kit()
    client = sms_client(client_for, kit, HOTLINE_SMS_RATE_LIMIT_PER_MINUTE="2")
    for sequence in range(4):
        item = ALIYUN_PUSH[0] | {"sequence_id": 100 + sequence}
        client.post(
            "/channels/sms/aliyun", params={"token": "aliyun-push-token-1"}, content=json.dumps([item]).encode()
        )
    assert len(kit.intake.messages) == 2


def test_disabled_without_credentials(
    kit: Kit, client_for: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    client = client_for(sms, kit)
    response = client.post("/channels/sms/aliyun", content=b"[]")
    assert (response.status_code, response.json()["error"]["code"]) == (404, "channel_disabled")


def test_retried_mo_push_with_a_ready_reply_sends_it_once(client_for: Callable[..., TestClient]) -> None:
    # Providers re-post an MO message they think was not taken; the ready reply must not go out twice.
    kit, fake = apis_kit()
    client = sms_client(client_for, kit, HOTLINE_SMS_OUTBOUND="aliyun")
    for _ in range(2):
        client.post(
            "/channels/sms/aliyun",
            params={"token": "aliyun-push-token-1"},
            content=json.dumps(ALIYUN_PUSH[:1]).encode(),
        )
    assert len(fake.sent) == 1
