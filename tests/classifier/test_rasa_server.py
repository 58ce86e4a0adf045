"""Against real Rasa 3.6 servers: small projects trained with a few epochs, `rasa run --enable-api`, and the
gateway configured with HOTLINE_NLU_BACKEND=rasa; then the built-in fallback when a server stalls or stops.

The Rasa environment is separate (Python 3.10, `make rasa-venv`; `make test` builds it when a Python 3.10
exists). Without it these tests skip, or fail when HOTLINE_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from classifier.rasa.export import RasaOptions, category_from_intent, export
from classifier.trainingdata import Example, TrainingData

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

# Small on purpose (CI time): three appeal types and two conversational intents, three categories.
_APPEALS = {
    ("投诉", "城乡建设/城市建设和市政管理"): [
        "小区门口的垃圾堆了一个星期没人清理",
        "我们这条街的路灯坏了快一个月了",
        "马路上的井盖丢了好几天也没人补",
        "下水道堵了污水都漫到人行道上了",
        "垃圾桶天天满着清运车三四天才来一次",
        "人行道的地砖翘起来好多块，老人都绊倒了",
    ],
    ("投诉", "环境保护/环境污染"): [
        "楼下烧烤店的油烟直接往楼上排，窗户都不敢开",
        "旁边工地半夜还在施工，吵得根本睡不着",
        "化工厂的烟囱一到晚上就冒黄烟，味道刺鼻",
        "河里的水又黑又臭，还漂着死鱼",
        "广场舞音响开得太大声，天天吵到十点",
        "隔壁汽修店喷漆的味道熏得人头疼",
    ],
    ("咨询", "劳动和社会保障/社会保险"): [
        "请问社保断缴了三个月还能补交吗",
        "医保卡在外地看病能不能直接报销",
        "灵活就业人员的养老保险怎么交",
        "退休以后养老金是怎么计算的",
        "生育保险的报销需要准备哪些材料",
        "换了工作以后社保关系要怎么转移",
    ],
    ("举报", "环境保护/环境污染"): [
        "有人半夜往河里偷排废水",
        "举报一家小作坊偷偷焚烧垃圾",
        "有个厂子晚上关掉污水处理设备直排",
        "有人在山上偷倒建筑垃圾",
        "举报养猪场的粪水直接排进水渠",
        "附近一家洗车店的污水直接排进雨水井",
    ],
}
_CHAT = {
    "greet": ["你好", "您好", "在吗", "哈喽", "早上好", "你好，有人吗"],
    "thanks": ["谢谢", "谢谢你们", "太感谢了", "多谢帮忙", "辛苦了谢谢", "好的谢谢啦"],
}


def _small_data() -> TrainingData:
    examples = [Example(t, intent, category) for (intent, category), texts in _APPEALS.items() for t in texts]
    examples += [Example(t, intent) for intent, texts in _CHAT.items() for t in texts]
    return TrainingData(examples=examples)


def _rasa_bin() -> Path | None:
    for candidate in (os.environ.get("HOTLINE_RASA_BIN"), str(REPO / ".rasa-venv" / "bin" / "rasa")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Servers:
    intent: Any  # classifier.rasa.runner.RasaServer
    category: Any

    def parse(self, url: str, text: str) -> dict[str, Any]:
        response = httpx.post(f"{url}/model/parse", json={"text": text}, timeout=60)
        response.raise_for_status()
        payload: dict[str, Any] = response.json()
        return payload


@pytest.fixture(scope="module")
def rasa_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    rasa = _rasa_bin()
    if rasa is None:
        reason = "no Rasa environment (make rasa-venv, or HOTLINE_RASA_BIN)"
        if os.environ.get("HOTLINE_REQUIRE_SERVICES", "") == "1":
            pytest.fail(reason + " (HOTLINE_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
    from classifier.rasa.runner import start_server, train_project

    # 30 epochs: enough for DIET to separate 36 short examples. Rasa spends most of its time importing
    # TensorFlow, so the two projects train, and their servers start, side by side.
    projects = export(_small_data(), tmp_path_factory.mktemp("rasa"), RasaOptions(epochs=30))
    targets = ("intent", "category")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda t: train_project(projects[t], rasa, timeout_seconds=900), targets))
        starting = [pool.submit(start_server, projects[t], rasa, _free_port(), 600) for t in targets]
        started = [f.result() if f.exception() is None else None for f in starting]
    if None in started:
        for server in started:
            if server is not None:
                server.stop()
        raise next(e for f in starting if (e := f.exception()) is not None)
    intent, category = started
    servers = Servers(intent, category)
    try:
        # The first parse builds TensorFlow's graph (seconds); warm both so the gateway's timeouts are fair.
        servers.parse(intent.url, "你好")
        servers.parse(category.url, "你好")
        yield servers
    finally:
        for server in (intent, category):
            if server.process.poll() is None:
                os.kill(server.process.pid, signal.SIGCONT)  # in case a test left it paused
            server.stop()


@pytest.fixture
def rasa_env(monkeypatch: pytest.MonkeyPatch, rasa_servers: Servers) -> Servers:
    """HOTLINE_NLU_BACKEND=rasa and the two servers' URLs, as an operator would configure the gateway."""
    from gateway.settings import get_settings

    monkeypatch.setenv("HOTLINE_NLU_BACKEND", "rasa")
    monkeypatch.setenv("HOTLINE_RASA_URL", rasa_servers.intent.url)
    monkeypatch.setenv("HOTLINE_RASA_CATEGORY_URL", rasa_servers.category.url)
    monkeypatch.setenv("HOTLINE_RASA_TIMEOUT_SECONDS", "10")
    get_settings.cache_clear()
    yield rasa_servers
    get_settings.cache_clear()


