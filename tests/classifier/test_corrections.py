from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier import corrections_path, record_correction
from classifier.corrections import load_corrections
from classifier.errors import TrainingDataError
from classifier.training import load_training_data
from classifier.trainingdata import dedup_key


def test_recorded_corrections_carry_provenance_and_override_starter_labels(tmp_path: Path) -> None:
    path = corrections_path(tmp_path / "models")
    assert path == tmp_path / "feedback" / "corrections.jsonl"
    # A starter example relabelled, and a new message.
    record_correction(
        path,
        text="小区门口的垃圾堆了一个星期没人清理，臭得不行",
        appeal_type="求助",
        category_l1="环境保护",
        category_l2="环境污染",
        agent="agent-007",
        ticket="12345-20261128-000123",
        previous_intent="投诉",
        previous_category="城乡建设/城市建设和市政管理",
        model_version="v1",
    )
    record_correction(path, text="帮我查下工单进度呗", appeal_type="query_status", agent="agent-008")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["agent"] == "agent-007" and lines[0]["ticket"] == "12345-20261128-000123"
    assert lines[0]["previous_category"] == "城乡建设/城市建设和市政管理" and lines[0]["created"]
    assert len(load_corrections(path)) == 2

    data = load_training_data(corrections=path)
    same = [e for e in data.examples if dedup_key(e.text) == dedup_key("小区门口的垃圾堆了一个星期没人清理，臭得不行")]
    assert [(e.intent, e.category) for e in same] == [("求助", "环境保护/环境污染")]
    assert same[0].source.startswith("correction:12345-20261128-000123:agent-007")
    assert any(e.text == "帮我查下工单进度呗" and e.intent == "query_status" for e in data.examples)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": " ", "appeal_type": "投诉", "category_l1": "政法", "category_l2": "其他"}, "text"),
        ({"text": "路灯坏了", "appeal_type": "吐槽"}, "unknown"),
        ({"text": "路灯坏了", "appeal_type": "投诉"}, "category"),
    ],
)
def test_invalid_corrections_are_refused(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(TrainingDataError, match=message):
        record_correction(tmp_path / "c.jsonl", agent="a", **kwargs)
    assert not (tmp_path / "c.jsonl").exists()


def test_a_corrupt_corrections_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"text": "a", "intent": "greet", "category": null, "agent": "x"}\n{oops\n', encoding="utf-8")
    with pytest.raises(TrainingDataError, match="unreadable"):
        load_corrections(path)
