"""The whole app with accounts of every role, signed in; linkage pushes go to a local test server."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from gateway.auth.passwords import Passwords
from gateway.settings import Settings
from gateway.workorders.adapters import classifier_feedback

PASSWORD = "测试密码-hotline-2026"
ACCOUNTS = {
    "agent.wang": ("agent", None),
    "agent.zhao": ("agent", None),
    "city.li": ("department", "市城市管理局"),
    "water.sun": ("department", "市水务局"),
    "sup.chen": ("supervisor", None),
    "kb.zhou": ("maintainer", None),
    "root": ("admin", None),
}


@dataclass
class LinkageServer:
    """A local HTTP endpoint standing in for the 110/119/120/122, utility and 好差评 interfaces."""

    url: str
    received: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    # Status codes to answer with, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def linkage_server() -> Iterator[LinkageServer]:
    state = LinkageServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.received.append((self.path, body, dict(self.headers)))
            status = state.script.pop(0) if state.script else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")
            state.arrived.set()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def api_settings(tmp_path: Path, trained_models_dir: Path, linkage_server: LinkageServer) -> Settings:
    endpoints = {key: f"{linkage_server.url}/{key}" for key in ("110", "119", "120", "122", "water", "rating")}
    return Settings(
        data_dir=tmp_path / "var",
        models_path=trained_models_dir,
        embedded_workers=2,
        linkage_endpoints=endpoints,
        linkage_token="linkage-test-token",
        linkage_backoff_seconds=0.5,
        sweep_interval_seconds=0,
        secret_key="api-test-secret-key-0123456789-abcdefghij",
    )


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    feedback_path: Path

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, user: str, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self.auth(user), **kw)

    def post(self, user: str, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, headers=self.auth(user), json=json, **kw)

    def say(self, text: str, session: str | None = None) -> dict[str, Any]:
        response = self.client.post(
            "/channels/web/messages",
            json={"session_id": session or uuid.uuid4().hex, "message_id": uuid.uuid4().hex, "text": text},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    @property
    def services(self) -> Any:
        return self.client.app.state.workorder_services  # type: ignore[attr-defined]


@pytest.fixture
def api(api_settings: Settings, tmp_path: Path) -> Iterator[Api]:
    from gateway.app import create_app

    with TestClient(create_app(api_settings)) as client:
        services = client.app.state.workorder_services  # type: ignore[attr-defined]
        # Cheap Argon2 parameters for the test accounts; production keeps argon2-cffi's defaults.
        services.users.passwords = Passwords(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        # Corrections go to this test's own folder, not the session's shared model folder.
        feedback_models = tmp_path / "models"
        services.workorders.record_feedback = classifier_feedback(feedback_models)
        tokens = {}
        for username, (role, department) in ACCOUNTS.items():
            services.users.create(username, role, password=PASSWORD, department=department)
            response = client.post("/api/auth/token", data={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.text
            tokens[username] = response.json()["access_token"]
        yield Api(client, tokens, tmp_path / "feedback" / "corrections.jsonl")
