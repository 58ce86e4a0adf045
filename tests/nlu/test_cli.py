import json
from pathlib import Path

from typer.testing import CliRunner

from gateway.cli.nlu import app

runner = CliRunner()


def test_analyse_text_json() -> None:
    result = runner.invoke(app, ["analyse", "家裡著火了，電話13812345678", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["normalized"] == "家里着火了,电话13812345678"
    assert data["emergency"]["services"] == ["119"]
    assert data["entities"][0]["type"] == "phone"


def test_analyse_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "messages.txt"
    path.write_text("公积金怎么提取\n\n停电了\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", "--input", str(path), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.strip().splitlines()]
    assert [r["text"] for r in rows] == ["公积金怎么提取", "停电了"]
    assert rows[1]["utility"]["utility"] == "power"


def test_analyse_csv_column(tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    path.write_text('id,content\n1,"车祸了,有人受伤"\n2,物业不作为\n', encoding="utf-8")
    result = runner.invoke(app, ["analyse", "--input", str(path), "--text-column", "content", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.strip().splitlines()]
    assert rows[0]["emergency"]["services"] == ["120", "122"]
    assert rows[1]["emergency"] is None


def test_analyse_csv_unknown_column(tmp_path: Path) -> None:
    path = tmp_path / "messages.csv"
    path.write_text("id,content\n1,x\n", encoding="utf-8")
    result = runner.invoke(app, ["analyse", "--input", str(path), "--text-column", "body"])
    assert result.exit_code != 0


def test_analyse_needs_text_or_input() -> None:
    assert runner.invoke(app, ["analyse"]).exit_code != 0


def test_human_output() -> None:
    result = runner.invoke(app, ["analyse", "有人拿刀砍人"])
    assert result.exit_code == 0
    assert "EMERGENCY:  110 (critical)" in result.output


def test_mask() -> None:
    result = runner.invoke(app, ["mask", "我叫张伟电话13812345678"])
    assert result.output.strip() == "我叫张*电话138****5678"


def test_evaluate_part() -> None:
    result = runner.invoke(app, ["evaluate", "--part", "c"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("c: ")
    assert "110: recall" in result.output


def test_evaluate_part_d() -> None:
    result = runner.invoke(app, ["evaluate", "--part", "d"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("d: 154 emergencies, 423 non-emergencies")


def test_evaluate_part_e() -> None:
    result = runner.invoke(app, ["evaluate", "--part", "e"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("e: 273 emergencies, 463 non-emergencies (332 hard)")
    assert "  service sets exact: " in result.output


def test_evaluate_part_e_json() -> None:
    result = runner.invoke(app, ["evaluate", "--part", "e", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert (data["part"], data["emergencies"], data["non_emergencies"]) == ("e", 273, 463)
    overall = data["overall"]
    assert len(data["misses"]) == overall["fn"] and overall["tp"] + overall["fn"] == 273
    assert len(data["false_alarms"]) == overall["fp"]
    assert sum(f["fp"] for f in data["false_alarms_by_family"].values()) == overall["fp"]
    assert sum(f["of"] for f in data["false_alarms_by_family"].values()) == 463
    assert set(data["per_service"]) == {"110", "119", "120", "122"}
    exact = data["service_sets_exact"]["n"]
    assert exact + len(data["inexact_services"]) + overall["fn"] == 273
    assert all(set(f["predicted"]) and f["family"] for f in data["false_alarms"])


def test_evaluate_part_f() -> None:
    result = runner.invoke(app, ["evaluate", "--part", "f"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("f: 274 emergencies, 537 non-emergencies (386 hard)")
    assert "  service sets exact: " in result.output


def test_evaluate_part_f_json() -> None:
    result = runner.invoke(app, ["evaluate", "--part", "f", "--json"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert (data["part"], data["emergencies"], data["non_emergencies"]) == ("f", 274, 537)
    overall = data["overall"]
    assert len(data["misses"]) == overall["fn"] and overall["tp"] + overall["fn"] == 274
    assert len(data["false_alarms"]) == overall["fp"]
    assert sum(f["fp"] for f in data["false_alarms_by_family"].values()) == overall["fp"]
    assert sum(f["of"] for f in data["false_alarms_by_family"].values()) == 537
    assert set(data["per_service"]) == {"110", "119", "120", "122"}
    exact = data["service_sets_exact"]["n"]
    assert exact + len(data["inexact_services"]) + overall["fn"] == 274
    assert all(set(f["predicted"]) and f["family"] for f in data["false_alarms"])


def test_evaluate_unknown_part() -> None:
    assert runner.invoke(app, ["evaluate", "--part", "x"]).exit_code != 0
