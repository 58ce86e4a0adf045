"""SQL-injection strings in every text field of the web chat and the letter form: stored verbatim, harmless.

Free-text fields must keep the citizen's words exactly (they are evidence in a work order); identifier
fields refuse them with a 4xx. Afterwards every table is still there and nothing else was touched.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.conftest import SecureApp

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

PAYLOADS = (
    "'; DROP TABLE inbound_messages; --",
    "1' OR '1'='1",
    '" OR ""="',
    "'); DELETE FROM work_orders WHERE ('1'='1",
    "1; SELECT pg_sleep(3); --",
    "' UNION SELECT username, password_hash FROM users --",
    "admin'--",
    "%' AND 1=0 UNION SELECT NULL, NULL--",
    "小区垃圾没人管'; DROP TABLE work_orders;--",
    "\\'; TRUNCATE conversations CASCADE; --",
    "$$; DROP TABLE events; $$",
    "投诉'||(SELECT version())||'噪音",
)
TABLES = ("inbound_messages", "conversations", "work_orders", "events", "users")


def stored(app: SecureApp, channel: str, external_id: str) -> dict[str, Any] | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(app.database_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT text, meta FROM inbound_messages WHERE channel = :c AND external_id = :e"),
                {"c": channel, "e": external_id},
            ).first()
            return None if row is None else {"text": row.text, "meta": row.meta}
    finally:
        engine.dispose()


def tables_intact(app: SecureApp) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(app.database_url)
    try:
        with engine.connect() as connection:
            return {t: int(connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES}
    finally:
        engine.dispose()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_web_text_is_stored_verbatim(secure_app: SecureApp, payload: str) -> None:
    before = tables_intact(secure_app)
    message_id = f"sqli-{PAYLOADS.index(payload)}"
    response = secure_app.client.post(
        "/channels/web/messages", json={"session_id": "sqli-web", "message_id": message_id, "text": payload}
    )
    assert response.status_code == 200, response.text
    row = stored(secure_app, "web", f"sqli-web:{message_id}")
    assert row is not None and row["text"] == payload
    after = tables_intact(secure_app)
    assert after["inbound_messages"] == before["inbound_messages"] + 1
    assert after["users"] == before["users"]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", ["session_id", "message_id"])
def test_web_identifiers_refuse_injection_with_4xx(secure_app: SecureApp, payload: str, field: str) -> None:
    body = {"session_id": "sqli-ids", "message_id": "m1", "text": "路灯坏了"} | {field: payload}
    response = secure_app.client.post("/channels/web/messages", json=body)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["code"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_letter_text_fields_are_stored_verbatim(secure_app: SecureApp, payload: str) -> None:
    before = tables_intact(secure_app)
    index = PAYLOADS.index(payload)
    title = f"标题{payload}"[:100]
    content = f"信件正文：{payload}"
    name = f"王{payload}"[:50]
    letter = {"title": title, "content": content, "phone": "13800138000", "name": name, "letter_id": f"sqli{index}"}
    response = secure_app.client.post("/channels/mailbox/letters", data=letter)
    assert response.status_code == 200, response.text
    row = stored(secure_app, "mailbox", f"letter:sqli{index}")
    assert row is not None
    assert row["text"] == f"{title}\n{content}"
    assert row["meta"]["title"] == title and row["meta"]["name"] == name
    assert tables_intact(secure_app)["users"] == before["users"]


@pytest.mark.parametrize("field", ["phone", "email", "letter_id"])
def test_letter_structured_fields_refuse_injection_with_4xx(secure_app: SecureApp, field: str) -> None:
    letter = {"title": "路灯", "content": "路灯坏了", "phone": "13800138000"} | {field: PAYLOADS[0]}
    response = secure_app.client.post("/channels/mailbox/letters", data=letter)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("endpoint", ["/channels/web/messages", "/channels/mailbox/letters"])
def test_nul_bytes_are_refused_or_stored_never_a_5xx(secure_app: SecureApp, endpoint: str) -> None:
    """PostgreSQL refuses NUL in text columns: the gateway must answer 4xx (or strip it), never 500."""
    if endpoint.endswith("messages"):
        response = secure_app.client.post(
            endpoint, json={"session_id": "sqli-nul", "message_id": "n1", "text": "路灯\u0000坏了'; --"}
        )
    else:
        response = secure_app.client.post(
            endpoint, data={"title": "路灯", "content": "路灯\u0000坏了", "phone": "13800138000", "letter_id": "nul1"}
        )
    assert response.status_code < 500, response.text
