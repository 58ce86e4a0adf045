"""The maintainer console's training desk: review of agent corrections, training jobs with progress,
the detailed evaluation and promotion (this process switches models at once)."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from classifier.corrections import record_correction
from classifier.training import TrainResult
from gateway.api.training_jobs import Job, Reviews, TrainingDesk, per_class
from gateway.settings import Settings
from tests.gateway.api.conftest import Api, LinkageServer

STREET_LIGHT = "幸福小区东门的路灯坏了一个多月了，晚上黑漆漆的，老人不敢出门，麻烦尽快修一下"


@pytest.fixture
def api_settings(tmp_path: Path, trained_models_dir: Path, linkage_server: LinkageServer) -> Settings:
    """This module promotes models: it works on its own copy of the trained registry."""
    models = tmp_path / "models"
    shutil.copytree(trained_models_dir, models)
    return Settings(
        data_dir=tmp_path / "var",
        models_path=models,
        embedded_workers=2,
        sweep_interval_seconds=0,
        secret_key="api-test-secret-key-0123456789-abcdefghij",
    )


def wait_for_job(api: Api, job_id: str, seconds: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job: dict[str, Any] = api.get("kb.zhou", f"/api/training/jobs/{job_id}").json()
        if job["status"] != "running":
            return job
        time.sleep(0.05)
    raise AssertionError("training job did not finish")


def corrections_file(models_dir: Path) -> Path:
    return models_dir.parent / "feedback" / "corrections.jsonl"


def test_reviews_keep_only_accepted_corrections_for_training(tmp_path: Path) -> None:
    models = tmp_path / "models"
    path = corrections_file(models)
    texts = ["楼下烧烤摊油烟太大了，窗户都不敢开", "公交车司机开车打电话，太危险了！", "我想问下公积金怎么提取？"]
    labels = [("投诉", "环境保护", "环境污染"), ("投诉", "交通运输", "公共交通"), ("咨询", "城乡建设", "住房保障")]
    for text, (kind, l1, l2) in zip(texts, labels, strict=True):
        record_correction(path, text=text, appeal_type=kind, category_l1=l1, category_l2=l2, agent="agent.wang")
    reviews = Reviews(models)
    items = reviews.items()
    assert [i["text"] for i in items] == list(reversed(texts)) and all(i["review"] is None for i in items)
    by_text = {i["text"]: i["key"] for i in items}
    reviews.decide(by_text[texts[0]], "accepted", "kb.zhou")
    reviews.decide(by_text[texts[1]], "rejected", "kb.zhou")
    accepted, count = reviews.write_accepted()
    assert count == 1
    assert [json.loads(line)["text"] for line in accepted.read_text(encoding="utf-8").splitlines()] == [texts[0]]
    # A later change of mind counts; unknown keys are refused.
    reviews.decide(by_text[texts[1]], "accepted", "kb.zhou")
    assert reviews.write_accepted()[1] == 2
    with pytest.raises(KeyError):
        reviews.decide("0000000000000000", "accepted", "kb.zhou")


def test_job_progress_follows_the_training_messages() -> None:
    job = Job(id="j")
    fractions = []
    for message in (
        "loading training data",
        "training builtin on 4848 examples",
        "evaluating on the held-out set",
        "promoting",
    ):
        job.advance(message)
        fractions.append(job.progress)
    assert fractions == sorted(fractions) and 0 < fractions[0] < fractions[-1] < 1
    assert job.stage == "发布" and job.log[-1] == "promoting"


def test_one_training_job_at_a_time_and_failures_are_reported() -> None:
    desk = TrainingDesk()
    release = threading.Event()

    def slow(progress: Any) -> dict[str, Any]:
        progress("loading training data")
        release.wait(5)
        return {"version": "v2"}

    job = desk.start(slow)
    with pytest.raises(RuntimeError):
        desk.start(slow)
    release.set()
    deadline = time.monotonic() + 5
    while job.status == "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (job.status, job.progress, job.result) == ("done", 1.0, {"version": "v2"})

    def broken(_progress: Any) -> dict[str, Any]:
        raise ValueError("训练数据有 3 处错误")

    failed = desk.start(broken)
    while failed.status == "running":
        time.sleep(0.01)
    assert failed.status == "failed" and "训练数据有 3 处错误" in (failed.error or "")


def test_per_class_figures_and_confusion_matrix() -> None:
    gold = ["投诉", "投诉", "投诉", "咨询", "咨询", "举报"]
    pred = ["投诉", "投诉", "咨询", "咨询", "咨询", "投诉"]
    result = per_class(gold, pred)
    complaint = result["per_class"]["投诉"]
    assert (complaint["precision"], complaint["recall"], complaint["support"]) == (0.6667, 0.6667, 3)
    assert result["per_class"]["举报"]["recall"] == 0.0
    labels = result["confusion"]["labels"]
    matrix = result["confusion"]["matrix"]
    assert matrix[labels.index("投诉")][labels.index("咨询")] == 1
    assert sum(map(sum, matrix)) == len(gold)


def test_review_api_lists_and_decides_agent_corrections(api: Api, api_settings: Settings) -> None:
    ticket = api.say(STREET_LIGHT)["work_order"]["ticket"]
    # Corrections go where this gateway's models live (the api fixture points its recorder at tmp/models).
    from gateway.workorders.adapters import classifier_feedback

    api.services.workorders.record_feedback = classifier_feedback(api_settings.models_dir)
    fixed = api.post(
        "agent.wang",
        f"/api/workorders/{ticket}/reclassify",
        {"appeal_type": "求助", "category_l1": "城乡建设", "category_l2": "城市建设和市政管理"},
    )
    assert fixed.status_code == 200, fixed.text
    items = api.get("kb.zhou", "/api/training/corrections").json()
    mine = next(i for i in items if i["ticket"] == ticket)
    assert mine["review"] is None and mine["category"] == "城乡建设/城市建设和市政管理"
    decided = api.post("kb.zhou", f"/api/training/corrections/{mine['key']}/review", {"decision": "rejected"})
    assert decided.json()["review"]["decision"] == "rejected" and decided.json()["review"]["by"] == "kb.zhou"
    assert (
        api.post("kb.zhou", "/api/training/corrections/ffffffffffffffff/review", {"decision": "accepted"}).status_code
        == 404
    )
    assert api.get("agent.wang", "/api/training/corrections").status_code == 403
    assert (
        api.post("kb.zhou", f"/api/training/corrections/{mine['key']}/review", {"decision": "maybe"}).status_code == 422
    )


def test_training_job_api_trains_with_accepted_corrections(
    api: Api, api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    release = threading.Event()  # the job stays running until the test has seen it running

    def fake_train(model_dir: Path, **kw: Any) -> TrainResult:
        seen.update(kw, model_dir=model_dir)
        release.wait(10)
        for message in ("loading training data", "training builtin on 12 examples", "evaluating on the held-out set"):
            kw["progress"](message)
        return TrainResult("20261128-999999-builtin-test", model_dir, {"backend": "builtin", "eval": None}, False)

    monkeypatch.setattr("classifier.training.train", fake_train)
    started = api.post("kb.zhou", "/api/training/jobs", {"backend": "builtin"})
    assert started.status_code == 202 and started.json()["status"] == "running"
    assert api.post("kb.zhou", "/api/training/jobs", {"backend": "builtin"}).status_code == 409
    release.set()
    job = wait_for_job(api, started.json()["id"])
    assert job["status"] == "done" and job["progress"] == 1.0
    assert job["result"]["version"] == "20261128-999999-builtin-test" and job["result"]["accepted_corrections"] == 0
    assert seen["promote"] == "never" and seen["model_dir"] == api_settings.models_dir
    assert seen["corrections"] == api_settings.models_dir.parent / "feedback" / "accepted.jsonl"
    assert api.get("kb.zhou", "/api/training/jobs/nope").status_code == 404


def test_evaluation_and_promotion_switch_this_process(api: Api, api_settings: Settings) -> None:
    models = api_settings.models_dir
    listed = api.get("kb.zhou", "/api/training/models").json()
    current = next(m["version"] for m in listed if m["current"])
    # A second version: the same weights under a new name, so the rules cannot refuse it.
    candidate = current + "-copy"
    shutil.copytree(models / "versions" / current, models / "versions" / candidate)

    report = api.get("kb.zhou", f"/api/training/models/{candidate}/evaluation").json()
    assert report["verdict"] == "ok" and report["current"] == current
    assert report["summary"]["n"] == sum(m["support"] for m in report["appeal_type"]["per_class"].values())
    assert "投诉" in report["appeal_type"]["per_class"] and report["category_l1"]["confusion"]["labels"]
    assert api.get("kb.zhou", "/api/training/models/nope/evaluation").status_code == 404

    assert api.post("kb.zhou", f"/api/training/models/{candidate}/promote", {"force": True}).status_code == 403
    promoted = api.post("kb.zhou", f"/api/training/models/{candidate}/promote")
    assert promoted.status_code == 200, promoted.text
    assert api.client.app.state.runtime.models.classifier.version == candidate  # type: ignore[attr-defined]
    assert [m["version"] for m in api.get("kb.zhou", "/api/training/models").json() if m["current"]] == [candidate]
    assert api.get("agent.wang", "/api/training/models").status_code == 403
