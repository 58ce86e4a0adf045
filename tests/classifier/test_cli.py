from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from gateway.cli.classifier import app as classifier_app
from gateway.cli.classifier import register

from .test_crossval import TEXTS


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    root = typer.Typer()
    register(root)
    root.add_typer(classifier_app, name="classifier")
    return root


runner = CliRunner()


@pytest.mark.slow
def test_classify_text_json_with_department(cli, model_dir: Path) -> None:
    result = runner.invoke(
        cli,
        [
            "classify",
            "小区门口的垃圾堆了一个星期没人清理，臭得不行",
            "--json",
            "--district",
            "城东区",
            "--model-dir",
            str(model_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["appeal_type"] == "投诉" and doc["category_l1"] in {"城乡建设", "环境保护"}
    assert doc["department"].startswith("城东区") and doc["route"]["deadline_working_days"] > 0


@pytest.mark.slow
def test_classify_csv_adds_the_columns(cli, model_dir: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "留言"])
        w.writerow(["1", "老板欠了我们三个月工资，\n一直拖着不给"])
        w.writerow(["2", "你好"])
    out = tmp_path / "out.csv"
    result = runner.invoke(
        cli,
        ["classify", "--input", str(src), "--text-column", "留言", "--output", str(out), "--model-dir", str(model_dir)],
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == ["id", "留言", "appeal_type", "category_l1", "category_l2", "confidence", "department"]
    assert rows[0]["category_l1"] == "劳动和社会保障" and rows[0]["department"]
    assert rows[1]["appeal_type"] == "greet" and rows[1]["department"] == ""


@pytest.mark.slow
def test_cv_json_and_report(cli, tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    with data.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["正文", "标签"])
        for label, texts in TEXTS.items():
            for t in texts:
                w.writerow([t + "\n（来信）", label])
    result = runner.invoke(
        cli,
        [
            "classifier",
            "cv",
            "--data",
            str(data),
            "--text-column",
            "正文",
            "--label-column",
            "标签",
            "--folds",
            "3",
            "--json",
            "--report",
            str(tmp_path / "rep"),
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {
        "accuracy",
        "macro_f1",
        "per_class",
        "confusion",
        "train_seconds",
        "predict_ms_p50",
        "predict_ms_p99",
    } <= set(doc)
    assert (tmp_path / "rep" / "report.html").exists() and (tmp_path / "rep" / "confusion.png").exists()


def test_cv_reports_a_missing_column(cli, tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("text,label\n路灯坏了,路灯\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["classifier", "cv", "--data", str(data), "--text-column", "正文", "--label-column", "label"]
    )
    assert result.exit_code == 2 and "正文" in result.output


def test_validate_reports_problems(cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        'version: "3.1"\nnlu:\n- intent: 投诉\n  examples: |\n    - 路灯坏了\n    - 路灯坏了\n', encoding="utf-8"
    )
    result = runner.invoke(cli, ["classifier", "validate", "--data", str(bad), "--json"])
    assert result.exit_code == 1
    assert any("duplicate" in p for p in json.loads(result.stdout)["problems"])


def test_import_csv_to_rasa_yaml(cli, tmp_path: Path) -> None:
    src = tmp_path / "x.csv"
    src.write_text("内容,一级,二级\n楼下烧烤油烟太大,环境保护,环境污染\n", encoding="utf-8")
    out = tmp_path / "x.yml"
    result = runner.invoke(
        cli,
        [
            "classifier",
            "import",
            str(src),
            "--output",
            str(out),
            "--text-column",
            "内容",
            "--l1-column",
            "一级",
            "--l2-column",
            "二级",
            "--default-intent",
            "投诉",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "环境保护/环境污染" in out.read_text(encoding="utf-8")


def test_rasa_export_command(cli, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["rasa", "export", str(tmp_path / "rasa"), "--epochs", "5"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rasa" / "intent" / "config.yml").exists()
    assert (tmp_path / "rasa" / "category" / "data" / "nlu.yml").stat().st_size > 100_000


@pytest.mark.slow
def test_models_list_promote_rollback(cli, model_dir: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "models"
    shutil.copytree(model_dir, copy)
    listed = json.loads(runner.invoke(cli, ["models", "list", "--json", "--model-dir", str(copy)]).stdout)
    assert len(listed) == 1 and listed[0]["current"]
    assert runner.invoke(cli, ["models", "rollback", "--model-dir", str(copy)]).exit_code == 1
    missing = runner.invoke(cli, ["models", "promote", "nope", "--model-dir", str(copy)])
    assert missing.exit_code == 1 and "model_not_found" in missing.output


@pytest.mark.slow
def test_train_json_writes_a_versioned_model_with_metadata(cli, tmp_path: Path) -> None:
    from .test_registry import subset

    models = tmp_path / "models"
    result = runner.invoke(cli, ["train", "--data", str(subset(tmp_path, 0.15)), "--model-dir", str(models), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["promoted"] and doc["backend"] == "builtin" and len(doc["data_hash"]) == 16
    assert doc["counts"]["examples"] > 400 and doc["train_seconds"] > 0 and "category_accuracy" in doc["eval"]
    meta = json.loads((models / "versions" / doc["version"] / "metadata.json").read_text(encoding="utf-8"))
    assert meta["data_hash"] == doc["data_hash"] and meta["created"]
    bad = runner.invoke(cli, ["train", "--backend", "bert", "--model-dir", str(models)])
    assert bad.exit_code == 2
