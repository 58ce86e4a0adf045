"""Accounts, passwords and tokens on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

from gateway.auth.errors import InvalidCredentials, InvalidToken, InvalidUser, UserExists, UserNotFound
from gateway.auth.passwords import Passwords
from gateway.auth.tokens import api_token_hash, decode_access_token, is_api_token, issue_access_token
from gateway.auth.users import UserStore
from gateway.store import create_engine_for, upgrade_database
from gateway.workorders.lifecycle import Role

SECRET = "a-test-secret-key-that-is-long-enough-0123456789"
# Cheap Argon2 parameters keep the tests fast; production uses argon2-cffi's defaults.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(params=["sqlite", "postgres"])
def users(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[UserStore]:
    url = (
        f"sqlite:///{tmp_path / 'auth.sqlite3'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    upgrade_database(url)
    engine = create_engine_for(url)
    yield UserStore(engine, Passwords(FAST))
    engine.dispose()


def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    passwords = Passwords(FAST)
    hashed = passwords.hash("市民热线服务2026!")
    assert hashed.startswith("$argon2id$") and "市民热线" not in hashed
    assert passwords.verify(hashed, "市民热线服务2026!")
    assert not passwords.verify(hashed, "市民热线服务2026?")
    assert not passwords.verify("not-a-hash", "市民热线服务2026!")
    # A hash made with weaker parameters than the current ones is flagged for upgrade.
    assert Passwords().needs_rehash(hashed)


@pytest.mark.parametrize("weak", ["short1!", "aaaaaaaaaaaaaa", "abababababab"])
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(InvalidUser):
        Passwords(FAST).hash(weak)


def test_create_authenticate_and_roles(users: UserStore) -> None:
    agent = users.create("wang.fang", "agent", password="坐席王芳-2026-春", display_name="王芳")
    handler = users.create("li.qiang", "department", password="城管李强-2026-夏", department="市城市管理局")
    assert agent.role is Role.AGENT and agent.display_name == "王芳"
    assert handler.actor.department == "市城市管理局" and handler.actor.role is Role.DEPARTMENT
    assert users.authenticate("wang.fang", "坐席王芳-2026-春").username == "wang.fang"
    for username, password in [("wang.fang", "wrong-password-1"), ("nobody", "坐席王芳-2026-春")]:
        with pytest.raises(InvalidCredentials) as refused:
            users.authenticate(username, password)
        assert refused.value.code == "invalid_credentials"
    with pytest.raises(UserExists):
        users.create("wang.fang", "agent", password="another-pass-99")
    assert [u.username for u in users.all()] == ["li.qiang", "wang.fang"]


@pytest.mark.parametrize(
    ("username", "role", "department"),
    [
        ("x", "agent", None),  # too short
        ("王芳", "agent", None),  # names are ASCII logins
        ("zhao.lei", "superuser", None),
        ("zhao.lei", "system", None),  # not an account role
        ("zhao.lei", "department", None),  # handlers need a department
        ("zhao.lei", "department", "  "),
    ],
)
def test_invalid_accounts_are_refused(users: UserStore, username: str, role: str, department: str | None) -> None:
    with pytest.raises(InvalidUser):
        users.create(username, role, password="valid-password-1", department=department)


def test_disabled_accounts_cannot_sign_in_or_use_tokens(users: UserStore) -> None:
    users.create("chen.jie", "supervisor", password="班长陈杰-2026-秋")
    token, _record = users.create_token("chen.jie", "console")
    users.update("chen.jie", active=False, actor="admin")
    with pytest.raises(InvalidCredentials):
        users.authenticate("chen.jie", "班长陈杰-2026-秋")
    with pytest.raises(InvalidToken):
        users.resolve_token(token)
    with pytest.raises(InvalidToken):
        users.active_user("chen.jie")
    users.update("chen.jie", active=True, password="新密码-陈杰-2027")
    assert users.authenticate("chen.jie", "新密码-陈杰-2027").role is Role.SUPERVISOR


def test_api_tokens_are_stored_hashed_expire_and_revoke(users: UserStore) -> None:
    users.create("water-office", "department", department="市水务局")
    token, record = users.create_token("water-office", "back office sync")
    assert is_api_token(token) and record.prefix == token[:12] and len(token) > 40
    assert users.resolve_token(token).department == "市水务局"
    stored = users.tokens("water-office")[0]
    assert stored.last_used_at is not None and stored.prefix == record.prefix
    with pytest.raises(InvalidToken):
        users.resolve_token(token + "x")
    users.revoke_token(record.id, owner="water-office")
    with pytest.raises(InvalidToken):
        users.resolve_token(token)
    short, _ = users.create_token("water-office", "expired", expires_in=timedelta(seconds=-1))
    with pytest.raises(InvalidToken):
        users.resolve_token(short)
    with pytest.raises(UserNotFound):
        users.revoke_token(record.id, owner="someone-else")
    # Only the hash is in the database.
    from sqlalchemy import select

    from gateway.store.models import ApiToken

    with users._sessions() as session:
        hashes = set(session.scalars(select(ApiToken.token_hash)))
    assert api_token_hash(token) in hashes and token not in hashes


def test_access_tokens_are_signed_and_expire() -> None:
    token, lifetime = issue_access_token("wang.fang", "agent", None, SECRET, timedelta(hours=8))
    claims = decode_access_token(token, SECRET)
    assert (claims.username, claims.role, claims.department, lifetime) == ("wang.fang", "agent", None, 28800)
    with pytest.raises(InvalidToken):
        decode_access_token(token, SECRET + "-other")
    old, _ = issue_access_token(
        "wang.fang", "agent", None, SECRET, timedelta(minutes=5), now=datetime.now(UTC) - timedelta(hours=1)
    )
    with pytest.raises(InvalidToken, match="expired"):
        decode_access_token(old, SECRET)
    with pytest.raises(InvalidToken):
        decode_access_token("not.a.jwt", SECRET)
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(InvalidToken):
        decode_access_token(tampered, SECRET)
