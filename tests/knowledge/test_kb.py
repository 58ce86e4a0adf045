"""KnowledgeBase end to end on a small knowledge base: answers, refusals, workflow, reload across processes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from knowledge.embedding import DEFAULT_ENCODER_NAME
from knowledge.evaluation import LabelledQuestion, calibrate, score_set
from knowledge.kb import KnowledgeBase
from knowledge.models import Status
from knowledge.seed import eval_rows, seed_items
from knowledge.store import ArticleStore

PICK = [
    "ss-001",
    "sfz-001",
    "gjj-001",
    "gjj-002",
    "crj-001",
    "ut-003",
    "lb-001",
    "xf-002",
    "mz-001",
    "tax-001",
    "edu-001",
    "jt-001",
]


@pytest.fixture(scope="module")
def small_kb(encoder, encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("kb")
    store = ArticleStore.from_url(f"sqlite:///{root / 'kb.sqlite3'}")
    store.create_schema()
    items = {i.id: i for i in seed_items()}
    store.import_articles([(i, items[i].content, Status.PUBLISHED) for i in PICK], "test")
    kb = KnowledgeBase(store, root / "index", DEFAULT_ENCODER_NAME, encoder_dir, model=encoder)
    kb.reindex()
    # The shipped calibration belongs to the whole seed KB (its margins assume neighbouring articles); like
    # a maintainer with a different KB (`hotline kb calibrate`), calibrate on this KB's share of the
    # calibration split: its articles' held-out questions and the out-of-KB ones.
    rows = [LabelledQuestion(r.question, r.article) for r in eval_rows() if r.split == "calibration"]
    mine = [r for r in rows if r.article in PICK or not r.article]
    kb.set_calibration(calibrate(score_set(kb, mine), kb.encoder_name, source="test: calibration split"))
    return kb


def _other_process(kb: KnowledgeBase) -> KnowledgeBase:
    """A second KnowledgeBase on the same database and index folder, like another gateway process."""
    return KnowledgeBase(ArticleStore(kb.store.engine), kb.index_dir, kb.encoder_name, model=kb.model)


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("身份证丢了怎么补办？", "sfz-001"),
        ("社保卡弄丢了去哪里补", "ss-001"),
        ("租房子可以提取公积金吗", "gjj-002"),
        ("闻到家里有很重的煤气味怎么办！！", "ut-003"),
        ("個稅年度匯算怎麼辦理", "tax-001"),
        ("网上买的衣服不想要了，七天内能退吗", "xf-002"),
    ],
)
def test_answers_with_the_right_article(small_kb: KnowledgeBase, question: str, article: str) -> None:
    result = small_kb.search(question)
    assert result.candidates[0].id == article
    assert result.answer is not None and result.answer.id == article
    assert result.answer.source and result.confidence >= result.threshold


@pytest.mark.parametrize(
    "question",
    ["楼上邻居天天半夜跺脚吵得睡不着", "明天会下雨吗", "小区门口烧烤摊油烟太大了", "公园里能不能放风筝"],
)
def test_refuses_what_the_kb_does_not_cover(small_kb: KnowledgeBase, question: str) -> None:
    result = small_kb.search(question)
    assert result.answer is None
    assert len(result.candidates) == 5


@pytest.mark.parametrize("mode", ["bm25", "dense", "fused"])
def test_every_mode_ranks(small_kb: KnowledgeBase, mode: str) -> None:
    result = small_kb.search("护照在哪里办理，要多少钱", mode=mode)
    assert result.candidates[0].id == "crj-001" and result.mode == mode


def test_json_shape(small_kb: KnowledgeBase) -> None:
    payload = small_kb.search("身份证丢了怎么补办？", top_k=3).to_json()
    assert set(payload) == {"answer", "candidates"}
    assert {"id", "title", "answer", "score"} <= set(payload["answer"])  # type: ignore[arg-type]
    assert [set(c) for c in payload["candidates"]] == [{"id", "title", "score"}] * 3  # type: ignore[union-attr]


def test_empty_question(small_kb: KnowledgeBase) -> None:
    result = small_kb.search("   ")
    assert result.answer is None and result.candidates == []


def test_articles_outside_their_window_are_not_served_even_before_reindex(small_kb: KnowledgeBase) -> None:
    result = small_kb.search("身份证丢了怎么补办？", today=date(2023, 6, 1))  # before valid_from 2024-01-01
    assert all(c.id != "sfz-001" for c in result.candidates)


def test_retire_reindex_and_reload_in_another_process(small_kb: KnowledgeBase) -> None:
    other = _other_process(small_kb)
    assert other.reload_if_changed() is True
    assert other.reload_if_changed() is False
    assert other.search("社保卡弄丢了去哪里补").candidates[0].id == "ss-001"

    small_kb.store.transition("ss-001", Status.EXPIRED, "审核员")
    small_kb.reindex()
    assert other.reload_if_changed() is True
    assert all(c.id != "ss-001" for c in other.search("社保卡弄丢了去哪里补").candidates)

    # Reopen, edit, review, publish: served again with the new answer after a refresh.
    store = small_kb.store
    store.transition("ss-001", Status.DRAFT, "编辑")
    article = store.get("ss-001")
    store.update("ss-001", replace(article.content, answer=article.content.answer + "\n（已更新）"), "编辑")
    store.transition("ss-001", Status.REVIEW, "编辑")
    store.transition("ss-001", Status.PUBLISHED, "审核员")
    assert other.refresh() is True
    answer = other.search("社保卡弄丢了去哪里补").answer
    assert answer is not None and answer.id == "ss-001" and answer.answer.endswith("（已更新）")
    assert small_kb.reload_if_changed() is True


def test_reindex_only_encodes_new_phrasings(small_kb: KnowledgeBase) -> None:
    calls: list[int] = []
    original = small_kb._encode_docs

    def counting(texts: list[str], kind: str):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return original(texts, kind)

    small_kb._encode_docs = counting  # type: ignore[method-assign]
    try:
        small_kb.reindex()
        assert calls == []
        article = small_kb.store.get("gjj-001")
        content = replace(article.content, paraphrases=(*article.content.paraphrases, "公积金的钱怎么才能拿出来"))
        small_kb.store.import_articles([("gjj-001", content, Status.PUBLISHED)], "test")
        small_kb.reindex()
        assert calls == [1]
    finally:
        del small_kb._encode_docs


def test_open_builds_a_missing_index(encoder_dir: Path, small_kb: KnowledgeBase, tmp_path: Path) -> None:
    url = str(small_kb.store.engine.url)
    kb = KnowledgeBase.open(url, tmp_path / "fresh-index", DEFAULT_ENCODER_NAME, encoder_dir=encoder_dir)
    try:
        assert kb.index.meta["articles"] == len(small_kb.index.articles)
        assert kb.index_revision() == kb.store.revision()
    finally:
        kb.close()


def test_future_article_goes_live_on_its_first_day_without_reindex(small_kb: KnowledgeBase) -> None:
    items = {i.id: i for i in seed_items()}
    start = date(2031, 1, 1)
    content = replace(items["mz-004"].content, valid_from=start)
    small_kb.store.import_articles([("mz-004", content, Status.PUBLISHED)], "test")
    small_kb.reindex(today=date(2030, 12, 1))
    question = "家里困难可以吃低保吗"
    assert all(c.id != "mz-004" for c in small_kb.search(question, today=date(2030, 12, 31)).candidates)
    assert small_kb.search(question, today=start).candidates[0].id == "mz-004"


QUERIES = [
    "社保卡掉了咋整啊😭",
    "護照過期了要怎麼換新的",
    "公积斤能不能拿来付房租",
    "我想问一下，老板拖欠了我三个月工资，电话也不接，我应该去哪里申请劳动仲裁？需要准备什么材料？",
]


def test_onnx_query_encoder_agrees_with_the_float_model(small_kb: KnowledgeBase) -> None:
    from knowledge.encoder.onnx_query import check_agreement
    from knowledge.kb import normalized_question

    fast = small_kb.query_encoder()
    assert fast is not None and fast.path.name.endswith("-int8.onnx")
    agreement = check_agreement(fast, small_kb.model, [normalized_question(q) for q in QUERIES])
    assert agreement["min"] >= 0.98


@pytest.mark.parametrize("question", QUERIES)
def test_coarse_pass_keeps_the_exact_ranking_leader(
    small_kb: KnowledgeBase, question: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from knowledge import scoring

    exact = small_kb.search(question, top_k=3)
    # Force the large-KB path on 12 articles: only 3 coarse + 2 BM25 candidates are scored exactly.
    monkeypatch.setattr(scoring, "PREFILTER_ABOVE", 0)
    monkeypatch.setattr(scoring, "COARSE_KEEP", 3)
    monkeypatch.setattr(scoring, "BM25_KEEP", 2)
    fast = small_kb.search(question, top_k=3)
    assert fast.candidates[0].id == exact.candidates[0].id
    assert fast.candidates[0].score == pytest.approx(exact.candidates[0].score, abs=1e-5)
