"""Property tests: whatever bytes arrive, every channel parser answers a Message or a ChannelError, never
anything else (which the gateway would turn into a 500)."""

from __future__ import annotations

import json
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from channels import api, phone
from channels.base import Message
from channels.errors import ChannelError
from channels.mailbox.mime import parse_mail
from channels.render import truncate, utf16_len
from channels.sms import aliyun, generic, segments, tencent
from channels.wechat_crypto import MessageCrypto
from channels.wechat_envelope import parse_xml_or_json
from channels.wechat_oa import message_from_fields
from channels.xmlsafe import build_flat, parse_flat

PHONE_SETTINGS = phone.PhoneSettings(token="t")  # type: ignore[arg-type]
API_SETTINGS = api.ApiSettings()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=20,
)
sms_like = st.fixed_dictionaries(
    {},
    optional={
        "phone_number": st.text(max_size=20) | st.integers(),
        "mobile": st.sampled_from(["13800138000", "1", "+85291234567", ""]) | st.integers(),
        "content": st.text(max_size=200),
        "text": st.text(max_size=200) | st.integers(),
        "sequence_id": st.integers() | st.text(max_size=5),
        "time": st.integers() | st.text(max_size=5),
        "id": st.text(max_size=20),
        "from": st.sampled_from(["13800138000", "+8613800138000", "abc", ""]),
        "nationcode": st.sampled_from(["86", "852", "x"]),
    },
)


def survives(parse: Callable[[bytes], object], body: bytes) -> None:
    try:
        result = parse(body)
    except ChannelError:
        return
    assert isinstance(result, Message | list | dict) or result is not None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_xml_and_json_parsers_on_arbitrary_bytes(body: bytes) -> None:
    survives(lambda b: parse_flat(b, 4096), body)
    survives(lambda b: parse_xml_or_json(b, 4096), body)
    survives(lambda b: aliyun.parse_push(b, "sms", "CN"), body)
    survives(lambda b: tencent.parse_push(b, "sms", "CN"), body)
    survives(lambda b: generic.parse_push(b, "sms", "CN"), body)
    survives(lambda b: phone.parse(b, PHONE_SETTINGS), body)
    survives(lambda b: api.parse(b, "110", API_SETTINGS), body)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_json_parsers_on_arbitrary_json(value: object) -> None:
    body = json.dumps(value).encode()
    survives(lambda b: parse_xml_or_json(b, 4096), body)
    survives(lambda b: tencent.parse_push(b, "sms", "CN"), body)
    survives(lambda b: api.parse(b, "110", API_SETTINGS), body)
    survives(lambda b: phone.parse(b, PHONE_SETTINGS), body)


@settings(max_examples=150, deadline=None)
@given(st.lists(sms_like, max_size=3) | sms_like)
def test_sms_parsers_on_provider_shaped_json(value: object) -> None:
    body = json.dumps(value, ensure_ascii=False).encode()
    for parser in (aliyun.parse_push, tencent.parse_push, generic.parse_push):
        survives(lambda b, p=parser: p(b, "sms", "CN"), body)  # type: ignore[misc]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["FromUserName", "MsgType", "MsgId", "CreateTime", "Content", "Event", "Recognition", "Label", "Location_X"]
        ),
        st.text(max_size=40),
    )
)
def test_wechat_fields_to_message(fields: dict[str, str]) -> None:
    survives(lambda _b: message_from_fields(fields, "", "wechat_oa", 2000), b"")


@settings(max_examples=150, deadline=None)
@given(
    st.binary(max_size=600),
    st.sampled_from(
        [b"", b"From: a@b.cn\r\n", b"From: a@b.cn\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"]
    ),
)
def test_mime_parser_on_arbitrary_mail(tail: bytes, head: bytes) -> None:
    survives(lambda b: parse_mail(b, 3, 1000, 2000), head + tail)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_reply_xml_round_trips_any_text(text: str) -> None:
    from channels.render import clean

    cleaned = clean(text.replace("\r", ""))
    xml = build_flat({"Content": cleaned})
    assert parse_flat(xml.encode(), 1 << 20).get("Content", "") == cleaned.strip()


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_crypto_round_trips_any_text(text: str) -> None:
    crypto = MessageCrypto("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1234567890abcdef")
    assert crypto.decrypt(crypto.encrypt(text)) == text


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.integers(min_value=1, max_value=6))
def test_sms_parts_always_fit(text: str, parts: int) -> None:
    for part in segments.split(text, "12345热线", parts):
        assert utf16_len(part) + utf16_len("【12345热线】") <= segments.SINGLE
    assert utf16_len(segments.concatenated(text, "12345热线", parts)) <= segments.PART * max(parts, 1)
    assert utf16_len(truncate(text, 20)) <= 20


NESTING_BOMB = b"[" * 60_000 + b"]" * 60_000


def test_json_nesting_bombs_are_bad_input_not_a_crash() -> None:
    for parse in (
        lambda b: parse_xml_or_json(b, 1 << 20),
        lambda b: aliyun.parse_push(b, "sms", "CN"),
        lambda b: tencent.parse_push(b, "sms", "CN"),
        lambda b: generic.parse_push(b, "sms", "CN"),
        lambda b: phone.parse(b, phone.PhoneSettings(token="t", max_body_bytes=1 << 20)),  # type: ignore[arg-type]
        lambda b: api.parse(b, "110", api.ApiSettings(max_body_bytes=1 << 20)),
    ):
        try:
            parse(NESTING_BOMB)
        except ChannelError as error:
            assert error.status in {400, 413, 422}
        else:
            raise AssertionError("a nesting bomb was accepted")


def test_xml_declaring_an_unknown_encoding_is_malformed() -> None:
    try:
        parse_flat(b'<?xml version="1.0" encoding="x-no-such-charset"?><xml><A>1</A></xml>', 4096)
    except ChannelError as error:
        assert error.code == "malformed_body"
    else:
        raise AssertionError("unknown encoding accepted")
