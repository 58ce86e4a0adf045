"""Web channel parsing: what a widget sends, and every way it can be wrong."""

from __future__ import annotations

import json

import pytest

from channels.errors import InvalidPayload, MalformedBody, PayloadTooLarge
from channels.web import WebSettings, parse, web_message_id

SETTINGS = WebSettings(max_text_chars=2000, max_body_bytes=16 * 1024)


def body(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode("utf-8")


def test_parse_builds_a_normalised_message_and_keeps_the_raw_body() -> None:
    raw = body(session_id="s-42", message_id="m-1", text="  楼下烧烤店油烟太大，晚上12点还在营业😤  ")
    message = parse(raw, SETTINGS)
    assert message.channel == "web"
    assert message.session_key == "s-42"
    assert message.external_id == "s-42:m-1"
    assert web_message_id(message.external_id) == "m-1"
    assert message.text == "楼下烧烤店油烟太大，晚上12点还在营业😤"
    assert message.raw == raw.decode("utf-8")


@pytest.mark.parametrize(
    ("raw", "error", "fragment"),
    [
        (b'{"session_id": "s", "message_id": "m", "text": "abc"', MalformedBody, "not valid JSON"),
        (b"\xff\xfe\x00garbage", MalformedBody, "UTF-8"),
        ('{"session_id": "s", "text": "缺少消息编号"}'.encode(), InvalidPayload, "message_id"),
        (body(session_id="s", message_id="m", text="   "), InvalidPayload, "empty"),
        (body(session_id="s", message_id="m", text=""), InvalidPayload, "text"),
        (body(session_id="s", message_id="m", text="你好", priority="high"), InvalidPayload, "priority"),
        (body(session_id="s/../../etc", message_id="m", text="你好"), InvalidPayload, "session_id"),
        (body(session_id="s", message_id=12, text="你好"), InvalidPayload, "message_id"),
        (b'["not", "an", "object"]', InvalidPayload, "JSON object"),
        (body(session_id="s", message_id="m", text="投诉" * 1500), PayloadTooLarge, "characters"),
        (b"{" + b" " * (20 * 1024) + b"}", PayloadTooLarge, "bytes"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(raw: bytes, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error) as caught:
        parse(raw, SETTINGS)
    assert fragment in str(caught.value)


def test_nesting_bomb_is_bad_input_not_a_crash() -> None:
    bomb = b"[" * 60_000 + b"]" * 60_000
    with pytest.raises(MalformedBody) as caught:
        parse(bomb, WebSettings(max_body_bytes=256 * 1024))
    assert "nests too deeply" in str(caught.value)
