"""WeChat mini-program customer-service messages (小程序客服消息).

GET  /channels/miniprogram  server verification (signature/timestamp/nonce/echostr), as for the official account.
POST /channels/miniprogram  message push in JSON or XML, plaintext or safe mode (`encrypt_type=aes`).
Types: text, image, miniprogrampage (a card of a mini-program page) and the event user_enter_tempsession.

Mini-program customer service has no passive reply: the push is answered `success` at once and every reply
goes through the customer-service send API, 5 messages within 48 h of the citizen's last message (the same
quota as the official account); past it, an SMS when the citizen left a number, else the reply stays in
the inbox. Entering the chat (user_enter_tempsession) sends the welcome text and opens no work order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels.base import ChannelServices, Message, Outcome, Recipient
from channels.errors import ChannelDisabled, UpstreamError
from channels.guards import mask, refuse_placeholders, within_rate
from channels.render import Capabilities, outcome_texts
from channels.wechat_api import WeChatApi
from channels.wechat_cs import CustomerServiceQuota, CustomerServiceSender, sms_fallback
from channels.wechat_envelope import Verifier, parse_xml_or_json
from channels.wechat_oa import message_from_fields

log = logging.getLogger(__name__)

CHANNEL = "miniprogram"
SUCCESS = "success"
CAPABILITIES = Capabilities(buttons=False, max_chars=1000)
_SENT_TTL_SECONDS = 7 * 24 * 3600


class MiniProgramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_MINIPROGRAM_", env_file=".env", extra="ignore")

    token: SecretStr = SecretStr("")
    appid: str = ""
    secret: SecretStr = SecretStr("")
    aes_key: SecretStr = SecretStr("")
    mode: Literal["plaintext", "compatible", "safe"] = "safe"
    api_base: str = "https://api.weixin.qq.com"
    reply_budget_seconds: float = Field(default=0.0, ge=0, lt=5)
    timestamp_window_seconds: int = Field(default=300, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    max_text_chars: int = Field(default=2000, gt=0)
    rate_limit_per_minute: int = Field(default=20, gt=0)
    cs_quota: int = Field(default=5, ge=0)
    cs_window_hours: int = Field(default=48, gt=0)
    welcome_text: str = "您好，这里是12345政务服务便民热线，请描述您要咨询、求助、投诉或建议的事项。"
    unsupported_text: str = "暂不支持这种消息类型，请用文字或图片描述您的诉求。"

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value() and self.appid and self.secret.get_secret_value())


_MP_META = {"AppId": "app_id", "PagePath": "page_path", "ThumbUrl": "thumb_url", "SessionFrom": "session_from"}


def message_from_push(fields: dict[str, str], raw: str, max_text_chars: int) -> Message:
    """The official account's types plus miniprogrampage cards and the session-entry event."""
    message = message_from_fields(fields, raw, CHANNEL, max_text_chars)
    meta = {**message.meta, **{short: fields[key] for key, short in _MP_META.items() if fields.get(key)}}
    if message.meta.get("msg_type") == "miniprogrampage":
        title = fields.get("Title", "")
        return replace(
            message, kind="link", text=f"[小程序卡片] {title} {fields.get('PagePath', '')}".strip(), meta=meta
        )
    return replace(message, meta=meta)


