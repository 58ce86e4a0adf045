"""WeChat crypto and safe XML: fixed vectors computed once, interop with wechatpy, every way to forge."""

from __future__ import annotations

import base64

import pytest
from wechatpy.crypto import PrpCrypto

from channels.errors import InvalidPayload, MalformedBody, PayloadTooLarge, SignatureInvalid
from channels.wechat_crypto import MessageCrypto, check_timestamp, signature, verify_signature
from channels.xmlsafe import build_flat, cdata, parse_flat

TOKEN = "hotline12345token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APPID = "wx5823bf96d3bd56c7"
PLAIN = (
    "<xml><ToUserName><![CDATA[gh_12345hotline]]></ToUserName><FromUserName><![CDATA[oHotlineCitizen0001]]>"
    "</FromUserName><CreateTime>1764316800</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>"
    "<![CDATA[小区门口的垃圾堆了一个星期没人清理，臭得不行]]></Content><MsgId>24561234567890123</MsgId></xml>"
)
# Computed once with random prefix b"0123456789abcdef"; decrypts with wechatpy too.
ENCRYPTED = (
    "Q3stYC6hdFzMh9T8HCvyDFdxkJPMUJHVRPNpaFc6VV7Fyc/sPNsTneA9sPS7Xe0IRIveS6JlUS8CoGz1xGC6a7kbART7lST3zAy3"
    "KQT4wD9UNo5Zp7n3jCCQ2/r1OdfH/tsHqkxOjMZoR6zsThZJlkFrSOef94oVF4mA0kJMiF9wxUQJNaiqgG4zXIhPkBbD1ZkO1151"
    "FYy7zstHLTCFDQmJ3GXGcgRwHXbewQ1bhIAg492MXuqn8+hGKv4BldSg76ve6wUNvvJtLgB0QfCayqBmUB3NnTqwuUHcMLMhckJl"
    "ihFYgmtWW410fGZm2Ks74wN1jfs/Qb8RW5ujlhhFEU6cyeaROGx85k+HVJyRVgSH9oCS7AGIGLGc7SCdnifqm6aPfvYPdRbVjyWJ"
    "A4j8PaCpjn9UlFvoSm4KdnZbMGNEyXUgkgynpy85/z//z1IZZSNtYhAOgLJRgoGQvceZCcqjL5paIV3Xgb18j2vuEOptdWMy6jLIE"
    "k6xRFB6Sxdt"
)
MSG_SIGNATURE = "7e3cb937a27c70df6f3a975204854e81322ae45f"
URL_SIGNATURE = "ea0aa70ec4ae5584c27d0dcbf590bbf8583a91ce"


def test_fixed_vector_encrypts_and_decrypts_byte_for_byte() -> None:
    crypto = MessageCrypto(AES_KEY, APPID)
    assert crypto.encrypt(PLAIN, random_prefix=b"0123456789abcdef") == ENCRYPTED
    assert crypto.decrypt(ENCRYPTED) == PLAIN


def test_fixed_signatures() -> None:
    assert signature(TOKEN, "1764316800", "372813926", ENCRYPTED) == MSG_SIGNATURE
    assert signature(TOKEN, "1764316800", "372813926") == URL_SIGNATURE
    verify_signature(MSG_SIGNATURE.upper(), TOKEN, "1764316800", "372813926", ENCRYPTED)


def test_interoperates_with_wechatpy_both_ways() -> None:
    ours = MessageCrypto(AES_KEY, APPID)
    theirs = PrpCrypto(base64.b64decode(AES_KEY + "="))
    assert theirs.decrypt(ENCRYPTED, APPID) == PLAIN
    assert ours.decrypt(theirs.encrypt("回复：您的工单已受理😊", APPID).decode()) == "回复：您的工单已受理😊"
    assert theirs.decrypt(ours.encrypt("繁體字也可以"), APPID) == "繁體字也可以"


