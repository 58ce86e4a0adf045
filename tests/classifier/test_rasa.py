from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml

from classifier.rasa.client import RasaClassifier, RasaSettings, parse_response
from classifier.rasa.export import RasaOptions, category_from_intent, export
from classifier.trainingdata import Entity, Example, TrainingData, load_rasa_yaml


def small_data() -> TrainingData:
    return TrainingData(
        examples=[
            Example("小区门口垃圾没人清理", "投诉", "城乡建设/城市建设和市政管理"),
            Example(
                "路灯坏了一个月", "投诉", "城乡建设/城市建设和市政管理", entities=(Entity(0, 2, "facility", "路灯"),)
            ),
            Example("楼下烧烤油烟太大", "投诉", "环境保护/环境污染"),
            Example("工厂偷排废水", "举报", "环境保护/环境污染"),
            Example("你好", "greet"),
        ],
        synonyms={"路灯": ["街灯"]},
        lookups={"district": ["城东区", "城西区"]},
        regexes={"ticket": [r"12345-\d{8}-\d{6}"]},
    )


def test_export_writes_two_complete_projects(tmp_path: Path) -> None:
    projects = export(small_data(), tmp_path / "rasa", RasaOptions(epochs=3))
    assert set(projects) == {"intent", "category"}
    config = yaml.safe_load((projects["intent"] / "config.yml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["pipeline"]]
    assert names[0] == "JiebaTokenizer" and "DIETClassifier" in names and names[-1] == "FallbackClassifier"
    assert config["language"] == "zh" and config["pipeline"][names.index("DIETClassifier")]["epochs"] == 3
    domain = yaml.safe_load((projects["intent"] / "domain.yml").read_text(encoding="utf-8"))
    assert domain["intents"] == ["greet", "举报", "投诉"] and "facility" in domain["entities"]
    intent_data = load_rasa_yaml([projects["intent"] / "data" / "nlu.yml"])
    assert intent_data.synonyms == {"路灯": ["街灯"]} and "ticket" in intent_data.regexes
    assert intent_data.examples[1].entities[0].entity == "facility"
    category_data = load_rasa_yaml([projects["category"] / "data" / "nlu.yml"])
    names = {e.intent for e in category_data.examples}
    assert names == {"城乡建设__城市建设和市政管理", "环境保护__环境污染"}  # no "/" (Rasa's retrieval separator)
    assert {category_from_intent(n) for n in names} == {"城乡建设/城市建设和市政管理", "环境保护/环境污染"}
    assert (tmp_path / "rasa" / "README.md").exists()


def rasa_reply(name: str, confidence: float, *others: tuple[str, float]) -> dict:
    ranking = [{"name": name, "confidence": confidence}] + [{"name": n, "confidence": c} for n, c in others]
    return {"text": "x", "intent": {"name": name, "confidence": confidence}, "intent_ranking": ranking, "entities": []}


def test_parse_response_treats_nlu_fallback_as_uncertain() -> None:
    parsed = parse_response(rasa_reply("nlu_fallback", 0.3, ("投诉", 0.28), ("举报", 0.2)))
    assert parsed.fallback and parsed.intent == "投诉" and parsed.ranking[0] == ("投诉", 0.28)
    assert parse_response(rasa_reply("greet", 0.97)).intent == "greet"


def mock_rasa(handler) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(handler), timeout=0.5)


def test_rasa_answers_replace_intent_and_category(clf) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url.host}:{request.url.port}{request.url.path}")
        assert json.loads(request.content) == {"text": "隔壁工地半夜施工太吵了"}
        if request.url.port == 5006:
            return httpx.Response(200, json=rasa_reply("环境保护__环境污染", 0.91, ("城乡建设__工程质量", 0.05)))
        return httpx.Response(200, json=rasa_reply("投诉", 0.88, ("举报", 0.1)))

    settings = RasaSettings(url="http://rasa:5005", category_url="http://rasa:5006")
    predictor = RasaClassifier(clf, settings, client=mock_rasa(handler))
    p = predictor.predict("隔壁工地半夜施工太吵了")
    assert seen == ["rasa:5005/model/parse", "rasa:5006/model/parse"]
    assert (p.backend, p.intent, p.appeal_type, p.category) == ("rasa", "投诉", "投诉", "环境保护/环境污染")
    assert p.category_confidence == pytest.approx(0.91) and p.ranking[1] == ("城乡建设/工程质量", 0.05)
    assert not p.low_confidence and predictor.fallbacks == 0


def test_conversational_intent_from_rasa_clears_the_category(clf) -> None:
    predictor = RasaClassifier(
        clf,
        RasaSettings(url="http://rasa:5005"),
        client=mock_rasa(lambda r: httpx.Response(200, json=rasa_reply("thanks", 0.99))),
    )
    p = predictor.predict("谢谢你们啦")
    assert p.intent == "thanks" and p.appeal_type is None and p.category is None


@pytest.mark.parametrize(
    "failure",
    [
        lambda r: httpx.Response(500, text="boom"),
        lambda r: httpx.Response(200, text="not json"),
        lambda r: httpx.Response(200, json={"unexpected": True}),
        lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)),
        lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused", request=r)),
    ],
)
def test_failures_fall_back_to_the_builtin_model_and_open_the_breaker(clf, failure) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return failure(request)

    predictor = RasaClassifier(
        clf, RasaSettings(url="http://rasa:5005", cooldown_seconds=60), client=mock_rasa(handler)
    )
    first = predictor.predict("小区门口的垃圾堆了一个星期没人清理")
    second = predictor.predict("小区门口的垃圾堆了一个星期没人清理")
    assert first.backend == "builtin" and first.category_l1 == "城乡建设"
    assert second == first and len(calls) == 1 and predictor.fallbacks == 2


# The tests against real Rasa servers (trained here, through the gateway) are in test_rasa_server.py.
