"""Authentication errors with stable codes; gateway/api turns them into 401/403/404/409/422."""

from __future__ import annotations


class AuthError(Exception):
    code = "auth_error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidCredentials(AuthError):
    """Unknown user, wrong password or disabled account (one message for all: no user enumeration)."""

    code = "invalid_credentials"


class InvalidToken(AuthError):
    code = "invalid_token"


class NotPermitted(AuthError):
    """Authenticated, but the role may not use this endpoint."""

    code = "not_permitted"


class UserExists(AuthError):
    code = "user_exists"


class UserNotFound(AuthError):
    code = "user_not_found"


class InvalidUser(AuthError):
    """A role that does not exist, a department handler without a department, a weak password."""

    code = "invalid_user"
