"""The statistical safety net behind the emergency rules."""

import math

import pytest

import nlu
from nlu.emergency import context, model
from nlu.emergency.detector import detect
from nlu.normalization import normalize


def test_features_match_sklearn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    examples = model.training_examples()
    texts = [model.model_text(context.mask_phrases(normalize(e.text).text)) for e in examples]
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=model.NGRAMS, sublinear_tf=True, min_df=2).fit(texts)
    index = {name: i for i, name in enumerate(vectorizer.get_feature_names_out())}
    trained = model.get()
    for text in [*texts[:50], "Hello  World 着火", "楼下！！冒烟了🔥"]:
        text = model.model_text(text)
        row = vectorizer.transform([text]).toarray()[0]
        mine = trained.features(text)
        assert set(mine) == {name for name, i in index.items() if row[i] != 0.0}
        for gram, value in mine.items():
            assert value == pytest.approx(row[index[gram]], abs=1e-12)


def test_model_catches_what_no_rule_names() -> None:
    # No trigger word of the lexicon appears here; the model must still flag it.
    text = "二楼窗户里头红彤彤的一片 还往外冒黑的"
    norm = normalize(text)
    assert detect(norm, use_model=False) is None
    result = nlu.analyse(text).emergency
    assert result is not None
    assert "statistical model" in result.reason
    assert result.severity == "high"
    assert text[result.start : result.end] == result.evidence


@pytest.mark.parametrize(
    "text", ["公积金怎么提取", "物业费太贵了", "小区停水两天了", "孩子入学政策是什么", "！！！", "😭😭😭"]
)
def test_model_quiet_on_ordinary_messages(text: str) -> None:
    assert model.get().probability(context.mask_phrases(normalize(text).text)) < model.THRESHOLD


@pytest.mark.parametrize(
    "text",
    [
        "领结婚证需要户口本吗？我户口在外地",
        "外地人在这边上班，办居住证要带啥材料啊",
        "我爸一个人住，做饭不太方便，社区有没有老年食堂",
        "楼下新开了个KTV，天天唱到半夜，吵死了",
        "孩子跟爷爷奶奶去香港玩，通行证怎么办",
        "充了五千块的健身卡，店突然关门跑路了",
        "我妈瘫痪在床好几年了，想问问能不能申请护理补贴",
        "帮我算一下命",
        "幸福小区东门路灯不亮好久了，老人晚上出门摔了一跤",
        "建议在幸福小区门口增设一个公交站，现在老人要走二十分钟才能坐上车",
    ],
)
def test_everyday_messages_are_not_emergencies(text: str) -> None:
    # Ordinary consultations and complaints in the first person: the model once read them as danger.
    assert nlu.analyse(text).emergency is None


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("家里房本找不着了咋补办", None),
        ("小孩的疫苗本找不到了去哪补", None),
        ("停车场门口我的车被贴条拖走了", None),
        ("刚才有个陌生男的把邻居家小孩抱上车开走了", "110"),
        ("我妈在楼道里摔了一跤，不能动了，快来人", "120"),
        ("我家孩子不见了，找了一个小时了", "110"),
        ("有人把我女儿硬拖上车了", "110"),
    ],
)
def test_lost_things_and_towed_cars_are_not_missing_people(text: str, service: str | None) -> None:
    # The rules' missing-person, abduction, fire and fall triggers; the model's residual scores are
    # measured by `hotline nlu evaluate`, not pinned here.
    emergency = nlu.analyse(text).emergency
    if service is None:
        assert detect(normalize(text), use_model=False) is None
    else:
        assert emergency is not None and service in emergency.services


def test_everyday_file_is_built_from_the_current_data(tmp_path: pytest.TempPathFactory) -> None:
    # Rebuild with `python -m nlu.evaluation.everyday` after the classifier data or the seed KB change.
    from pathlib import Path

    from nlu.evaluation import everyday
    from nlu.evaluation.dataset import DATA_DIR

    fresh = Path(str(tmp_path)) / "everyday.txt"
    everyday.build(fresh)
    assert fresh.read_text(encoding="utf-8") == (DATA_DIR / "everyday.txt").read_text(encoding="utf-8")


def _features_by_loop(trained: model.EmergencyModel, text: str) -> dict[str, float]:
    """The plain per-gram loop the scoring code must stay bit-identical to."""
    import math

    text = model._WHITESPACE.sub(" ", model.model_text(text).lower())
    idf = trained._idf
    counts: dict[str, int] = {}
    for n in range(model.NGRAMS[0], model.NGRAMS[1] + 1):
        for i in range(len(text) - n + 1):
            gram = text[i : i + n]
            if gram in idf:
                counts[gram] = counts.get(gram, 0) + 1
    vec = {g: (1.0 + math.log(c)) * idf[g] for g, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
    return {g: v / norm for g, v in vec.items()}


def test_fast_features_and_scores_are_bit_identical_to_the_loop() -> None:
    trained = model.get()
    texts = [e.text for e in model.training_examples()[::7]]
    texts += ["着火" * 80, "救命 救命 救命！！", "", "ABC abc 123"]
    for text in texts:
        fast, slow = trained.features(text), _features_by_loop(trained, text)
        assert list(fast.items()) == list(slow.items())
        for weights in (trained._detector, *trained._per_service.values()):
            coef, intercept = weights
            z = intercept + sum(v * coef.get(g, 0.0) for g, v in slow.items())
            assert trained._prob(fast, weights) == 1.0 / (1.0 + math.exp(-z))
