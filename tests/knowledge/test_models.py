"""Article validation and the review workflow."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.errors import InvalidArticle, InvalidTransition
from knowledge.models import Article, ArticleContent, Status, check_article_id, check_transition

BASE = ArticleContent(title="社保卡补办", question="社保卡丢了怎么补办？", answer="先挂失，再补卡。")


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (Status.DRAFT, Status.REVIEW, True),
        (Status.DRAFT, Status.PUBLISHED, False),  # nothing skips review
        (Status.REVIEW, Status.PUBLISHED, True),
        (Status.REVIEW, Status.DRAFT, True),
        (Status.PUBLISHED, Status.EXPIRED, True),
        (Status.PUBLISHED, Status.REVIEW, False),
        (Status.EXPIRED, Status.PUBLISHED, False),
        (Status.EXPIRED, Status.DRAFT, True),
    ],
)
def test_transitions(current: Status, target: Status, allowed: bool) -> None:
    if allowed:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target)


@pytest.mark.parametrize(
    "content",
    [
        ArticleContent(title=" ", question="问题？", answer="答案"),
        ArticleContent(title="标题", question="", answer="答案"),
        ArticleContent(title="标题", question="问题？", answer="\n"),
        ArticleContent(
            title="标题", question="问题？", answer="答案", valid_from=date(2025, 2, 1), valid_until=date(2025, 1, 1)
        ),
    ],
)
def test_invalid_content_is_refused(content: ArticleContent) -> None:
    with pytest.raises(InvalidArticle):
        content.validated()


def test_paraphrases_are_trimmed_and_deduplicated() -> None:
    content = ArticleContent(
        title="社保卡补办",
        question="社保卡丢了怎么补办？",
        answer="先挂失。",
        paraphrases=(" 社保卡掉了咋办 ", "社保卡丢了怎么补办？", "社保卡掉了咋办", ""),
    ).validated()
    assert content.paraphrases == ("社保卡掉了咋办",)
    assert content.questions() == ["社保卡丢了怎么补办？", "社保卡掉了咋办"]


@pytest.mark.parametrize(
    ("status", "valid_from", "valid_until", "today", "served"),
    [
        (Status.PUBLISHED, None, None, date(2026, 1, 1), True),
        (Status.REVIEW, None, None, date(2026, 1, 1), False),
        (Status.EXPIRED, None, None, date(2026, 1, 1), False),
        (Status.PUBLISHED, date(2026, 3, 1), None, date(2026, 2, 28), False),
        (Status.PUBLISHED, None, date(2026, 3, 1), date(2026, 3, 1), True),
        (Status.PUBLISHED, None, date(2026, 3, 1), date(2026, 3, 2), False),
    ],
)
def test_only_published_articles_in_their_window_are_served(
    status: Status, valid_from: date | None, valid_until: date | None, today: date, served: bool
) -> None:
    content = ArticleContent(BASE.title, BASE.question, BASE.answer, valid_from=valid_from, valid_until=valid_until)
    assert Article("ss-001", content, status).is_servable(today) is served


@pytest.mark.parametrize("article_id", ["", "有中文", "a b", "x" * 65, "-leading"])
def test_bad_ids_are_refused(article_id: str) -> None:
    with pytest.raises(InvalidArticle):
        check_article_id(article_id)
