"""`hotline kb ...` end to end on a temporary data folder (SQLite, migrations, index, search, eval)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

ARTICLES_CSV = """id,title,question,paraphrases,answer,category,department,source,status
sfz-001,居民身份证丢失补领,身份证丢了怎么补办？,身份证掉了去哪里补|补办身份证需要什么材料|身份证遗失了能异地补办吗,先挂失，再到公安机关户籍窗口补领，全国可异地办理。,公安/身份证,公安局（户政）,《中华人民共和国居民身份证法》,published
gjj-002,租房提取住房公积金,租房可以提取公积金吗？,租房子怎么提公积金|没买房能取公积金交房租吗|租房提取公积金要合同吗,可以。无自有住房且租房自住的可申请租房提取。,住房保障/住房公积金,住房公积金管理中心,《住房公积金管理条例》第二十四条,published
ut-003,燃气泄漏应急处置,闻到家里有煤气味怎么办？,燃气泄漏应该怎么处理|天然气漏气了打什么电话|厨房有燃气味道,不要开关电器，关闭燃气总阀，开窗通风，到室外后拨打燃气抢修电话。,城乡建设/燃气,燃气企业,《城镇燃气管理条例》,published
lb-001,劳动仲裁申请,怎么申请劳动仲裁？,劳动仲裁去哪里申请|跟公司有劳动纠纷怎么仲裁|劳动仲裁需要什么材料,向劳动人事争议仲裁委员会申请，仲裁不收费，时效一年。,劳动和社会保障/劳动争议,劳动人事争议仲裁委员会,《中华人民共和国劳动争议调解仲裁法》,draft
"""


@pytest.fixture
def cli(tmp_path: Path, encoder, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:  # type: ignore[no-untyped-def]
    from gateway.settings import get_settings

    monkeypatch.setenv("HOTLINE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("HOTLINE_DATABASE_URL", raising=False)
    # The encoder itself is tested in test_encoder; here every command shares the session's loaded model.
    monkeypatch.setattr("knowledge.kb.load_encoder", lambda *_args: encoder)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def _run(runner: CliRunner, *args: str) -> str:
    from gateway.cli import app

    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # stdout only: progress bars and logs go to stderr (shown when an earlier test set logging to INFO).
    return result.stdout


def test_import_search_export_eval(cli: CliRunner, tmp_path: Path) -> None:
    _run(cli, "db", "upgrade")
    data = tmp_path / "articles.csv"
    data.write_text(ARTICLES_CSV, encoding="utf-8")
    counts = json.loads(_run(cli, "kb", "import", str(data), "--json"))
    assert counts == {"created": 4, "updated": 0, "unchanged": 0}

    found = json.loads(_run(cli, "kb", "search", "身份证掉了咋补办", "--json", "--top-k", "2"))
    assert found["answer"]["id"] == "sfz-001"
    assert {"id", "title", "answer", "score"} <= set(found["answer"])
    assert found["candidates"][0]["id"] == "sfz-001" and len(found["candidates"]) == 2
    # The draft is never served.
    drafted = json.loads(_run(cli, "kb", "search", "跟公司有劳动纠纷怎么仲裁", "--json"))
    assert all(c["id"] != "lb-001" for c in drafted["candidates"])

    folder = tmp_path / "export"
    assert "exported 4" in _run(cli, "kb", "export", str(folder), "--format", "markdown")
    assert sorted(p.name for p in folder.iterdir()) == ["gjj-002.md", "lb-001.md", "sfz-001.md", "ut-003.md"]
    again = json.loads(_run(cli, "kb", "import", str(folder), "--json", "--no-reindex"))
    assert again == {"created": 0, "updated": 0, "unchanged": 4}

    questions = tmp_path / "eval.csv"
    questions.write_text(
        "Q,A\n出差把身份证弄丢了咋办,sfz-001\n我在外面租房子住，公积金能拿来付租金不,gjj-002\n明天会下雨吗,\n",
        encoding="utf-8",
    )
    report = json.loads(
        _run(cli, "kb", "eval", "--data", str(questions), "--question-column", "Q", "--article-column", "A", "--json")
    )
    assert report["rows"] == 3 and report["in_kb"] == 2 and report["out_of_kb"] == 1
    assert report["top1"] == 1.0 and report["mrr5"] == 1.0 and report["correct_refusal"] == 1.0

    assert "v1" in _run(cli, "kb", "history", "sfz-001")
    assert "3 articles" in _run(cli, "kb", "reindex")


def test_seed_loads_once(cli: CliRunner) -> None:
    _run(cli, "db", "upgrade")
    assert "seed: created 156, updated 0" in _run(cli, "kb", "seed")
    assert "nothing loaded" in _run(cli, "kb", "seed")


def test_bad_import_fails_cleanly(cli: CliRunner, tmp_path: Path) -> None:
    from gateway.cli import app

    _run(cli, "db", "upgrade")
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": "x-1", "title": "t"}]', encoding="utf-8")
    result = cli.invoke(app, ["kb", "import", str(bad)])
    assert result.exit_code == 1 and "needs a standard question" in result.output
