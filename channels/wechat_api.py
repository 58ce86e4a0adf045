"""WeChat server API client shared by the official account and the mini-program.

access_token lives in the shared session store (Redis in production) with its expiry, so every gateway
process uses one token; a call answered with errcode 40001/42001/40014 refreshes it once and retries.
The customer-service quota and sending within it are in channels/wechat_cs.py.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx

from channels.errors import UpstreamError
from channels.guards import mask

log = logging.getLogger(__name__)

# Token expired / invalid / not the latest: refresh once and retry.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# Outside the 48 h window (45015) or out of the per-window quota (45047): fall back to another route.
QUOTA_ERRCODES = frozenset({45015, 45047})
# Refresh this long before WeChat's own expiry so no call carries a token that dies in flight.
_EXPIRY_MARGIN_SECONDS = 300


class WeChatApiError(UpstreamError):
    def __init__(self, errcode: int, errmsg: str, path: str) -> None:
        super().__init__(f"WeChat {path} answered errcode {errcode}: {errmsg}", provider_code=str(errcode))
        self.errcode = errcode


class WeChatApi:
    def __init__(
        self, http: httpx.AsyncClient, sessions: Any, appid: str, secret: str, base_url: str, scope: str
    ) -> None:
        self._http = http
        self._sessions = sessions
        self._appid = appid
        self._secret = secret
        self._base = base_url.rstrip("/")
        self._token_key = f"{scope}:access_token:{appid}"
        self._lock = asyncio.Lock()

    async def access_token(self, stale: str | None = None) -> str:
        """The cached token; fetch a new one when none is cached or the cached one is `stale`."""
        cached = await self._sessions.get(self._token_key)
        if cached and cached.get("token") and cached["token"] != stale:
            return str(cached["token"])
        async with self._lock:
            cached = await self._sessions.get(self._token_key)
            if cached and cached.get("token") and cached["token"] != stale:
                return str(cached["token"])
            data = await self._get_json(
                "/cgi-bin/token",
                {"grant_type": "client_credential", "appid": self._appid, "secret": self._secret},
            )
            token = str(data.get("access_token", ""))
            expires_in = int(data.get("expires_in", 7200))
            if not token:
                raise UpstreamError("WeChat /cgi-bin/token answered without access_token")
            ttl = max(expires_in - _EXPIRY_MARGIN_SECONDS, 60)
            await self._sessions.set(self._token_key, {"token": token, "expires_at": time.time() + ttl}, ttl)
            return token

    async def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST with the access_token; one refresh-and-retry when WeChat says the token is bad."""
        token = await self.access_token()
        try:
            return await self._post_json(path, token, payload)
        except WeChatApiError as error:
            if error.errcode not in TOKEN_ERRCODES:
                raise
            log.info("WeChat token refused (errcode %s); refreshing once", error.errcode)
            fresh = await self.access_token(stale=token)
            return await self._post_json(path, fresh, payload)

    async def send_text(self, openid: str, text: str) -> None:
        """Customer-service text message (客服消息)."""
        await self.post(
            "/cgi-bin/message/custom/send",
            {"touser": openid, "msgtype": "text", "text": {"content": text}},
        )

    async def send_template(self, openid: str, template_id: str, data: dict[str, str], url: str = "") -> None:
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        if url:
            payload["url"] = url
        await self.post("/cgi-bin/message/template/send", payload)

    async def _get_json(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = await self._http.get(self._base + path, params=params)
        except httpx.HTTPError as error:
            raise UpstreamError(f"WeChat {path} unreachable: {type(error).__name__}") from error
        return _checked(response, path)

    async def _post_json(self, path: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = await self._http.post(self._base + path, params={"access_token": token}, json=payload)
        except httpx.HTTPError as error:
            raise UpstreamError(f"WeChat {path} unreachable: {type(error).__name__}") from error
        data = _checked(response, path)
        log.debug("WeChat %s ok for %s", path, mask(str(payload.get("touser", ""))))
        return data


def _checked(response: httpx.Response, path: str) -> dict[str, Any]:
    if response.status_code != 200:
        raise UpstreamError(f"WeChat {path} answered HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as error:
        raise UpstreamError(f"WeChat {path} answered with a body that is not JSON") from error
    if not isinstance(data, dict):
        raise UpstreamError(f"WeChat {path} answered with JSON that is not an object")
    errcode = int(data.get("errcode", 0) or 0)
    if errcode:
        raise WeChatApiError(errcode, str(data.get("errmsg", "")), path)
    return data
