"""API intake: other platforms transfer appeals in (110 handing over non-police matters, the national
government-service platform, a district system), authenticated by a bearer token per platform.

POST /channels/api/appeals            {"appeal_id", "text", "title", "citizen": {"name", "phone"},
                                       "location", "occurred_at", "category_hint"}
GET  /channels/api/appeals/{appeal_id} the appeal's messages and outcomes (for pending ones)
HOTLINE_API_TOKENS is a JSON object {"<platform>": "<token>"}; the platform name comes from the token, never
from the body, so one platform cannot file under another's name. Outcomes finished after the request go
to that platform's URL in HOTLINE_API_CALLBACKS ({"<platform>": "https://..."}), signed with its token.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from channels.base import ChannelServices, Message, Outcome, Recipient
from channels.callbacks import post_outcome
from channels.errors import ChannelDisabled, InvalidPayload, NotFound, PayloadTooLarge
from channels.guards import check_bearer, enforce_rate, refuse_placeholders
from channels.jsonbody import load_json
from channels.render import clean
from channels.sms.numbers import normalise

log = logging.getLogger(__name__)

CHANNEL = "api"
_ID = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_API_", env_file=".env", extra="ignore")

    tokens: dict[str, SecretStr] = Field(default_factory=dict)
    callbacks: dict[str, str] = Field(default_factory=dict)
    reply_budget_seconds: float = Field(default=5.0, ge=0, le=30)
    max_body_bytes: int = Field(default=256 * 1024, gt=0)
    max_text_chars: int = Field(default=20_000, gt=0)
    rate_limit_per_minute: int = Field(default=600, gt=0)

    @property
    def enabled(self) -> bool:
        return any(token.get_secret_value() for token in self.tokens.values())

    def plain_tokens(self) -> dict[str, str]:
        return {name: token.get_secret_value() for name, token in self.tokens.items()}


class Citizen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=50)
    phone: str = Field(default="", max_length=32)


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    appeal_id: _ID
    text: str = Field(min_length=1)
    title: str = Field(default="", max_length=200)
    citizen: Citizen = Field(default_factory=Citizen)
    location: str = Field(default="", max_length=500)
    occurred_at: str = Field(default="", max_length=40)
    category_hint: str = Field(default="", max_length=100)


def parse(body: bytes, platform: str, settings: ApiSettings) -> Message:
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {settings.max_body_bytes}")
    payload = load_json(body)
    try:
        appeal = AppealIn.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise InvalidPayload(problems) from error
    text = clean(appeal.text)
    if not text:
        raise InvalidPayload("text: must not be empty")
    if len(text) > settings.max_text_chars:
        raise PayloadTooLarge(f"text has {len(text)} characters; the limit is {settings.max_text_chars}")
    contact = normalise(appeal.citizen.phone) if appeal.citizen.phone.strip() else None
    meta = {"platform": platform}
    for key, value in (
        ("title", appeal.title),
        ("location", appeal.location),
        ("occurred_at", appeal.occurred_at),
        ("category_hint", appeal.category_hint),
        ("name", appeal.citizen.name),
    ):
        if value.strip():
            meta[key] = clean(value)
    body_text = f"{clean(appeal.title)}\n{text}" if appeal.title.strip() else text
    if appeal.location.strip():
        body_text += f"\n地点：{clean(appeal.location)}"
    key = f"{platform}:{appeal.appeal_id}"
    return Message(
        channel=CHANNEL,
        external_id=key,
        session_key=key,
        sender=platform,
        text=body_text,
        raw=body.decode("utf-8"),
        contact=contact,
        meta=meta,
    )


def render(outcome: Outcome, platform: str, appeal_id: str) -> dict[str, Any]:
    return {
        "platform": platform,
        "appeal_id": appeal_id,
        "replies": [reply.to_dict() for reply in outcome.replies],
        "emergency": outcome.emergency,
        "work_order": outcome.work_order,
        "pending": outcome.pending,
    }


class ApiChannel:
    def __init__(self, settings: ApiSettings, services: ChannelServices) -> None:
        self.settings = settings
        self.services = services

    def authenticate(self, request: Request) -> str:
        return check_bearer(request.headers.get("authorization"), self.settings.plain_tokens())

    async def deliver(self, recipient: Recipient, outcome: Outcome) -> None:
        platform = recipient.meta.get("platform", recipient.sender)
        url = self.settings.callbacks.get(platform, "")
        if not url:
            log.info("api: no callback for platform %s; it polls GET /channels/api/appeals/{id}", platform)
            return
        await post_outcome(self.services.http, url, self.settings.plain_tokens()[platform], recipient, outcome)


def load_settings() -> ApiSettings:
    return ApiSettings()


async def setup(app: FastAPI, services: ChannelServices) -> None:
    settings = load_settings()
    if not settings.enabled:
        log.info('channel api disabled: set HOTLINE_API_TOKENS ({"platform": "token"})')
        return
    refuse_placeholders(
        app, CHANNEL, {f"HOTLINE_API_TOKENS[{name}]": token for name, token in settings.plain_tokens().items()}
    )
    channel = ApiChannel(settings, services)
    app.state.api_channel = channel
    services.register_sender(CHANNEL, channel.deliver)
    log.info("channel api enabled for %s", ", ".join(sorted(settings.tokens)))


router = APIRouter(prefix="/channels/api", tags=["channel: api"])


def _channel(request: Request) -> ApiChannel:
    channel: ApiChannel | None = getattr(request.app.state, "api_channel", None)
    if channel is None:
        raise ChannelDisabled("the API intake is not configured (HOTLINE_API_TOKENS)")
    return channel


@router.post("/appeals", summary="Transfer an appeal in from another platform")
async def post_appeal(request: Request) -> dict[str, Any]:
    channel = _channel(request)
    platform = channel.authenticate(request)
    await enforce_rate(channel.services, CHANNEL, platform, channel.settings.rate_limit_per_minute)
    message = parse(await request.body(), platform, channel.settings)
    outcome = await channel.services.intake.submit(message, channel.settings.reply_budget_seconds)
    return render(outcome, platform, message.external_id.split(":", 1)[1])


@router.get("/appeals/{appeal_id}", summary="An appeal's messages and outcomes")
async def get_appeal(appeal_id: _ID, request: Request) -> dict[str, Any]:
    channel = _channel(request)
    platform = channel.authenticate(request)
    history = await channel.services.intake.history(CHANNEL, f"{platform}:{appeal_id}")
    if not history:
        raise NotFound(f"no appeal {appeal_id} from {platform}")
    return {"platform": platform, "appeal_id": appeal_id, "messages": history}
