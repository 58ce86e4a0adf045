"""Tencent Cloud SMS: upstream (MO) callback in, SendSms (API 3.0, TC3-HMAC-SHA256) out.

MO callback: {"extend", "mobile", "nationcode": "86", "sign", "text", "time": 1764331200}, answered with
{"result": 0, "errmsg": "OK"}. Tencent signs nothing on callbacks: the callback URL carries our token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from channels.base import Message
from channels.errors import InvalidPayload, UpstreamError
from channels.jsonbody import load_json
from channels.sms.numbers import normalise

PROVIDER = "tencent"
ACK: dict[str, Any] = {"result": 0, "errmsg": "OK"}
_VERSION = "2021-01-11"


def parse_push(body: bytes, channel: str, region: str) -> list[Message]:
    item = load_json(body, "Tencent callback")
    if not isinstance(item, dict):
        raise InvalidPayload("Tencent MO callback must be a JSON object")
    mobile, text, sent = item.get("mobile"), item.get("text"), item.get("time")
    if not isinstance(mobile, str) or not isinstance(text, str) or not isinstance(sent, int):
        raise InvalidPayload("Tencent MO callback needs mobile, text and time")
    sender = normalise(mobile, region, country_code=str(item.get("nationcode", "86")))
    # No message id in the callback: sender, time and content identify a retry.
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return [
        Message(
            channel=channel,
            external_id=f"{PROVIDER}:{sender}:{sent}:{digest}",
            session_key=sender,
            sender=sender,
            text=text,
            raw=json.dumps(item, ensure_ascii=False),
            contact=sender,
            meta={"provider": PROVIDER, "extend": str(item.get("extend", "")), "sign_name": str(item.get("sign", ""))},
        )
    ]


def tc3_authorization(
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    payload: str,
    timestamp: int,
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """Tencent Cloud API 3.0 signature (TC3-HMAC-SHA256) over content-type and host."""
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode("utf-8")).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical.encode()).hexdigest()])

    def step(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()

    key = step(step(step(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    mac = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={mac}"


class TencentSender:
    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        sign_name: str,
        template_id: str,
        region: str,
    ) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/"
        self._host = urlsplit(self._url).netloc
        self._id = secret_id
        self._key = secret_key
        self._app = sdk_app_id
        self._sign = sign_name
        self._template = template_id
        self._region = region

    async def send(self, phone_e164: str, text: str) -> None:
        payload = json.dumps(
            {
                "PhoneNumberSet": [phone_e164],
                "SmsSdkAppId": self._app,
                "SignName": self._sign,
                "TemplateId": self._template,
                "TemplateParamSet": [text],
            },
            ensure_ascii=False,
        )
        stamp = int(time.time())
        headers = {
            "Authorization": tc3_authorization(self._id, self._key, "sms", self._host, payload, stamp),
            "Content-Type": "application/json; charset=utf-8",
            "Host": self._host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": _VERSION,
            "X-TC-Timestamp": str(stamp),
            "X-TC-Region": self._region,
        }
        try:
            response = await self._http.post(self._url, content=payload.encode("utf-8"), headers=headers)
            data = response.json().get("Response", {})
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            raise UpstreamError(f"Tencent SendSms failed: {type(error).__name__}") from error
        if "Error" in data:
            code = str(data["Error"].get("Code", "?"))
            raise UpstreamError(f"Tencent SendSms refused: {code}", provider_code=code)
        statuses = data.get("SendStatusSet") or [{}]
        code = str(statuses[0].get("Code", "?"))
        if code != "Ok":
            raise UpstreamError(f"Tencent SendSms refused the number: {code}", provider_code=code)
