"""Variant groups: district copies of one procedure are not each other's rivals in the answer decision."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding import DEFAULT_ENCODER_NAME
from knowledge.evaluation import ScoredSet, report
from knowledge.index import ServedArticle, group_numbers, variant_group
from knowledge.kb import KnowledgeBase
from knowledge.models import ArticleContent, Status
from knowledge.scoring import Calibration, ModeParams, QueryScores
from knowledge.seed import seed_items
from knowledge.store import ArticleStore


def test_titles_differing_by_a_trailing_qualifier_are_variants() -> None:
    assert variant_group("社会保障卡补办（东区）", ()) == variant_group("社会保障卡补办(西区)", ())
    assert variant_group("社会保障卡补办（东区）", ()) == variant_group("社会保障卡补办", ())
    assert variant_group("社会保障卡补办", ()) != variant_group("居民身份证丢失补领", ())
    # A qualifier inside the title is part of the title.
    assert variant_group("预付卡（办卡充值）退费", ()) != variant_group("预付卡退费", ())


def test_a_group_tag_overrides_the_title() -> None:
    assert variant_group("东区办事大厅", ("group:hall",)) == variant_group("西区服务中心", ("其他", "group:hall"))
    assert variant_group("社保卡补办（东区）", ("group:a",)) != variant_group("社保卡补办（西区）", ("group:b",))


def test_indexes_built_before_groups_derive_them_from_the_title() -> None:
    stored = {"id": "ss-001.2", "title": "社会保障卡补办（西山区）", "answer": "……"}
    old = ServedArticle.from_json(stored)
    assert old.group == variant_group("社会保障卡补办", ())
    tagged = replace(old, id="x", group=variant_group("别的标题", ("group:cards",)))
    assert ServedArticle.from_json(tagged.to_json()).group == "tag:cards"
    plain = ServedArticle.from_json({"id": "sfz-001", "title": "居民身份证丢失补领", "answer": "……"})
    assert group_numbers([old, plain, replace(old, id="ss-001.3")]).tolist() == [0, 1, 0]


def _tied_set(groups: list[int] | None) -> ScoredSet:
    d = np.array([0.95, 0.95, 0.80], dtype=np.float32)
    return ScoredSet(
        ["ss-001-east", "ss-001-west", "sfz-001"],
        ["ss-001-east"],
        [QueryScores(np.zeros(3, np.float32), d, np.zeros(3, np.float32), d)],
        None if groups is None else np.array(groups, dtype=np.int64),
    )


def test_evaluation_measures_the_lead_over_another_group() -> None:
    params = ModeParams(threshold=1.2, margin_weight=2.0, floor=0.9)
    # Two variants tie: without groups the lead is 0 and nothing is answered.
    assert report(_tied_set(None), "dense", params).answered_correct == 0.0
    # Same group: the lead is measured against sfz-001 (0.95 + 2 x 0.15 = 1.25).
    assert report(_tied_set([0, 0, 1]), "dense", params).answered_correct == 1.0


def _district(content: ArticleContent, district: str, tags: tuple[str, ...] = ()) -> ArticleContent:
    return replace(
        content,
        title=f"{content.title}（{district}）",
        question=f"{district}{content.question}",
        paraphrases=tuple(f"{district}{p}" for p in content.paraphrases[:3]),
        answer=f"{district}政务服务中心办理。\n{content.answer}",
        tags=content.tags + tags,
    )


def _kb(root: Path, encoder, encoder_dir: Path, tag: bool) -> KnowledgeBase:  # type: ignore[no-untyped-def]
    store = ArticleStore.from_url(f"sqlite:///{root / 'kb.sqlite3'}")
    store.create_schema()
    items = {i.id: i.content for i in seed_items()}
    rows = [(i, items[i], Status.PUBLISHED) for i in ("sfz-001", "gjj-001", "hj-004")]
    for n, district in enumerate(("东湖区", "西山区", "南岭区")):
        # tag=True gives every copy its own group: the decision then sees three rivals.
        tags = (f"group:copy-{n}",) if tag else ()
        rows.append((f"ss-001-{n}", _district(items["ss-001"], district, tags), Status.PUBLISHED))
    store.import_articles(rows, "test")
    kb = KnowledgeBase(store, root / "index", DEFAULT_ENCODER_NAME, encoder_dir, model=encoder)
    kb.reindex()
    kb.set_calibration(
        Calibration(kb.encoder_name, {"fused": ModeParams(threshold=1.0, alpha=1.0, margin_weight=8.0, floor=0.9)})
    )
    return kb


@pytest.fixture(scope="module")
def kbs(encoder, encoder_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    grouped = _kb(tmp_path_factory.mktemp("grouped"), encoder, encoder_dir, tag=False)
    separate = _kb(tmp_path_factory.mktemp("separate"), encoder, encoder_dir, tag=True)
    yield grouped, separate
    grouped.close()
    separate.close()


def test_district_variants_are_answered_and_the_named_district_wins(kbs) -> None:  # type: ignore[no-untyped-def]
    grouped, separate = kbs
    question = "西山区社保卡丢了去哪补办"
    result = grouped.search(question)
    assert result.answer is not None and result.answer.id == "ss-001-1"
    # The lead is over the best article that is not a variant: far larger than over another district's copy.
    rival = max(c.score for c in result.candidates if not c.id.startswith("ss-001-"))
    params = grouped.calibration.params("fused")
    assert result.confidence == pytest.approx(params.confidence(result.candidates[0].score, rival), abs=1e-5)
    ungrouped = separate.search(question)
    assert ungrouped.candidates[0].id == "ss-001-1"
    assert ungrouped.confidence < result.confidence


def test_a_question_no_variant_fits_is_still_refused(kbs) -> None:  # type: ignore[no-untyped-def]
    grouped, _ = kbs
    assert grouped.search("楼上邻居半夜装修太吵了").answer is None
