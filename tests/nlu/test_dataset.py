"""The labelled emergency set: sizes, composition, and a regression guard on the tune part."""

import nlu
from nlu.evaluation import evaluate, load_heldout, load_tune


def _heldout() -> list:
    return [e for part in ("a", "b", "c", "d") for e in load_heldout(part=part)]


def test_sizes() -> None:
    examples = load_tune() + _heldout()
    emergencies = [e for e in examples if e.is_emergency]
    others = [e for e in examples if not e.is_emergency]
    assert len(emergencies) >= 400
    assert len(others) >= 1200
    assert sum(e.is_hard_negative for e in others) * 3 >= len(others)
    for service in nlu.SERVICES:
        assert sum(service in e.services for e in emergencies) >= 60


def test_no_text_in_both_parts() -> None:
    tune = {e.text for e in load_tune()}
    assert not tune & {e.text for e in _heldout()}
    parts = [{e.text for e in load_heldout(part=p)} for p in ("a", "b", "c", "d")]
    for i, first in enumerate(parts):
        for second in parts[i + 1 :]:
            assert not first & second


def test_part_d_composition() -> None:
    """Part D: at least 120 emergencies over the four services, 360 others, a third of them hard."""
    part = load_heldout(part="d")
    emergencies = [e for e in part if e.is_emergency]
    others = [e for e in part if not e.is_emergency]
    assert len(emergencies) >= 120 and len(others) >= 360
    assert sum(e.is_hard_negative for e in others) * 3 >= len(others)
    assert all(sum(s in e.services for e in emergencies) >= 25 for s in nlu.SERVICES)
    assert sum(len(e.services) > 1 for e in emergencies) >= 20


def test_tune_part_regression() -> None:
    report = evaluate(load_tune(), lambda text: nlu.analyse(text).emergency)
    assert report.overall.recall >= 0.99, [e.text for e in report.misses]
    assert report.overall.precision >= 0.95
