from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default model trained once for the whole classifier test session."""
    from classifier import train_default

    directory = tmp_path_factory.mktemp("models") / "classifier"
    train_default(directory)
    return directory


@pytest.fixture(scope="session")
def clf(model_dir: Path):
    from classifier import load_classifier

    return load_classifier(model_dir)
