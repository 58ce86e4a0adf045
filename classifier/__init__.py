"""Trainable models of the gateway: appeal type / intent, category and an emergency second opinion.

from classifier import load_classifier, train_default
clf = load_classifier(model_dir)          # the promoted version; ModelNotFound if none
clf.predict("小区门口的垃圾堆了一个星期没人清理").to_dict()
"""

from __future__ import annotations

from classifier.catalogue import Catalogue, Route, load_catalogue
from classifier.corrections import corrections_path, record_correction
from classifier.errors import ClassifierError, ModelNotFound
from classifier.model import Classifier, Prediction, Predictor, Thresholds
from classifier.registry import PROMOTION_CHANNEL, ModelRegistry
from classifier.serving import ServingClassifier, load_predictor
from classifier.training import ensure_default_model, load_classifier, train, train_default

__all__ = [
    "PROMOTION_CHANNEL",
    "Catalogue",
    "Classifier",
    "ClassifierError",
    "ModelNotFound",
    "ModelRegistry",
    "Prediction",
    "Predictor",
    "Route",
    "ServingClassifier",
    "Thresholds",
    "corrections_path",
    "ensure_default_model",
    "load_catalogue",
    "load_classifier",
    "load_predictor",
    "record_correction",
    "train",
    "train_default",
]
