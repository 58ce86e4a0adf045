"""Import and export: CSV, JSON, YAML and Markdown folders round-trip; bad files are refused clearly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from knowledge.errors import ImportFormatError
from knowledge.models import Article, ArticleContent, Status
from knowledge.transfer import read_items, write_export

ARTICLES = [
    Article(
        "hj-001",
        ArticleContent(
            title="新生儿出生登记（落户）",
            question="新生儿怎么上户口？",
            answer="- **地点**：父亲或母亲常住户口所在地派出所。\n- 材料：《出生医学证明》、户口簿、身份证。",
            paraphrases=("宝宝出生后去哪里办户口", "给小孩报户口需要什么材料", "孩子落户要带哪些证件"),
            category="公安/户籍",
            department="公安局（户政）",
            source="《中华人民共和国户口登记条例》第七条",
            valid_from=date(2024, 1, 1),
            tags=("落户", "新生儿"),
        ),
        Status.PUBLISHED,
    ),
    Article(
        "tax-002",
        ArticleContent(
            title="个人所得税专项附加扣除",
            question="个税专项附加扣除有哪些，标准是多少？",
            answer="子女教育：每个子女 2000 元/月；赡养老人：独生子女 3000 元/月。",
            paraphrases=("赡养老人个税能扣多少", "子女教育个税扣除标准", "房贷利息能抵个税吗"),
            valid_until=date(2027, 12, 31),
        ),
        Status.REVIEW,
    ),
]


@pytest.mark.parametrize(
    ("fmt", "name"), [("csv", "kb.csv"), ("json", "kb.json"), ("yaml", "kb.yaml"), ("markdown", "kb")]
)
def test_round_trip(tmp_path: Path, fmt: str, name: str) -> None:
    target = tmp_path / name
    assert write_export(ARTICLES, target, fmt) == 2
    items = read_items(target)
    by_id = {i.id: i for i in items}
    for article in ARTICLES:
        assert by_id[article.id].content == article.content
        assert by_id[article.id].status is article.status


def test_markdown_file_uses_body_as_answer_and_file_name_as_id(tmp_path: Path) -> None:
    path = tmp_path / "ut-003.md"
    path.write_text(
        "---\ntitle: 燃气泄漏应急处置\nquestion: 闻到家里有煤气味怎么办？\n"
        "paraphrases:\n  - 燃气泄漏应该怎么处理\n  - 厨房有燃气味道\n---\n\n1. **不要**开关电灯。\n2. 关闭燃气总阀。\n",
        encoding="utf-8",
    )
    (item,) = read_items(path, default_status=Status.DRAFT)
    assert item.id == "ut-003" and item.status is Status.DRAFT
    assert item.content.answer == "1. **不要**开关电灯。\n2. 关闭燃气总阀。"


def test_csv_lists_are_pipe_separated_and_bom_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "kb.csv"
    path.write_text(
        "\ufeffid,title,question,paraphrases,answer,status\n"
        "sfz-001,身份证补领,身份证丢了怎么补办？,身份证掉了去哪里补|补办身份证需要什么材料,先挂失再补领。,published\n",
        encoding="utf-8",
    )
    (item,) = read_items(path)
    assert item.content.paraphrases == ("身份证掉了去哪里补", "补办身份证需要什么材料")
    assert item.status is Status.PUBLISHED


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.json", '[{"id": "x-1", "title": "t", "question": "q", "answer": "a", "titel": "typo"}]', "unknown field"),
        ("a.json", '[{"title": "t", "question": "q", "answer": "a"}]', "needs an id"),
        ("a.json", '{"id": 1', "invalid JSON"),
        (
            "a.json",
            '[{"id": "x-1", "title": "t", "question": "q", "answer": "a"}, '
            '{"id": "x-1", "title": "t", "question": "q", "answer": "a"}]',
            "appears twice",
        ),
        ("a.yaml", "- id: x-1\n  title: t\n  question: q\n  answer: a\n  valid_until: 明年", "date"),
        ("a.yaml", "- id: x-1\n  title: t\n  question: q\n  answer: a\n  status: 已发布", "status must be one of"),
        ("a.csv", "title,question,answer\nt,q,a\n", "header must include id"),
        ("x-1.md", "title: t\n\nanswer", "front matter"),
        ("x-1.md", "---\ntitle: t\nquestion: q\nanswer: a\n---\nbody", "Markdown body"),
        ("a.txt", "hello", "cannot tell the format"),
    ],
)
def test_bad_imports_are_refused(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFormatError, match=message):
        read_items(path)
