from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier import ModelNotFound, Prediction, load_classifier
from classifier.labels import APPEAL_TYPES

# Messages written for these tests (not in the training data): colloquial, typos, traditional
# characters, full-width punctuation, emoji, a long letter.
CATEGORY_CASES = [
    ("小区门口的垃圾堆了一个星期没人清理，臭得不行", {"城乡建设", "环境保护"}, "投诉"),
    ("隔壁工地天天半夜打桩，吵得孩子睡不着觉😡", {"环境保护", "城乡建设"}, None),
    ("老板欠了我们三个月工资不发，天天躲着不见人", {"劳动和社会保障"}, None),
    ("請問身份證丟了去哪裡補辦？", {"政法"}, "咨询"),
    ("出租车司机不打表，从火车站到我家要了八十块", {"交通运输"}, "投诉"),
    ("饭店的菜里吃出了头发，老板态度还很差", {"卫生计生", "商贸旅游"}, "投诉"),
    ("村干部把低保名额给了他自己的亲戚，我要实名举报", {"纪检监察", "民政"}, "举报"),
    ("我家宽带天天掉线，打客服电话也没用", {"科技与信息产业"}, "投诉"),
    ("孩子上小学要准备什么材料，什么时候报名", {"教育文体"}, "咨询"),
    ("建议在我们小区附近多建几个电动汽车充电桩", {"经济管理", "城乡建设"}, "意见建议"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("text", "l1s", "appeal"), CATEGORY_CASES)
def test_category_and_appeal_type_of_realistic_messages(clf, text: str, l1s: set[str], appeal: str | None) -> None:
    p = clf.predict(text)
    assert p.category_l1 in l1s, p.ranking
    assert p.appeal_type in APPEAL_TYPES
    if appeal is not None:
        assert p.appeal_type == appeal, p.intent_ranking


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好，在吗", "greet"),
        ("好的，谢谢你们！", "thanks"),
        ("帮我转人工", "request_human"),
        ("我上次反映的事情处理得怎么样了", "query_status"),
    ],
)
def test_conversational_intents_carry_no_appeal_type_or_category(clf, text: str, intent: str) -> None:
    p = clf.predict(text)
    assert p.intent == intent
    assert p.appeal_type is None and p.category_l1 is None and p.ranking == ()


@pytest.mark.slow
def test_prediction_shape_and_json(clf) -> None:
    p = clf.predict("小区门口的垃圾堆了一个星期没人清理，臭得不行")
    assert isinstance(p, Prediction)
    assert 0.0 <= p.intent_confidence <= 1.0 and 0.0 <= p.category_confidence <= 1.0
    assert len(p.ranking) == 5 and p.ranking[0][0] == p.category
    assert [c for _, c in p.ranking] == sorted((c for _, c in p.ranking), reverse=True)
    doc = json.loads(json.dumps(p.to_dict(), ensure_ascii=False))
    assert doc["category_l1"] == p.category_l1 and doc["model_version"] == clf.version
    with pytest.raises(AttributeError):
        p.intent = "x"  # type: ignore[misc]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("我家厨房着火了", "119"),
        ("有人拿刀在街上追着人砍", "110"),
        ("我爸晕倒了叫不醒", "120"),
        ("路口出车祸了，有人躺在地上", "122"),
    ],
)
def test_emergency_second_opinion(clf, text: str, service: str) -> None:
    assert clf.predict(text).emergency == service


@pytest.mark.slow
def test_out_of_scope_and_gibberish(clf) -> None:
    assert clf.predict("给我讲个笑话吧").out_of_scope
    assert clf.predict("😀😀😀").intent == "out_of_scope"


@pytest.mark.slow
def test_fast_path_matches_sklearn(clf) -> None:
    model = clf.backend.model
    texts = ["楼下烧烤店油烟太大", "你好", "小區門口的垃圾 堆了\n\n一個星期", "abc", ""]
    _, slow = model.predict_proba(texts)
    fast, signal = model.predict_fast(texts)
    for head in slow:
        assert np.allclose(slow[head], fast[head], atol=1e-5)
    assert signal[-1] is False


@pytest.mark.slow
def test_metadata_records_data_hash_counts_and_eval(model_dir: Path, clf) -> None:
    meta = clf.metadata
    assert meta["backend"] == "builtin" and meta["origin"] == "default"
    assert len(meta["data_hash"]) == 16 and meta["counts"]["examples"] >= 3000
    assert meta["eval"]["category_l1_accuracy"] > 0.6
    assert meta["eval"]["emergency_recall"] >= 0.75


def test_load_without_a_promoted_model_raises(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound):
        load_classifier(tmp_path / "empty")
