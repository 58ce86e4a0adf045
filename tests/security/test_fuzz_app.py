"""The app the fuzzer attacks is the real one: every guarded area answers, so generated input reaches handlers.

A fuzz run against an app whose knowledge base is not loaded only ever sees 503 from /api/kb/* and proves
nothing about those handlers; these checks keep the fixture honest (and run without HOTLINE_FUZZ).
"""

from __future__ import annotations

import pytest

from tests.security.conftest import SecureApp

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_knowledge_endpoints_are_live_for_the_fuzzer(secure_app: SecureApp) -> None:
    client, auth = secure_app.client, secure_app.auth
    listed = client.get("/api/kb/articles", headers=auth)
    assert listed.status_code == 200, listed.text[:500]
    searched = client.get("/api/kb/search", params={"q": "居住证怎么办理"}, headers=auth)
    assert searched.status_code == 200, searched.text[:500]
    created = client.post(
        "/api/kb/articles",
        headers=auth,
        json={
            "title": "夜间施工噪音投诉渠道",
            "question": "晚上工地施工太吵了找谁？",
            "answer": "夜间22时至次日6时禁止产生噪声的建筑施工，可拨打12345或向区生态环境局反映。",
            "category": "生态环境",
        },
    )
    assert created.status_code == 201, created.text[:500]


def test_work_order_and_user_endpoints_answer_the_fuzzers_token(secure_app: SecureApp) -> None:
    for path in ("/api/hotspots", "/api/users", "/api/dashboard", "/api/auth/me"):
        response = secure_app.client.get(path, headers=secure_app.auth)
        assert response.status_code < 500 and response.status_code not in (401, 403), (path, response.text[:300])
