"""Articles in SQL: create, edit (new version), move through the workflow, keep every version."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Engine, create_engine, func, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import ArticleRow, ArticleVersionRow, StateRow, metadata
from knowledge.errors import ArticleNotFound, InvalidArticle, VersionConflict
from knowledge.models import Article, ArticleContent, HistoryEntry, Status, check_article_id, check_transition
from knowledge.serialize import content_from_dict, content_to_dict

REVISION_KEY = "revision"


@dataclass(frozen=True)
class ImportReport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]

    def to_json(self) -> dict[str, int]:
        return {"created": len(self.created), "updated": len(self.updated), "unchanged": len(self.unchanged)}


def _now() -> datetime:
    return datetime.now(UTC)


def _content_of(row: ArticleRow) -> ArticleContent:
    return ArticleContent(
        title=row.title,
        question=row.question,
        answer=row.answer,
        paraphrases=tuple(row.paraphrases or ()),
        category=row.category,
        department=row.department,
        source=row.source,
        source_url=row.source_url,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        owner=row.owner,
        tags=tuple(row.tags or ()),
    )


def _article_of(row: ArticleRow) -> Article:
    return Article(row.id, _content_of(row), Status(row.status), row.version, row.created_at, row.updated_at)


def _write_content(row: ArticleRow, content: ArticleContent) -> None:
    row.title = content.title
    row.question = content.question
    row.answer = content.answer
    row.paraphrases = list(content.paraphrases)
    row.category = content.category
    row.department = content.department
    row.source = content.source
    row.source_url = content.source_url
    row.valid_from = content.valid_from
    row.valid_until = content.valid_until
    row.owner = content.owner
    row.tags = list(content.tags)


class ArticleStore:
    """All SQL for articles. Every method is one transaction; every change bumps the shared revision."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, database_url: str) -> ArticleStore:
        connect_args = {"check_same_thread": False} if database_url.startswith("sqlite") else {}
        return cls(create_engine(database_url, connect_args=connect_args, pool_pre_ping=True))

    def create_schema(self) -> None:
        """Create the knowledge tables if absent (tests, embedded use); production uses Alembic."""
        metadata.create_all(self.engine)
        with self._tx() as s:
            if s.scalar(select(StateRow.id).where(StateRow.key == REVISION_KEY)) is None:
                s.add(StateRow(key=REVISION_KEY, value=0))

    def has_schema(self) -> bool:
        return inspect(self.engine).has_table(ArticleRow.__tablename__)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    # ---- reads -------------------------------------------------------------------------------
    def revision(self) -> int:
        with self._tx() as s:
            value = s.scalar(select(StateRow.value).where(StateRow.key == REVISION_KEY))
            return int(value or 0)

    def get(self, article_id: str) -> Article:
        with self._tx() as s:
            return _article_of(self._row(s, article_id))

    def list_articles(self, status: Status | None = None, category: str | None = None) -> list[Article]:
        query = select(ArticleRow).order_by(ArticleRow.id)
        if status is not None:
            query = query.where(ArticleRow.status == status.value)
        if category:
            query = query.where(ArticleRow.category == category)
        with self._tx() as s:
            return [_article_of(r) for r in s.scalars(query)]

    def count(self) -> int:
        with self._tx() as s:
            return int(s.scalar(select(func.count()).select_from(ArticleRow)) or 0)

    def servable(self, today: date) -> list[Article]:
        return [a for a in self.list_articles(Status.PUBLISHED) if a.is_servable(today)]

    def history(self, article_id: str) -> list[HistoryEntry]:
        with self._tx() as s:
            self._row(s, article_id)
            rows = s.scalars(
                select(ArticleVersionRow)
                .where(ArticleVersionRow.article_id == article_id)
                .order_by(ArticleVersionRow.id)
            )
            return [
                HistoryEntry(
                    r.article_id,
                    r.version,
                    r.action,
                    Status(r.status),
                    r.actor,
                    r.at,
                    content_from_dict(r.snapshot),
                    r.note,
                )
                for r in rows
            ]

    # ---- writes ------------------------------------------------------------------------------
    def create(
        self,
        content: ArticleContent,
        actor: str,
        article_id: str | None = None,
        status: Status = Status.DRAFT,
    ) -> Article:
        content = content.validated()
        new_id = check_article_id(article_id) if article_id else f"kb-{uuid.uuid4().hex[:10]}"
        with self._tx() as s:
            if s.get(ArticleRow, new_id) is not None:
                raise InvalidArticle(f"article {new_id} already exists")
            now = _now()
            row = ArticleRow(id=new_id, status=status.value, version=1, created_at=now, updated_at=now)
            _write_content(row, content)
            s.add(row)
            s.flush()
            self._record(s, row, "created", actor)
            return _article_of(row)

    def update(
        self, article_id: str, content: ArticleContent, actor: str, expected_version: int | None = None
    ) -> Article:
        """A content edit is a new version. Editing a published or expired article sends it back to draft:
        what citizens are shown always went through review."""
        content = content.validated()
        with self._tx() as s:
            row = self._row(s, article_id, lock=True)
            if expected_version is not None and row.version != expected_version:
                raise VersionConflict(f"article {article_id} is at version {row.version}, not {expected_version}")
            if _content_of(row) == content:
                return _article_of(row)
            _write_content(row, content)
            row.version += 1
            if Status(row.status) in (Status.PUBLISHED, Status.EXPIRED):
                row.status = Status.DRAFT.value
            row.updated_at = _now()
            self._record(s, row, "edited", actor)
            return _article_of(row)

    def transition(self, article_id: str, target: Status, actor: str, note: str = "") -> Article:
        with self._tx() as s:
            row = self._row(s, article_id, lock=True)
            check_transition(Status(row.status), target)
            row.status = target.value
            row.updated_at = _now()
            self._record(s, row, f"status:{target.value}", actor, note)
            return _article_of(row)

    def expire_outdated(self, today: date, actor: str = "system") -> list[str]:
        """Published articles past their valid_until become expired (served lists filter them anyway)."""
        expired: list[str] = []
        with self._tx() as s:
            rows = s.scalars(
                select(ArticleRow).where(ArticleRow.status == Status.PUBLISHED.value, ArticleRow.valid_until < today)
            )
            for row in rows:
                row.status = Status.EXPIRED.value
                row.updated_at = _now()
                self._record(s, row, "status:expired", actor, "valid_until passed")
                expired.append(row.id)
        return expired

    def import_articles(self, items: Iterable[tuple[str, ArticleContent, Status]], actor: str) -> ImportReport:
        """Bulk upsert by id (an administrative load: statuses are taken from the file, history says so)."""
        created: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        with self._tx() as s:
            for article_id, raw, status in items:
                content = raw.validated()
                row = s.get(ArticleRow, check_article_id(article_id))
                now = _now()
                if row is None:
                    row = ArticleRow(id=article_id, status=status.value, version=1, created_at=now, updated_at=now)
                    _write_content(row, content)
                    s.add(row)
                    s.flush()
                    self._record(s, row, "imported", actor)
                    created.append(article_id)
                elif _content_of(row) == content and row.status == status.value:
                    unchanged.append(article_id)
                else:
                    if _content_of(row) != content:
                        row.version += 1
                    _write_content(row, content)
                    row.status = status.value
                    row.updated_at = now
                    self._record(s, row, "imported", actor)
                    updated.append(article_id)
        return ImportReport(created, updated, unchanged)

    # ---- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _row(s: Session, article_id: str, lock: bool = False) -> ArticleRow:
        query = select(ArticleRow).where(ArticleRow.id == article_id)
        if lock:
            query = query.with_for_update()
        row = s.scalar(query)
        if row is None:
            raise ArticleNotFound(f"no article {article_id!r}")
        return row

    def _record(self, s: Session, row: ArticleRow, action: str, actor: str, note: str = "") -> None:
        s.add(
            ArticleVersionRow(
                article_id=row.id,
                version=row.version,
                action=action,
                status=row.status,
                actor=actor,
                note=note,
                snapshot=content_to_dict(_content_of(row)),
                at=_now(),
            )
        )
        self._bump(s)

    @staticmethod
    def _bump(s: Session) -> None:
        result = s.execute(update(StateRow).where(StateRow.key == REVISION_KEY).values(value=StateRow.value + 1))
        # The migration and create_schema() insert the counter; this covers databases made otherwise.
        if getattr(result, "rowcount", 0) == 0:
            s.add(StateRow(key=REVISION_KEY, value=1))
