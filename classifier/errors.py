"""The classifier's exception hierarchy. Each error carries a stable code the gateway maps to HTTP/CLI output."""

from __future__ import annotations


class ClassifierError(Exception):
    """Base class of every error raised by the classifier package."""

    code = "classifier_error"


class ModelNotFound(ClassifierError):
    """No promoted model (or no such version) in the model directory."""

    code = "model_not_found"


class ModelLoadError(ClassifierError):
    """A model directory exists but cannot be loaded (corrupt, incompatible features)."""

    code = "model_load_error"


class TrainingDataError(ClassifierError):
    """Training data cannot be read or fails validation; `problems` lists every finding."""

    code = "training_data_invalid"

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or []
        detail = message if not self.problems else message + ":\n  - " + "\n  - ".join(self.problems[:50])
        if len(self.problems) > 50:
            detail += f"\n  ... and {len(self.problems) - 50} more"
        super().__init__(detail)


class CatalogueError(ClassifierError):
    """The 集成事项清单 YAML is malformed or does not cover a category."""

    code = "catalogue_invalid"


class UnknownCategory(CatalogueError):
    """route() was asked for a category the catalogue does not list."""

    code = "unknown_category"


class PromotionRefused(ClassifierError):
    """The registry refuses to promote a candidate (worse beyond noise, or lost emergency recall)."""

    code = "promotion_refused"


class BackendUnavailable(ClassifierError):
    """A remote or optional backend (Rasa server, embedding encoder) cannot be used."""

    code = "backend_unavailable"
