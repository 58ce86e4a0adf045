"""Accounts, roles and bearer tokens for the agent, department, supervisor, maintainer and admin APIs.

users = UserStore(store.engine)
users.create("wang.fang", "agent", password="...")
token, expires_in = issue_access_token("wang.fang", "agent", None, secret, timedelta(hours=8))
"""

from gateway.auth.errors import (
    AuthError,
    InvalidCredentials,
    InvalidToken,
    InvalidUser,
    NotPermitted,
    UserExists,
    UserNotFound,
)
from gateway.auth.passwords import Passwords
from gateway.auth.tokens import decode_access_token, issue_access_token
from gateway.auth.users import ACCOUNT_ROLES, TokenRecord, UserRecord, UserStore

__all__ = [
    "ACCOUNT_ROLES",
    "AuthError",
    "InvalidCredentials",
    "InvalidToken",
    "InvalidUser",
    "NotPermitted",
    "Passwords",
    "TokenRecord",
    "UserExists",
    "UserNotFound",
    "UserRecord",
    "UserStore",
    "decode_access_token",
    "issue_access_token",
]
