"""Plain data for articles and search results; no SQL, no HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from knowledge.errors import InvalidArticle, InvalidTransition

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class Status(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"
    EXPIRED = "expired"


# The workflow: a draft is submitted for review; review sends it back or publishes it; a published
# article is retired (expired); an expired article can be reopened as a draft. Nothing skips review.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.REVIEW}),
    Status.REVIEW: frozenset({Status.DRAFT, Status.PUBLISHED}),
    Status.PUBLISHED: frozenset({Status.EXPIRED, Status.DRAFT}),
    Status.EXPIRED: frozenset({Status.DRAFT}),
}


def check_transition(current: Status, target: Status) -> None:
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidTransition(f"cannot move an article from {current} to {target} (allowed: {allowed})")


@dataclass(frozen=True)
class ArticleContent:
    """What a maintainer writes. Identity and workflow state live in `Article`."""

    title: str
    question: str
    answer: str
    paraphrases: tuple[str, ...] = ()
    category: str = ""
    department: str = ""
    source: str = ""
    source_url: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    owner: str = ""
    tags: tuple[str, ...] = ()

    def validated(self) -> ArticleContent:
        title, question, answer = self.title.strip(), self.question.strip(), self.answer.strip()
        if not title:
            raise InvalidArticle("an article needs a title")
        if not question:
            raise InvalidArticle(f"article {title!r} needs a standard question")
        if not answer:
            raise InvalidArticle(f"article {title!r} needs an answer")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise InvalidArticle(f"article {title!r}: valid_until is before valid_from")
        seen = {question}
        paraphrases: list[str] = []
        for p in self.paraphrases:
            p = p.strip()
            if p and p not in seen:
                seen.add(p)
                paraphrases.append(p)
        return replace(
            self,
            title=title,
            question=question,
            answer=answer,
            paraphrases=tuple(paraphrases),
            tags=tuple(t.strip() for t in self.tags if t.strip()),
        )

    def questions(self) -> list[str]:
        """Every phrasing the index should match: the standard question, then the paraphrases."""
        return [self.question, *self.paraphrases]


@dataclass(frozen=True)
class Article:
    id: str
    content: ArticleContent
    status: Status = Status.DRAFT
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def is_servable(self, today: date) -> bool:
        """Only published articles inside their validity window are ever shown to citizens."""
        c = self.content
        if self.status is not Status.PUBLISHED:
            return False
        if c.valid_from and today < c.valid_from:
            return False
        return not (c.valid_until and today > c.valid_until)


def check_article_id(article_id: str) -> str:
    if not _ID_RE.match(article_id):
        raise InvalidArticle(f"article id {article_id!r} must be 1-64 letters, digits, '.', '_' or '-'")
    return article_id


@dataclass(frozen=True)
class HistoryEntry:
    article_id: str
    version: int
    action: str
    status: Status
    actor: str
    at: datetime
    content: ArticleContent
    note: str = ""


@dataclass(frozen=True)
class Answer:
    """The article served to a citizen, with what the reply must carry (source, validity)."""

    id: str
    title: str
    answer: str
    score: float
    source: str
    source_url: str = ""
    department: str = ""
    category: str = ""
    valid_until: date | None = None


@dataclass(frozen=True)
class Candidate:
    id: str
    title: str
    score: float
    bm25: float = 0.0
    dense: float = 0.0
    matched_question: str = ""


@dataclass(frozen=True)
class SearchResult:
    """Ranked candidates and the decision: `answer` is None when the KB should not answer."""

    query: str
    candidates: list[Candidate] = field(default_factory=list)
    answer: Answer | None = None
    threshold: float = 0.0
    mode: str = "fused"
    # What was compared with the threshold: the best score plus the calibrated weight x its lead.
    confidence: float = 0.0

    def to_json(self) -> dict[str, object]:
        answer = None
        if self.answer is not None:
            a = self.answer
            answer = {
                "id": a.id,
                "title": a.title,
                "answer": a.answer,
                "score": round(a.score, 4),
                "source": a.source,
                "source_url": a.source_url,
                "valid_until": a.valid_until.isoformat() if a.valid_until else None,
            }
        return {
            "answer": answer,
            "candidates": [{"id": c.id, "title": c.title, "score": round(c.score, 4)} for c in self.candidates],
        }
