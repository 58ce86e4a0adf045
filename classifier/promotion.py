"""Promotion rules: a candidate replaces the current model only if it is not worse beyond noise on the
held-out evaluation set and does not lose emergency recall. Both models are scored live on the same set."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classifier.errors import PromotionRefused
from classifier.evaluation import evaluate, noise_margin, score
from classifier.persistence import load_version
from classifier.registry import ModelRegistry


def compare(registry: ModelRegistry, candidate: str, eval_path: Path | None = None) -> dict[str, Any]:
    """Scores of candidate and current on the evaluation set and the verdict, without promoting."""
    from classifier.training import load_eval_examples

    examples = load_eval_examples(eval_path)
    cand = evaluate(load_version(registry.path_of(candidate)), examples)
    current = registry.current_version()
    report: dict[str, Any] = {"candidate": candidate, "candidate_eval": cand, "current": current}
    if current is None or current == candidate:
        report["verdict"] = "ok"
        return report
    cur = evaluate(load_version(registry.path_of(current)), examples)
    margin = noise_margin(cur)
    report.update(current_eval=cur, margin=round(margin, 4), candidate_score=score(cand), current_score=score(cur))
    reasons = []
    if score(cand) < score(cur) - margin:
        reasons.append(f"worse than {current} beyond noise: score {score(cand):.3f} < {score(cur):.3f} - {margin:.3f}")
    if cand["emergency_recall"] < cur["emergency_recall"]:
        reasons.append(f"loses emergency recall: {cand['emergency_recall']:.3f} < {cur['emergency_recall']:.3f}")
    report["verdict"] = "refused" if reasons else "ok"
    report["reasons"] = reasons
    return report


def promote(
    registry: ModelRegistry,
    version: str,
    *,
    force: bool = False,
    eval_path: Path | None = None,
) -> dict[str, Any]:
    """Make `version` current unless the rules refuse it (force skips the rules, for the first model)."""
    report = {"candidate": version, "verdict": "forced"} if force else compare(registry, version, eval_path)
    if report["verdict"] == "refused":
        raise PromotionRefused("; ".join(report["reasons"]))
    registry.set_current(version)
    return report


def rollback(registry: ModelRegistry) -> str:
    """Return to the previously promoted version."""
    return registry.pop_previous()
