"""The article store on SQLite and PostgreSQL: versions, workflow, import, expiry, revision counter."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from knowledge.errors import ArticleNotFound, InvalidArticle, InvalidTransition, VersionConflict
from knowledge.models import ArticleContent, Status
from knowledge.store import ArticleStore

GJJ = ArticleContent(
    title="租房提取住房公积金",
    question="租房可以提取公积金吗？",
    answer="可以。职工及配偶在缴存地无自有住房且租房自住的，可申请租房提取。",
    paraphrases=("租房子怎么提公积金", "没买房能取公积金交房租吗", "公积金付房租一年能提几次"),
    category="住房保障/住房公积金",
    department="住房公积金管理中心",
    source="《住房公积金管理条例》第二十四条",
)


def test_create_get_and_history(store: ArticleStore) -> None:
    created = store.create(GJJ, "张审核", article_id="gjj-002")
    assert created.status is Status.DRAFT and created.version == 1
    assert store.get("gjj-002").content == GJJ
    history = store.history("gjj-002")
    assert [(h.action, h.version, h.actor) for h in history] == [("created", 1, "张审核")]


def test_generated_ids_are_unique(store: ArticleStore) -> None:
    a = store.create(GJJ, "m")
    b = store.create(GJJ, "m")
    assert a.id != b.id and a.id.startswith("kb-")


def test_duplicate_id_is_refused(store: ArticleStore) -> None:
    store.create(GJJ, "m", article_id="gjj-002")
    with pytest.raises(InvalidArticle):
        store.create(GJJ, "m", article_id="gjj-002")


def test_full_workflow_and_revision_counter(store: ArticleStore) -> None:
    start = store.revision()
    store.create(GJJ, "m", article_id="gjj-002")
    store.transition("gjj-002", Status.REVIEW, "m")
    with pytest.raises(InvalidTransition):
        store.transition("gjj-002", Status.EXPIRED, "m")
    store.transition("gjj-002", Status.PUBLISHED, "审核员", note="核对条例原文")
    assert [a.id for a in store.servable(date(2026, 1, 1))] == ["gjj-002"]
    store.transition("gjj-002", Status.EXPIRED, "m")
    assert store.servable(date(2026, 1, 1)) == []
    assert store.revision() == start + 4
    actions = [h.action for h in store.history("gjj-002")]
    assert actions == ["created", "status:review", "status:published", "status:expired"]
    assert store.history("gjj-002")[2].note == "核对条例原文"


def test_editing_a_published_article_is_a_new_version_back_in_draft(store: ArticleStore) -> None:
    store.import_articles([("gjj-002", GJJ, Status.PUBLISHED)], "seed")
    edited = replace(GJJ, answer=GJJ.answer + "\n提取额度以当地规定为准。")
    article = store.update("gjj-002", edited, "李编辑", expected_version=1)
    assert article.version == 2 and article.status is Status.DRAFT
    history = store.history("gjj-002")
    assert history[0].content.answer == GJJ.answer and history[-1].content.answer == edited.answer


def test_unchanged_edit_creates_no_version(store: ArticleStore) -> None:
    store.create(GJJ, "m", article_id="gjj-002")
    revision = store.revision()
    assert store.update("gjj-002", GJJ, "m").version == 1
    assert store.revision() == revision


def test_stale_edit_is_refused(store: ArticleStore) -> None:
    store.create(GJJ, "m", article_id="gjj-002")
    store.update("gjj-002", replace(GJJ, title="租房提取公积金"), "a", expected_version=1)
    with pytest.raises(VersionConflict):
        store.update("gjj-002", replace(GJJ, title="租房提公积金"), "b", expected_version=1)


def test_missing_article(store: ArticleStore) -> None:
    with pytest.raises(ArticleNotFound):
        store.get("nope")
    with pytest.raises(ArticleNotFound):
        store.transition("nope", Status.REVIEW, "m")


def test_import_reports_created_updated_unchanged(store: ArticleStore) -> None:
    other = replace(GJJ, title="退休提取住房公积金", question="退休了公积金怎么全部取出来？")
    first = store.import_articles([("gjj-002", GJJ, Status.PUBLISHED), ("gjj-010", other, Status.DRAFT)], "seed")
    assert (sorted(first.created), first.updated, first.unchanged) == (["gjj-002", "gjj-010"], [], [])
    second = store.import_articles(
        [("gjj-002", GJJ, Status.PUBLISHED), ("gjj-010", replace(other, owner="公积金科"), Status.DRAFT)], "seed"
    )
    assert (second.created, second.updated, second.unchanged) == ([], ["gjj-010"], ["gjj-002"])
    assert store.get("gjj-010").version == 2


def test_outdated_articles_expire(store: ArticleStore) -> None:
    store.import_articles(
        [
            ("tax-002", replace(GJJ, valid_until=date(2025, 12, 31)), Status.PUBLISHED),
            ("gjj-002", GJJ, Status.PUBLISHED),
        ],
        "seed",
    )
    assert store.expire_outdated(date(2026, 1, 1)) == ["tax-002"]
    assert store.get("tax-002").status is Status.EXPIRED
    assert store.history("tax-002")[-1].note == "valid_until passed"
    assert store.expire_outdated(date(2026, 1, 1)) == []
