"""Maintainers' training desk, without HTTP: the review of agent corrections, one training job at a time
with its progress, and the detailed evaluation of a model version (per-class figures, confusion matrices).

Reviews live beside the corrections (`<models>/../feedback/reviews.json`, keyed by a hash of the correction),
so the classifier's append-only JSONL stays untouched; a training run from this desk uses the accepted
corrections only (written to `accepted.jsonl` and passed to `classifier.training.train`).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from classifier.corrections import Correction, corrections_path, load_corrections

Decision = Literal["accepted", "rejected"]

# The training function's progress messages, in order, and how far along each one is.
STAGES: tuple[tuple[str, float, str], ...] = (
    ("loading", 0.05, "读取训练数据"),
    ("training", 0.2, "训练模型"),
    ("evaluating", 0.75, "在留出集上评估"),
    ("promoting", 0.9, "发布"),
)


def correction_key(correction: Correction) -> str:
    raw = json.dumps(asdict(correction), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:16]


class Reviews:
    """Accept / reject decisions on agent corrections."""

    def __init__(self, models_dir: Path) -> None:
        self.corrections = corrections_path(models_dir)
        self.path = self.corrections.parent / "reviews.json"
        self.accepted_path = self.corrections.parent / "accepted.jsonl"
        self._lock = threading.Lock()

    def _decisions(self) -> dict[str, dict[str, str]]:
        if not self.path.exists():
            return {}
        data: dict[str, dict[str, str]] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def items(self) -> list[dict[str, Any]]:
        """Every correction, newest first, with its review decision (None while pending)."""
        decisions = self._decisions()
        out = []
        for correction in load_corrections(self.corrections):
            key = correction_key(correction)
            review = decisions.get(key)
            out.append({"key": key, **asdict(correction), "review": review})
        return list(reversed(out))

    def decide(self, key: str, decision: Decision, actor: str) -> dict[str, Any]:
        with self._lock:
            known = {correction_key(c) for c in load_corrections(self.corrections)}
            if key not in known:
                raise KeyError(key)
            decisions = self._decisions()
            decisions[key] = {"decision": decision, "by": actor, "at": datetime.now(UTC).isoformat(timespec="seconds")}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(decisions, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, self.path)
            return decisions[key]

    def write_accepted(self) -> tuple[Path, int]:
        """The accepted corrections, in their original order, as a corrections JSONL for training."""
        decisions = self._decisions()
        accepted = [
            c
            for c in load_corrections(self.corrections)
            if decisions.get(correction_key(c), {}).get("decision") == "accepted"
        ]
        self.accepted_path.parent.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(asdict(c), ensure_ascii=False) + "\n" for c in accepted)
        self.accepted_path.write_text(lines, encoding="utf-8")
        return self.accepted_path, len(accepted)


@dataclass
class Job:
    id: str
    status: Literal["running", "done", "failed"] = "running"
    progress: float = 0.0
    stage: str = "排队"
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished: str | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    log: list[str] = field(default_factory=list)

    def advance(self, message: str) -> None:
        """Map a progress message of `classifier.training.train` to a stage and a fraction."""
        self.log.append(message)
        for prefix, fraction, label in STAGES:
            if message.startswith(prefix):
                self.progress = max(self.progress, fraction)
                self.stage = label
                return

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Trainer = Callable[[Callable[[str], None]], dict[str, Any]]


class TrainingDesk:
    """One training job at a time per process; finished jobs are kept for the page to read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.jobs: dict[str, Job] = {}
        self.running: str | None = None

    def start(self, trainer: Trainer) -> Job:
        with self._lock:
            if self.running is not None and self.jobs[self.running].status == "running":
                raise RuntimeError(f"training job {self.running} is still running")
            job = Job(id=uuid.uuid4().hex[:12])
            self.jobs[job.id] = job
            self.running = job.id
        threading.Thread(target=self._run, args=(job, trainer), name=f"train-{job.id}", daemon=True).start()
        return job

    def _run(self, job: Job, trainer: Trainer) -> None:
        try:
            job.result = trainer(job.advance)
            job.progress, job.stage, job.status = 1.0, "完成", "done"
        except Exception as error:  # the page shows why; the process keeps serving
            job.status, job.error, job.stage = "failed", f"{type(error).__name__}: {error}", "失败"
        finally:
            job.finished = datetime.now(UTC).isoformat(timespec="seconds")


def per_class(gold: list[str], pred: list[str]) -> dict[str, Any]:
    """Precision, recall, F1 and support per gold label, and the confusion matrix (rows gold, columns predicted)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = sorted(set(gold) | set(pred))
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    classes = {
        label: {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f), 4),
            "support": int(s),
        }
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        if s or label in gold
    }
    matrix = confusion_matrix(gold, pred, labels=labels).tolist()
    return {"per_class": classes, "confusion": {"labels": labels, "matrix": matrix}}


def detailed_evaluation(model_dir: Path, version: str, eval_path: Path | None = None) -> dict[str, Any]:
    """The held-out figures of one version, per appeal type and per first-level category, with the verdict
    the promotion rules would give against the current model."""
    from classifier.evaluation import evaluate
    from classifier.persistence import load_version
    from classifier.promotion import compare
    from classifier.registry import ModelRegistry
    from classifier.training import load_eval_examples

    registry = ModelRegistry(model_dir)
    examples = load_eval_examples(eval_path)
    model = load_version(registry.path_of(version))
    predictions = model.predict_many([e.text for e in examples])
    intents = per_class([e.intent for e in examples], [p.intent for p in predictions])
    labelled = [(e, p) for e, p in zip(examples, predictions, strict=True) if e.category]
    categories = per_class(
        [str(e.category).split("/")[0] for e, _ in labelled], [p.category_l1 or "（无）" for _, p in labelled]
    )
    verdict = compare(registry, version, eval_path)
    return {
        "version": version,
        "current": registry.current_version(),
        "summary": evaluate(model, examples),
        "appeal_type": intents,
        "category_l1": categories,
        "verdict": verdict.get("verdict"),
        "reasons": verdict.get("reasons", []),
        "current_summary": verdict.get("current_eval"),
    }
