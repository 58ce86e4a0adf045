"""Signed JSON callbacks to partner systems (voice platform, transferring platforms) for late outcomes.

Body: {"event": "outcome", "channel", "external_id", "outcome": {...}}; headers X-Hotline-Timestamp and
X-Hotline-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>, the same scheme as the generic
SMS gateway, so one verifier serves every partner.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from channels.base import Outcome, Recipient
from channels.errors import UpstreamError


def signature_header(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


async def post_outcome(http: httpx.AsyncClient, url: str, secret: str, recipient: Recipient, outcome: Outcome) -> None:
    body = json.dumps(
        {
            "event": "outcome",
            "channel": recipient.channel,
            "external_id": recipient.external_id,
            "outcome": outcome.to_dict(),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Hotline-Timestamp": stamp,
        "X-Hotline-Signature": signature_header(secret, stamp, body),
    }
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise UpstreamError(f"callback to partner failed: {type(error).__name__}") from error
    if not response.is_success:
        raise UpstreamError(f"partner callback answered HTTP {response.status_code}")
