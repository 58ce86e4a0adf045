"""Evaluation and calibration on labelled questions (question -> article id, or "" = must refuse).

top-1 and MRR@5 are computed over questions whose article is in the index (ranking quality);
correct refusals over questions with no article (decision quality). Calibration picks, per mode, the
threshold (and for "fused" the mix `alpha`) that maximises: correct answers - WRONG_COST * wrong answers,
where a wrong answer is the wrong article, or any answer to a question the KB must refuse. Answering
wrongly is worse than opening a work order, hence the cost above 1.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from knowledge.errors import EvaluationDataError
from knowledge.kb import KnowledgeBase
from knowledge.scoring import MODES, Calibration, ModeParams, QueryScores

WRONG_COST = 3.0
ALPHAS = tuple(round(a, 2) for a in np.linspace(0.0, 1.0, 21))
# Candidate weights of the runner-up margin in the answer confidence (0 = the best score alone).
MARGIN_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)


@dataclass(frozen=True)
class LabelledQuestion:
    question: str
    article: str  # "" = out of the knowledge base


@dataclass(frozen=True)
class ModeReport:
    mode: str
    rows: int
    in_kb: int
    out_of_kb: int
    top1: float
    mrr5: float
    correct_refusal: float
    answered_correct: float  # share of in-KB questions answered with the right article
    wrong_answers: int
    threshold: float
    alpha: float
    margin_weight: float
    floor: float

    def to_json(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "rows": self.rows,
            "in_kb": self.in_kb,
            "out_of_kb": self.out_of_kb,
            "top1": round(self.top1, 4),
            "mrr5": round(self.mrr5, 4),
            "correct_refusal": round(self.correct_refusal, 4),
            "answered_correct": round(self.answered_correct, 4),
            "wrong_answers": self.wrong_answers,
            "threshold": round(self.threshold, 4),
            "alpha": self.alpha,
            "margin_weight": self.margin_weight,
            "floor": round(self.floor, 4),
        }


def read_labelled_csv(
    path: Path, question_column: str = "question", article_column: str = "article"
) -> list[LabelledQuestion]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            for column in (question_column, article_column):
                if column not in columns:
                    raise EvaluationDataError(f"{path}: no column {column!r} (have {', '.join(columns)})")
            rows = [
                LabelledQuestion(r[question_column].strip(), (r[article_column] or "").strip())
                for r in reader
                if (r[question_column] or "").strip()
            ]
    except OSError as exc:
        raise EvaluationDataError(f"cannot read {path}: {exc}") from exc
    if not rows:
        raise EvaluationDataError(f"{path}: no questions")
    return rows


@dataclass
class ScoredSet:
    """Every question's per-article scores, computed once; modes and thresholds are then cheap."""

    article_ids: list[str]
    labels: list[str]
    scores: list[QueryScores]
    # Variant group of each article (index.groups); None = every article its own group.
    groups: npt.NDArray[np.int64] | None = None

    def values(self, mode: str, alpha: float) -> npt.NDArray[np.float32]:
        return np.stack([s.mode(mode, alpha) for s in self.scores])


def score_set(kb: KnowledgeBase, rows: Sequence[LabelledQuestion]) -> ScoredSet:
    """Both signals for every question (so every mode and mix can be evaluated from one pass)."""
    index = kb.index
    ids = [a.id for a in index.articles]
    known = set(ids)
    missing = sorted({r.article for r in rows if r.article and r.article not in known})
    if missing:
        raise EvaluationDataError(f"articles not in the index: {', '.join(missing[:10])}")
    return ScoredSet(ids, [r.article for r in rows], [kb.scores(r.question)[1] for r in rows], index.groups)


def _tops(values: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.asarray(values.max(axis=1), dtype=np.float32)


def _outcomes(
    values: npt.NDArray[np.float32], scored: ScoredSet, margin_weight: float = 0.0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32], npt.NDArray[np.float64]]:
    """For each question: rank of the right article (0 = absent/out of KB), answer confidence (the top score
    plus margin_weight x its lead over the runner-up: the best article outside the top's variant group, as
    KnowledgeBase.search decides), and top-is-right."""
    order = np.argsort(-values, axis=1, kind="stable")
    rows = np.arange(len(values))
    top = values[rows, order[:, 0]]
    runner_up = _runner_up(values, order[:, 0], scored.groups)
    top_score = (top + margin_weight * (top - runner_up)).astype(np.float32)
    position = {a: i for i, a in enumerate(scored.article_ids)}
    ranks = np.zeros(len(values), dtype=np.int64)
    for row, label in enumerate(scored.labels):
        if label:
            ranks[row] = int(np.nonzero(order[row] == position[label])[0][0]) + 1
    top_right = (ranks == 1).astype(np.float64)
    return ranks, top_score, top_right


