"""Bearer tokens: short-lived JWT access tokens (HS256, HOTLINE_SECRET_KEY) and long-lived API tokens.

API tokens are random (`hlt_` + 43 url-safe characters); only their SHA-256 is stored, so a leaked
database does not leak usable tokens. The prefix tells the two kinds apart without a database read.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from gateway.auth.errors import InvalidToken

API_TOKEN_PREFIX = "hlt_"
_ALGORITHM = "HS256"
_ISSUER = "hotline-gateway"


@dataclass(frozen=True)
class AccessClaims:
    username: str
    role: str
    department: str | None
    expires_at: datetime


def issue_access_token(
    username: str,
    role: str,
    department: str | None,
    secret: str,
    lifetime: timedelta,
    now: datetime | None = None,
) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    issued = now or datetime.now(UTC)
    payload: dict[str, Any] = {
        "sub": username,
        "role": role,
        "dept": department,
        "iat": int(issued.timestamp()),
        "exp": int((issued + lifetime).timestamp()),
        "iss": _ISSUER,
        "typ": "access",
    }
    return jwt.encode(payload, secret, algorithm=_ALGORITHM), int(lifetime.total_seconds())


def decode_access_token(token: str, secret: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            secret,
            algorithms=[_ALGORITHM],
            issuer=_ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError as error:
        raise InvalidToken("the access token has expired") from error
    except jwt.PyJWTError as error:
        raise InvalidToken("the access token is not valid") from error
    if payload.get("typ") != "access":
        raise InvalidToken("not an access token")
    return AccessClaims(
        username=str(payload["sub"]),
        role=str(payload.get("role", "")),
        department=payload.get("dept"),
        expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
    )


def new_api_token() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)
