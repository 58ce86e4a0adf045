"""Who may use the maintainers' knowledge API: maintainer and admin accounts, automation with the shared token."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import SecretStr

from gateway.settings import Settings
from tests.gateway.api.conftest import Api

AUTOMATION_TOKEN = "kb-automation-token-for-tests-0123456789"

ARTICLE = {
    "title": "电动自行车上牌",
    "question": "电动车在哪里上牌？要带什么？",
    "paraphrases": ["电瓶车上牌去哪", "新买的电动自行车怎么登记", "電動車上牌要帶發票嗎"],
    "answer": "携带身份证、购车发票和合格证到车辆管理所或指定登记点办理（示例，请按本地实际替换）。",
    "category": "交通运输/非机动车管理",
    "department": "公安局交通管理支队",
    "source": "《XX市电动自行车管理条例》（示例）",
}


@pytest.fixture
def api_settings(api_settings: Settings, knowledge_index_dir: Path, tmp_path: Path) -> Settings:
    """The accounts' app with the knowledge base on (a copy of the session's warm index) and the shared token."""
    index = tmp_path / "knowledge-index"
    shutil.copytree(knowledge_index_dir, index)
    update = {"maintainer_token": SecretStr(AUTOMATION_TOKEN), "knowledge_enabled": True, "knowledge_index_path": index}
    return api_settings.model_copy(update=update)


# One app per test (each loads the encoder): the role table is checked within a test, not parametrised.


def test_no_token_is_401_and_other_roles_are_403(api: Api) -> None:
    response = api.client.get("/api/kb/articles")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert api.client.get("/api/kb/articles", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    for user in ("agent.wang", "city.li", "sup.chen"):
        refused = api.get(user, "/api/kb/articles")
        assert refused.status_code == 403, user
        assert refused.json()["detail"]["code"] == "not_permitted"
        assert api.post(user, "/api/kb/articles", json=ARTICLE).status_code == 403, user


def test_maintainer_and_admin_accounts_edit_and_are_named_in_history(api: Api) -> None:
    for user, article_id in (("kb.zhou", "ebike-001"), ("root", "ebike-002")):
        listed = api.get(user, "/api/kb/articles")
        assert listed.status_code == 200 and isinstance(listed.json(), list), user
        # An account is its own actor: an X-Actor header cannot put someone else's name in the history.
        created = api.client.post(
            "/api/kb/articles",
            json={**ARTICLE, "id": article_id},
            headers={**api.auth(user), "X-Actor": "someone.else"},
        )
        assert created.status_code == 201, created.text
        history = api.get(user, f"/api/kb/articles/{article_id}/history").json()
        assert [entry["actor"] for entry in history] == [user]

    token, record = api.services.users.create_token("kb.zhou", "导入脚本")
    assert api.client.get("/api/kb/articles", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    api.services.users.revoke_token(record.id)
    assert api.client.get("/api/kb/articles", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_automation_keeps_the_shared_token_with_the_actor_it_names(api: Api) -> None:
    headers = {"Authorization": f"Bearer {AUTOMATION_TOKEN}", "X-Actor": "nightly-import"}
    created = api.client.post("/api/kb/articles", json=ARTICLE, headers=headers)
    assert created.status_code == 201, created.text
    history = api.client.get(f"/api/kb/articles/{created.json()['id']}/history", headers=headers).json()
    assert [entry["actor"] for entry in history] == ["nightly-import"]
