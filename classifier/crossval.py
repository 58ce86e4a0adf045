"""K-fold cross-validation of a backend on any labelled texts (`hotline classifier cv`).

Folds are stratified by label; with `groups` (e.g. the hand-written phrase a generated example came from)
they are also grouped, so variants of one phrase never sit on both sides of a split.
Latency is measured one message at a time, as the gateway calls the model.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import numpy as np

from classifier.errors import TrainingDataError

CvBackend = Literal["builtin", "embedding"]


class LabelPredictor(Protocol):
    def predict_one(self, text: str) -> str: ...


@dataclass
class _BuiltinPredictor:
    model: Any

    def predict_one(self, text: str) -> str:
        probs, _ = self.model.predict_fast([text])
        return str(self.model.intent.classes[int(np.argmax(probs["intent"][0]))])


@dataclass
class _BackendPredictor:
    backend: Any

    def predict_one(self, text: str) -> str:
        probs, _ = self.backend.probabilities([text])
        return str(self.backend.classes()["intent"][int(np.argmax(probs["intent"][0]))])


def fit_label_model(backend: CvBackend, texts: Sequence[str], labels: Sequence[str]) -> LabelPredictor:
    """A single-head model of `backend` trained on (text, label) pairs."""
    none: list[str | None] = [None] * len(texts)
    if backend == "builtin":
        from classifier.builtin import BuiltinConfig, BuiltinModel
        from classifier.text import available_tokenizer

        model = BuiltinModel(BuiltinConfig(tokenizer=available_tokenizer()))
        return _BuiltinPredictor(model.fit(texts, labels, none, none))
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
    trainer = fit or (lambda x, y: fit_label_model(backend, x, y))
    splits = make_splits(texts, labels, folds, groups, seed)
    gold: list[str] = []
    pred: list[str] = []
    train_seconds: list[float] = []
    latencies: list[float] = []
    for k, (train_idx, test_idx) in enumerate(splits):
        started = time.perf_counter()
        model = trainer([texts[i] for i in train_idx], [labels[i] for i in train_idx])
        train_seconds.append(round(time.perf_counter() - started, 3))
        for i in test_idx:
            t0 = time.perf_counter()
            pred.append(model.predict_one(texts[i]))
            latencies.append((time.perf_counter() - t0) * 1000.0)
            gold.append(labels[i])
        if progress:
            progress(k + 1, folds)
    return {
        "backend": backend,
        "folds": folds,
        "grouped": groups is not None,
        "n": len(gold),
        **metrics(gold, pred),
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
