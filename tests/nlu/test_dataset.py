"""The labelled emergency set: sizes, composition, and a regression guard on the tune part."""

import pytest

import nlu
from nlu.evaluation import dataset, evaluate, load_heldout, load_tune
from nlu.evaluation.dataset import load_everyday


def _heldout() -> list:
    return [e for part in ("a", "b", "c", "d", "e", "f") for e in load_heldout(part=part)]


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
    parts = [{e.text for e in load_heldout(part=p)} for p in ("a", "b", "c", "d", "e", "f", "g", "h")]
    for i, first in enumerate(parts):
        for second in parts[i + 1 :]:
            assert not first & second


@pytest.mark.parametrize("name", ["o"])
def test_held_out_parts_are_never_trained_on(name: str) -> None:
    """O measures the detector honestly: the statistical model's training set holds none of its texts."""
    from nlu.emergency import model

    part = load_heldout(part=name)
    assert name in dataset.HELD_OUT_PARTS and name not in dataset.TUNED_PARTS
    assert not {e.text for e in part} & {e.text for e in model.training_examples()}
    emergencies = [e for e in part if e.is_emergency]
    others = [e for e in part if not e.is_emergency]
    assert len(emergencies) >= 300 and len(others) >= 550
    assert sum(e.is_hard_negative for e in others) * 3 >= len(others)
    assert all(sum(s in e.services for e in emergencies) >= 40 for s in nlu.SERVICES)
    assert {e.family for e in others} == dataset.HARD_FAMILIES | {"ordinary"}


def test_part_d_composition() -> None:
    """Part D: at least 120 emergencies over the four services, 360 others, a third of them hard."""
    part = load_heldout(part="d")
    emergencies = [e for e in part if e.is_emergency]
    others = [e for e in part if not e.is_emergency]
    assert len(emergencies) >= 120 and len(others) >= 360
    assert sum(e.is_hard_negative for e in others) * 3 >= len(others)
    assert all(sum(s in e.services for e in emergencies) >= 25 for s in nlu.SERVICES)
    assert sum(len(e.services) > 1 for e in emergencies) >= 20


def test_part_e_composition() -> None:
    """Part E: at least 200 emergencies over the four services and their combinations, 450 others, a third
    hard, every hard family the loader knows plus ordinary appeals."""
    part = load_heldout(part="e")
    emergencies = [e for e in part if e.is_emergency]
    others = [e for e in part if not e.is_emergency]
    assert len(emergencies) >= 200 and len(others) >= 450
    assert sum(e.is_hard_negative for e in others) * 3 >= len(others)
    assert all(sum(s in e.services for e in emergencies) >= 35 for s in nlu.SERVICES)
    assert all(s in nlu.SERVICES for e in emergencies for s in e.services)
    assert all(len(set(e.services)) == len(e.services) for e in emergencies)
    combos = {frozenset(e.services) for e in emergencies if len(e.services) > 1}
    assert {frozenset({"110", "120"}), frozenset({"122", "120"}), frozenset({"119", "120"})} <= combos
    assert sum(len(e.services) > 1 for e in emergencies) >= 40
    assert {e.family for e in others} == dataset.HARD_FAMILIES | {"ordinary"}
    assert len({e.text for e in part}) == len(part)


def test_part_e_not_in_model_training_data() -> None:
    """The statistical model learns from everyday.txt; part E must not leak into it."""
    assert not {e.text for e in load_heldout(part="e")} & {e.text for e in load_everyday()}


def test_part_f_composition() -> None:
    """Part F: at least 220 emergencies over the four services and their combinations, 480 others, 60% of them
    hard, every hard family the loader knows plus ordinary appeals."""
    part = load_heldout(part="f")
    emergencies = [e for e in part if e.is_emergency]
    others = [e for e in part if not e.is_emergency]
    assert len(emergencies) >= 220 and len(others) >= 480
    assert sum(e.is_hard_negative for e in others) * 5 >= len(others) * 3
    assert all(sum(s in e.services for e in emergencies) >= 40 for s in nlu.SERVICES)
    assert all(s in nlu.SERVICES for e in emergencies for s in e.services)
    assert all(len(set(e.services)) == len(e.services) for e in emergencies)
    combos = {frozenset(e.services) for e in emergencies if len(e.services) > 1}
    assert {frozenset({"110", "120"}), frozenset({"122", "120"}), frozenset({"119", "120"})} <= combos
    assert sum(len(e.services) > 1 for e in emergencies) >= 50
    assert {e.family for e in others} == dataset.HARD_FAMILIES | {"ordinary"}
    assert len({e.text for e in part}) == len(part)


def test_part_f_not_in_model_training_data() -> None:
    """The statistical model learns from everyday.txt; part F must not leak into it."""
    assert not {e.text for e in load_heldout(part="f")} & {e.text for e in load_everyday()}


def test_tune_part_regression() -> None:
    report = evaluate(load_tune(), lambda text: nlu.analyse(text).emergency)
    assert report.overall.recall >= 0.99, [e.text for e in report.misses]
    assert report.overall.precision >= 0.95
