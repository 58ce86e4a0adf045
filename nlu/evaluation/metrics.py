"""Recall and precision of emergency detection, overall and per service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from nlu.evaluation.dataset import Example
from nlu.results import SERVICES, Emergency


@dataclass(frozen=True, slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0


@dataclass(slots=True)
class Report:
    overall: Counts
    per_service: dict[str, Counts]
    n_emergency: int
    n_non_emergency: int
    n_hard: int
    misses: list[Example] = field(default_factory=list)
    false_alarms: list[tuple[Example, Emergency]] = field(default_factory=list)
    # Emergencies detected, but the primary (first gold) service is missing from the prediction.
    wrong_service: list[tuple[Example, Emergency]] = field(default_factory=list)


def evaluate(examples: Sequence[Example], detect: Callable[[str], Emergency | None]) -> Report:
    """Overall: an emergency is caught when anything fires. Per service S: gold has S vs prediction has S."""
    tp = fp = fn = 0
    per: dict[str, list[int]] = {s: [0, 0, 0] for s in SERVICES}
    misses: list[Example] = []
    alarms: list[tuple[Example, Emergency]] = []
    wrong: list[tuple[Example, Emergency]] = []
    for ex in examples:
        pred = detect(ex.text)
        if ex.is_emergency and pred is not None:
            tp += 1
            if ex.services[0] not in pred.services:
                wrong.append((ex, pred))
        elif ex.is_emergency:
            fn += 1
            misses.append(ex)
        elif pred is not None:
            fp += 1
            alarms.append((ex, pred))
        predicted = set(pred.services) if pred is not None else set()
        for s in SERVICES:
            gold = s in ex.services
            got = s in predicted
            if gold and got:
                per[s][0] += 1
            elif got:
                per[s][1] += 1
            elif gold:
                per[s][2] += 1
    return Report(
        overall=Counts(tp, fp, fn),
        per_service={s: Counts(*v) for s, v in per.items()},
        n_emergency=sum(ex.is_emergency for ex in examples),
        n_non_emergency=sum(not ex.is_emergency for ex in examples),
        n_hard=sum(ex.is_hard_negative for ex in examples),
        misses=misses,
        false_alarms=alarms,
        wrong_service=wrong,
    )
