"""Phone: call transcripts from the voice platform join the same pipeline and work-order store.

POST /channels/phone/transcripts  (Authorization: Bearer <HOTLINE_PHONE_TOKEN>)
{"call_id": "...", "caller": "13800138000", "transcript": "..." | "segments": [{"speaker": "citizen"|"agent",
 "text": "...", "start": 0.0, "end": 3.2}], "started_at", "ended_at", "asr_confidence", "agent_id"}
The citizen's words (segments spoken by the citizen, else the whole transcript) become the message; the
answer is the outcome (ticket, emergency referral) for the agent's screen. Outcomes finished later go to
HOTLINE_PHONE_CALLBACK_URL (signed) and, when an SMS provider is configured, to the caller as an SMS receipt.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels.base import ChannelServices, Message, Outcome, Recipient
from channels.callbacks import post_outcome
from channels.errors import ChannelDisabled, InvalidPayload, NotFound, PayloadTooLarge
from channels.guards import check_bearer, enforce_rate, mask, refuse_placeholders
from channels.jsonbody import load_json
from channels.render import Capabilities, clean, outcome_text
from channels.sms.numbers import normalise

log = logging.getLogger(__name__)

CHANNEL = "phone"
_ID = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class PhoneSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_PHONE_", env_file=".env", extra="ignore")

    token: SecretStr = SecretStr("")
    callback_url: str = ""
    sms_receipt: bool = True
    reply_budget_seconds: float = Field(default=8.0, ge=0, le=30)
    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    max_text_chars: int = Field(default=20_000, gt=0)
    rate_limit_per_minute: int = Field(default=600, gt=0)

    @property
    def enabled(self) -> bool:
        return bool(self.token.get_secret_value())


class Segment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speaker: Literal["citizen", "agent", "ivr"]
    text: str = Field(max_length=20_000)
    start: float | None = Field(default=None, ge=0)
    end: float | None = Field(default=None, ge=0)


class TranscriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    call_id: _ID
    caller: str = Field(default="", max_length=32)
    callee: str = Field(default="", max_length=32)
    transcript: str = Field(default="", max_length=100_000)
    segments: list[Segment] = Field(default_factory=list, max_length=2000)
    started_at: str = Field(default="", max_length=40)
    ended_at: str = Field(default="", max_length=40)
    asr_confidence: float | None = Field(default=None, ge=0, le=1)
    agent_id: str = Field(default="", max_length=64)


def parse(body: bytes, settings: PhoneSettings) -> Message:
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {settings.max_body_bytes}")
    payload = load_json(body)
    try:
        call = TranscriptIn.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise InvalidPayload(problems) from error
    citizen = [clean(s.text) for s in call.segments if s.speaker == "citizen"]
    text = clean("\n".join(part for part in citizen if part)) if call.segments else clean(call.transcript)
    if not text:
        raise InvalidPayload("no citizen speech: give transcript or segments spoken by the citizen")
    if len(text) > settings.max_text_chars:
        raise PayloadTooLarge(f"transcript has {len(text)} characters; the limit is {settings.max_text_chars}")
    contact = _caller_number(call.caller)
    meta = {
        key: str(value)
        for key, value in (
            ("started_at", call.started_at),
            ("ended_at", call.ended_at),
            ("agent_id", call.agent_id),
            ("asr_confidence", call.asr_confidence if call.asr_confidence is not None else ""),
        )
        if value != ""
    }
    return Message(
        channel=CHANNEL,
        external_id=f"call:{call.call_id}",
        session_key=f"call:{call.call_id}",
        sender=contact or f"call:{call.call_id}",
        text=text,
        raw=body.decode("utf-8"),
        kind="voice",
        contact=contact,
        meta=meta,
    )


def _caller_number(raw: str) -> str | None:
    """Withheld or malformed caller ids ('anonymous', '') are not an error: the call still counts."""
    if not raw.strip():
        return None
    try:
        return normalise(raw)
    except InvalidPayload:
        return None


class PhoneChannel:
    def __init__(self, settings: PhoneSettings, services: ChannelServices, app: FastAPI) -> None:
        self.settings = settings
        self.services = services
        self.app = app

    async def deliver(self, recipient: Recipient, outcome: Outcome) -> None:
        if self.settings.callback_url:
            await post_outcome(
                self.services.http,
                self.settings.callback_url,
                self.settings.token.get_secret_value(),
                recipient,
                outcome,
            )
        sms = getattr(self.app.state, "sms_outbound", None)
        if self.settings.sms_receipt and sms is not None and recipient.contact:
            await sms.send(recipient.contact, outcome_text(outcome, Capabilities(buttons=False)))
        elif not self.settings.callback_url:
            log.info("phone: outcome of %s kept for the agent console", mask(recipient.external_id))


def render(outcome: Outcome, call_id: str) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "replies": [reply.to_dict() for reply in outcome.replies],
        "emergency": outcome.emergency,
        "work_order": outcome.work_order,
        "pending": outcome.pending,
    }


def load_settings() -> PhoneSettings:
    return PhoneSettings()


async def setup(app: FastAPI, services: ChannelServices) -> None:
    settings = load_settings()
    if not settings.enabled:
        log.info("channel phone disabled: set HOTLINE_PHONE_TOKEN")
        return
    refuse_placeholders(app, CHANNEL, {"HOTLINE_PHONE_TOKEN": settings.token.get_secret_value()})
    channel = PhoneChannel(settings, services, app)
    app.state.phone = channel
    services.register_sender(CHANNEL, channel.deliver)
    log.info("channel phone enabled")


router = APIRouter(prefix="/channels/phone", tags=["channel: phone"])


def _channel(request: Request) -> PhoneChannel:
    channel: PhoneChannel | None = getattr(request.app.state, "phone", None)
    if channel is None:
        raise ChannelDisabled("the phone channel is not configured (HOTLINE_PHONE_TOKEN)")
    return channel


@router.post("/transcripts", summary="A call transcript from the voice platform")
async def post_transcript(request: Request) -> dict[str, Any]:
    channel = _channel(request)
    check_bearer(request.headers.get("authorization"), {"voice": channel.settings.token.get_secret_value()})
    await enforce_rate(channel.services, CHANNEL, "voice-platform", channel.settings.rate_limit_per_minute)
    message = parse(await request.body(), channel.settings)
    outcome = await channel.services.intake.submit(message, channel.settings.reply_budget_seconds)
    return render(outcome, message.external_id.split(":", 1)[1])


@router.get("/transcripts/{call_id}", summary="The outcome of a call, when it was still pending")
async def get_transcript(call_id: _ID, request: Request) -> dict[str, Any]:
    channel = _channel(request)
    check_bearer(request.headers.get("authorization"), {"voice": channel.settings.token.get_secret_value()})
    history = await channel.services.intake.history(CHANNEL, f"call:{call_id}")
    if not history:
        raise NotFound(f"no call {call_id} was received")
    return {"call_id": call_id, "messages": history}
