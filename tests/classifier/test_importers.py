from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.errors import TrainingDataError
from classifier.importers import Columns, import_table, load_any
from classifier.trainingdata import validate


def test_csv_with_chosen_columns_and_multiline_texts(tmp_path: Path) -> None:
    path = tmp_path / "letters.csv"
    path.write_text(
        "编号,内容,类型,一级,二级\n"
        '1,"市长您好：\n我们小区的路灯坏了一个月，\n晚上出门很危险。",投诉,城乡建设,城市建设和市政管理\n'
        "2,你好,greet,,\n",
        encoding="utf-8-sig",
    )
    data = import_table(
        path, Columns(text="内容", intent="类型", category=None, category_l1="一级", category_l2="二级")
    )
    assert [(e.intent, e.category) for e in data.examples] == [("投诉", "城乡建设/城市建设和市政管理"), ("greet", None)]
    assert "\n" in data.examples[0].text and data.examples[0].source == "letters.csv:2"
    assert validate(data) == []


def test_jsonl_with_default_intent(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    rows = [
        {"msg": "饭店后厨老鼠乱跑", "cat": "卫生计生/食品药品监管"},
        {"msg": "超市卖过期牛奶", "cat": "商贸旅游/市场监管"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    data = load_any(path, Columns(text="msg", intent=None, category="cat", default_intent="投诉"))
    assert [e.intent for e in data.examples] == ["投诉", "投诉"]


@pytest.mark.parametrize(
    ("name", "content", "columns", "message"),
    [
        ("a.csv", "text,intent\n路灯坏了,\n", Columns(category=None), "no intent"),
        ("b.csv", "words,intent\n路灯坏了,投诉\n", Columns(), "no column 'text'"),
        ("c.jsonl", '{"text": "a"}\n{bad json\n', Columns(intent=None, default_intent="greet"), "invalid JSON"),
        ("d.txt", "whatever", Columns(), "unsupported"),
    ],
)
def test_import_errors_are_clear(tmp_path: Path, name: str, content: str, columns: Columns, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(TrainingDataError, match=message):
        load_any(path, columns)


def test_non_utf8_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("text,intent\n路灯坏了,投诉\n".encode("gbk"))
    with pytest.raises(TrainingDataError, match="UTF-8"):
        import_table(path)
