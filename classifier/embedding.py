"""The embedding backend: sentence-transformers sentence vectors + multinomial logistic-regression heads.

The encoder is the knowledge base's (`knowledge.embedding.load_encoder`, offline multilingual-e5-small
by default) when that package is importable, else any sentence-transformers model id or local path.
Only the heads are saved with the model version; the encoder is recorded by name and loaded lazily on the
first prediction (torch threads pinned), so importing this module stays cheap.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from classifier.errors import BackendUnavailable, ModelLoadError

NO_EMERGENCY = "none"
DEFAULT_ENCODER = "default"  # knowledge's offline multilingual-e5-small
_ENCODERS: dict[str, Any] = {}
_LOCK = threading.Lock()


def load_encoder(name_or_path: str) -> Any:
    """A cached SentenceTransformer; e5 models get their "query: " prompt."""
    with _LOCK:
        if name_or_path in _ENCODERS:
            return _ENCODERS[name_or_path]
        try:
            from knowledge.embedding import load_encoder as knowledge_encoder

            model = knowledge_encoder(None if name_or_path == DEFAULT_ENCODER else name_or_path)
        except ImportError:
            if name_or_path == DEFAULT_ENCODER:
                raise BackendUnavailable("the default encoder needs the knowledge package") from None
            import torch
            from sentence_transformers import SentenceTransformer

            torch.set_num_threads(max(1, int(os.environ.get("HOTLINE_TORCH_THREADS", "1"))))
            model = SentenceTransformer(name_or_path, device="cpu", local_files_only=Path(name_or_path).exists())
        except Exception as exc:  # the knowledge package raises its own EncoderError
            raise BackendUnavailable(f"cannot load encoder {name_or_path!r}: {exc}") from exc
        _ENCODERS[name_or_path] = model
        return model


def _prefix(name_or_path: str) -> str:
    return "query: " if name_or_path == DEFAULT_ENCODER or "e5" in name_or_path.lower() else ""


class EmbeddingBackend:
    name = "embedding"
    FILE = "embedding.pkl"
    META = "embedding.json"

    def __init__(self, encoder: str, heads: dict[str, Any]) -> None:
        self.encoder_name = encoder
        self.heads = heads

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> NDArray[np.float32]:
        model = load_encoder(self.encoder_name)
        prefix = _prefix(self.encoder_name)
        vectors = model.encode(
            [prefix + t for t in texts], batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        intents: Sequence[str],
        categories: Sequence[str | None],
        emergencies: Sequence[str | None],
        encoder: str = DEFAULT_ENCODER,
        c: float = 10.0,
    ) -> EmbeddingBackend:
        from sklearn.linear_model import LogisticRegression

        backend = cls(encoder, {})
        x = backend.encode(texts)

        def head(rows: list[int], labels: list[str]) -> Any:
            return LogisticRegression(C=c, max_iter=2000).fit(x[rows], labels)

        all_rows = list(range(len(texts)))
        backend.heads["intent"] = head(all_rows, list(intents))
        with_cat = [i for i, cat in enumerate(categories) if cat]
        if len({categories[i] for i in with_cat}) >= 2:
            backend.heads["category"] = head(with_cat, [str(categories[i]) for i in with_cat])
        if any(emergencies):
            backend.heads["emergency"] = head(all_rows, [e or NO_EMERGENCY for e in emergencies])
        return backend

    def classes(self) -> dict[str, list[str]]:
        return {name: [str(c) for c in h.classes_] for name, h in self.heads.items()}

    def probabilities(self, texts: Sequence[str]) -> tuple[dict[str, NDArray[np.float64]], list[bool]]:
        x = self.encode(texts)
        probs = {name: np.asarray(h.predict_proba(x), dtype=np.float64) for name, h in self.heads.items()}
        return probs, [bool(t.strip()) for t in texts]

    def save(self, directory: Path) -> None:
        import joblib

        joblib.dump(self.heads, directory / self.FILE, compress=3)
        (directory / self.META).write_text(json.dumps({"encoder": self.encoder_name}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> EmbeddingBackend:
        import joblib

        try:
            meta = json.loads((directory / cls.META).read_text(encoding="utf-8"))
            heads = joblib.load(directory / cls.FILE)  # written by this package only
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load embedding model from {directory}: {exc}") from exc
        return cls(str(meta["encoder"]), dict(heads))
