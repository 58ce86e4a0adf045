"""SMS channel: upstream (MO) pushes from Aliyun, Tencent Cloud or a generic gateway; replies by SMS.

POST /channels/sms/{provider}  provider in aliyun | tencent | generic. Each answers its provider's own
acknowledgement body at once; the reply SMS is sent when the pipeline finishes (processor -> deliver).
退订 / TD / STOP put the number on the opt-out list: it gets no more messages.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import replace

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from channels.base import ChannelServices, Message, Recipient
from channels.errors import ChannelDisabled, PayloadTooLarge, SignatureInvalid
from channels.guards import mask, refuse_placeholders, within_rate
from channels.render import clean
from channels.sms import aliyun, generic, segments, tencent
from channels.sms.outbound import Sender, SmsOutbound
from channels.sms.settings import SmsSettings

log = logging.getLogger(__name__)

CHANNEL = "sms"
Parser = Callable[[bytes, str, str], list[Message]]
PARSERS: dict[str, tuple[Parser, dict[str, object]]] = {
    aliyun.PROVIDER: (aliyun.parse_push, aliyun.ACK),
    tencent.PROVIDER: (tencent.parse_push, tencent.ACK),
    generic.PROVIDER: (generic.parse_push, generic.ACK),
}

__all__ = ["CHANNEL", "SmsChannel", "SmsOutbound", "SmsSettings", "router", "setup"]


def build_sender(settings: SmsSettings, services: ChannelServices) -> Sender | None:
    if settings.outbound == "aliyun":
        return aliyun.AliyunSender(
            services.http,
            settings.aliyun_api_base,
            settings.aliyun_access_key_id,
            settings.aliyun_access_key_secret.get_secret_value(),
            settings.sign_name,
            settings.aliyun_template_code,
            settings.aliyun_template_param,
        )
    if settings.outbound == "tencent":
        return tencent.TencentSender(
            services.http,
            settings.tencent_api_base,
            settings.tencent_secret_id,
            settings.tencent_secret_key.get_secret_value(),
            settings.tencent_sdk_app_id,
            settings.sign_name,
            settings.tencent_template_id,
            settings.tencent_region,
        )
    if settings.outbound == "generic":
        return generic.GenericSender(
            services.http, settings.generic_send_url, settings.generic_secret.get_secret_value()
        )
    return None


class SmsChannel:
    def __init__(self, settings: SmsSettings, services: ChannelServices, outbound: SmsOutbound) -> None:
        self.settings = settings
        self.services = services
        self.outbound = outbound

    def authenticate(self, provider: str, request: Request, body: bytes) -> None:
        if provider not in self.settings.inbound_providers():
            raise ChannelDisabled(f"SMS provider '{provider[:32]}' is not configured")
        if provider == generic.PROVIDER:
            generic.verify(
                self.settings.generic_secret.get_secret_value(),
                request.headers.get("x-hotline-timestamp"),
                request.headers.get("x-hotline-signature"),
                body,
                self.settings.signature_window_seconds,
            )
            return
        secret = {"aliyun": self.settings.aliyun_push_token, "tencent": self.settings.tencent_push_token}[provider]
        given = request.query_params.get("token", "")
        if not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
            raise SignatureInvalid("push token does not match")

    async def handle(self, message: Message) -> None:
        text = clean(message.text)
        if not text:
            return
        if segments.is_opt_out(text):
            await self.outbound.opt_out(message.sender)
            return
        if not await within_rate(self.services, CHANNEL, message.sender, self.settings.rate_limit_per_minute):
            log.warning("sms: %s over the rate limit; message not processed", mask(message.sender))
            return
        if len(text) > self.settings.max_text_chars:
            text = text[: self.settings.max_text_chars]
        message = replace(message, text=text)
        outcome = await self.services.intake.submit(message, self.settings.reply_budget_seconds)
        if not outcome.pending:
            await self.outbound.deliver_ready(recipient_of(message), outcome)


def recipient_of(message: Message) -> Recipient:
    return Recipient(
        channel=message.channel,
        sender=message.sender,
        external_id=message.external_id,
        contact=message.contact,
        meta=message.meta,
    )


def load_settings() -> SmsSettings:
    return SmsSettings()


async def setup(app: FastAPI, services: ChannelServices) -> None:
    settings = load_settings()
    if not settings.enabled:
        log.info("channel sms disabled: set HOTLINE_SMS_ALIYUN_PUSH_TOKEN / _TENCENT_PUSH_TOKEN / _GENERIC_SECRET")
        return
    refuse_placeholders(
        app,
        CHANNEL,
        {
            "HOTLINE_SMS_ALIYUN_PUSH_TOKEN": settings.aliyun_push_token.get_secret_value(),
            "HOTLINE_SMS_TENCENT_PUSH_TOKEN": settings.tencent_push_token.get_secret_value(),
            "HOTLINE_SMS_GENERIC_SECRET": settings.generic_secret.get_secret_value(),
        },
    )
    outbound = SmsOutbound(settings, services, build_sender(settings, services))
    app.state.sms = SmsChannel(settings, services, outbound)
    app.state.sms_outbound = outbound
    services.register_sender(CHANNEL, outbound.deliver)
    log.info(
        "channel sms enabled: inbound %s, outbound %s",
        ",".join(settings.inbound_providers()) or "none",
        settings.outbound or "none",
    )


router = APIRouter(prefix="/channels/sms", tags=["channel: sms"])


@router.post("/{provider}", summary="Upstream SMS push from a provider (aliyun, tencent, generic)")
async def receive(provider: str, request: Request) -> JSONResponse:
    channel: SmsChannel | None = getattr(request.app.state, "sms", None)
    if channel is None:
        raise ChannelDisabled("the SMS channel is not configured (HOTLINE_SMS_*)")
    if provider not in PARSERS:
        raise ChannelDisabled(f"unknown SMS provider '{provider[:32]}'; use aliyun, tencent or generic")
    body = await request.body()
    if len(body) > channel.settings.max_body_bytes:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {channel.settings.max_body_bytes}")
    channel.authenticate(provider, request, body)
    parse, ack = PARSERS[provider]
    for message in parse(body, CHANNEL, channel.settings.default_region):
        await channel.handle(message)
    return JSONResponse(ack)
