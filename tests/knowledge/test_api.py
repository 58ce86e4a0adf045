"""The maintainers' HTTP API: token guard, the review workflow, search, history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from gateway.api.knowledge import router
from gateway.settings import Settings
from knowledge.embedding import DEFAULT_ENCODER_NAME
from knowledge.kb import KnowledgeBase
from knowledge.models import Status
from knowledge.seed import seed_items
from knowledge.store import ArticleStore

TOKEN = "kb-maintainer-token-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Actor": "wang.bianji"}

NEW = {
    "id": "pet-001",
    "title": "养犬登记",
    "question": "养狗要办狗证吗，在哪里登记？",
    "paraphrases": ["狗证在哪里办", "养犬登记需要什么材料", "家里养的狗要去哪里上户口"],
    "answer": "在城市重点管理区域养犬应当办理养犬登记（示例，请按本地实际替换办理地点）。",
    "category": "城乡建设/养犬管理",
    "department": "公安局（养犬管理）",
    "source": "《XX市养犬管理条例》（示例，请按本地实际替换）",
}


@pytest.fixture
def client(encoder, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    store = ArticleStore.from_url(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    store.create_schema()
    items = {i.id: i for i in seed_items()}
    store.import_articles([(i, items[i].content, Status.PUBLISHED) for i in ("sfz-001", "gjj-002")], "test")
    kb = KnowledgeBase(store, tmp_path / "index", DEFAULT_ENCODER_NAME, model=encoder)
    kb.reindex()
    app = FastAPI()
    app.include_router(router)
    app.state.settings = Settings(maintainer_token=SecretStr(TOKEN))
    app.state.knowledge_base = kb
    with TestClient(app) as c:
        yield c
    kb.close()


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": f"Basic {TOKEN}"}, 401)],
)
def test_token_is_required(client: TestClient, headers: dict[str, str], status: int) -> None:
    assert client.get("/api/kb/articles", headers=headers).status_code == status


def test_empty_token_disables_the_api(client: TestClient) -> None:
    client.app.state.settings = Settings(maintainer_token=SecretStr(""))  # type: ignore[attr-defined]
    response = client.get("/api/kb/articles", headers=AUTH)
    assert response.status_code == 503 and response.json()["detail"]["code"] == "kb_api_disabled"


def test_create_review_publish_search_retire(client: TestClient) -> None:
    created = client.post("/api/kb/articles", json=NEW, headers=AUTH)
    assert created.status_code == 201 and created.json()["status"] == "draft"

    def top(q: str) -> str | None:
        body = client.get("/api/kb/search", params={"q": q}, headers=AUTH).json()
        return body["answer"]["id"] if body["answer"] else None

    assert top("狗证在哪里办") != "pet-001"
    skipped = client.post("/api/kb/articles/pet-001/publish", headers=AUTH)
    assert skipped.status_code == 409 and skipped.json()["detail"]["code"] == "kb_invalid_transition"
    assert client.post("/api/kb/articles/pet-001/submit", headers=AUTH).json()["status"] == "review"
    published = client.post("/api/kb/articles/pet-001/publish", json={"note": "已核对"}, headers=AUTH)
    assert published.json()["status"] == "published"
    assert top("狗证在哪里办") == "pet-001"

    edit = {**NEW, "answer": NEW["answer"] + "登记后领取犬牌。", "expected_version": 1}
    edited = client.put("/api/kb/articles/pet-001", json=edit, headers=AUTH).json()
    assert edited["version"] == 2 and edited["status"] == "draft"
    assert top("狗证在哪里办") != "pet-001"
    stale = client.put("/api/kb/articles/pet-001", json=edit, headers=AUTH)
    assert stale.status_code == 409 and stale.json()["detail"]["code"] == "kb_version_conflict"

    history = client.get("/api/kb/articles/pet-001/history", headers=AUTH).json()
    assert [h["action"] for h in history] == ["created", "status:review", "status:published", "edited"]
    assert {h["actor"] for h in history} == {"wang.bianji"}

    assert client.post("/api/kb/articles/sfz-001/retire", headers=AUTH).json()["status"] == "expired"
    assert top("身份证丢了怎么补办？") != "sfz-001"


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("get", "/api/kb/articles/nope", None, 404),
        ("post", "/api/kb/articles", {**NEW, "id": "有空格 的id"}, 422),
        ("post", "/api/kb/articles", {**NEW, "title": ""}, 422),
        ("post", "/api/kb/articles", {**NEW, "valid_from": "2026-02-01", "valid_until": "2026-01-01"}, 422),
    ],
)
def test_errors(client: TestClient, method: str, path: str, payload: dict[str, object] | None, status: int) -> None:
    response = (
        getattr(client, method)(path, json=payload, headers=AUTH)
        if payload
        else getattr(client, method)(path, headers=AUTH)
    )
    assert response.status_code == status


def test_list_and_reindex(client: TestClient) -> None:
    listed = client.get("/api/kb/articles", params={"status": "published"}, headers=AUTH).json()
    assert [a["id"] for a in listed] == ["gjj-002", "sfz-001"]
    body = client.post("/api/kb/reindex", headers=AUTH).json()
    assert body["articles"] == 2 and body["generation"].startswith("g")