def _runner_up(
    values: npt.NDArray[np.float32], top: npt.NDArray[np.int64], groups: npt.NDArray[np.int64] | None
) -> npt.NDArray[np.float32]:
    if values.shape[1] < 2:
        return np.zeros(len(values), dtype=np.float32)
    if groups is None:
        groups = np.arange(values.shape[1], dtype=np.int64)
    same = groups[None, :] == groups[top][:, None]
    others = np.where(same, -np.inf, values).max(axis=1)
    # Every article a variant of the top one: no rival, as with a single article.
    return np.where(np.isfinite(others), others, 0.0).astype(np.float32)


def report(scored: ScoredSet, mode: str, params: ModeParams) -> ModeReport:
    values = scored.values(mode, params.alpha)
    ranks, top_score, top_right = _outcomes(values, scored, params.margin_weight)
    in_kb = np.array([bool(label) for label in scored.labels])
    answered = (top_score >= params.threshold) & (_tops(values) >= params.floor)
    n_in, n_out = int(in_kb.sum()), int((~in_kb).sum())
    rr = np.where((ranks >= 1) & (ranks <= 5), 1.0 / np.maximum(ranks, 1), 0.0)
    wrong = int((answered & in_kb & (top_right == 0)).sum() + (answered & ~in_kb).sum())
    return ModeReport(
        mode=mode,
        rows=len(values),
        in_kb=n_in,
        out_of_kb=n_out,
        top1=float(top_right[in_kb].mean()) if n_in else 0.0,
        mrr5=float(rr[in_kb].mean()) if n_in else 0.0,
        correct_refusal=float((~answered[~in_kb]).mean()) if n_out else 0.0,
        answered_correct=float((answered & (top_right == 1))[in_kb].mean()) if n_in else 0.0,
        wrong_answers=wrong,
        threshold=params.threshold,
        alpha=params.alpha,
        margin_weight=params.margin_weight,
        floor=params.floor,
    )


def _best_threshold(
    top_score: npt.NDArray[np.float32], right: npt.NDArray[np.float64], in_kb: npt.NDArray[np.bool_]
) -> tuple[float, float]:
    """Threshold maximising correct - WRONG_COST * wrong; ties go to the higher (safer) threshold."""
    gain = np.where(in_kb & (right == 1), 1.0, -WRONG_COST)
    order = np.argsort(-top_score, kind="stable")
    cumulative = np.cumsum(gain[order])
    best = int(np.argmax(cumulative[::-1]))
    best = len(cumulative) - 1 - best
    if cumulative[best] <= 0:
        return float(top_score.max()) + 1e-6, 0.0
    # Halfway to the next lower score: robust to tiny score drift between builds.
    lower = float(top_score[order[best + 1]]) if best + 1 < len(order) else float(top_score[order[best]]) - 0.01
    return (float(top_score[order[best]]) + lower) / 2.0, float(cumulative[best])


def _best_floor(
    values: npt.NDArray[np.float32], scored: ScoredSet, in_kb: npt.NDArray[np.bool_], weight: float, threshold: float
) -> float:
    """The highest floor on the best score that keeps the best utility of (weight, threshold): answers
    below the weakest match calibration saw answered rightly have no evidence for them."""
    _, confidence, right = _outcomes(values, scored, weight)
    top = _tops(values)
    passed = confidence >= threshold
    gain = np.where(in_kb & (right == 1), 1.0, -WRONG_COST)
    candidates = np.unique(np.concatenate(([0.0], top[passed])))
    utilities = [float(gain[passed & (top >= f)].sum()) for f in candidates]
    best = max(utilities)
    chosen = max(f for f, u in zip(candidates, utilities, strict=True) if u == best)
    lower = top[passed & (top < chosen)]
    # Halfway down to the next lower answered score, as for thresholds (robust to tiny drift).
    return float((chosen + lower.max()) / 2.0) if len(lower) else float(chosen)


def calibrate(scored: ScoredSet, encoder: str, modes: Sequence[str] = MODES, source: str = "") -> Calibration:
    """Fused: first the mix that ranks best (top-1, then MRR@5); then for every mode the margin weight and
    threshold of the best utility (ties go to the smaller weight: the simpler rule)."""
    in_kb = np.array([bool(label) for label in scored.labels])
    params: dict[str, ModeParams] = {}
    for mode in modes:
        alpha = 0.5
        if mode == "fused":
            ranked = [(report(scored, mode, ModeParams(1.0, a)), a) for a in ALPHAS]
            alpha = max(ranked, key=lambda item: (item[0].top1, item[0].mrr5, item[1]))[1]
        values = scored.values(mode, alpha)
        best: tuple[float, float, float] | None = None  # utility, weight, threshold
        for weight in MARGIN_WEIGHTS:
            _, confidence, right = _outcomes(values, scored, weight)
            threshold, utility = _best_threshold(confidence, right, in_kb)
            if best is None or utility > best[0]:
                best = (utility, weight, threshold)
        assert best is not None
        floor = _best_floor(values, scored, in_kb, best[1], best[2]) if best[1] > 0 else 0.0
        params[mode] = ModeParams(
            threshold=round(best[2], 4), alpha=float(alpha), margin_weight=best[1], floor=round(floor, 4)
        )
    return Calibration(encoder, params, source)
