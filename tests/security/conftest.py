"""One gateway app for the security tests: PostgreSQL (where NUL bytes and quoting bite), every channel on,
an admin bearer token so the fuzzer reaches past authentication. Built once for the package."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import POSTGRES_ADMIN_URL, unavailable

CHANNEL_ENV = {
    "HOTLINE_WECHAT_OA_TOKEN": "security-oa-token-2026",
    "HOTLINE_WECHAT_OA_APPID": "wx00security000001",
    "HOTLINE_WECHAT_OA_SECRET": "security-oa-secret-0123456789",
    "HOTLINE_WECHAT_OA_API_BASE": "http://127.0.0.1:9",  # nothing listens: no call may leave the machine
    "HOTLINE_MINIPROGRAM_TOKEN": "security-mp-token-2026",
    "HOTLINE_MINIPROGRAM_APPID": "wx00security000002",
    "HOTLINE_MINIPROGRAM_SECRET": "security-mp-secret-0123456789",
    "HOTLINE_MINIPROGRAM_API_BASE": "http://127.0.0.1:9",
    "HOTLINE_MAILBOX_LETTERS_ENABLED": "true",
    "HOTLINE_SMS_ALIYUN_PUSH_TOKEN": "security-sms-push-token",
    "HOTLINE_PHONE_TOKEN": "security-phone-token-0123456789",
    "HOTLINE_API_TOKENS": '{"provincial": "security-api-token-0123456789"}',
}


@dataclass
class SecureApp:
    app: Any
    client: Any  # schemathesis' in-process ASGI client (a requests.Session); the lifespan runs once
    database_url: str
    admin_token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}


@pytest.fixture(scope="package")
def fresh_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    name = f"hotline_sec_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        admin.dispose()
        unavailable("PostgreSQL", error)
    try:
        yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="package")
def secure_app(
    fresh_database: str,
    trained_models_dir: Path,
    knowledge_index_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SecureApp]:
    from schemathesis.python.asgi import get_client
    from sqlalchemy import create_engine

    from gateway.app import create_app
    from gateway.auth.users import UserStore
    from gateway.settings import Settings
    from gateway.store import upgrade_database

    saved = {key: os.environ.get(key) for key in CHANNEL_ENV}
    os.environ.update(CHANNEL_ENV)
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("secure-var"),
        models_path=trained_models_dir,
        database_url=fresh_database,
        embedded_workers=2,
        web_reply_budget_seconds=2.0,
        # The maintainers' knowledge API is fuzzed too: the session's shared index, built once.
        knowledge_enabled=True,
        knowledge_index_path=knowledge_index_dir,
    )
    upgrade_database(fresh_database)
    engine = create_engine(fresh_database)
    users = UserStore(engine)
    users.create("sec-admin", "admin", password="Security-Admin-Pass-2026")
    token, _record = users.create_token("sec-admin", "fuzzing")
    engine.dispose()
    app = create_app(settings)
    try:
        with get_client(app) as client:  # type: ignore[arg-type]  # a FastAPI app is an ASGI app
            yield SecureApp(app, client, fresh_database, token)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