class MiniProgram:
    def __init__(self, settings: MiniProgramSettings, services: ChannelServices, app: FastAPI) -> None:
        self.settings = settings
        self.services = services
        self.app = app
        self.verifier = Verifier(
            settings.token.get_secret_value(),
            settings.aes_key.get_secret_value(),
            settings.appid,
            settings.mode,
            settings.timestamp_window_seconds,
            settings.max_body_bytes,
        )
        self.api = WeChatApi(
            services.http,
            services.sessions,
            settings.appid,
            settings.secret.get_secret_value(),
            settings.api_base,
            scope=CHANNEL,
        )
        self.quota = CustomerServiceQuota(
            services.sessions, CHANNEL, settings.cs_quota, settings.cs_window_hours * 3600
        )
        self.customer_service = CustomerServiceSender(self.api, self.quota)
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, message: Message) -> None:
        await self.quota.opened(message.sender)
        if message.kind == "event":
            if message.meta.get("event", "").lower() == "user_enter_tempsession":
                self._later(self._send_texts(message.sender, [self.settings.welcome_text], None, ""))
            return
        if message.kind == "unknown":
            self._later(self._send_texts(message.sender, [self.settings.unsupported_text], None, ""))
            return
        if not await within_rate(self.services, CHANNEL, message.sender, self.settings.rate_limit_per_minute):
            log.warning("miniprogram: %s over the rate limit; message not processed", mask(message.sender))
            return
        outcome = await self.services.intake.submit(message, self.settings.reply_budget_seconds)
        if not outcome.pending:
            recipient = Recipient(CHANNEL, message.sender, message.external_id, message.contact, message.meta)
            self._later(self._deliver_ready(recipient, outcome))

    def _later(self, work: Any) -> None:
        """Replies go out after `success` is answered: WeChat waits for nobody."""
        task = asyncio.create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Any) -> None:
        try:
            await work
        except UpstreamError as error:
            log.warning("miniprogram: reply not sent: %s", error.detail)

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _deliver_ready(self, recipient: Recipient, outcome: Outcome) -> None:
        """A reply ready within the budget: every retry of the message gets it, so send it for the first only."""
        if not await self.services.dedup.first_seen(f"{CHANNEL}:sent:{recipient.external_id}", _SENT_TTL_SECONDS):
            return
        await self.deliver(recipient, outcome)

    async def deliver(self, recipient: Recipient, outcome: Outcome) -> None:
        """Send a reply. As the registered late-reply sender it runs under the inbox's push claim (once per
        message, retried by the reconciler if the process dies), so no Redis marker may stop a retried push."""
        await self._send_texts(recipient.sender, outcome_texts(outcome, CAPABILITIES), outcome, recipient.contact or "")

    async def _send_texts(self, openid: str, texts: list[str], outcome: Outcome | None, contact: str) -> None:
        async def fallback(rest: Sequence[str]) -> None:
            # Mini-program customer service has no template route: an SMS when the citizen left a number.
            phone = contact or str(((outcome.work_order if outcome else None) or {}).get("contact") or "")
            await sms_fallback(getattr(self.app.state, "sms_outbound", None), phone, rest, CHANNEL, openid)

        await self.customer_service.send(openid, texts, fallback)


def load_settings() -> MiniProgramSettings:
    return MiniProgramSettings()


async def setup(app: FastAPI, services: ChannelServices) -> None:
    settings = load_settings()
    if not settings.enabled:
        log.info("channel miniprogram disabled: set HOTLINE_MINIPROGRAM_TOKEN, _APPID and _SECRET")
        return
    refuse_placeholders(
        app,
        CHANNEL,
        {
            "HOTLINE_MINIPROGRAM_TOKEN": settings.token.get_secret_value(),
            "HOTLINE_MINIPROGRAM_SECRET": settings.secret.get_secret_value(),
        },
    )
    channel = MiniProgram(settings, services, app)
    app.state.miniprogram = channel
    services.register_sender(CHANNEL, channel.deliver)
    services.on_shutdown(channel.drain)
    log.info("channel miniprogram enabled (%s mode)", settings.mode)


router = APIRouter(prefix="/channels/miniprogram", tags=["channel: miniprogram"])


def _channel(request: Request) -> MiniProgram:
    channel: MiniProgram | None = getattr(request.app.state, "miniprogram", None)
    if channel is None:
        raise ChannelDisabled("the mini-program channel is not configured (HOTLINE_MINIPROGRAM_*)")
    return channel


@router.get("", summary="Mini-program message push URL verification", response_class=PlainTextResponse)
async def verify_url(request: Request) -> PlainTextResponse:
    return PlainTextResponse(_channel(request).verifier.verify_url(dict(request.query_params)))


@router.post("", summary="Mini-program customer-service message push (JSON or XML)")
async def receive(request: Request) -> PlainTextResponse:
    channel = _channel(request)
    envelope = channel.verifier.open(dict(request.query_params), await request.body(), parse_xml_or_json)
    message = message_from_push(envelope.fields, envelope.plain, channel.settings.max_text_chars)
    await channel.handle(message)
    return PlainTextResponse(SUCCESS)
