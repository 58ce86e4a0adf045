from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from classifier.crossval import cross_validate, metrics
from classifier.errors import TrainingDataError
from classifier.report import write_report

KEYS = {"accuracy", "macro_f1", "per_class", "confusion", "train_seconds", "predict_ms_p50", "predict_ms_p99"}

TEXTS = {
    "噪音": [
        "楼下KTV半夜还在唱歌",
        "工地晚上十二点还在打桩",
        "广场舞音响太吵了",
        "隔壁装修电钻声从早响到晚",
        "酒吧音乐震得窗户响",
        "夜里货车鸣笛吵得睡不着",
    ],
    "欠薪": [
        "老板拖欠三个月工资",
        "工地干完活不给工钱",
        "公司拖着不发绩效工资",
        "包工头跑了工钱没着落",
        "辞职后最后一个月工资不结",
        "年底了农民工工资还没发",
    ],
    "路灯": [
        "路灯坏了一个月没人修",
        "小区门口的路灯不亮",
        "街上路灯白天亮晚上灭",
        "人行道的路灯杆倒了",
        "公园里的路灯全黑了",
        "桥上的路灯闪个不停",
    ],
}


def table() -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, items in TEXTS.items():
        texts += items
        labels += [label] * len(items)
    return texts, labels


@pytest.mark.slow
def test_cross_validation_reports_the_issue_keys() -> None:
    texts, labels = table()
    result = cross_validate(texts, labels, folds=3)
    assert set(result) >= KEYS
    assert result["n"] == 18 and len(result["train_seconds"]) == 3
    assert result["accuracy"] >= 0.5 and 0 < result["macro_f1"] <= 1
    assert result["confusion"]["labels"] == sorted(TEXTS) and sum(map(sum, result["confusion"]["matrix"])) == 18
    assert set(result["per_class"]) == set(TEXTS) and result["per_class"]["欠薪"]["support"] == 6
    assert 0 < result["predict_ms_p50"] <= result["predict_ms_p99"]


def test_grouped_folds_keep_groups_together() -> None:
    texts, labels = table()
    groups = [f"g{i // 2}" for i in range(len(texts))]
    seen: list[set[str]] = []

    class Memo:
        def __init__(self, train: list[str]) -> None:
            self.train = set(train)

        def predict_one(self, text: str) -> str:
            return labels[texts.index(text)]

    def fit(train_texts, _labels):
        seen.append({groups[texts.index(t)] for t in train_texts})
        return Memo(train_texts)

    result = cross_validate(texts, labels, folds=3, groups=groups, fit=fit)
    assert result["grouped"] and result["accuracy"] == 1.0
    all_groups = set(groups)
    held_out = [all_groups - s for s in seen]
    assert all(a.isdisjoint(b) for i, a in enumerate(held_out) for b in held_out[i + 1 :])


@pytest.mark.parametrize(
    ("texts", "labels", "folds", "message"),
    [
        (["a", "b"], ["x"], 2, "length"),
        (["a", "b"], ["x", "x"], 2, "two labels"),
        (["a", "b"], ["x", "y"], 1, "at least 2"),
        (["a", "b"], ["x", "y"], 3, "cannot be split"),
    ],
)
def test_bad_inputs(texts, labels, folds, message) -> None:
    with pytest.raises(TrainingDataError, match=message):
        cross_validate(texts, labels, folds=folds)


def test_metrics_macro_f1_over_gold_labels() -> None:
    m = metrics(["a", "a", "b", "b"], ["a", "b", "b", "c"])
    assert m["accuracy"] == 0.5
    assert m["per_class"]["c"]["support"] == 0
    assert m["macro_f1"] == pytest.approx((2 / 3 + 1 / 2) / 2, abs=1e-4)  # c (never gold) is left out


def test_report_has_html_and_png(tmp_path: Path) -> None:
    m = metrics(["噪音", "欠薪", "路灯", "路灯"], ["噪音", "路灯", "路灯", "路灯"])
    result = {
        **m,
        "backend": "builtin",
        "folds": 2,
        "n": 4,
        "train_seconds": [0.1, 0.2],
        "predict_ms_p50": 0.4,
        "predict_ms_p99": 0.9,
    }
    path = write_report(result, tmp_path / "report")
    html = path.read_text(encoding="utf-8")
    assert "macro-F1" in html and "欠薪" in html and "confusion" in html
    assert (tmp_path / "report" / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((tmp_path / "report" / "cv.json").read_text(encoding="utf-8"))["accuracy"] == 0.75


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_calibration_error_is_the_gap_between_confidence_and_accuracy() -> None:
    from classifier.crossval import calibration_report

    honest = calibration_report([0.8] * 10, [True] * 8 + [False] * 2)
    assert honest["ece"] == pytest.approx(0.0) and honest["reliability"][0]["n"] == 10
    # Always "99 % sure" and right half of the time: the overconfidence agents would be misled by.
    boastful = calibration_report([0.99] * 4 + [0.3] * 4, [True, False, True, False, False, True, False, False])
    assert boastful["ece"] == pytest.approx(0.5 * 0.49 + 0.5 * 0.05)
    assert [row["n"] for row in boastful["reliability"]] == [4, 4]


@pytest.mark.slow
def test_builtin_cross_validation_reports_calibration() -> None:
    texts, labels = table()
    result = cross_validate(texts, labels, folds=3)
    assert 0.0 <= result["ece"] <= 1.0 and 1 / 3 <= result["mean_confidence"] <= 1.0
    assert sum(row["n"] for row in result["reliability"]) == 18
