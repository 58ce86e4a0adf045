"""Exceptions raised by the nlu package; each carries a stable code the gateway can map."""

from __future__ import annotations


class NluError(Exception):
    """Base class for every error the nlu package raises."""

    code = "nlu.error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class DictionaryError(NluError):
    """The domain dictionary file is missing or malformed."""

    code = "nlu.dictionary"


class ConfigError(NluError):
    """A data or configuration file shipped with or given to the package is invalid."""

    code = "nlu.config"


class PipelineError(NluError):
    """The spaCy pipeline could not be built or run."""

    code = "nlu.pipeline"


class InputError(NluError):
    """The caller passed something that is not analysable text."""

    code = "nlu.input"
