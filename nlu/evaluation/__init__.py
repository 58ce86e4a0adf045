"""Evaluation of the emergency detector on the team's labelled set (tune and held-out parts)."""

from nlu.evaluation.dataset import Example, load_heldout, load_tune
from nlu.evaluation.metrics import Report, evaluate

__all__ = ["Example", "Report", "evaluate", "load_heldout", "load_tune"]
