from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from classifier import ModelRegistry, load_classifier
from classifier.errors import ModelNotFound, PromotionRefused
from classifier.promotion import compare, promote, rollback
from classifier.training import train
from classifier.trainingdata import DEFAULT_DATA_DIR, TrainingData, dump_rasa_yaml, load_rasa_yaml


def subset(tmp_path: Path, share: float, keep_emergencies: bool = True) -> Path:
    """A smaller copy of the starter data: a model trained on it is measurably worse."""
    rng = random.Random(7)
    data = load_rasa_yaml([DEFAULT_DATA_DIR])
    kept = [e for e in data.examples if (keep_emergencies or not e.emergency) and rng.random() < share]
    path = tmp_path / f"subset-{share}-{keep_emergencies}.yml"
    dump_rasa_yaml(TrainingData(kept), path)
    return path


@pytest.fixture
def registry(tmp_path: Path, model_dir: Path) -> ModelRegistry:
    """A private copy of the session's registry (the default model is current)."""
    copy = tmp_path / "models"
    shutil.copytree(model_dir, copy)
    return ModelRegistry(copy)


@pytest.mark.slow
def test_a_clearly_worse_candidate_is_refused_and_force_overrides(registry: ModelRegistry, tmp_path: Path) -> None:
    current = registry.current_version()
    weak = train(registry.model_dir, [subset(tmp_path, 0.12)], promote="never", corrections=tmp_path / "none.jsonl")
    assert not weak.promoted
    report = compare(registry, weak.version)
    assert report["verdict"] == "refused" and "beyond noise" in report["reasons"][0]
    with pytest.raises(PromotionRefused):
        promote(registry, weak.version)
    assert registry.current_version() == current
    promote(registry, weak.version, force=True)
    assert registry.current_version() == weak.version
    assert rollback(registry) == current
    assert registry.current_version() == current


@pytest.mark.slow
def test_a_candidate_that_loses_emergency_recall_is_refused(registry: ModelRegistry, tmp_path: Path) -> None:
    blind = train(
        registry.model_dir,
        [subset(tmp_path, 0.25, keep_emergencies=False)],
        promote="if-better",
        corrections=tmp_path / "none.jsonl",
    )
    assert not blind.promoted
    assert blind.refusal is not None and "emergency recall" in blind.refusal


@pytest.mark.slow
def test_reload_if_changed_switches_without_restart(registry: ModelRegistry, tmp_path: Path) -> None:
    serving = ModelRegistry(registry.model_dir)  # another process's view of the same directory
    first = serving.load_current()
    assert serving.reload_if_changed() is False
    other_version, other_path = registry.new_version_dir("copy")
    shutil.copytree(registry.path_of(registry.current_version() or ""), other_path, dirs_exist_ok=True)
    registry.write_metadata(other_version, {**first.metadata, "version": other_version})
    promote(registry, other_version, force=True)
    assert serving.reload_if_changed() is True
    assert serving.load_current().version == other_version
    assert serving.load_current().predict("你好").intent == "greet"


def test_empty_registry(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path / "m")
    assert registry.current_version() is None and registry.list() == []
    with pytest.raises(ModelNotFound):
        registry.load_current()
    with pytest.raises(ModelNotFound):
        rollback(registry)
    with pytest.raises(ModelNotFound):
        registry.set_current("nope")
    with pytest.raises(ModelNotFound):
        load_classifier(tmp_path / "m")


@pytest.mark.slow
def test_serving_classifier_follows_promotions(registry: ModelRegistry) -> None:
    from classifier.rasa.client import RasaClassifier
    from classifier.serving import ServingClassifier, load_predictor

    serving = load_predictor(registry.model_dir)
    assert isinstance(serving, ServingClassifier)
    before = serving.version
    other_version, other_path = registry.new_version_dir("copy")
    shutil.copytree(registry.path_of(before), other_path, dirs_exist_ok=True)
    registry.write_metadata(other_version, {**serving.metadata, "version": other_version})
    assert serving.reload_if_changed() is False  # registered, not promoted
    promote(registry, other_version, force=True)
    assert serving.reload_if_changed() is True and serving.version == other_version
    assert serving.predict("小区门口的垃圾堆了一个星期没人清理").model_version == other_version
    rasa = load_predictor(registry.model_dir, nlu_backend="rasa", rasa_url="http://127.0.0.1:9")
    assert isinstance(rasa, RasaClassifier) and rasa.version == f"rasa+{other_version}"
