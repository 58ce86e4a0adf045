"""What the work-order service needs from other packages: the catalogue's routes and classifier feedback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classifier.catalogue import Catalogue
from gateway.workorders.errors import InvalidValue
from gateway.workorders.service import FeedbackRecorder, RouteLookup


def catalogue_routes(catalogue: Catalogue) -> RouteLookup:
    """Department and deadline of a corrected category; unknown labels are refused before anything changes."""
    from classifier.labels import APPEAL_TYPES

    def route(category_l1: str, category_l2: str | None, appeal_type: str) -> tuple[str, int]:
        if appeal_type not in APPEAL_TYPES:
            raise InvalidValue(f"appeal type must be one of {'、'.join(APPEAL_TYPES)}")
        if category_l2 is None or not catalogue.has(category_l1, category_l2):
            raise InvalidValue(f"the catalogue has no category {category_l1}/{category_l2}")
        found = catalogue.route(category_l1, category_l2, appeal_type=appeal_type)
        return found.department, found.deadline_working_days

    return route


def classifier_feedback(models_dir: Path) -> FeedbackRecorder:
    """Corrections become training data through the classifier's own JSONL (text PII-masked first)."""
    from classifier import corrections_path, record_correction
    from nlu.pii import mask_pii

    path = corrections_path(models_dir)

    def record(*, text: str, before: dict[str, Any], after: dict[str, Any], actor: str, ticket: str) -> None:
        previous_category = f"{before.get('category_l1')}/{before.get('category_l2') or '其他'}"
        record_correction(
            path,
            text=mask_pii(text),
            appeal_type=str(after["appeal_type"]),
            category_l1=after.get("category_l1"),
            category_l2=after.get("category_l2"),
            agent=actor,
            ticket=ticket,
            previous_intent=str(before.get("appeal_type")),
            previous_category=previous_category,
        )

    return record
