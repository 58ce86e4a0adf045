"""A small cluster of real processes for fault tests: a private Redis, a PostgreSQL proxy, gateways, workers.

Everything binds to 127.0.0.1. Every wait is bounded in time; every process is stopped by its own handle.
The benchmark (bench/load.py) uses the same pieces.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support import processes
from tests.support.processes import LOOPBACK, REPO, ProcessError, wait_until

# Re-exported: the reliability and security tests and bench/load.py import these from here.
from tests.support.processes import HotlineProcess as HotlineProcess
from tests.support.processes import free_port as free_port
from tests.support.processes import is_ready as is_ready
from tests.support.processes import wait_ready as wait_ready

# The cluster's processes are the shared test processes; the old names stay for the tests and bench/load.py.
ClusterError = ProcessError


# --- Redis -------------------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A private redis-server without persistence: a restart loses every key, as a crash without AOF does."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://{LOOPBACK}:{self.port}/0"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "redis.log").open("ab")
        command = ["redis-server", "--port", str(self.port), "--bind", LOOPBACK, "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([*command, "--dir", str(self.workdir)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(self._answers, timeout=10, what=f"redis on port {self.port}")

    def _answers(self) -> bool:
        import redis

        client = redis.Redis(host=LOOPBACK, port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL: the server vanishes with its data, connections drop."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart_empty(self) -> None:
        self.kill()
        self.start()

    def client(self) -> Any:
        import redis

        return redis.Redis(host=LOOPBACK, port=self.port, socket_timeout=5)


# --- PostgreSQL through a proxy that can be cut ------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` is an outage (listener gone, connections reset)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    def start(self) -> None:
        self._thread.start()
        self.restore()

    def restore(self) -> None:
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=10)

    def cut(self) -> None:
        asyncio.run_coroutine_threadsafe(self._cut(), self._loop).result(timeout=10)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._connection, LOOPBACK, self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(
            self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer), return_exceptions=True
        )
        self._writers -= {writer, upstream_writer}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.transport.abort()


# --- a recording WeChat API (customer-service messages sent later) ------------------------------------


@dataclass
class RecordingWeChatApi:
    """api.weixin.qq.com for several processes at once: tokens stay valid, sends are recorded per openid."""

    sent: list[tuple[str, str]] = field(default_factory=list)  # (openid, text)
    first_at: dict[str, float] = field(default_factory=dict)  # openid -> monotonic time of its first send
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _tokens: int = 0

    def handle(self, path: str, query: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/cgi-bin/token":
            with self._lock:
                self._tokens += 1
                return 200, {"access_token": f"TOKEN_{self._tokens}", "expires_in": 7200}
        if not query.get("access_token", "").startswith("TOKEN_"):
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        payload = json.loads(body.decode("utf-8") or "{}")
        if path == "/cgi-bin/message/custom/send":
            with self._lock:
                openid = str(payload.get("touser"))
                self.sent.append((openid, str(payload.get("text", {}).get("content", ""))))
                self.first_at.setdefault(openid, time.monotonic())
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": -1, "errmsg": f"unknown path {path}"}

    def texts_for(self, openid: str) -> list[str]:
        with self._lock:
            return [text for to, text in self.sent if to == openid]


class FakeHttpServer:
    """Serves a RecordingWeChatApi on 127.0.0.1:<free port> in a thread."""

    def __init__(self, api: RecordingWeChatApi) -> None:
        outer = api

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                parts = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                status, payload = outer.handle(parts.path, query, self.rfile.read(length) if length else b"")
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- hotline processes --------------------------------------------------------------------------------


@dataclass
class HotlineEnv:
    """The environment every process of one cluster shares."""

    data_dir: Path
    models_dir: Path
    database_url: str
    redis_url: str
    redis_prefix: str = "hotline"
    extra: dict[str, str] = field(default_factory=dict)

    def build(self) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
        return {
            **inherited,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "TOKENIZERS_PARALLELISM": "false",
            "HF_HUB_OFFLINE": "1",
            "HOTLINE_ENV": "test",
            "HOTLINE_DATA_DIR": str(self.data_dir),
            "HOTLINE_MODELS_PATH": str(self.models_dir),
            "HOTLINE_DATABASE_URL": self.database_url,
            "HOTLINE_REDIS_URL": self.redis_url,
            "HOTLINE_REDIS_PREFIX": self.redis_prefix,
            "HOTLINE_EMBEDDED_WORKERS": "0",
            "HOTLINE_LOG_JSON": "true",
            **self.extra,
        }


def spawn_gateway(name: str, env: HotlineEnv, log_dir: Path) -> HotlineProcess:
    return processes.spawn_gateway(name, env.build(), log_dir)


def spawn_worker(name: str, env: HotlineEnv, log_dir: Path, concurrency: int = 2) -> HotlineProcess:
    return processes.spawn_worker(name, env.build(), log_dir, concurrency)


def migrate(database_url: str) -> None:
    """Apply migrations once, before several processes start against the same fresh database."""
    from gateway.store import upgrade_database

    upgrade_database(database_url)


# These tests are about delivery, not answers: without the knowledge base (its sentence encoder and index)
# a process starts in seconds instead of minutes on 2 shared cores; consultations then open work orders.
NO_KNOWLEDGE = {"HOTLINE_KNOWLEDGE_ENABLED": "false"}

# Short horizons so a crashed worker's messages are taken over within seconds (production: minutes).
FAST_RECOVERY = {
    "HOTLINE_WORKER_RECLAIM_IDLE_SECONDS": "2",
    "HOTLINE_WORKER_RECONCILE_EVERY_SECONDS": "1",
    "HOTLINE_WORKER_RECONCILE_AFTER_SECONDS": "4",
    "HOTLINE_WORKER_CLAIM_STALE_SECONDS": "4",
}
