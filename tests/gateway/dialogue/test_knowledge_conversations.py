"""Consultations answered from the knowledge base, through the whole app with the seed articles."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow
_ids = itertools.count()


@pytest.fixture(scope="module")
def client(
    trained_models_dir: Path, knowledge_index_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    from gateway.app import create_app
    from gateway.settings import Settings

    settings = Settings(
        data_dir=tmp_path_factory.mktemp("kb-conversations"),
        models_path=trained_models_dir,
        knowledge_enabled=True,
        knowledge_index_path=knowledge_index_dir,
    )
    with TestClient(create_app(settings)) as app_client:
        yield app_client


def say(client: TestClient, session: str, text: str) -> dict[str, Any]:
    response = client.post(
        "/channels/web/messages", json={"session_id": session, "message_id": f"k{next(_ids)}", "text": text}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    "question",
    ["社保卡丢了怎么补办啊", "請問居住證怎麼辦理？", "公积金能不能提出来还房贷"],
)
def test_consultation_is_answered_with_source_and_a_feedback_question(client: TestClient, question: str) -> None:
    body = say(client, f"kb-q{len(question)}-{next(_ids)}", question)
    assert body["work_order"] is None
    answer = body["replies"][-1]
    assert answer["kind"] == "answer"
    assert "这个回答解决您的问题了吗" in answer["text"]
    assert answer["buttons"] == ["解决了", "没解决"]


def test_helpful_answer_ends_without_a_work_order(client: TestClient) -> None:
    say(client, "kb-yes", "社保卡丢了怎么补办")
    body = say(client, "kb-yes", "解决了")
    assert body["work_order"] is None
    assert "很高兴" in body["replies"][0]["text"]


def test_unhelpful_answer_opens_a_consultation_work_order(client: TestClient) -> None:
    say(client, "kb-no", "社保卡丢了怎么补办")
    body = say(client, "kb-no", "没解决")
    assert body["work_order"] is not None
    assert body["work_order"]["appeal_type"] == "咨询"
    assert "转为工单" in body["replies"][0]["text"]


def test_complaints_are_not_answered_from_the_knowledge_base(client: TestClient) -> None:
    body = say(client, "kb-complaint", "小区门口的垃圾堆了一个星期没人清理，臭得不行")
    assert body["work_order"] is not None
    assert all(reply["kind"] != "answer" for reply in body["replies"])


def test_out_of_knowledge_questions_are_not_answered_wrongly(client: TestClient) -> None:
    body = say(client, "kb-unknown", "请问火星移民的签证在哪里办理")
    assert all(reply["kind"] != "answer" for reply in body["replies"])


@pytest.mark.parametrize(
    "question",
    ["社保卡消磁了刷不了，咋补一张", "家里老人瘫在床上，我又没了工作，低保怎么申请"],
)
def test_help_requests_asking_how_are_answered_and_keep_their_type_when_unhelpful(
    client: TestClient, question: str
) -> None:
    session = f"kb-help-{next(_ids)}"
    body = say(client, session, question)
    assert body["work_order"] is None
    assert body["replies"][-1]["kind"] == "answer"
    body = say(client, session, "没解决")
    assert body["work_order"] is not None
    assert body["work_order"]["appeal_type"] in {"求助", "投诉"}


def test_a_complaint_asking_for_action_gets_a_work_order_not_an_article(client: TestClient) -> None:
    body = say(client, "kb-action", "公司拖欠三个月工资了，老板不露面，请你们派人来处理一下")
    assert body["work_order"] is not None
    assert all(reply["kind"] != "answer" for reply in body["replies"])
