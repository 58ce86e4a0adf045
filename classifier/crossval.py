"""K-fold cross-validation of a backend on any labelled texts (`hotline classifier cv`).

Folds are stratified by label; with `groups` (e.g. the hand-written phrase a generated example came from)
they are also grouped, so variants of one phrase never sit on both sides of a split.
Latency is measured one message at a time, as the gateway calls the model. Calibration is reported as the
expected calibration error (ECE) of the top answer's confidence on the held-out folds.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from classifier.errors import TrainingDataError

CvBackend = Literal["builtin", "embedding"]


class LabelPredictor(Protocol):
    def predict_one(self, text: str) -> str: ...


@runtime_checkable
class ScoredPredictor(Protocol):
    """A predictor that also gives its confidence in the answer (then cv reports calibration)."""

    def predict_one(self, text: str) -> str: ...

    def predict_scored(self, text: str) -> tuple[str, float]: ...


@dataclass
class _BuiltinPredictor:
    model: Any

    def predict_scored(self, text: str) -> tuple[str, float]:
        probs, _ = self.model.predict_fast([text])
        best = int(np.argmax(probs["intent"][0]))
        return str(self.model.intent.classes[best]), float(probs["intent"][0][best])

    def predict_one(self, text: str) -> str:
        return self.predict_scored(text)[0]


@dataclass
class _BackendPredictor:
    backend: Any

    def predict_scored(self, text: str) -> tuple[str, float]:
        probs, _ = self.backend.probabilities([text])
        best = int(np.argmax(probs["intent"][0]))
        return str(self.backend.classes()["intent"][best]), float(probs["intent"][0][best])

    def predict_one(self, text: str) -> str:
        return self.predict_scored(text)[0]


def fit_label_model(
    backend: CvBackend, texts: Sequence[str], labels: Sequence[str], groups: Sequence[str] | None = None
) -> LabelPredictor:
    """A single-head model of `backend` trained on (text, label) pairs.

    `groups` keep variants of one phrase together in the built-in model's calibration split too.
    """
    none: list[str | None] = [None] * len(texts)
    if backend == "builtin":
        from classifier.builtin import BuiltinConfig, BuiltinModel
        from classifier.text import available_tokenizer

        model = BuiltinModel(BuiltinConfig(tokenizer=available_tokenizer()))
        return _BuiltinPredictor(model.fit(texts, labels, none, none, groups))
    if backend == "embedding":
        from classifier.embedding import EmbeddingBackend

        return _BackendPredictor(EmbeddingBackend.train(texts, labels, none, none))
    raise TrainingDataError(f"unknown backend {backend!r}")


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    backend: CvBackend = "builtin",
    groups: Sequence[str] | None = None,
    seed: int = 0,
    fit: Callable[[Sequence[str], Sequence[str]], LabelPredictor] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Train and test on K folds; the JSON document of `hotline classifier cv`."""
    if len(texts) != len(labels):
        raise TrainingDataError("texts and labels differ in length")
    if folds < 2:
        raise TrainingDataError("--folds must be at least 2")
    if len(set(labels)) < 2:
        raise TrainingDataError("cross-validation needs at least two labels")
    if len(texts) < folds:
        raise TrainingDataError(f"{len(texts)} examples cannot be split into {folds} folds")
    splits = make_splits(texts, labels, folds, groups, seed)
    gold: list[str] = []
    pred: list[str] = []
    confidence: list[float] = []
    train_seconds: list[float] = []
    latencies: list[float] = []
    for k, (train_idx, test_idx) in enumerate(splits):
        started = time.perf_counter()
        x, y = [texts[i] for i in train_idx], [labels[i] for i in train_idx]
        if fit is not None:
            model = fit(x, y)
        else:
            model = fit_label_model(backend, x, y, [groups[i] for i in train_idx] if groups is not None else None)
        train_seconds.append(round(time.perf_counter() - started, 3))
        for i in test_idx:
            t0 = time.perf_counter()
            if isinstance(model, ScoredPredictor):
                label, conf = model.predict_scored(texts[i])
                confidence.append(conf)
            else:
                label = model.predict_one(texts[i])
            latencies.append((time.perf_counter() - t0) * 1000.0)
            pred.append(label)
            gold.append(labels[i])
        if progress:
            progress(k + 1, folds)
    # Only when every fold's model gave its confidence (a custom `fit` may not).
    correct = [g == q for g, q in zip(gold, pred, strict=True)]
    calibration = calibration_report(confidence, correct) if len(confidence) == len(gold) else {"ece": None}
    return {
        "backend": backend,
        "folds": folds,
        "grouped": groups is not None,
        "n": len(gold),
        **metrics(gold, pred),
        **calibration,
        "train_seconds": train_seconds,
        "predict_ms_p50": round(float(np.percentile(latencies, 50)), 4),
        "predict_ms_p99": round(float(np.percentile(latencies, 99)), 4),
    }


def make_splits(
    texts: Sequence[str], labels: Sequence[str], folds: int, groups: Sequence[str] | None = None, seed: int = 0
) -> list[tuple[list[int], list[int]]]:
    """The (train, test) index lists every backend is compared on; same arguments, same folds."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    with warnings.catch_warnings():  # classes rarer than the fold count: sklearn warns, the split is still valid
        warnings.simplefilter("ignore", UserWarning)
        if groups is not None:
            grouped = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
            raw = list(grouped.split(texts, labels, groups))
        else:
            plain = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
            raw = list(plain.split(texts, labels))
    return [([int(i) for i in a], [int(i) for i in b]) for a, b in raw]


def metrics(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = sorted(set(gold) | set(pred))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    gold_labels = set(gold)
    per_class = {
        label: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }
    macro = float(np.mean([f[i] for i, label in enumerate(labels) if label in gold_labels]))
    matrix = confusion_matrix(gold, pred, labels=labels)
    return {
        "accuracy": round(float(np.mean([g == q for g, q in zip(gold, pred, strict=True)])), 4),
        "macro_f1": round(macro, 4),
        "per_class": per_class,
        "confusion": {"labels": labels, "matrix": matrix.tolist()},
    }


def calibration_report(confidence: Sequence[float], correct: Sequence[bool], bins: int = 10) -> dict[str, Any]:
    """ECE: the share-weighted gap between confidence and accuracy over equal-width confidence bins.

    0 means "80 % sure" is right 80 % of the time; the per-bin rows are the reliability diagram.
    """
    conf = np.asarray(confidence, dtype=np.float64)
    hit = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    rows = []
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        gap = abs(float(conf[mask].mean()) - float(hit[mask].mean()))
        ece += float(mask.mean()) * gap
        rows.append(
            {
                "from": round(float(edges[b]), 2),
                "to": round(float(edges[b + 1]), 2),
                "n": int(mask.sum()),
                "confidence": round(float(conf[mask].mean()), 4),
                "accuracy": round(float(hit[mask].mean()), 4),
            }
        )
    return {
        "ece": round(ece, 4),
        "mean_confidence": round(float(conf.mean()), 4) if len(conf) else None,
        "reliability": rows,
    }
