"""Checks every channel runs before it parses: enabled, authenticated, within its rate; masking for logs."""

from __future__ import annotations

import hmac
import re

from channels.base import ChannelServices
from channels.errors import ChannelMisconfigured, RateLimited, Unauthorized

_DIGITS = re.compile(r"\d")
_PLACEHOLDERS = frozenset(
    {"changeme", "change-me", "secret", "password", "token", "test", "dev", "development", "example", "xxx"}
)
_MIN_SECRET_CHARS = 8


async def within_rate(services: ChannelServices, channel: str, sender: str, per_minute: int) -> bool:
    """One hit for this sender; false when over the per-minute limit (keys prefixed by channel)."""
    return await services.rate_limits.hit(f"channel:{channel}:{sender}", per_minute, 60)


async def enforce_rate(services: ChannelServices, channel: str, sender: str, per_minute: int) -> None:
    if not await within_rate(services, channel, sender, per_minute):
        raise RateLimited(f"more than {per_minute} messages a minute from this sender; slow down")


def check_bearer(authorization: str | None, tokens: dict[str, str]) -> str:
    """The name of the client whose token matches `Authorization: Bearer <token>`; every token compared."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("missing bearer token (Authorization: Bearer <token>)")
    presented = authorization[7:].strip().encode()
    found = ""
    for name, token in tokens.items():
        # No early exit: the time taken does not depend on which token matched.
        if token and hmac.compare_digest(presented, token.encode()):
            found = name
    if not found:
        raise Unauthorized("bearer token not recognised")
    return found


def mask(value: str) -> str:
    """For logs: phone numbers, openids and addresses keep only their ends."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if len(value) <= 4:
        return "*" * len(value)
    keep = 3 if len(_DIGITS.findall(value)) >= 7 else 4
    return f"{value[:keep]}****{value[-2:]}"


def refuse_placeholders(app: object, channel: str, secrets: dict[str, str]) -> None:
    """With HOTLINE_ENV=production, configured credentials that are placeholders or too short stop startup."""
    settings = getattr(getattr(app, "state", None), "settings", None)
    if getattr(settings, "env", "development") != "production":
        return
    weak = [
        name
        for name, value in secrets.items()
        if value and (value.lower() in _PLACEHOLDERS or len(value) < _MIN_SECRET_CHARS)
    ]
    if weak:
        raise ChannelMisconfigured(
            f"channel {channel}: placeholder or short credentials in production: {', '.join(weak)}"
        )