def _top(payload: dict[str, Any]) -> tuple[str, float]:
    ranking = [r for r in payload["intent_ranking"] if r["name"] != "nlu_fallback"]
    return str(ranking[0]["name"]), float(ranking[0]["confidence"])


def _app(tmp_path: Path, models: Path, **overrides: Any) -> Any:
    from fastapi.testclient import TestClient

    from gateway.app import create_app
    from gateway.settings import Settings

    # Everything else (backend, URLs, timeout) comes from the HOTLINE_* environment.
    settings = Settings(data_dir=tmp_path / "var", models_path=models, embedded_workers=1, **overrides)
    assert settings.nlu_backend == "rasa"
    return TestClient(create_app(settings))


def _send(client: Any, text: str) -> dict[str, Any]:
    body = {"session_id": f"s-{uuid.uuid4().hex[:8]}", "message_id": uuid.uuid4().hex, "text": text}
    response = client.post("/channels/web/messages", json=body)
    assert response.status_code == 200, response.text
    payload: dict[str, Any] = response.json()
    return payload


COMPLAINT = "我住在城东区中山路幸福小区，楼下烧烤店的油烟天天往楼上排，窗户都不敢开，请尽快处理"


def test_gateway_classifies_through_the_rasa_servers(
    rasa_env: Servers, trained_models_dir: Path, tmp_path: Path
) -> None:
    intent, intent_confidence = _top(rasa_env.parse(rasa_env.intent.url, COMPLAINT))
    category, category_confidence = _top(rasa_env.parse(rasa_env.category.url, COMPLAINT))
    assert intent == "投诉" and category_from_intent(category) == "环境保护/环境污染"

    with _app(tmp_path, trained_models_dir) as client:
        predictor = client.app.state.runtime.models.classifier
        assert client.get("/readyz").json()["checks"]["models"].startswith("rasa+")
        body = _send(client, COMPLAINT)
        order = body["work_order"] or {}
        reply = " ".join(r["text"] for r in body["replies"])
        # Either the order is open or the dialogue asks for a detail; the classification is Rasa's either way.
        assert order.get("category") in (None, "环境保护"), body
        assert order or reply
        p = predictor.predict(COMPLAINT)
        assert predictor.fallbacks == 0
    assert (p.backend, p.intent, p.category) == ("rasa", "投诉", "环境保护/环境污染")
    # The gateway reports Rasa's own confidences, not the built-in model's.
    assert p.intent_confidence == pytest.approx(intent_confidence, abs=1e-6)
    assert p.category_confidence == pytest.approx(category_confidence, abs=1e-6)

    greeting = _cli_classify("您好", trained_models_dir)
    assert greeting["backend"] == "rasa" and greeting["intent"] == "greet" and greeting["category_l1"] is None


def _cli_classify(text: str, models: Path) -> dict[str, Any]:
    """`hotline classify TEXT --json` in-process, with the environment set by rasa_env."""
    from typer.testing import CliRunner

    from gateway.cli import app as cli

    result = CliRunner().invoke(cli, ["classify", text, "--json", "--model-dir", str(models)])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_gateway_falls_back_to_the_builtin_model_when_rasa_stalls_then_stops(
    rasa_env: Servers, trained_models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from classifier import load_classifier

    builtin = load_classifier(trained_models_dir)
    text = "小区门口的垃圾堆了一个星期没人清理，臭得不行"
    expected = builtin.predict(text)

    # A stalled server (process paused): the call times out and the built-in model answers.
    monkeypatch.setenv("HOTLINE_RASA_TIMEOUT_SECONDS", "1")
    os.kill(rasa_env.intent.process.pid, signal.SIGSTOP)
    try:
        with _app(tmp_path / "stalled", trained_models_dir) as client:
            predictor = client.app.state.runtime.models.classifier
            body = _send(client, text)
            assert body["replies"], body
            assert predictor.fallbacks == 1
            p = predictor.predict(text)  # the breaker is open: no second timeout
            assert predictor.fallbacks == 2
    finally:
        os.kill(rasa_env.intent.process.pid, signal.SIGCONT)
    assert (p.backend, p.intent, p.category) == ("builtin", expected.intent, expected.category)
    assert p.category_confidence == pytest.approx(expected.category_confidence)

    # Stopped servers (connection refused): the gateway still classifies, with the built-in model.
    rasa_env.intent.stop()
    rasa_env.category.stop()
    with _app(tmp_path / "stopped", trained_models_dir) as client:
        predictor = client.app.state.runtime.models.classifier
        body = _send(client, text)
        assert body["work_order"] is None or body["work_order"]["category"] == expected.category_l1
        assert predictor.fallbacks == 1
    doc = _cli_classify(text, trained_models_dir)
    assert doc["backend"] == "builtin" and doc["category_l1"] == expected.category_l1
