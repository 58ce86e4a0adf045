"""Maintainers' knowledge-base API: create, edit, review, publish, retire articles; history; reindex.

Open to maintainer and admin accounts (their access or API tokens, as every other API) and to automation
carrying HOTLINE_MAINTAINER_TOKEN (empty: no shared token; accounts still work). Every change
that alters what citizens are served (publish, retire, editing a published article) rebuilds the index
in this process; other processes pick the new generation up through `KnowledgeBase.reload_if_changed`.
"""

from __future__ import annotations

import hmac
from datetime import date
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from gateway.api.deps import current_user, get_services
from gateway.auth.errors import AuthError
from gateway.auth.users import UserRecord
from gateway.workorders.lifecycle import Role
from knowledge.errors import (
    ArticleNotFound,
    InvalidArticle,
    InvalidTransition,
    KnowledgeError,
    VersionConflict,
)
from knowledge.kb import KnowledgeBase
from knowledge.models import Article, ArticleContent, SearchResult, Status
from knowledge.serialize import article_to_dict, content_to_dict

router = APIRouter(prefix="/api/kb", tags=["knowledge"])
_bearer = HTTPBearer(auto_error=False)
_EDITORS = frozenset({Role.MAINTAINER, Role.ADMIN})

_STATUS_CODES: dict[type[KnowledgeError], int] = {
    ArticleNotFound: 404,
    InvalidArticle: 422,
    InvalidTransition: 409,
    VersionConflict: 409,
}


def _http_error(error: KnowledgeError) -> HTTPException:
    status = next((code for kind, code in _STATUS_CODES.items() if isinstance(error, kind)), 400)
    return HTTPException(status_code=status, detail={"code": error.code, "message": error.message})


def _configured_token(request: Request) -> str:
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        from gateway.settings import get_settings

        settings = get_settings()
    return str(settings.maintainer_token.get_secret_value())


def _refused(status: int, code: str, message: str) -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(status, detail={"code": code, "message": message}, headers=headers)


async def _account(request: Request, token: str) -> UserRecord:
    """The maintainer or admin account behind an access token (JWT) or API token of the roles system."""
    if not token:
        raise _refused(401, "unauthorized", "a maintainer account's token or the maintainer token is required")
    try:
        user = await current_user(get_services(request), token)
    except AuthError as error:
        raise _refused(401, error.code, error.detail) from error
    if user.role not in _EDITORS:
        raise _refused(403, "not_permitted", f"role {user.role.value} may not edit the knowledge base")
    return user


async def maintainer(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """Admit maintainer and admin accounts, or automation carrying HOTLINE_MAINTAINER_TOKEN.

    Returns the actor name recorded in history: the account's username, or for the shared token the
    X-Actor header (the token names no person).
    """
    given = credentials.credentials if credentials else ""
    expected = _configured_token(request)
    if given and expected and hmac.compare_digest(given.encode(), expected.encode()):
        actor = request.headers.get("X-Actor", "").strip()[:100]
        return actor or "maintainer"
    if getattr(request.app.state, "runtime", None) is None:
        # An app without the accounts system (the KB API mounted alone): only the shared token can admit.
        if not expected:
            raise _refused(503, "kb_api_disabled", "set HOTLINE_MAINTAINER_TOKEN")
        raise _refused(401, "unauthorized", "maintainer token required")
    return (await _account(request, given)).username


def knowledge_base(request: Request) -> KnowledgeBase:
    runtime = getattr(request.app.state, "runtime", None)
    models = getattr(runtime, "models", None)
    kb = getattr(models, "knowledge", None) or getattr(request.app.state, "knowledge_base", None)
    if not isinstance(kb, KnowledgeBase):
        raise HTTPException(503, detail={"code": "kb_unavailable", "message": "the knowledge base is not loaded"})
    return kb


Maintainer = Annotated[str, Depends(maintainer)]
KB = Annotated[KnowledgeBase, Depends(knowledge_base)]


class ArticleIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=500)
    answer: str = Field(min_length=1, max_length=20_000)
    paraphrases: list[str] = Field(default_factory=list, max_length=200)
    category: str = ""
    department: str = ""
    source: str = ""
    source_url: str = ""
    valid_from: date | None = None
    valid_until: date | None = None
    owner: str = ""
    tags: list[str] = Field(default_factory=list)

    def content(self) -> ArticleContent:
        return ArticleContent(
            title=self.title,
            question=self.question,
            answer=self.answer,
            paraphrases=tuple(self.paraphrases),
            category=self.category,
            department=self.department,
            source=self.source,
            source_url=self.source_url,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            owner=self.owner,
            tags=tuple(self.tags),
        )


class NewArticle(ArticleIn):
    id: str | None = Field(default=None, max_length=64)


