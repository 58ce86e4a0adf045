from __future__ import annotations

from pathlib import Path

import pytest

from classifier.errors import TrainingDataError
from classifier.trainingdata import (
    DEFAULT_DATA_DIR,
    Example,
    TrainingData,
    apply_corrections,
    dump_rasa_yaml,
    load_and_validate,
    load_rasa_yaml,
    parse_annotated,
    validate,
)

RASA_FILE = """\
version: "3.1"
nlu:
- intent: 投诉
  metadata:
    category: 环境保护/环境污染
  examples: |
    - 楼下[烧烤店](organisation)油烟太大
    - 隔壁工地半夜还在施工，吵死了
- intent: 咨询
  examples:
  - text: '住在[幸福里小区]{"entity": "location", "value": "幸福里小区"}，公积金怎么提取'
    metadata:
      category: 城乡建设/住房保障与房地产
- intent: greet
  examples: |
    - 你好
- synonym: 公积金
  examples: |
    - 住房公积金
- lookup: district
  examples: |
    - 城东区
- regex: ticket
  examples: |
    - 12345-\\d{8}-\\d{6}
"""


def write(tmp_path: Path, text: str, name: str = "nlu.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_block_and_list_examples_with_entities_and_metadata(tmp_path: Path) -> None:
    data = load_rasa_yaml([write(tmp_path, RASA_FILE)])
    assert [(e.intent, e.category) for e in data.examples] == [
        ("投诉", "环境保护/环境污染"),
        ("投诉", "环境保护/环境污染"),
        ("咨询", "城乡建设/住房保障与房地产"),
        ("greet", None),
    ]
    first = data.examples[0]
    assert first.text == "楼下烧烤店油烟太大"
    assert first.entities[0].entity == "organisation"
    assert first.text[first.entities[0].start : first.entities[0].end] == "烧烤店"
    assert data.synonyms == {"公积金": ["住房公积金"]}
    assert data.lookups == {"district": ["城东区"]}
    assert "ticket" in data.regexes
    assert validate(data) == []


@pytest.mark.parametrize(
    ("annotated", "text", "entity", "value"),
    [
        ("我在[城东区](district)", "我在城东区", "district", "城东区"),
        ("[东门](location:幸福里小区东门)有垃圾", "东门有垃圾", "location", "幸福里小区东门"),
        ('车牌[京A12345]{"entity": "vehicle"}乱停', "车牌京A12345乱停", "vehicle", "京A12345"),
    ],
)
def test_parse_annotated(annotated: str, text: str, entity: str, value: str) -> None:
    plain, entities = parse_annotated(annotated)
    assert plain == text
    assert (entities[0].entity, entities[0].value) == (entity, value)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("- intent: 投诉\n  examples: |\n    - 路灯坏了\n    - 路灯坏了\n", "duplicate"),
        (
            "- intent: 投诉\n  examples: |\n    - 路灯坏了\n- intent: 咨询\n  examples: |\n    - 路灯 坏了\n",
            "conflicting labels",
        ),
        ("- intent: 投诉\n  examples: |\n    - 路灯坏了\n- intent: 举报\n  examples: |\n", "empty class"),
        ("- intent: complain_loudly\n  examples: |\n    - 路灯坏了\n", "unknown intent"),
        (
            "- intent: greet\n  metadata: {category: 城乡建设/其他}\n  examples: |\n    - 你好\n",
            "must not carry a category",
        ),
        ("- intent: 投诉\n  metadata: {category: 城乡建设}\n  examples: |\n    - 路灯坏了\n", "一级/二级"),
        (
            "- intent: 求助\n  metadata: {category: 政法/社会治安, emergency: '999'}\n  examples: |\n    - 着火了\n",
            "emergency",
        ),
    ],
)
def test_validation_reports_clear_problems(tmp_path: Path, body: str, problem: str) -> None:
    path = write(tmp_path, 'version: "3.1"\nnlu:\n' + body)
    with pytest.raises(TrainingDataError, match=problem) as info:
        load_and_validate([path])
    assert info.value.problems


def test_unknown_category_is_reported_against_the_catalogue(tmp_path: Path) -> None:
    path = write(
        tmp_path, 'version: "3.1"\nnlu:\n- intent: 投诉\n  metadata: {category: 火星/事务}\n  examples: |\n    - 啊\n'
    )
    assert any("not in the catalogue" in p for p in validate(load_rasa_yaml([path]), {"城乡建设/其他"}))


@pytest.mark.parametrize(
    "text",
    ["version: '2.0'\nnlu: []\n", "stories: []\n", "nlu:\n- something: else\n", "nlu: [\n"],
)
def test_not_rasa_nlu_files_are_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(TrainingDataError):
        load_rasa_yaml([write(tmp_path, text)])


def test_dump_and_load_round_trip(tmp_path: Path) -> None:
    data = load_rasa_yaml([write(tmp_path, RASA_FILE)])
    out = tmp_path / "out" / "nlu.yml"
    dump_rasa_yaml(data, out)
    again = load_rasa_yaml([out])
    assert [(e.text, e.intent, e.category, e.entities) for e in again.examples] == [
        (e.text, e.intent, e.category, e.entities) for e in data.examples
    ]
    assert again.synonyms == data.synonyms and again.regexes == data.regexes


def test_corrections_override_the_label_of_the_same_text() -> None:
    data = TrainingData([Example("路灯坏了", "投诉", "城乡建设/其他"), Example("你好", "greet")])
    fixed = apply_corrections(
        data, [Example("路灯 坏了", "求助", "城乡建设/城市建设和市政管理", source="correction:1")]
    )
    assert sorted((e.text, e.intent) for e in fixed.examples) == [("你好", "greet"), ("路灯 坏了", "求助")]


def test_starter_dataset_is_valid_and_large_enough() -> None:
    from classifier.catalogue import load_catalogue
    from classifier.labels import APPEAL_TYPES

    catalogue = load_catalogue()
    categories = {f"{a}/{b}" for a, b in catalogue.entries}
    data = load_and_validate([DEFAULT_DATA_DIR], categories)
    counts = data.counts()
    assert counts["examples"] >= 3000
    assert len(counts["category_l1"]) == 15
    assert min(counts["category_l1"].values()) >= 100
    assert min(counts["intents"][t] for t in APPEAL_TYPES) >= 60
    lengths = [len(e.text) for e in data.examples]
    assert sum(200 <= n <= 600 for n in lengths) >= 150  # long letters, not only chat
    assert sum(n <= 30 for n in lengths) >= 1500


def _bigrams(text: str) -> set[str]:
    import re

    s = re.sub(r"[，。！？、,.!?\s]", "", text)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def test_held_out_evaluation_set_does_not_leak_into_training_data() -> None:
    """Promotion decisions rest on the eval set: no training phrase may be a near-copy of an eval message."""
    from classifier.training import load_eval_examples

    evals = [(e.text, _bigrams(e.text)) for e in load_eval_examples()]
    assert len(evals) >= 90
    leaks = []
    for ex in load_rasa_yaml([DEFAULT_DATA_DIR]).examples:
        if len(ex.text) > 60:  # long letters embed phrases; the phrases themselves are checked as short texts
            continue
        b = _bigrams(ex.text)
        for text, eb in evals:
            if b and len(b & eb) / len(b | eb) > 0.6:
                leaks.append((ex.text, text))
    assert leaks == []
