"""`hotline serve` as a real process on a free port: HTTP and WebSocket, the way a browser talks to it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, trained_models_dir: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "HOTLINE_DATA_DIR": str(tmp_path / "var"),
        "HOTLINE_MODELS_PATH": str(trained_models_dir),
        "HOTLINE_REDIS_URL": "",
        "HOTLINE_DATABASE_URL": "",
    }
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gateway.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"hotline serve exited: {(tmp_path / 'serve.log').read_text()}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail("hotline serve did not become ready in 120 s")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_http_and_websocket_against_a_real_server(served: str) -> None:
    page = httpx.get(served + "/")
    assert page.status_code == 200 and "12345" in page.text

    first = httpx.post(
        served + "/channels/web/messages",
        json={"session_id": "proc-1", "message_id": "a1", "text": "小区门口的垃圾堆了一个星期没人清理，臭得不行"},
        timeout=30,
    ).json()
    assert first["work_order"]["category"] in {"城乡建设", "环境保护"}
    again = httpx.post(
        served + "/channels/web/messages",
        json={"session_id": "proc-1", "message_id": "a1", "text": "小区门口的垃圾堆了一个星期没人清理，臭得不行"},
        timeout=30,
    ).json()
    assert again["work_order"]["ticket"] == first["work_order"]["ticket"]

    async def chat() -> list[dict[str, object]]:
        url = served.replace("http://", "ws://") + "/channels/web/ws?session_id=proc-2"
        async with websockets.connect(url) as ws:
            frames = [json.loads(await ws.recv())]
            await ws.send(
                json.dumps({"type": "message", "session_id": "proc-2", "message_id": "w1", "text": "我家厨房着火了"})
            )
            frames.append(json.loads(await ws.recv()))
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), timeout=30)))
            return frames

    history, ack, reply = asyncio.run(chat())
    assert history["type"] == "history"
    assert ack == {"type": "ack", "message_id": "w1"}
    assert reply["type"] == "reply"
    assert reply["emergency"]["services"] == ["119"]  # type: ignore[index]