class EditArticle(ArticleIn):
    # The version the maintainer edited; a newer stored version means someone else changed it meanwhile.
    expected_version: int | None = None


class Transition(BaseModel):
    note: str = Field(default="", max_length=2000)


def _out(article: Article) -> dict[str, Any]:
    return {**article_to_dict(article), "updated_at": article.updated_at.isoformat() if article.updated_at else None}


async def _run(fn: Any, *args: Any) -> Any:
    try:
        return await to_thread.run_sync(fn, *args)
    except KnowledgeError as error:
        raise _http_error(error) from error


async def _reindex_if_served(kb: KB, before: Status, after: Article, actor: str) -> None:
    if Status.PUBLISHED in (before, after.status):
        await _run(kb.reindex, actor)


@router.get("/articles", summary="List articles (optionally one status or category)")
async def list_articles(
    kb: KB, _: Maintainer, status: Status | None = None, category: str | None = None
) -> list[dict[str, Any]]:
    articles = await _run(kb.store.list_articles, status, category)
    return [_out(a) for a in articles]


@router.post("/articles", status_code=201, summary="Create an article (as a draft)")
async def create_article(body: NewArticle, kb: KB, actor: Maintainer) -> dict[str, Any]:
    article = await _run(lambda: kb.store.create(body.content(), actor, body.id))
    return _out(article)


@router.get("/articles/{article_id}", summary="One article")
async def get_article(article_id: str, kb: KB, _: Maintainer) -> dict[str, Any]:
    return _out(await _run(kb.store.get, article_id))


@router.put("/articles/{article_id}", summary="Edit an article: a new version; a published one returns to draft")
async def edit_article(article_id: str, body: EditArticle, kb: KB, actor: Maintainer) -> dict[str, Any]:
    before = (await _run(kb.store.get, article_id)).status
    article = await _run(lambda: kb.store.update(article_id, body.content(), actor, body.expected_version))
    await _reindex_if_served(kb, before, article, actor)
    return _out(article)


async def _move(kb: KnowledgeBase, article_id: str, target: Status, actor: str, note: str) -> dict[str, Any]:
    before = (await _run(kb.store.get, article_id)).status
    article = await _run(lambda: kb.store.transition(article_id, target, actor, note))
    await _reindex_if_served(kb, before, article, actor)
    return _out(article)


@router.post("/articles/{article_id}/submit", summary="Submit a draft for review")
async def submit(article_id: str, kb: KB, actor: Maintainer, body: Transition | None = None) -> dict[str, Any]:
    return await _move(kb, article_id, Status.REVIEW, actor, body.note if body else "")


@router.post("/articles/{article_id}/reject", summary="Send an article under review back to draft")
async def reject(article_id: str, kb: KB, actor: Maintainer, body: Transition | None = None) -> dict[str, Any]:
    return await _move(kb, article_id, Status.DRAFT, actor, body.note if body else "")


@router.post("/articles/{article_id}/publish", summary="Publish a reviewed article (served from now on)")
async def publish(article_id: str, kb: KB, actor: Maintainer, body: Transition | None = None) -> dict[str, Any]:
    return await _move(kb, article_id, Status.PUBLISHED, actor, body.note if body else "")


@router.post("/articles/{article_id}/retire", summary="Retire a published article (expired, never served)")
async def retire(article_id: str, kb: KB, actor: Maintainer, body: Transition | None = None) -> dict[str, Any]:
    return await _move(kb, article_id, Status.EXPIRED, actor, body.note if body else "")


@router.get("/articles/{article_id}/history", summary="Every version and status change of an article")
async def history(article_id: str, kb: KB, _: Maintainer) -> list[dict[str, Any]]:
    entries = await _run(kb.store.history, article_id)
    return [
        {
            "version": e.version,
            "action": e.action,
            "status": str(e.status),
            "actor": e.actor,
            "note": e.note,
            "at": e.at.isoformat(),
            "content": content_to_dict(e.content),
        }
        for e in entries
    ]


@router.post("/reindex", summary="Expire outdated articles and rebuild the search index")
async def reindex(kb: KB, actor: Maintainer) -> dict[str, Any]:
    generation = await _run(kb.reindex, actor)
    return {"generation": generation, **{k: kb.index.meta[k] for k in ("articles", "docs", "revision")}}


@router.get("/search", summary="Try a question: ranked articles and the answer decision")
async def search(
    kb: KB,
    _: Maintainer,
    q: Annotated[str, Query(min_length=1, max_length=2000)],
    top_k: int = 5,
    mode: str = "fused",
) -> dict[str, Any]:
    result: SearchResult = await _run(lambda: kb.search(q, top_k=min(max(top_k, 1), 50), mode=mode))
    payload = result.to_json()
    payload["threshold"] = result.threshold
    payload["confidence"] = round(result.confidence, 4)
    return payload
