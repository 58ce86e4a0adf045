"""Reading a message: NLU analysis plus classification, combined into what the policy needs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nlu
from classifier import Classifier, load_classifier, train_default
from classifier.catalogue import Catalogue, load_catalogue
from classifier.errors import ModelNotFound
from gateway.policy import Understanding


@dataclass
class Models:
    """Everything a process loads once and keeps warm: NLU pipeline, classifier, catalogue."""

    classifier: Classifier
    catalogue: Catalogue

    @classmethod
    def load(cls, models_dir: Path, catalogue_path: Path | None, train_if_missing: bool = True) -> Models:
        nlu.warm_up()
        try:
            classifier = load_classifier(models_dir)
        except ModelNotFound:
            if not train_if_missing:
                raise
            train_default(models_dir)
            classifier = load_classifier(models_dir)
        return cls(classifier=classifier, catalogue=load_catalogue(catalogue_path))

    def classifier_version(self) -> str:
        return str(getattr(self.classifier, "version", "loaded"))

    def understand(self, text: str) -> Understanding:
        analysis = nlu.analyse(text)
        prediction = self.classifier.predict(analysis.normalized or text)
        payload = analysis.to_dict()
        return Understanding(
            text=text,
            normalized=analysis.normalized,
            entities=list(payload.get("entities", [])),
            emergency=payload.get("emergency"),
            utility=payload.get("utility"),
            intent=prediction.intent,
            intent_confidence=prediction.intent_confidence,
            appeal_type=prediction.appeal_type,
            category_l1=prediction.category_l1,
            category_l2=prediction.category_l2,
            category_confidence=prediction.category_confidence,
        )
