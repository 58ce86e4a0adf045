"""The classifier a gateway process serves, chosen by configuration (HOTLINE_NLU_BACKEND)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from classifier.model import Predictor
from classifier.registry import ModelRegistry


def load_predictor(
    model_dir: Path,
    *,
    nlu_backend: Literal["builtin", "rasa"] = "builtin",
    rasa_url: str = "http://127.0.0.1:5005",
    rasa_category_url: str | None = None,
    rasa_timeout_seconds: float = 1.5,
) -> Predictor:
    """The promoted built-in/embedding model, or Rasa servers with that model as fallback.

    Raises ModelNotFound when nothing is promoted (the Rasa backend needs the fallback too).
    """
    fallback = ModelRegistry(model_dir).load_current()
    if nlu_backend == "builtin":
        predictor: Predictor = fallback
        return predictor
    from classifier.rasa.client import RasaClassifier, RasaSettings

    settings = RasaSettings(url=rasa_url, category_url=rasa_category_url, timeout_seconds=rasa_timeout_seconds)
    return RasaClassifier(fallback, settings)
