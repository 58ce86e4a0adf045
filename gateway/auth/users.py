"""Accounts and API tokens in SQL: create, list, authenticate, resolve bearer tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from gateway.auth.errors import InvalidCredentials, InvalidToken, InvalidUser, UserExists, UserNotFound
from gateway.auth.passwords import Passwords
from gateway.auth.tokens import api_token_hash, new_api_token
from gateway.clock import as_utc, utc_now
from gateway.store.models import ApiToken, Event, User
from gateway.workorders.lifecycle import Actor, Role

# Roles an account can hold (system and citizen are not accounts).
ACCOUNT_ROLES = (Role.AGENT, Role.DEPARTMENT, Role.SUPERVISOR, Role.MAINTAINER, Role.ADMIN)
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    display_name: str
    role: Role
    department: str | None
    active: bool
    has_password: bool

    @classmethod
    def of(cls, row: User) -> UserRecord:
        return cls(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            department=row.department,
            active=bool(row.active),
            has_password=row.password_hash is not None,
        )

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.department)

    def to_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role.value,
            "department": self.department,
            "active": self.active,
        }


@dataclass(frozen=True)
class TokenRecord:
    id: int
    username: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "username": self.username,
            "name": self.name,
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "expires_at": iso(self.expires_at),
            "last_used_at": iso(self.last_used_at),
            "revoked_at": iso(self.revoked_at),
        }


def validate_account(username: str, role: str, department: str | None) -> Role:
    if not _USERNAME.match(username):
        raise InvalidUser("usernames are 2-64 letters, digits, '.', '_', '@' or '-'")
    try:
        parsed = Role(role)
    except ValueError as error:
        raise InvalidUser(f"unknown role {role!r}") from error
    if parsed not in ACCOUNT_ROLES:
        raise InvalidUser(f"role {role} is not an account role")
    if parsed is Role.DEPARTMENT and not (department or "").strip():
        raise InvalidUser("a department handler needs a department")
    return parsed


class UserStore:
    def __init__(self, engine: Engine, passwords: Passwords | None = None) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.passwords = passwords or Passwords()

    def create(
        self,
        username: str,
        role: str,
        *,
        password: str | None = None,
        department: str | None = None,
        display_name: str = "",
        actor: str = "system",
    ) -> UserRecord:
        parsed = validate_account(username, role, department)
        password_hash = self.passwords.hash(password) if password is not None else None
        now = utc_now()
        try:
            with self._sessions.begin() as session:
                row = User(
                    username=username,
                    display_name=display_name or username,
                    password_hash=password_hash,
                    role=parsed.value,
                    department=(department or "").strip() or None,
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                session.flush()
                session.add(_audit("user.created", actor, username, {"role": parsed.value, "department": department}))
                return UserRecord.of(row)
        except IntegrityError as error:
            raise UserExists(f"user {username} exists") from error

    def get(self, username: str) -> UserRecord:
        with self._sessions() as session:
            row = session.scalar(select(User).where(User.username == username))
            if row is None:
                raise UserNotFound(f"no user {username}")
            return UserRecord.of(row)

    def all(self) -> list[UserRecord]:
        with self._sessions() as session:
            return [UserRecord.of(row) for row in session.scalars(select(User).order_by(User.username))]

    def count_admins(self) -> int:
        with self._sessions() as session:
            rows = session.scalars(select(User.id).where(User.role == Role.ADMIN.value, User.active.is_(True)))
            return len(list(rows))

    def update(
        self,
        username: str,
        *,
        role: str | None = None,
        department: str | None = None,
        active: bool | None = None,
        password: str | None = None,
        actor: str = "system",
    ) -> UserRecord:
        with self._sessions.begin() as session:
            row = session.scalar(select(User).where(User.username == username).with_for_update())
            if row is None:
                raise UserNotFound(f"no user {username}")
            changes: dict[str, Any] = {}
            if role is not None or department is not None:
                new_department = department if department is not None else row.department
                parsed = validate_account(username, role or row.role, new_department)
                row.role, row.department = parsed.value, (new_department or "").strip() or None
                changes.update(role=row.role, department=row.department)
            if active is not None:
                row.active = active
                changes["active"] = active
            if password is not None:
                row.password_hash = self.passwords.hash(password)
                changes["password"] = "changed"
            row.updated_at = utc_now()
            session.add(_audit("user.updated", actor, username, changes))
            return UserRecord.of(row)

    def authenticate(self, username: str, password: str) -> UserRecord:
        """The user for a correct password; InvalidCredentials otherwise, in about the same time."""
        with self._sessions() as session:
            row = session.scalar(select(User).where(User.username == username))
            if row is None or row.password_hash is None:
                self.passwords.burn_time(password)
                raise InvalidCredentials("wrong username or password")
            if not self.passwords.verify(row.password_hash, password) or not row.active:
                raise InvalidCredentials("wrong username or password")
            stale = self.passwords.needs_rehash(row.password_hash)
            record = UserRecord.of(row)
        if stale:
            self.update(username, password=password, actor=username)
        return record

    def active_user(self, username: str) -> UserRecord:
        """The account behind a valid access token, which must still exist and be active."""
        try:
            user = self.get(username)
        except UserNotFound as error:
            raise InvalidToken("the token's user no longer exists") from error
        if not user.active:
            raise InvalidToken("the account is disabled")
        return user

    # -- API tokens ------------------------------------------------------------------------------

    def create_token(
        self, username: str, name: str, *, expires_in: timedelta | None = None, actor: str = "system"
    ) -> tuple[str, TokenRecord]:
        """A new API token; the plain token is returned once and never stored."""
        token = new_api_token()
        now = utc_now()
        with self._sessions.begin() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise UserNotFound(f"no user {username}")
            row = ApiToken(
                user_id=user.id,
                name=name[:64] or "token",
                token_hash=api_token_hash(token),
                prefix=token[:12],
                created_at=now,
                expires_at=now + expires_in if expires_in else None,
            )
            session.add(row)
            session.flush()
            session.add(_audit("api_token.created", actor, username, {"token_id": row.id, "name": row.name}))
            return token, _token_record(row, username)

    def tokens(self, username: str | None = None) -> list[TokenRecord]:
        with self._sessions() as session:
            statement = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
            if username is not None:
                statement = statement.where(User.username == username)
            rows = session.execute(statement.order_by(ApiToken.id)).all()
            return [_token_record(token, name) for token, name in rows]

    def revoke_token(self, token_id: int, *, owner: str | None = None, actor: str = "system") -> TokenRecord:
        """Revoke a token; with `owner`, only that user's token (people revoke their own)."""
        with self._sessions.begin() as session:
            found = session.execute(
                select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).where(ApiToken.id == token_id)
            ).first()
            if found is None or (owner is not None and found[1] != owner):
                raise UserNotFound(f"no API token {token_id}")
            row, username = found
            if row.revoked_at is None:
                row.revoked_at = utc_now()
                session.add(_audit("api_token.revoked", actor, username, {"token_id": token_id}))
            return _token_record(row, username)

    def resolve_token(self, token: str) -> UserRecord:
        """The active user behind an API token; InvalidToken for unknown, revoked or expired ones."""
        now = utc_now()
        with self._sessions.begin() as session:
            found = session.execute(
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == api_token_hash(token))
            ).first()
            if found is None:
                raise InvalidToken("unknown API token")
            row, user = found
            expires = as_utc(row.expires_at)
            if row.revoked_at is not None or (expires is not None and expires <= now) or not user.active:
                raise InvalidToken("the API token is revoked, expired or its account disabled")
            row.last_used_at = now
            return UserRecord.of(user)


def _token_record(row: ApiToken, username: str) -> TokenRecord:
    return TokenRecord(
        id=row.id,
        username=username,
        name=row.name,
        prefix=row.prefix,
        created_at=as_utc(row.created_at) or utc_now(),
        expires_at=as_utc(row.expires_at),
        last_used_at=as_utc(row.last_used_at),
        revoked_at=as_utc(row.revoked_at),
    )


def _audit(kind: str, actor: str, username: str, data: dict[str, Any]) -> Event:
    return Event(at=utc_now(), kind=kind, actor=actor, subject_type="user", subject_id=username, data=data)