@pytest.mark.parametrize(
    ("ciphertext", "crypto", "error"),
    [
        (ENCRYPTED, MessageCrypto(AES_KEY, "wx0000000000000000"), SignatureInvalid),  # another appid
        (ENCRYPTED, MessageCrypto("B" * 43, APPID), SignatureInvalid),  # another key: padding breaks
        ("not base64 at all!!", MessageCrypto(AES_KEY, APPID), InvalidPayload),
        (base64.b64encode(b"short").decode(), MessageCrypto(AES_KEY, APPID), InvalidPayload),
        ("", MessageCrypto(AES_KEY, APPID), InvalidPayload),
    ],
)
def test_forged_or_foreign_ciphertext_is_refused(
    ciphertext: str, crypto: MessageCrypto, error: type[Exception]
) -> None:
    with pytest.raises(error):
        crypto.decrypt(ciphertext)


def test_tampered_ciphertext_is_refused() -> None:
    raw = bytearray(base64.b64decode(ENCRYPTED))
    raw[-1] ^= 0x55  # the last block decrypts to garbage padding
    with pytest.raises((SignatureInvalid, InvalidPayload)):
        MessageCrypto(AES_KEY, APPID).decrypt(base64.b64encode(bytes(raw)).decode())


@pytest.mark.parametrize("given", [None, "", "0" * 40, URL_SIGNATURE[:-1] + "0", "zz"])
def test_wrong_signatures_are_refused(given: str | None) -> None:
    with pytest.raises(SignatureInvalid):
        verify_signature(given, TOKEN, "1764316800", "372813926")


@pytest.mark.parametrize(
    ("timestamp", "ok"),
    [
        ("1764316800", True),
        ("1764317099", True),
        ("1764316000", False),
        ("abc", False),
        ("", False),
        (None, False),
        ("99999999999999", False),
    ],
)
def test_timestamp_window(timestamp: str | None, ok: bool) -> None:
    if ok:
        check_timestamp(timestamp, 300, now=1764316900)
    else:
        with pytest.raises(SignatureInvalid):
            check_timestamp(timestamp, 300, now=1764316900)


def test_bad_aes_key_is_refused_at_configuration() -> None:
    with pytest.raises(ValueError):
        MessageCrypto("too-short", APPID)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><Content>&xxe;</Content></xml>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xml><Content>&d;</Content></xml>"""
EXTERNAL_DTD = b'<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml><A>1</A></xml>'


@pytest.mark.parametrize(
    ("body", "error", "fragment"),
    [
        (XXE, MalformedBody, "DTD"),
        (LAUGHS, MalformedBody, "DTD"),
        (EXTERNAL_DTD, MalformedBody, "DTD"),
        (b"<xml><Content>unclosed</xml>", MalformedBody, "well-formed"),
        (b"<html><body>hi</body></html>", MalformedBody, "root element"),
        (b"   ", MalformedBody, "empty"),
        (b"\xff\xfe<xml/>", MalformedBody, "well-formed"),
        (b"<xml>" + b"<A>1</A>" * 100 + b"</xml>", MalformedBody, "too many"),
        (b"<xml><A>" + b"x" * 5000 + b"</A></xml>", PayloadTooLarge, "limit"),
    ],
)
def test_hostile_xml_is_refused(body: bytes, error: type[Exception], fragment: str) -> None:
    with pytest.raises(error) as caught:
        parse_flat(body, max_bytes=4096)
    assert fragment in str(caught.value)


def test_flat_parse_and_build_round_trip_with_cdata_breakers() -> None:
    text = "回复内容含有]]>和<标签>&符号"
    xml = build_flat({"ToUserName": "oCitizen", "CreateTime": 1764316800, "Content": text})
    assert parse_flat(xml.encode(), 4096) == {
        "ToUserName": "oCitizen",
        "CreateTime": "1764316800",
        "Content": text,
    }
    assert cdata("a]]>b").count("<![CDATA[") == 2


def test_nested_fields_are_flattened() -> None:
    body = (
        b"<xml><Event><![CDATA[scancode_push]]></Event><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>"
        b"<ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo></xml>"
    )
    assert parse_flat(body, 4096)["ScanCodeInfo.ScanType"] == "qrcode"
