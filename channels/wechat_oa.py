"""WeChat official account (公众号): server verification and message push in all three modes.

GET  /channels/wechat-oa  signature/timestamp/nonce/echostr -> echostr (server URL verification).
POST /channels/wechat-oa  XML push. Plaintext mode: `signature` over (token, timestamp, nonce). Compatible
and safe mode (`encrypt_type=aes`): `msg_signature` also covers the Encrypt field, the body is
AES-256-CBC with the EncodingAESKey, and the reply is encrypted the same way.

The 5-second rule: the pipeline gets `reply_budget_seconds` (4 s); an outcome in time goes back as a passive
XML reply, otherwise the answer is `success` and the reply goes out later through the customer-service API
(5 messages within 48 h of the citizen's last message), falling back to a template message or an SMS.

Decisions: events never open work orders. `subscribe` gets the welcome text, `CLICK` the text configured for
its menu key, `LOCATION` is remembered and attached to the citizen's next messages; none enters the
pipeline. Unknown message types (video, file, ...) are parsed into data (kind "unknown", raw kept) and
answered politely without entering the pipeline. Text, voice, image, location and link enter the pipeline.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels.base import ChannelServices, Message, MessageKind, Outcome, Recipient
from channels.errors import ChannelDisabled, InvalidPayload
from channels.guards import refuse_placeholders, within_rate
from channels.render import Capabilities, clean, outcome_text, outcome_texts
from channels.wechat_api import WeChatApi
from channels.wechat_cs import CustomerServiceQuota, CustomerServiceSender, sms_fallback
from channels.wechat_envelope import Envelope, Verifier
from channels.xmlsafe import build_flat

log = logging.getLogger(__name__)

CHANNEL = "wechat_oa"
SUCCESS = "success"
# A passive reply holds 2048 bytes; 600 Chinese characters stay well inside in UTF-8.
CAPABILITIES = Capabilities(buttons=False, max_chars=600)


class WeChatOASettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_WECHAT_OA_", env_file=".env", extra="ignore")

    token: SecretStr = SecretStr("")
    appid: str = ""
    secret: SecretStr = SecretStr("")
    # The 43-character EncodingAESKey; needed for compatible and safe mode.
    aes_key: SecretStr = SecretStr("")
    # safe: plaintext pushes are refused; compatible/plaintext: both are accepted when aes_key is set.
    mode: Literal["plaintext", "compatible", "safe"] = "plaintext"
    api_base: str = "https://api.weixin.qq.com"
    reply_budget_seconds: float = Field(default=4.0, gt=0, lt=5)
    timestamp_window_seconds: int = Field(default=300, gt=0)
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    max_text_chars: int = Field(default=2000, gt=0)
    rate_limit_per_minute: int = Field(default=20, gt=0)
    cs_quota: int = Field(default=5, ge=0)
    cs_window_hours: int = Field(default=48, gt=0)
    # Fallback when the customer-service quota is used up: a template message, else an SMS.
    template_id: str = ""
    template_text_key: str = "content"
    template_url: str = ""
    welcome_text: str = (
        "您好，欢迎关注12345政务服务便民热线！请直接发送您的诉求（咨询、求助、投诉、举报、建议），"
        "我们会尽快办理。遇到火警、急救、治安、交通事故请直接拨打119、120、110、122。"
    )
    unsupported_text: str = "暂不支持这种消息类型，请用文字、语音或图片描述您的诉求。"
    too_fast_text: str = "您发送消息太频繁了，请稍后再试。"
    # JSON object: menu key -> reply text for CLICK events.
    menu_texts: dict[str, str] = Field(default_factory=dict)

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value())

    @property
    def can_send(self) -> bool:
        return bool(self.appid and self.secret.get_secret_value())


# --- parsing: fields of one push -> Message -------------------------------------------------------

_MEDIA_META = {
    "PicUrl": "pic_url",
    "MediaId": "media_id",
    "Format": "format",
    "Location_X": "latitude",
    "Location_Y": "longitude",
    "Scale": "scale",
    "Label": "label",
    "Title": "title",
    "Description": "description",
    "Url": "url",
    "Event": "event",
    "EventKey": "event_key",
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Precision": "precision",
    "Ticket": "ticket",
}


def message_from_fields(fields: dict[str, str], raw: str, channel: str, max_text_chars: int) -> Message:
    """A WeChat push (XML fields or JSON keys) as a normalised Message; unknown types become data."""
    openid = fields.get("FromUserName", "")
    msg_type = fields.get("MsgType", "").lower()
    if not openid or not msg_type:
        raise InvalidPayload("push lacks FromUserName or MsgType")
    if len(openid) > 128:
        raise InvalidPayload("FromUserName is too long for an openid")
    create_time = fields.get("CreateTime", "")
    msg_id = fields.get("MsgId") or fields.get("MsgID") or ""
    # Events carry no MsgId: FromUserName + CreateTime is WeChat's documented dedup key for them.
    external_id = msg_id if msg_id and msg_type != "event" else f"{openid}:{create_time}:{msg_type}"
    kind, text = _kind_and_text(msg_type, fields)
    text = clean(text)
    if len(text) > max_text_chars:
        text = text[:max_text_chars]
    meta = {"msg_type": msg_type, "to_user": fields.get("ToUserName", "")}
    meta.update({short: fields[key] for key, short in _MEDIA_META.items() if fields.get(key)})
    return Message(
        channel=channel,
        external_id=external_id[:200],
        session_key=openid,
        sender=openid,
        text=text,
        raw=raw,
        kind=kind,
        meta=meta,
    )


def _kind_and_text(msg_type: str, fields: dict[str, str]) -> tuple[MessageKind, str]:
    if msg_type == "text":
        return "text", fields.get("Content", "")
    if msg_type == "voice":
        # WeChat's speech recognition, when the account has it switched on.
        return "voice", fields.get("Recognition", "") or "[语音]"
    if msg_type == "image":
        return "image", "[图片]"
    if msg_type == "location":
        label = fields.get("Label", "")
        where = f"{fields.get('Location_X', '')},{fields.get('Location_Y', '')}"
        return "location", f"[位置] {label} ({where})".replace(" ()", "")
    if msg_type == "link":
        parts = (fields.get("Title", ""), fields.get("Description", ""), fields.get("Url", ""))
        return "link", "[链接] " + " ".join(part for part in parts if part)
    if msg_type == "event":
        return "event", f"[事件] {fields.get('Event', '')} {fields.get('EventKey', '')}"
    return "unknown", f"[{msg_type[:32]}]"


def passive_text(to_openid: str, from_account: str, text: str, now: int | None = None) -> str:
    return build_flat(
        {
            "ToUserName": to_openid,
            "FromUserName": from_account,
            "CreateTime": int(time.time()) if now is None else now,
            "MsgType": "text",
            "Content": text,
        }
    )


# --- the channel at run time -------------------------------------------------------------------------


class WeChatOA:
    def __init__(self, settings: WeChatOASettings, services: ChannelServices, app: FastAPI) -> None:
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
        self.api = (
            WeChatApi(
                services.http,
                services.sessions,
                settings.appid,
                settings.secret.get_secret_value(),
                settings.api_base,
                scope=CHANNEL,
            )
            if settings.can_send
            else None
        )
        self.quota = CustomerServiceQuota(
            services.sessions, CHANNEL, settings.cs_quota, settings.cs_window_hours * 3600
        )
        self.customer_service = CustomerServiceSender(self.api, self.quota)

    async def handle(self, message: Message) -> str | None:
        """The passive reply text for this push, or None for `success`."""
        if message.kind == "event":
            return await self._event(message)
        if message.kind == "unknown":
            log.info("wechat_oa: unsupported message type %s", message.meta.get("msg_type"))
            return self.settings.unsupported_text
        if not await within_rate(self.services, CHANNEL, message.sender, self.settings.rate_limit_per_minute):
            return self.settings.too_fast_text
        async_marker = f"{CHANNEL}:async:{message.external_id}"
        if await self.services.sessions.get(async_marker):
            # A retry of a message whose reply already goes out through the customer-service API.
            return None
        await self.quota.opened(message.sender)
        outcome = await self.services.intake.submit(
            await self._with_location(message), self.settings.reply_budget_seconds
        )
        if outcome.pending:
            await self.services.sessions.set(async_marker, {"at": time.time()}, 24 * 3600)
            return None
        if await self.services.sessions.get(async_marker):
            # A concurrent attempt of the same message ran out of budget first: its reply goes by the API.
            return None
        # An outcome with nothing to say is answered `success` (an empty passive reply shows a blank bubble).
        return outcome_text(outcome, CAPABILITIES) or None

    async def _with_location(self, message: Message) -> Message:
        last = await self.services.sessions.get(f"{CHANNEL}:location:{message.sender}")
        if not last:
            return message
        meta = {**message.meta, "reported_location": f"{last['latitude']},{last['longitude']}"}
        return replace(message, meta=meta)

    async def _event(self, message: Message) -> str | None:
        event = message.meta.get("event", "").lower()
        if event == "subscribe":
            return self.settings.welcome_text
        if event == "unsubscribe":
            await self.quota.close(message.sender)
            return None
        if event == "click":
            key = message.meta.get("event_key", "")
            return self.settings.menu_texts.get(key, self.settings.welcome_text)
        if event == "location":
            await self.services.sessions.set(
                f"{CHANNEL}:location:{message.sender}",
                {key: message.meta.get(key, "") for key in ("latitude", "longitude")},
                24 * 3600,
            )
        return None

    async def deliver(self, recipient: Recipient, outcome: Outcome) -> None:
        """Send a late reply: customer-service messages within the quota, then the fallback."""

        async def fallback(texts: Sequence[str]) -> None:
            await self._fallback(recipient, outcome, texts)

        await self.customer_service.send(recipient.sender, outcome_texts(outcome, CAPABILITIES), fallback)

    async def _fallback(self, recipient: Recipient, outcome: Outcome, texts: Sequence[str]) -> None:
        joined = "\n".join(texts)
        if self.api is not None and self.settings.template_id:
            await self.api.send_template(
                recipient.sender,
                self.settings.template_id,
                {self.settings.template_text_key: joined},
                self.settings.template_url,
            )
            return
        phone = recipient.contact or str((outcome.work_order or {}).get("contact") or "")
        await sms_fallback(getattr(self.app.state, "sms_outbound", None), phone, texts, CHANNEL, recipient.sender)

    def respond(self, envelope: Envelope, text: str | None) -> Response:
        if text is None:
            return PlainTextResponse(SUCCESS)
        xml = passive_text(envelope.fields.get("FromUserName", ""), envelope.fields.get("ToUserName", ""), text)
        if envelope.encrypted:
            xml = self.verifier.seal(xml, envelope.nonce)
        return Response(xml, media_type="application/xml; charset=utf-8")


def load_settings() -> WeChatOASettings:
    return WeChatOASettings()


async def setup(app: FastAPI, services: ChannelServices) -> None:
    settings = load_settings()
    if not settings.enabled:
        log.info("channel wechat_oa disabled: set HOTLINE_WECHAT_OA_TOKEN (and APPID/SECRET/AES_KEY)")
        return
    refuse_placeholders(
        app,
        CHANNEL,
        {
            "HOTLINE_WECHAT_OA_TOKEN": settings.token.get_secret_value(),
            "HOTLINE_WECHAT_OA_SECRET": settings.secret.get_secret_value(),
        },
    )
    channel = WeChatOA(settings, services, app)
    app.state.wechat_oa = channel
    if channel.api is None:
        log.warning("wechat_oa: no APPID/SECRET; late replies cannot use the customer-service API")
    services.register_sender(CHANNEL, channel.deliver)
    log.info("channel wechat_oa enabled (%s mode)", settings.mode)


router = APIRouter(prefix="/channels/wechat-oa", tags=["channel: wechat_oa"])


def _channel(request: Request) -> WeChatOA:
    channel: WeChatOA | None = getattr(request.app.state, "wechat_oa", None)
    if channel is None:
        raise ChannelDisabled("the WeChat official account channel is not configured (HOTLINE_WECHAT_OA_*)")
    return channel


@router.get("", summary="WeChat server URL verification", response_class=PlainTextResponse)
async def verify_url(request: Request) -> PlainTextResponse:
    channel = _channel(request)
    return PlainTextResponse(channel.verifier.verify_url(dict(request.query_params)))


@router.post("", summary="WeChat message push (plaintext, compatible or safe mode)")
async def receive(request: Request) -> Response:
    channel = _channel(request)
    envelope = channel.verifier.open(dict(request.query_params), await request.body())
    message = message_from_fields(envelope.fields, envelope.plain, CHANNEL, channel.settings.max_text_chars)
    if envelope.encrypted:
        message = replace(message, meta={**message.meta, "encrypted": "1"})
    return channel.respond(envelope, await channel.handle(message))
