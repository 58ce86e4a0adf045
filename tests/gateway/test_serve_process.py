"""`hotline serve` as a real process on a free port: HTTP and WebSocket, the way a browser talks to it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.support.processes import local_env, running_gateway

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path, trained_models_dir: Path) -> Iterator[str]:
    with running_gateway(local_env(tmp_path / "var", trained_models_dir), tmp_path) as gateway:
        assert gateway.url is not None
        yield gateway.url


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
