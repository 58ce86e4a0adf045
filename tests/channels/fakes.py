"""Local stand-ins for outbound provider APIs, implementing their documented request/response contract.

Each fake is an httpx handler (for MockTransport in unit tests) and can also be served over real HTTP on
loopback (`serve`) for end-to-end tests through the real app.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx


@dataclass
class FakeWeChatApi:
    """api.weixin.qq.com: /cgi-bin/token, /cgi-bin/message/custom/send, /cgi-bin/message/template/send."""

    appid: str
    secret: str
    tokens_issued: int = 0
    # errcodes the next custom/send calls answer with, in order (e.g. [40001] for an expired token).
    custom_errors: list[int] = field(default_factory=list)
    custom_sent: list[dict[str, Any]] = field(default_factory=list)
    templates_sent: list[dict[str, Any]] = field(default_factory=list)
    valid_tokens: set[str] = field(default_factory=set)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        params = dict(request.url.params)
        if path == "/cgi-bin/token":
            if params.get("appid") != self.appid or params.get("secret") != self.secret:
                return httpx.Response(200, json={"errcode": 40125, "errmsg": "invalid appsecret"})
            self.tokens_issued += 1
            token = f"ACCESS_TOKEN_{self.tokens_issued}"
            self.valid_tokens = {token}  # a new token invalidates the old one, as WeChat does
            return httpx.Response(200, json={"access_token": token, "expires_in": 7200})
        if params.get("access_token") not in self.valid_tokens:
            return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
        body = json.loads(request.content.decode("utf-8"))
        if path == "/cgi-bin/message/custom/send":
            if self.custom_errors:
                code = self.custom_errors.pop(0)
                if code == 40001:
                    self.valid_tokens = set()
                return httpx.Response(200, json={"errcode": code, "errmsg": "refused by test"})
            if not body.get("touser") or body.get("msgtype") not in {"text", "image", "link"}:
                return httpx.Response(200, json={"errcode": 40003, "errmsg": "invalid openid or msgtype"})
            self.custom_sent.append(body)
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})
        if path == "/cgi-bin/message/template/send":
            self.templates_sent.append(body)
            return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "msgid": 200228332})
        return httpx.Response(404, json={"errcode": -1, "errmsg": f"unknown path {path}"})

    def texts(self) -> list[str]:
        return [str(item["text"]["content"]) for item in self.custom_sent]


@contextmanager
def serve(handler: Callable[[httpx.Request], httpx.Response]) -> Iterator[str]:
    """Serve an httpx-style handler on 127.0.0.1:<free port>; yields the base URL."""

    class _Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = f"http://{self.headers.get('Host', '127.0.0.1')}{self.path}"
            request = httpx.Request(self.command, url, headers=dict(self.headers.items()), content=body)
            response = handler(request)
            payload = response.content
            self.send_response(response.status_code)
            self.send_header("Content-Type", response.headers.get("content-type", "application/json"))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = _handle
        do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def query_of(request: httpx.Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(str(request.url)).query).items()}


@dataclass
class FakeSmsApis:
    """dysmsapi.aliyuncs.com SendSms, sms.tencentcloudapi.com SendSms and a generic gateway in one handler.

    Each checks its provider's signature with an implementation written here, independently of channels/.
    """

    aliyun_secret: str = "aliyun-test-secret"
    tencent_key: str = "tencent-test-key"
    generic_secret: str = "generic-test-secret"
    sent: list[tuple[str, str, str]] = field(default_factory=list)  # (provider, phone, text)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.params.get("Action") == "SendSms":
            return self._aliyun(request)
        if request.headers.get("X-TC-Action") == "SendSms":
            return self._tencent(request)
        return self._generic(request)

    def _aliyun(self, request: httpx.Request) -> httpx.Response:
        import base64
        import hashlib
        import hmac
        from urllib.parse import quote

        params = dict(request.url.params)
        given = params.pop("Signature", "")
        canonical = "&".join(f"{quote(k, safe='~')}={quote(params[k], safe='~')}" for k in sorted(params))
        string = "GET&%2F&" + quote(canonical, safe="~")
        mac = base64.b64encode(hmac.new(f"{self.aliyun_secret}&".encode(), string.encode(), hashlib.sha1).digest())
        if mac.decode() != given:
            return httpx.Response(200, json={"Code": "SignatureDoesNotMatch", "Message": "bad signature"})
        if params.get("Action") != "SendSms" or not params.get("TemplateCode"):
            return httpx.Response(200, json={"Code": "isv.INVALID_PARAMETERS", "Message": "missing"})
        text = json.loads(params["TemplateParam"])["content"]
        self.sent.append(("aliyun", params["PhoneNumbers"], text))
        return httpx.Response(
            200, json={"Code": "OK", "Message": "OK", "BizId": "9006197469364984^0", "RequestId": "r"}
        )

    def _tencent(self, request: httpx.Request) -> httpx.Response:
        import hashlib
        import hmac
        from datetime import UTC, datetime

        stamp = int(request.headers["X-TC-Timestamp"])
        date = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d")
        body = request.content.decode("utf-8")
        canonical = (
            f"POST\n/\n\ncontent-type:{request.headers['Content-Type']}\nhost:{request.headers['Host']}\n\n"
            f"content-type;host\n{hashlib.sha256(body.encode()).hexdigest()}"
        )
        to_sign = f"TC3-HMAC-SHA256\n{stamp}\n{date}/sms/tc3_request\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = hmac.new(f"TC3{self.tencent_key}".encode(), date.encode(), hashlib.sha256).digest()
        key = hmac.new(key, b"sms", hashlib.sha256).digest()
        key = hmac.new(key, b"tc3_request", hashlib.sha256).digest()
        mac = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not request.headers["Authorization"].endswith(f"Signature={mac}"):
            return httpx.Response(200, json={"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}}})
        payload = json.loads(body)
        phone = payload["PhoneNumberSet"][0]
        self.sent.append(("tencent", phone, payload["TemplateParamSet"][0]))
        status = {"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": phone, "Code": "Ok"}
        return httpx.Response(200, json={"Response": {"SendStatusSet": [status], "RequestId": "r"}})

    def _generic(self, request: httpx.Request) -> httpx.Response:
        import hashlib
        import hmac

        stamp = request.headers["X-Hotline-Timestamp"]
        mac = hmac.new(self.generic_secret.encode(), stamp.encode() + b"." + request.content, hashlib.sha256)
        if request.headers["X-Hotline-Signature"] != f"sha256={mac.hexdigest()}":
            return httpx.Response(401, json={"ok": False})
        payload = json.loads(request.content)
        self.sent.append(("generic", payload["to"], payload["text"]))
        return httpx.Response(200, json={"ok": True})

    def texts(self) -> list[str]:
        return [text for _, _, text in self.sent]
