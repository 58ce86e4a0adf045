"""WeChat customer-service messages (客服消息), shared by the official account and the mini-program.

A late reply goes out as customer-service texts while the citizen's 48-hour window is open and its quota of
5 messages lasts; past that, the channel's fallback (a template message, an SMS) takes the rest.

The quota record lives in the shared session store (Redis) and is a cache of what WeChat enforces, not the
truth: WeChat counts the window from the citizen's last message and answers 45015 (window closed) or 45047
(quota used up). So a missing record (Redis restarted without its data, or the record expired) means
"unknown": the message is tried, and WeChat's refusal is recorded so the next texts go to the fallback at
once. Only a record that says the quota is used up or the window has passed stops a send before the call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from channels.guards import mask
from channels.wechat_api import QUOTA_ERRCODES, WeChatApi, WeChatApiError

log = logging.getLogger(__name__)

# What the channel does with the texts the customer-service API could not take.
Fallback = Callable[[Sequence[str]], Awaitable[None]]


class CustomerServiceQuota:
    """5 customer-service messages within 48 h of the citizen's last message, per openid.

    Every citizen message reopens the window and resets the count. Read-modify-write on the shared store:
    two processes racing may both send the 5th message; WeChat then answers 45047 and we fall back.
    """

    def __init__(self, sessions: Any, scope: str, limit: int = 5, window_seconds: int = 48 * 3600) -> None:
        self._sessions = sessions
        self._scope = scope
        self.limit = limit
        self.window_seconds = window_seconds

    def _key(self, openid: str) -> str:
        return f"{self._scope}:cs_quota:{openid}"

    async def opened(self, openid: str, now: float | None = None) -> None:
        at = time.time() if now is None else now
        await self._sessions.set(self._key(openid), {"opened_at": at, "used": 0}, self.window_seconds)

    async def take(self, openid: str, now: float | None = None) -> bool:
        """Use one message of the quota; false only when the record says the window or the quota is spent.

        No record: unknown, so the send is tried (WeChat decides; `refused` records its answer).
        """
        current = time.time() if now is None else now
        state = await self._sessions.get(self._key(openid))
        if not state:
            return True
        remaining = int(float(state["opened_at"]) + self.window_seconds - current)
        used = int(state["used"])
        if remaining <= 0 or used >= self.limit:
            return False
        await self._sessions.set(self._key(openid), {"opened_at": state["opened_at"], "used": used + 1}, remaining)
        return True

    async def refused(self, openid: str, errcode: int, now: float | None = None) -> None:
        """WeChat refused a send for the window or the quota: no more tries until the citizen writes again."""
        at = time.time() if now is None else now
        state = await self._sessions.get(self._key(openid)) or {}
        opened_at = float(state.get("opened_at", at))
        ttl = max(int(opened_at + self.window_seconds - at), 60)
        record = {"opened_at": opened_at, "used": self.limit, "refused": errcode}
        await self._sessions.set(self._key(openid), record, ttl)

    async def remaining(self, openid: str) -> int | None:
        """Messages left in the window; None when unknown (no record)."""
        state = await self._sessions.get(self._key(openid))
        return None if not state else max(self.limit - int(state["used"]), 0)

    async def close(self, openid: str) -> None:
        """The citizen unsubscribed: WeChat refuses every send, so record the window as spent."""
        await self._sessions.set(self._key(openid), {"opened_at": 0.0, "used": self.limit}, self.window_seconds)


class CustomerServiceSender:
    """Sends texts as customer-service messages within the quota and hands the rest to a fallback."""

    def __init__(self, api: WeChatApi | None, quota: CustomerServiceQuota) -> None:
        self.api = api
        self.quota = quota

    async def send(self, openid: str, texts: Sequence[str], fallback: Fallback) -> int:
        """Send in order; from the first text the quota (or WeChat) refuses, the fallback takes over.

        Returns how many texts went out as customer-service messages. Errors other than the quota's
        propagate: the caller's push is then retried as a whole.
        """
        for index, text in enumerate(texts):
            if self.api is None or not await self.quota.take(openid):
                await fallback(texts[index:])
                return index
            try:
                await self.api.send_text(openid, text)
            except WeChatApiError as error:
                if error.errcode not in QUOTA_ERRCODES:
                    raise
                log.info("WeChat refused a customer-service message to %s (errcode %s)", mask(openid), error.errcode)
                await self.quota.refused(openid, error.errcode)
                await fallback(texts[index:])
                return index
        return len(texts)


async def sms_fallback(sms: Any, phone: str, texts: Sequence[str], channel: str, openid: str) -> bool:
    """The last route: one SMS with the remaining texts when the citizen left a number and SMS is set up."""
    if phone and sms is not None:
        await sms.send(phone, "\n".join(texts))
        return True
    log.warning(
        "%s: reply to %s could not be sent (quota used up, no other route, no phone); kept in the inbox",
        channel,
        mask(openid),
    )
    return False
