"""The seed knowledge base and its evaluation set stay complete, consistent and separate."""

from __future__ import annotations

import re

import pytest

from knowledge.seed import EVAL_DIR, SPLITS, eval_csv, eval_rows, seed_items

ITEMS = seed_items()
BY_ID = {i.id: i for i in ITEMS}


def _norm(text: str) -> str:
    return re.sub(r"[\s，。？！?!,.～~]", "", text)


def test_at_least_150_articles_with_everything_filled() -> None:
    assert len(ITEMS) >= 150
    assert len(BY_ID) == len(ITEMS)
    for item in ITEMS:
        c = item.content
        assert len(c.paraphrases) >= 3, item.id
        assert c.category and c.department and c.source and c.valid_from, item.id


def test_domains_the_issue_lists_are_covered() -> None:
    text = " ".join(i.content.title + i.content.category for i in ITEMS)
    for topic in [
        "社会保障",
        "医疗保障",
        "公积金",
        "户籍",
        "身份证",
        "出入境",
        "不动产",
        "营业执照",
        "个人所得税",
        "入学",
        "公交",
        "供电",
        "供水",
        "燃气",
        "供热",
        "劳动仲裁",
        "消费",
        "养老",
        "残疾人",
    ]:
        assert topic in text, topic


def test_local_specifics_are_marked_as_examples() -> None:
    marked = [i.id for i in ITEMS if "示例，请按本地实际替换" in i.content.answer + i.content.source]
    assert len(marked) >= 40


def test_held_out_questions_are_never_indexed() -> None:
    indexed = {_norm(q) for i in ITEMS for q in [i.content.title, *i.content.questions()]}
    for row in eval_rows():
        assert _norm(row.question) not in indexed, row.question


def test_every_labelled_article_exists_and_splits_are_balanced() -> None:
    rows = eval_rows()
    assert all(r.article == "" or r.article in BY_ID for r in rows)
    for split in SPLITS:
        part = [r for r in rows if r.split == split]
        assert sum(1 for r in part if r.article) >= 150
        assert sum(1 for r in part if not r.article) >= 40


@pytest.mark.parametrize("split", SPLITS)
def test_eval_csv_files_are_current(split: str) -> None:
    expected = eval_csv(eval_rows(), split)
    assert (EVAL_DIR / f"{split}.csv").read_text(encoding="utf-8") == expected, "run python -m knowledge.seed eval-csv"


def test_fresh_held_out_set_is_never_indexed_and_names_real_articles() -> None:
    from knowledge.evaluation import read_labelled_csv

    rows = read_labelled_csv(EVAL_DIR / "fresh.csv")
    items = seed_items()
    ids = {i.id for i in items}
    indexed = {q for i in items for q in (i.content.title, *i.content.questions())}
    assert {r.article for r in rows if r.article} <= ids
    assert not {r.question for r in rows} & indexed
    assert not {r.question for r in rows} & {r.question for r in eval_rows()}
    assert sum(1 for r in rows if not r.article) >= 40
