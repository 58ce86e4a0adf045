"""Verify-then-open for WeChat pushes (official account and mini-program), and sealing encrypted replies.

Order matters: the replay window and `signature` are checked before the body is parsed at all; in
compatible and safe mode (`encrypt_type=aes`) `msg_signature` over the Encrypt field is checked before
decryption. Bodies are XML (official account, mini-program XML mode) or JSON (mini-program JSON mode).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from channels.errors import InvalidPayload, PayloadTooLarge, SignatureInvalid
from channels.jsonbody import load_json
from channels.wechat_crypto import MessageCrypto, check_timestamp, signature, verify_signature
from channels.xmlsafe import build_flat, parse_flat

BodyParser = Callable[[bytes, int], dict[str, str]]


def parse_json_flat(body: bytes, max_bytes: int) -> dict[str, str]:
    """A mini-program JSON push as flat string fields (numbers such as MsgId kept exactly)."""
    if len(body) > max_bytes:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {max_bytes}")
    payload = load_json(body)
    if not isinstance(payload, dict):
        raise InvalidPayload("push must be a JSON object")
    return {str(key): _scalar(value) for key, value in payload.items() if value is not None}


def parse_xml_or_json(body: bytes, max_bytes: int) -> dict[str, str]:
    return parse_json_flat(body, max_bytes) if body.lstrip()[:1] in (b"{", b"[") else parse_flat(body, max_bytes)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidPayload("push fields must be strings or numbers")


@dataclass(frozen=True)
class Envelope:
    fields: dict[str, str]
    plain: str
    encrypted: bool
    nonce: str


class Verifier:
    """Verify before parsing: signature, replay window, then (safe mode) msg_signature and decryption."""

    def __init__(self, token: str, aes_key: str, appid: str, mode: str, window: int, max_bytes: int) -> None:
        self.token = token
        self.mode = mode
        self.window = window
        self.max_bytes = max_bytes
        self.crypto = MessageCrypto(aes_key, appid) if aes_key else None

    def verify_url(self, params: dict[str, str]) -> str:
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
        check_timestamp(timestamp, self.window)
        verify_signature(params.get("signature"), self.token, timestamp, nonce)
        echostr = params.get("echostr", "")
        if not echostr:
            raise InvalidPayload("echostr missing")
        return echostr

    def open(self, params: dict[str, str], body: bytes, parser: BodyParser = parse_flat) -> Envelope:
        timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
        check_timestamp(timestamp, self.window)
        verify_signature(params.get("signature"), self.token, timestamp, nonce)
        outer = parser(body, self.max_bytes)
        if params.get("encrypt_type", "raw").lower() != "aes":
            if self.mode == "safe":
                raise SignatureInvalid("safe mode: plaintext pushes are refused")
            return Envelope(outer, body.decode("utf-8", "replace"), encrypted=False, nonce=nonce)
        if self.crypto is None:
            raise SignatureInvalid("encrypted push but no EncodingAESKey is configured")
        encrypt = outer.get("Encrypt", "")
        if not encrypt:
            raise InvalidPayload("encrypt_type=aes but the body has no Encrypt field")
        verify_signature(params.get("msg_signature"), self.token, timestamp, nonce, encrypt)
        plain = self.crypto.decrypt(encrypt)
        inner = parser(plain.encode("utf-8"), self.max_bytes)
        return Envelope(inner, plain, encrypted=True, nonce=nonce)

    def seal(self, xml: str, nonce: str, timestamp: str | None = None) -> str:
        """An encrypted passive reply as WeChat expects it in safe and compatible mode."""
        if self.crypto is None:
            raise SignatureInvalid("no EncodingAESKey to encrypt the reply")
        stamp = timestamp or str(int(time.time()))
        encrypt = self.crypto.encrypt(xml)
        return build_flat(
            {
                "Encrypt": encrypt,
                "MsgSignature": signature(self.token, stamp, nonce, encrypt),
                "TimeStamp": int(stamp),
                "Nonce": nonce,
            }
        )
