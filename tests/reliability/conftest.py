"""Fixture: a cluster of real `hotline serve` / `hotline worker` processes on a private Redis and a fresh
PostgreSQL database reached through a proxy the test can cut. Everything is torn down by its own handle."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.reliability.cluster import (
    FAST_RECOVERY,
    NO_KNOWLEDGE,
    FakeHttpServer,
    HotlineEnv,
    HotlineProcess,
    RecordingWeChatApi,
    RedisServer,
    TcpProxy,
    migrate,
    spawn_gateway,
    spawn_worker,
    wait_ready,
)
from tests.reliability.traffic import WebPushRecorder, wechat_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]


@dataclass
class Cluster:
    database_url: str  # direct, for the test's own reads
    proxied_url: str  # what the processes use: cut the proxy and PostgreSQL is gone for them
    redis: RedisServer
    proxy: TcpProxy
    wechat: RecordingWeChatApi
    env: HotlineEnv
    log_dir: Path
    web_pushes: WebPushRecorder
    processes: list[HotlineProcess] = field(default_factory=list)

    def start(self, gateways: int = 1, workers: int = 1, concurrency: int = 2) -> list[HotlineProcess]:
        """Start processes in parallel and wait until all are ready: gateways first in the list."""
        started = [spawn_gateway(f"gateway-{i}", self.env, self.log_dir) for i in range(gateways)]
        started += [spawn_worker(f"worker-{i}", self.env, self.log_dir, concurrency) for i in range(workers)]
        self.processes.extend(started)
        wait_ready(started)
        return started

    def worker(self, name: str, concurrency: int = 2) -> HotlineProcess:
        process = spawn_worker(name, self.env, self.log_dir, concurrency)
        self.processes.append(process)
        wait_ready([process])
        return process

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.log()[-4000:]}" for p in self.processes)

    def wechat_sent(self) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for openid, text in list(self.wechat.sent):
            grouped.setdefault(openid, []).append(text)
        return grouped


@pytest.fixture
def cluster(
    postgres_url: str, trained_models_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Cluster]:
    budget = getattr(request, "param", {}).get("wechat_budget", 4.0)
    web_budget = getattr(request, "param", {}).get("web_budget", 8.0)
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    target = make_url(postgres_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    proxy.start()
    proxied = target.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    api = RecordingWeChatApi()
    api_server = FakeHttpServer(api)
    api_server.start()
    migrate(postgres_url)
    env = HotlineEnv(
        data_dir=tmp_path / "var",
        models_dir=trained_models_dir,
        database_url=proxied,
        redis_url=redis.url,
        extra={
            **FAST_RECOVERY,
            **NO_KNOWLEDGE,
            **wechat_env(api_server.url, budget),
            "HOTLINE_WEB_REPLY_BUDGET_SECONDS": str(web_budget),
        },
    )
    pushes = WebPushRecorder(redis.port, env.redis_prefix)
    pushes.start()
    built = Cluster(postgres_url, proxied, redis, proxy, api, env, tmp_path / "logs", pushes)
    try:
        yield built
    finally:
        for process in reversed(built.processes):
            with contextlib.suppress(Exception):
                process.terminate(timeout=30)
            with contextlib.suppress(Exception):
                process.kill9()
        pushes.stop()
        api_server.stop()
        proxy.close()
        redis.kill()
