"""A documented generic SMS gateway format, for providers without a module here.

Inbound  POST /channels/sms/generic  {"id": "...", "from": "+8613800138000", "to": "12345", "text": "...",
         "received_at": "2026-11-28T20:00:00+08:00"} with headers X-Hotline-Timestamp (unix seconds) and
         X-Hotline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>.
Outbound POST <HOTLINE_SMS_GENERIC_SEND_URL>  {"to": "+86...", "text": "..."} signed the same way; any 2xx
         with {"ok": true} is success.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

from channels.base import Message
from channels.errors import InvalidPayload, SignatureInvalid, UpstreamError
from channels.jsonbody import load_json
from channels.sms.numbers import normalise

PROVIDER = "generic"
ACK: dict[str, Any] = {"ok": True}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify(secret: str, timestamp: str | None, given: str | None, body: bytes, window: int) -> None:
    if not timestamp or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > window:
        raise SignatureInvalid(f"X-Hotline-Timestamp missing or outside the {window} s window")
    if not given or not hmac.compare_digest(sign(secret, timestamp, body).encode(), given.strip().encode()):
        raise SignatureInvalid("X-Hotline-Signature does not match")


def parse_push(body: bytes, channel: str, region: str) -> list[Message]:
    item = load_json(body)
    if not isinstance(item, dict):
        raise InvalidPayload("body must be a JSON object with id, from and text")
    message_id, sender_raw, text = item.get("id"), item.get("from"), item.get("text")
    if not isinstance(message_id, str) or not message_id or len(message_id) > 128:
        raise InvalidPayload("id: a string of 1 to 128 characters is required")
    if not isinstance(sender_raw, str) or not isinstance(text, str):
        raise InvalidPayload("from and text must be strings")
    sender = normalise(sender_raw, region)
    return [
        Message(
            channel=channel,
            external_id=f"{PROVIDER}:{message_id}",
            session_key=sender,
            sender=sender,
            text=text,
            raw=body.decode("utf-8"),
            contact=sender,
            meta={"provider": PROVIDER, "to": str(item.get("to", ""))[:32]},
        )
    ]


class GenericSender:
    def __init__(self, http: httpx.AsyncClient, url: str, secret: str) -> None:
        self._http = http
        self._url = url
        self._secret = secret

    async def send(self, phone_e164: str, text: str) -> None:
        body = json.dumps({"to": phone_e164, "text": text}, ensure_ascii=False).encode("utf-8")
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Hotline-Timestamp": stamp,
            "X-Hotline-Signature": sign(self._secret, stamp, body),
        }
        try:
            response = await self._http.post(self._url, content=body, headers=headers)
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise UpstreamError(f"SMS gateway failed: {type(error).__name__}") from error
        if not response.is_success or not isinstance(data, dict) or data.get("ok") is not True:
            raise UpstreamError(f"SMS gateway refused the message (HTTP {response.status_code})")
