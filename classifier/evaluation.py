"""Scoring a Classifier on labelled examples: the figures stored in metadata and compared at promotion."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from classifier.model import Classifier
from classifier.trainingdata import Example


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(gold))
    return float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0))


def evaluate(classifier: Classifier, examples: Sequence[Example]) -> dict[str, Any]:
    """Intent and category accuracy / macro-F1, first-level accuracy and emergency recall."""
    preds = classifier.predict_many([e.text for e in examples])
    gold_i = [e.intent for e in examples]
    pred_i = [p.intent for p in preds]
    cat = [(e, p) for e, p in zip(examples, preds, strict=True) if e.category]
    gold_c = [str(e.category) for e, _ in cat]
    pred_c = [p.category or "" for _, p in cat]
    emerg = [(e, p) for e, p in zip(examples, preds, strict=True) if e.emergency]
    return {
        "n": len(examples),
        "intent_accuracy": _acc(gold_i, pred_i),
        "intent_macro_f1": macro_f1(gold_i, pred_i) if examples else 0.0,
        "category_n": len(cat),
        "category_accuracy": _acc(gold_c, pred_c),
        "category_macro_f1": macro_f1(gold_c, pred_c) if cat else 0.0,
        "category_l1_accuracy": _acc([g.split("/")[0] for g in gold_c], [p.split("/")[0] for p in pred_c]),
        "emergency_n": len(emerg),
        "emergency_recall": (sum(1 for e, p in emerg if p.emergency == e.emergency) / len(emerg)) if emerg else 1.0,
        "low_confidence_share": (sum(p.low_confidence for p in preds) / len(preds)) if preds else 0.0,
    }


def _acc(gold: Sequence[str], pred: Sequence[str]) -> float:
    return sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0


def score(metrics: dict[str, Any]) -> float:
    """The single number promotion compares: mean of intent and category accuracy."""
    return (float(metrics["intent_accuracy"]) + float(metrics["category_accuracy"])) / 2


def noise_margin(metrics: dict[str, Any], floor: float = 0.01) -> float:
    """Two standard errors of the difference of two accuracies measured on the same n examples."""
    n = max(1, min(int(metrics["n"]), int(metrics.get("category_n") or metrics["n"])))
    p = min(max(score(metrics), 0.01), 0.99)
    return max(floor, 2.0 * math.sqrt(2.0 * p * (1.0 - p) / n))
