"""CORS: HOTLINE_CORS_ORIGINS lists the widget's origins; only those may call the API from a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ALLOWED = ("https://www.example.gov.cn", "https://12345.example.gov.cn")
FOREIGN = (
    "https://evil.example.com",
    "https://www.example.gov.cn.evil.com",  # a suffix trick
    "http://www.example.gov.cn",  # same host, other scheme
    "null",  # sandboxed iframes and file:// pages
)


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    from gateway.app import create_app
    from gateway.settings import Settings

    # Through the environment, the way operators set it (a JSON list).
    monkeypatch.setenv("HOTLINE_CORS_ORIGINS", '["' + '", "'.join(ALLOWED) + '"]')
    # No lifespan: CORS is answered by middleware before any route needs the runtime.
    return TestClient(create_app(Settings(data_dir=tmp_path)))


def preflight(client: TestClient, origin: str) -> dict[str, str]:
    response = client.options(
        "/channels/web/messages",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    return {key.lower(): value for key, value in response.headers.items()} | {"status": str(response.status_code)}


@pytest.mark.parametrize("origin", ALLOWED)
def test_listed_origins_may_post_messages(client: TestClient, origin: str) -> None:
    headers = preflight(client, origin)
    assert headers["status"] == "200"
    assert headers["access-control-allow-origin"] == origin
    assert "POST" in headers["access-control-allow-methods"]
    simple = client.get("/healthz", headers={"Origin": origin})
    assert simple.headers["access-control-allow-origin"] == origin


@pytest.mark.parametrize("origin", FOREIGN)
def test_other_origins_get_no_cors_grant(client: TestClient, origin: str) -> None:
    headers = preflight(client, origin)
    assert headers["status"] == "400"
    assert "access-control-allow-origin" not in headers
    simple = client.get("/healthz", headers={"Origin": origin})
    assert "access-control-allow-origin" not in {k.lower() for k in simple.headers}


def test_credentials_and_wildcards_are_never_granted(client: TestClient) -> None:
    headers = preflight(client, ALLOWED[0])
    assert headers.get("access-control-allow-origin") != "*"
    assert headers.get("access-control-allow-credentials") != "true"


def test_without_the_setting_no_origin_is_granted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.app import create_app
    from gateway.settings import Settings

    monkeypatch.delenv("HOTLINE_CORS_ORIGINS", raising=False)
    bare = TestClient(create_app(Settings(data_dir=tmp_path)))
    response = bare.get("/healthz", headers={"Origin": ALLOWED[0]})
    assert "access-control-allow-origin" not in {k.lower() for k in response.headers}
