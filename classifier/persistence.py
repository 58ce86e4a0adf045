"""Reading a model version directory back into a Classifier; the explicit registry of backends."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from classifier.errors import ModelLoadError, ModelNotFound
from classifier.model import Backend, Classifier, Thresholds
from classifier.registry import METADATA_FILE


def backend_class(name: str) -> Any:
    """Backends by the name recorded in metadata.json; imported lazily (the embedding one pulls torch)."""
    if name == "builtin":
        from classifier.builtin import BuiltinBackend

        return BuiltinBackend
    if name == "embedding":
        from classifier.embedding import EmbeddingBackend

        return EmbeddingBackend
    raise ModelLoadError(f"unknown classifier backend {name!r}")


def thresholds_from(metadata: dict[str, Any]) -> Thresholds:
    raw = metadata.get("thresholds") or {}
    known = {f.name for f in fields(Thresholds)}
    return Thresholds(**{k: v for k, v in raw.items() if k in known})


def load_version(path: Path) -> Classifier:
    meta_path = path / METADATA_FILE
    if not meta_path.exists():
        raise ModelNotFound(f"no model in {path}")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        backend: Backend = backend_class(str(metadata["backend"])).load(path)
    except (OSError, KeyError, ValueError, EOFError, ImportError) as exc:
        raise ModelLoadError(f"cannot load model {path.name}: {exc}") from exc
    return Classifier(backend=backend, version=path.name, thresholds=thresholds_from(metadata), metadata=metadata)
