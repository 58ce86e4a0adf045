"""Metrics and calibration on hand-made score tables (no encoder needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.errors import EvaluationDataError
from knowledge.evaluation import ScoredSet, calibrate, read_labelled_csv, report
from knowledge.scoring import ModeParams, QueryScores

IDS = ["gjj-001", "ss-001", "sfz-001"]


def _scores(dense: list[float], bm25: list[float]) -> QueryScores:
    d = np.array(dense, dtype=np.float32)
    b = np.array(bm25, dtype=np.float32)
    return QueryScores(b, d, b, d)


def _set() -> ScoredSet:
    return ScoredSet(
        IDS,
        ["gjj-001", "ss-001", "sfz-001", "", ""],
        [
            _scores([0.95, 0.80, 0.70], [0.9, 0.1, 0.0]),  # right, confident
            _scores([0.85, 0.93, 0.70], [0.2, 0.8, 0.0]),  # right, confident
            _scores([0.91, 0.80, 0.88], [0.0, 0.0, 0.9]),  # dense wrong at rank 1, bm25 right
            _scores([0.86, 0.84, 0.80], [0.1, 0.0, 0.0]),  # out of KB, low
            _scores([0.90, 0.84, 0.80], [0.2, 0.0, 0.0]),  # out of KB, deceptively high dense
        ],
    )


def test_report_counts_top1_mrr_and_refusals() -> None:
    r = report(_set(), "dense", ModeParams(threshold=0.92))
    assert r.top1 == pytest.approx(2 / 3)
    assert r.mrr5 == pytest.approx((1 + 1 + 0.5) / 3)
    assert r.correct_refusal == 1.0
    assert r.answered_correct == pytest.approx(2 / 3)
    assert r.wrong_answers == 0


def test_low_threshold_answers_wrongly() -> None:
    r = report(_set(), "dense", ModeParams(threshold=0.5))
    assert r.correct_refusal == 0.0 and r.wrong_answers == 3


def test_fusion_fixes_the_ranking_and_calibration_finds_it() -> None:
    fused = report(_set(), "fused", ModeParams(threshold=0.0, alpha=0.5))
    assert fused.top1 == 1.0
    calibration = calibrate(_set(), "test-encoder")
    params = calibration.params("fused")
    best = report(_set(), "fused", params)
    assert best.top1 == 1.0 and best.wrong_answers == 0 and best.correct_refusal == 1.0
    assert best.answered_correct == 1.0
    assert report(_set(), "dense", calibration.params("dense")).wrong_answers == 0


def test_labelled_csv(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text("问题,文章\n公积金咋取,gjj-001\n楼上太吵了,\n\n", encoding="utf-8")
    rows = read_labelled_csv(path, "问题", "文章")
    assert [(r.question, r.article) for r in rows] == [("公积金咋取", "gjj-001"), ("楼上太吵了", "")]
    with pytest.raises(EvaluationDataError, match="no column"):
        read_labelled_csv(path, "question", "article")


def _ambiguous_set() -> ScoredSet:
    """Out-of-KB questions score high on two articles at once; right answers lead clearly."""
    return ScoredSet(
        IDS,
        ["gjj-001", "ss-001", "sfz-001", "", "", ""],
        [
            _scores([0.93, 0.80, 0.78], [0, 0, 0]),
            _scores([0.80, 0.92, 0.79], [0, 0, 0]),
            _scores([0.78, 0.80, 0.925], [0, 0, 0]),
            _scores([0.935, 0.93, 0.70], [0, 0, 0]),  # two articles tie: nothing fits
            _scores([0.70, 0.94, 0.935], [0, 0, 0]),
            _scores([0.93, 0.70, 0.928], [0, 0, 0]),
        ],
    )


def test_margin_weight_separates_ambiguous_questions_a_threshold_alone_cannot() -> None:
    scored = _ambiguous_set()
    alone = max(
        (report(scored, "dense", ModeParams(threshold=t)) for t in np.linspace(0.9, 0.95, 51)),
        key=lambda r: r.answered_correct - 3 * r.wrong_answers,
    )
    assert alone.answered_correct < 1.0 or alone.wrong_answers > 0
    params = calibrate(scored, "test-encoder").params("dense")
    assert params.margin_weight > 0
    best = report(scored, "dense", params)
    assert best.answered_correct == 1.0 and best.correct_refusal == 1.0


def test_confidence_adds_the_weighted_lead_over_the_runner_up() -> None:
    params = ModeParams(threshold=0.95, margin_weight=2.0)
    assert params.confidence(0.93, 0.90) == pytest.approx(0.99)
    assert params.confidence(0.93, 0.93) == pytest.approx(0.93)
