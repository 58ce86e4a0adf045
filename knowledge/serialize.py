"""Article content <-> plain dicts (JSON snapshots, import/export rows). One place for field names."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from knowledge.errors import InvalidArticle
from knowledge.models import Article, ArticleContent, Status

CONTENT_FIELDS = (
    "title",
    "question",
    "paraphrases",
    "answer",
    "category",
    "department",
    "source",
    "source_url",
    "valid_from",
    "valid_until",
    "owner",
    "tags",
)
ARTICLE_FIELDS = ("id", "status", "version", *CONTENT_FIELDS)


def parse_date(value: object, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidArticle(f"{field_name} must be a date like 2025-01-31, got {value!r}") from None


def parse_list(value: object) -> tuple[str, ...]:
    """Lists arrive as JSON/YAML lists, or as one string separated by '|' or newlines (CSV cells)."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts = value.replace("\r", "").replace("\n", "|").split("|")
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise InvalidArticle(f"expected a list of strings, got {type(value).__name__}")


def content_from_dict(data: Mapping[str, Any]) -> ArticleContent:
    def text(key: str) -> str:
        value = data.get(key)
        return "" if value is None else str(value)

    return ArticleContent(
        title=text("title"),
        question=text("question"),
        answer=text("answer"),
        paraphrases=parse_list(data.get("paraphrases")),
        category=text("category"),
        department=text("department"),
        source=text("source"),
        source_url=text("source_url"),
        valid_from=parse_date(data.get("valid_from"), "valid_from"),
        valid_until=parse_date(data.get("valid_until"), "valid_until"),
        owner=text("owner"),
        tags=parse_list(data.get("tags")),
    ).validated()


def content_to_dict(content: ArticleContent) -> dict[str, Any]:
    return {
        "title": content.title,
        "question": content.question,
        "paraphrases": list(content.paraphrases),
        "answer": content.answer,
        "category": content.category,
        "department": content.department,
        "source": content.source,
        "source_url": content.source_url,
        "valid_from": content.valid_from.isoformat() if content.valid_from else None,
        "valid_until": content.valid_until.isoformat() if content.valid_until else None,
        "owner": content.owner,
        "tags": list(content.tags),
    }


def article_to_dict(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "status": str(article.status),
        "version": article.version,
        **content_to_dict(article.content),
    }


def parse_status(value: object, default: Status) -> Status:
    if value is None or value == "":
        return default
    try:
        return Status(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(s.value for s in Status)
        raise InvalidArticle(f"status must be one of {allowed}, got {value!r}") from None
