"""The statistical safety net behind the emergency rules."""

import pytest

import nlu
from nlu.emergency import context, model
from nlu.emergency.detector import detect
from nlu.normalization import normalize


def test_features_match_sklearn() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlu.evaluation import load_heldout, load_tune

    examples = load_tune() + load_heldout(part="a")
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
