from typing import Any

import pytest

import nlu
from nlu import pipeline
from nlu.analysis import analyse_fast


def test_pipeline_components() -> None:
    nlp = pipeline.get()
    assert nlp.lang == "zh"
    assert tuple(nlp.pipe_names) == pipeline.PIPE_NAMES


def test_one_call_fills_the_doc() -> None:
    doc = pipeline.get()("電話13812345678，投訴城管局，家裡著火了")
    assert doc.text == "电话13812345678,投诉城管局,家里着火了"
    assert {e.label_ for e in doc.ents} == {"PHONE", "ORG"}
    assert doc._.hotline_emergency is not None
    assert doc._.hotline_emergency.services == ("119",)


def test_entity_ruler_tags_departments() -> None:
    doc = pipeline.get()("找了人社局和市场监管局都不管")
    assert [e.text for e in doc.ents if e.label_ == "ORG"] == ["人社局", "市场监管局"]


@pytest.mark.parametrize(
    "text",
    [
        "我家厨房着火了快来人",
        "电话13812345678，住在南京市鼓楼区宁海路街道北京西路12号3栋201室，苏A12345",
        "公积金怎么提取",
        "上周着火了现在赔偿怎么办",
        "停电了，供电公司什么时候来修",
    ],
)
def test_spacy_and_fast_path_agree(text: str) -> None:
    assert nlu.analyse(text) == analyse_fast(text)


def test_analysis_to_dict_shape() -> None:
    result = nlu.analyse("车祸了有人受伤，电话13812345678").to_dict()
    assert set(result) == {"text", "normalized", "tokens", "entities", "emergency", "utility"}
    assert set(result["entities"][0]) == {"type", "text", "value", "start", "end"}
    assert set(result["emergency"]) == {"services", "severity", "evidence", "reason", "source"}
    assert result["emergency"]["source"] == "rules"
    assert result["emergency"]["services"] == ["120", "122"]


def test_analysis_is_frozen() -> None:
    analysis = nlu.analyse("公积金")
    with pytest.raises(AttributeError):
        analysis.text = "x"  # type: ignore[misc]


def test_non_text_is_rejected() -> None:
    with pytest.raises(nlu.InputError):
        nlu.analyse(123)  # type: ignore[arg-type]


def test_empty_and_symbol_only_text() -> None:
    for text in ("", "   ", "😀😀", "！！！"):
        result = nlu.analyse(text)
        assert result.emergency is None
        assert result.entities == ()


def test_gated_ruler_finds_what_the_plain_ruler_finds() -> None:
    from spacy.pipeline import EntityRuler

    nlp = pipeline.build()
    gated = nlp.get_pipe("entity_ruler")
    assert isinstance(gated, EntityRuler)
    plain = EntityRuler(nlp, "plain_ruler", phrase_matcher_attr="TEXT")
    patterns: list[dict[str, Any]] = list(pipeline._gazetteer_patterns())
    plain.add_patterns(patterns)
    names = [p["pattern"] for p in pipeline._gazetteer_patterns()]
    texts = [f"我找了{name}没人管" for name in names] + ["公积金怎么提取", "家里着火了", "", "城管来了又走了"]
    texts += ["".join(names[i : i + 3]) for i in range(0, len(names), 3)]
    for text in texts:
        got = [(e.start_char, e.end_char, e.label_) for e in gated(nlp.make_doc(text)).ents]
        want = [(e.start_char, e.end_char, e.label_) for e in plain(nlp.make_doc(text)).ents]
        assert got == want, text
    # New patterns reach the gate too.
    gated.add_patterns([{"label": "ORG", "pattern": "蓝莓湾管委会"}])
    assert [e.text for e in gated(nlp.make_doc("去了蓝莓湾管委会")).ents] == ["蓝莓湾管委会"]


def test_analysing_new_strings_does_not_grow_the_vocabulary() -> None:
    """A gateway runs for months: unseen tokens (phone and ID numbers) must not pile up in spaCy's vocab."""
    from nlu import pipeline

    nlu.analyse("我的电话是13800000000，小区门口垃圾没人清")
    strings = len(pipeline.get().vocab.strings)
    for i in range(300):
        a = nlu.analyse(f"我的电话是139{i:08d}，楼下饭店油烟太大了，编号XK{i}QZ")
        assert a.entities[0].type == "phone"
    assert len(pipeline.get().vocab.strings) == strings


def test_concurrent_analyses_in_threads_agree_with_sequential_ones() -> None:
    """Workers analyse in threads (anyio.to_thread): the memory zones must not corrupt each other."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"我叫李{i}，电话1{i % 9 + 3}9{i:08d}，车牌苏A{i % 10}{i % 7}K{i % 5}Q，烧烤油烟太大" for i in range(1200)]
    expected = [nlu.analyse(t) for t in texts[:200]]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(nlu.analyse, texts))
    assert results[:200] == expected
    assert all(r.entities for r in results)
