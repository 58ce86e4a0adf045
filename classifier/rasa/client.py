"""Classify through running Rasa servers (`POST /model/parse`), with timeouts and the built-in fallback.

The built-in model always runs (well under a millisecond) and supplies what Rasa does not: the emergency
second opinion and, when no category server is configured, the category. Rasa's answers replace its
intent (and category). A failed or slow call answers from the built-in model and opens a short
circuit-breaker window, so a Rasa outage costs one timeout, not one per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import httpx

from classifier.errors import BackendUnavailable
from classifier.labels import ALL_INTENTS, APPEAL_TYPES, split_category
from classifier.model import Prediction, Thresholds
from classifier.rasa.export import FALLBACK_INTENT, category_from_intent

log = logging.getLogger(__name__)


class Fallback(Protocol):
    """The built-in side (Classifier or ServingClassifier)."""

    @property
    def version(self) -> str: ...

    @property
    def metadata(self) -> dict[str, Any]: ...

    @property
    def thresholds(self) -> Thresholds: ...

    def predict(self, text: str) -> Prediction: ...


@dataclass(frozen=True)
class RasaSettings:
    url: str = "http://127.0.0.1:5005"
    category_url: str | None = None
    timeout_seconds: float = 1.5
    # After a failure, skip Rasa for this long (the built-in model answers meanwhile).
    cooldown_seconds: float = 30.0
    token: str | None = None  # `rasa run --auth-token`


@dataclass(frozen=True)
class RasaParse:
    intent: str | None  # None when Rasa fell back (nlu_fallback) and nothing else ranked
    confidence: float
    ranking: tuple[tuple[str, float], ...]
    fallback: bool


def parse_response(payload: dict[str, Any]) -> RasaParse:
    """Read Rasa's /model/parse JSON; nlu_fallback means 'not sure': take the best real intent, flag it."""
    try:
        top = payload["intent"]
        ranking = tuple((str(r["name"]), float(r["confidence"])) for r in payload.get("intent_ranking") or [top])
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendUnavailable(f"unexpected Rasa response: {exc}") from exc
    fallback = top.get("name") == FALLBACK_INTENT
    real = [(n, c) for n, c in ranking if n != FALLBACK_INTENT]
    if not real:
        return RasaParse(None, 0.0, (), True)
    return RasaParse(real[0][0], real[0][1], tuple(real), fallback)


class RasaClassifier:
    """Same interface as Classifier (predict / predict_many / version), backed by Rasa servers."""

    def __init__(self, fallback: Fallback, settings: RasaSettings, client: httpx.Client | None = None) -> None:
        self.fallback = fallback
        self.settings = settings
        headers = {"Content-Type": "application/json"}
        self.client = client or httpx.Client(timeout=settings.timeout_seconds, headers=headers)
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.fallbacks = 0  # predictions answered by the built-in model because Rasa failed

    @property
    def version(self) -> str:
        return f"rasa+{self.fallback.version}"

    @property
    def metadata(self) -> dict[str, Any]:
        return {**self.fallback.metadata, "backend": "rasa", "rasa_url": self.settings.url}

    def predict_many(self, texts: Sequence[str]) -> list[Prediction]:
        return [self.predict(t) for t in texts]

    def reload_if_changed(self) -> bool:
        """Reload the built-in fallback after a promotion (the Rasa servers reload on their own restart)."""
        reload = getattr(self.fallback, "reload_if_changed", None)
        return bool(reload()) if reload is not None else False

    def predict(self, text: str) -> Prediction:
        base = self.fallback.predict(text)
        if time.monotonic() < self._down_until:
            self.fallbacks += 1
            return base
        try:
            intent = self._parse(self.settings.url, text)
            category = self._parse(self.settings.category_url, text) if self.settings.category_url else None
        except BackendUnavailable as exc:
            with self._lock:
                self._down_until = time.monotonic() + self.settings.cooldown_seconds
                self.fallbacks += 1
            # The message text never goes to the log (it may hold personal data).
            log.warning("rasa unavailable, built-in model answers for %.0fs: %s", self.settings.cooldown_seconds, exc)
            return base
        return self._merge(base, intent, category)

    def _parse(self, url: str | None, text: str) -> RasaParse:
        if not url:
            raise BackendUnavailable("no Rasa URL configured")
        params = {"token": self.settings.token} if self.settings.token else None
        try:
            response = self.client.post(f"{url.rstrip('/')}/model/parse", json={"text": text}, params=params)
            response.raise_for_status()
            return parse_response(response.json())
        except (httpx.HTTPError, ValueError) as exc:
            raise BackendUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def _merge(self, base: Prediction, intent: RasaParse, category: RasaParse | None) -> Prediction:
        changes: dict[str, Any] = {"backend": "rasa", "model_version": self.version}
        if intent.intent is not None and intent.intent in ALL_INTENTS:
            appeal = intent.intent if intent.intent in APPEAL_TYPES else None
            changes.update(
                intent=intent.intent,
                intent_confidence=intent.confidence,
                intent_ranking=intent.ranking[:5],
                appeal_type=appeal if base.emergency is None else (appeal or "求助"),
                out_of_scope=intent.intent == "out_of_scope" and base.emergency is None,
            )
            if appeal is None and base.emergency is None:
                changes.update(category_l1=None, category_l2=None, category_confidence=0.0, ranking=())
        if category is not None and category.intent is not None and changes.get("appeal_type", base.appeal_type):
            l1, l2 = split_category(category_from_intent(category.intent))
            changes.update(
                category_l1=l1,
                category_l2=l2,
                category_confidence=category.confidence,
                ranking=tuple((category_from_intent(n), c) for n, c in category.ranking[:5]),
            )
        merged = replace(base, **changes)
        low = (
            intent.fallback
            or merged.intent_confidence < self.fallback.thresholds.intent
            or (category is not None and category.fallback)
            or (merged.appeal_type is not None and merged.category_confidence < self.fallback.thresholds.category)
        )
        return replace(merged, low_confidence=bool(low))

    def close(self) -> None:
        self.client.close()
