"""Training: data (Rasa YAML + imports + agent corrections) -> a registered model version with metadata."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from classifier.catalogue import Catalogue, load_catalogue
from classifier.corrections import correction_examples, corrections_path
from classifier.errors import ModelNotFound, PromotionRefused, TrainingDataError
from classifier.evaluation import evaluate
from classifier.model import Backend, Classifier, Thresholds
from classifier.registry import ModelRegistry
from classifier.trainingdata import (
    DEFAULT_DATA_DIR,
    Example,
    TrainingData,
    apply_corrections,
    load_rasa_yaml,
    validate,
)

BackendName = Literal["builtin", "embedding"]
DEFAULT_EVAL_PATH = Path(__file__).parent / "data" / "eval"
Progress = Callable[[str], None]


@dataclass(frozen=True)
class TrainResult:
    version: str
    path: Path
    metadata: dict[str, Any]
    promoted: bool
    refusal: str | None = None


def catalogue_categories(catalogue: Catalogue) -> set[str]:
    return {f"{l1}/{l2}" for l1, l2 in catalogue.entries}


def load_training_data(
    paths: Sequence[Path] | None = None,
    *,
    corrections: Path | None = None,
    catalogue: Catalogue | None = None,
) -> TrainingData:
    """Rasa YAML (and imported CSV/JSONL) files, validated, with agent corrections merged in."""
    from classifier.importers import load_any

    catalogue = catalogue or load_catalogue()
    data = TrainingData()
    for path in paths or [DEFAULT_DATA_DIR]:
        data = data.merge(load_any(path))
    problems = validate(data, catalogue_categories(catalogue))
    if problems:
        raise TrainingDataError(f"{len(problems)} problem(s) in training data", problems)
    if corrections is not None and corrections.exists():
        data = apply_corrections(data, correction_examples(corrections))
    return data


def load_eval_examples(path: Path | None = None) -> list[Example]:
    return load_rasa_yaml([path or DEFAULT_EVAL_PATH]).examples


def fit_backend(backend: BackendName, examples: Sequence[Example], **options: Any) -> Backend:
    texts = [e.text for e in examples]
    intents = [e.intent for e in examples]
    categories = [e.category for e in examples]
    emergencies = [e.emergency for e in examples]
    # Generated variants of one hand-written phrase share their source: calibration folds keep them together.
    groups = [e.source for e in examples]
    if backend == "builtin":
        from classifier.builtin import BuiltinBackend, BuiltinConfig
        from classifier.text import available_tokenizer

        config = BuiltinConfig(tokenizer=available_tokenizer(), **options)
        return BuiltinBackend.train(texts, intents, categories, emergencies, config, groups)
    if backend == "embedding":
        from classifier.embedding import EmbeddingBackend

        embedding: Backend = EmbeddingBackend.train(texts, intents, categories, emergencies, **options)
        return embedding
    raise TrainingDataError(f"unknown backend {backend!r} (builtin or embedding; rasa trains in its own venv)")


def train(
    model_dir: Path,
    data_paths: Sequence[Path] | None = None,
    *,
    backend: BackendName = "builtin",
    corrections: Path | None = None,
    eval_path: Path | None = None,
    promote: Literal["never", "if-better", "always"] = "if-better",
    origin: str = "custom",
    progress: Progress | None = None,
    thresholds: Thresholds | None = None,
) -> TrainResult:
    """Train, evaluate on the held-out set, register a new version; promote it per `promote`."""
    say = progress or (lambda _msg: None)
    registry = ModelRegistry(model_dir)
    corrections = corrections if corrections is not None else corrections_path(model_dir)
    say("loading training data")
    catalogue = load_catalogue()
    data = load_training_data(data_paths, corrections=corrections, catalogue=catalogue)
    say(f"training {backend} on {len(data.examples)} examples")
    started = time.perf_counter()
    fitted = fit_backend(backend, data.examples)
    train_seconds = time.perf_counter() - started
    version, path = registry.new_version_dir(f"{backend}-{data.fingerprint()[:6]}")
    fitted.save(path)  # type: ignore[attr-defined]
    thresholds = thresholds or Thresholds()
    classifier = Classifier(backend=fitted, version=version, thresholds=thresholds)
    say("evaluating on the held-out set")
    eval_examples = load_eval_examples(eval_path)
    metrics = evaluate(classifier, eval_examples) if eval_examples else None
    metadata = {
        "version": version,
        "backend": backend,
        "origin": origin,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_hash": data.fingerprint(),
        "data_paths": [str(p) for p in (data_paths or [DEFAULT_DATA_DIR])],
        "counts": data.counts(),
        "corrections": sum(1 for e in data.examples if e.source.startswith("correction:")),
        "train_seconds": round(train_seconds, 3),
        "thresholds": asdict(thresholds),
        "eval": metrics,
        "tokenizer": getattr(fitted, "tokenizer", None),
    }
    registry.write_metadata(version, metadata)
    promoted, refusal = False, None
    if promote != "never":
        say("promoting")
        from classifier.promotion import promote as do_promote

        try:
            do_promote(registry, version, force=promote == "always", eval_path=eval_path)
            promoted = True
        except PromotionRefused as exc:
            refusal = str(exc)
    return TrainResult(version, path, metadata, promoted, refusal)


def train_default(model_dir: Path) -> Path:
    """Train the built-in model from classifier/data/, register it and promote it; the version's path."""
    result = train(model_dir, backend="builtin", origin="default", promote="always")
    return result.path


def ensure_default_model(model_dir: Path) -> Path:
    """First run: train the default model when nothing is promoted yet; otherwise the current version."""
    registry = ModelRegistry(model_dir)
    current = registry.current_version()
    if current is None:
        return train_default(model_dir)
    return registry.path_of(current)


def load_classifier(model_dir: Path) -> Classifier:
    """The promoted model of `model_dir`; raises ModelNotFound when none is promoted."""
    classifier: Classifier = ModelRegistry(model_dir).load_current()
    return classifier


__all__ = [
    "ModelNotFound",
    "TrainResult",
    "ensure_default_model",
    "load_classifier",
    "load_training_data",
    "train",
    "train_default",
]
