"""The classifier a gateway or worker process serves, chosen by configuration (HOTLINE_NLU_BACKEND),
and switched to a newly promoted model without restart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from classifier.model import Classifier, Prediction, Predictor
from classifier.registry import PROMOTION_CHANNEL, ModelRegistry

__all__ = ["PROMOTION_CHANNEL", "ServingClassifier", "load_predictor"]


class ServingClassifier:
    """The promoted model of a registry; `reload_if_changed()` swaps in a newer promotion.

    Wire it to pub/sub: on a message on `<redis_prefix>:classifier:model-promoted` call
    `reload_if_changed()` (cheap when nothing changed, so a periodic call works as well). Requests keep
    using the previous model until the new one is fully loaded.
    """

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        self.current: Classifier = registry.load_current()

    @property
    def version(self) -> str:
        return self.current.version

    @property
    def metadata(self) -> dict[str, Any]:
        return self.current.metadata

    @property
    def thresholds(self) -> Any:
        return self.current.thresholds

    def predict(self, text: str) -> Prediction:
        return self.current.predict(text)

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return self.current.predict_many(texts)

    def reload_if_changed(self) -> bool:
        if self.registry.reload_if_changed():
            self.current = self.registry.load_current()
            return True
        return False


def load_predictor(
    model_dir: Path,
    *,
    nlu_backend: Literal["builtin", "rasa"] = "builtin",
    rasa_url: str = "http://127.0.0.1:5005",
    rasa_category_url: str | None = None,
    rasa_timeout_seconds: float = 1.5,
) -> ServingClassifier | Predictor:
    """The promoted built-in/embedding model (as a ServingClassifier), or Rasa servers with it as fallback.

    Raises ModelNotFound when nothing is promoted (the Rasa backend needs the fallback too).
    """
    serving = ServingClassifier(ModelRegistry(model_dir))
    if nlu_backend == "builtin":
        return serving
    from classifier.rasa.client import RasaClassifier, RasaSettings

    settings = RasaSettings(url=rasa_url, category_url=rasa_category_url, timeout_seconds=rasa_timeout_seconds)
    return RasaClassifier(serving, settings)
