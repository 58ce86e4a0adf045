"""Aliyun SMS (dysmsapi 2017-05-25): upstream (MO) batch push in, SendSms with signature v1 out.

MO push (HTTP batch push): a JSON array of
  {"phone_number", "send_time": "2026-11-28 20:00:00", "content", "sign_name", "dest_code", "sequence_id"}
answered with {"code": 0, "msg": "成功"}. The push URL carries our token (?token=...), compared in constant
time: Aliyun signs nothing on this push.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from channels.base import Message
from channels.errors import InvalidPayload, UpstreamError
from channels.jsonbody import load_json
from channels.sms.numbers import national, normalise

PROVIDER = "aliyun"
ACK: dict[str, Any] = {"code": 0, "msg": "成功"}
_MAX_BATCH = 100


def parse_push(body: bytes, channel: str, region: str) -> list[Message]:
    payload = load_json(body, "Aliyun push")
    items = payload if isinstance(payload, list) else [payload]
    if not items or len(items) > _MAX_BATCH:
        raise InvalidPayload(f"Aliyun push must hold 1 to {_MAX_BATCH} messages")
    messages = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidPayload("each Aliyun MO message must be a JSON object")
        phone, content, sequence = item.get("phone_number"), item.get("content"), item.get("sequence_id")
        if not isinstance(phone, str) or not isinstance(content, str) or sequence in (None, ""):
            raise InvalidPayload("Aliyun MO message needs phone_number, content and sequence_id")
        sender = normalise(phone, region)
        messages.append(
            Message(
                channel=channel,
                external_id=f"{PROVIDER}:{sequence}",
                session_key=sender,
                sender=sender,
                text=content,
                raw=json.dumps(item, ensure_ascii=False),
                contact=sender,
                meta={
                    "provider": PROVIDER,
                    "dest_code": str(item.get("dest_code", "")),
                    "sign_name": str(item.get("sign_name", "")),
                    "send_time": str(item.get("send_time", "")),
                },
            )
        )
    return messages


def _percent(value: str) -> str:
    return quote(value, safe="~")


def sign_v1(params: dict[str, str], access_key_secret: str, method: str = "GET") -> str:
    """Aliyun RPC signature v1: HMAC-SHA1 over the sorted, percent-encoded query."""
    canonical = "&".join(f"{_percent(key)}={_percent(params[key])}" for key in sorted(params))
    string_to_sign = f"{method}&{_percent('/')}&{_percent(canonical)}"
    digest = hmac.new(f"{access_key_secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSender:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        template_param: str,
    ) -> None:
        self._http = http
        self._base = base_url.rstrip("/")
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._sign = sign_name
        self._template = template_code
        self._param = template_param

    async def send(self, phone_e164: str, text: str) -> None:
        params = {
            "AccessKeyId": self._key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": national(phone_e164),
            "RegionId": "cn-hangzhou",
            "SignName": self._sign,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": self._template,
            "TemplateParam": json.dumps({self._param: text}, ensure_ascii=False),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = sign_v1(params, self._secret)
        try:
            response = await self._http.get(self._base + "/", params=params)
            data = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise UpstreamError(f"Aliyun SendSms failed: {type(error).__name__}") from error
        if not isinstance(data, dict) or data.get("Code") != "OK":
            code = str(data.get("Code", response.status_code)) if isinstance(data, dict) else "?"
            raise UpstreamError(f"Aliyun SendSms refused: {code}", provider_code=code)
