"""Fixtures for the knowledge tests: one default encoder folder per test session (building takes ~10 s)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from knowledge.embedding import build_default_encoder

    cached = os.environ.get("HOTLINE_ENCODER_CACHE")
    target = Path(cached) if cached else tmp_path_factory.mktemp("encoder") / "e5"
    return build_default_encoder(target)


@pytest.fixture(scope="session")
def encoder(encoder_dir: Path):  # type: ignore[no-untyped-def]
    from knowledge.embedding import load_encoder

    return load_encoder(str(encoder_dir))
