"""Knowledge-base benchmark: retrieval quality on held-out questions, query latency and index build time.

    python bench/knowledge.py                   # quality + latency/build at 150 and 10,000 articles
    python bench/knowledge.py --full-encode     # also encode all 10,000 synthetic articles (slow on 2 cores)

Quality: thresholds (and the fused mix) are calibrated on the calibration split, figures are reported on
the test split (held-out paraphrases never indexed + out-of-KB questions), for BM25 alone, dense alone and
fused. Latency: end-to-end `KnowledgeBase.search` (NLU tokens, query encoding, BM25, vectors, decision),
one thread.

The 10,000-article KB is a city of districts: every seed article has a variant per district (title
"社会保障卡补办（东湖区）", the district in the standard question and some paraphrases, a district-specific
answer: its service centre and local details), and distinct distractor articles (district facilities'
opening hours, booking and parking: topics the seed does not cover) fill the rest. Variants of one article
form a variant group (knowledge.index.variant_group): the answer decision measures the lead over the best
article of another group. Without --full-encode, vectors are those of the seed and distractor texts plus
noise (same shapes, so the same search cost), and the encoding part of the build time is extrapolated from
the measured throughput on a sample; the printout says which figures are measured and which estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from knowledge import index as index_mod
from knowledge import scoring
from knowledge.embedding import DEFAULT_ENCODER_NAME, default_encoder_dir, load_encoder
from knowledge.encoder.onnx_query import check_agreement
from knowledge.evaluation import LabelledQuestion, calibrate, read_labelled_csv, report, score_set
from knowledge.kb import KnowledgeBase, normalized_question
from knowledge.models import Article, ArticleContent, Status
from knowledge.scoring import MODES, Calibration, load_calibration
from knowledge.seed import EVAL_DIR, SPLITS, eval_rows, seed_items
from knowledge.store import ArticleStore
from knowledge.tokens import normalized_search_tokens

FRESH_CSV = EVAL_DIR / "fresh.csv"
FRESH_B_CSV = EVAL_DIR / "fresh_b.csv"
REPORTED = ("test", "fresh", "fresh_b")
_DISTRICT_NAMES = "东湖 西山 南岭 北塘 中河 青龙 白云 金沙 玉泉 松林 桃源 柳溪 梅园 竹海 兰亭 石桥 红旗 光明 新华 和平"
DISTRICTS = [f"{n}区" for n in _DISTRICT_NAMES.split()] + [f"{n}镇" for n in _DISTRICT_NAMES.split()]
DISTRICTS += [f"{n}街道" for n in _DISTRICT_NAMES.split()]
LOCAL_PLACEHOLDER = "（示例，请按本地实际替换）"
# Distractors: district facilities x what people ask about them. None of it is in the seed KB.
FACILITIES = (
    "图书馆",
    "文化馆",
    "全民健身中心",
    "游泳馆",
    "青少年宫",
    "档案馆",
    "博物馆",
    "科技馆",
    "美术馆",
    "老年大学",
    "工人文化宫",
    "体育公园",
    "湿地公园",
    "植物园",
    "城市规划展览馆",
    "非遗展示馆",
)
FACILITY_TOPICS = (
    ("开放时间", "{f}几点开门几点关门", "{f}周一开不开", "{f}节假日开放吗", "{f}开放时间为每周二至周日 9:00-17:00。"),
    ("预约参观", "{f}要提前预约吗", "去{f}怎么预约", "{f}团体参观怎么约", "{f}个人免预约，团体请提前 3 天电话预约。"),
    ("停车与交通", "{f}有停车场吗", "去{f}坐几路公交", "{f}停车怎么收费", "{f}设停车位 80 个，首小时免费。"),
    ("活动报名", "{f}的公益课怎么报名", "{f}有什么活动", "{f}的讲座在哪看通知", "{f}公益活动在公众号发布，额满即止。"),
    ("失物招领", "在{f}丢了东西去哪找", "{f}捡到的东西放哪", "{f}失物招领处在哪", "{f}失物招领处位于一楼服务台。"),
)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) * 1000.0


def seed_kb(root: Path, encoder_dir: Path | None) -> KnowledgeBase:
    store = ArticleStore.from_url(f"sqlite:///{root / 'kb.sqlite3'}")
    store.create_schema()
    store.import_articles([(i.id, i.content, i.status) for i in seed_items()], "bench")
    return KnowledgeBase(store, root / "index", DEFAULT_ENCODER_NAME, encoder_dir)


def held_out_sets() -> dict[str, list[LabelledQuestion]]:
    """The calibration split (thresholds), the seed's test split and fresh.csv (both reported, never tuned on)."""
    rows = eval_rows()
    sets = {split: [LabelledQuestion(r.question, r.article) for r in rows if r.split == split] for split in SPLITS}
    sets["fresh"] = read_labelled_csv(FRESH_CSV)
    sets["fresh_b"] = read_labelled_csv(FRESH_B_CSV)
    return sets


def quality(kb: KnowledgeBase) -> dict[str, object]:
    sets = held_out_sets()
    started = time.perf_counter()
    scored = {name: score_set(kb, rows) for name, rows in sets.items()}
    seconds = time.perf_counter() - started
    fresh = calibrate(scored["calibration"], kb.encoder_name, source="calibration split")
    shipped = load_calibration(kb.index_dir, kb.encoder_name)
    out: dict[str, object] = {"calibration_params": fresh.to_json(), "shipped_calibration": shipped.to_json()}
    for name, s in scored.items():
        out[name] = [report(s, m, fresh.params(m)).to_json() for m in MODES]
        out[f"{name}_with_shipped"] = [report(s, m, shipped.params(m)).to_json() for m in MODES]
    out["scoring_seconds_per_question"] = seconds / sum(len(r) for r in sets.values())
    return out


def quality_large(kb: KnowledgeBase, calibration: Calibration) -> dict[str, object]:
    """Held-out quality on the synthetic large KB. An answer counts as right when it is a district variant of
    the labelled seed article (`ss-001.3` for `ss-001`); other articles' variants and the distractors are the
    competition. The decision is the search's: lead over the best article outside the top one's group."""
    sets = held_out_sets()
    index = kb.index
    seed_of = np.array([a.id.split(".", 1)[0] for a in index.articles])
    distractor = np.array([a.id.startswith("local-") for a in index.articles])
    out: dict[str, object] = {}
    for name in REPORTED:
        rows = sets[name]
        scores = [kb.scores(r.question)[1] for r in rows]
        reports = []
        for mode in MODES:
            params = calibration.params(mode)
            top1 = rr = refused = answered_right = answered_distractor = 0.0
            # The rule before variant groups (lead over the next article, whatever it is), for comparison.
            refused_plain = answered_right_plain = 0.0
            for row, sc in zip(rows, scores, strict=True):
                values = sc.mode(mode, params.alpha)
                order = np.argsort(-values, kind="stable")
                top = float(values[order[0]])
                others = values[index.groups != index.groups[order[0]]]
                decided = params.answers(top, float(others.max()) if len(others) else 0.0)
                plain = params.answers(top, float(values[order[1]]) if len(order) > 1 else 0.0)
                if not row.article:
                    refused += not decided
                    refused_plain += not plain
                    answered_distractor += decided and bool(distractor[order[0]])
                    continue
                ranked = list(dict.fromkeys(seed_of[order[:400]].tolist()))
                rank = ranked.index(row.article) + 1 if row.article in ranked else 0
                top1 += rank == 1
                rr += 1.0 / rank if 1 <= rank <= 5 else 0.0
                answered_right += decided and rank == 1
                answered_right_plain += plain and rank == 1
            n_in = sum(1 for r in rows if r.article)
            n_out = len(rows) - n_in
            reports.append(
                {
                    "mode": mode,
                    "top1": round(top1 / n_in, 4),
                    "mrr5": round(rr / n_in, 4),
                    "correct_refusal": round(refused / n_out, 4),
                    "answered_correct": round(answered_right / n_in, 4),
                    # Out-of-KB questions answered with a distractor (a facility article): arguably not wrong.
                    "out_of_kb_answered_with_distractor": int(answered_distractor),
                    "without_groups": {
                        "correct_refusal": round(refused_plain / n_out, 4),
                        "answered_correct": round(answered_right_plain / n_in, 4),
                    },
                }
            )
        out[name] = reports
    return out


def latency(kb: KnowledgeBase, questions: list[str]) -> dict[str, float]:
    """Wall-clock and CPU time per search. The machine is shared, so wall time includes waiting for a core;
    process CPU time (one torch/ONNX Runtime thread, one BLAS thread) is the cost on one core. Stages are
    timed separately on the same question just before the full search: normalise + segment, query encoding,
    and the rest (BM25, vectors, fusion, decision, candidates) as search minus the first two."""
    kb.search(questions[0])  # warm-up
    wall: list[float] = []
    cpu: list[float] = []
    encode_cpu: list[float] = []
    text_cpu: list[float] = []
    for q in questions:
        c0 = time.process_time()
        text = normalized_question(q)
        normalized_search_tokens(text)
        c1 = time.process_time()
        kb.encode_query(q, text)
        c2, t2 = time.process_time(), time.perf_counter()
        kb.search(q)
        t3, c3 = time.perf_counter(), time.process_time()
        text_cpu.append(c1 - c0)
        encode_cpu.append(c2 - c1)
        wall.append(t3 - t2)
        cpu.append(c3 - c2)
    retrieval_cpu = [max(0.0, t - e - x) for t, e, x in zip(cpu, encode_cpu, text_cpu, strict=True)]
    return {
        "queries": len(questions),
        "search_wall_p50_ms": percentile(wall, 50),
        "search_wall_p99_ms": percentile(wall, 99),
        "search_cpu_p50_ms": percentile(cpu, 50),
        "search_cpu_p99_ms": percentile(cpu, 99),
        "normalise_segment_cpu_p50_ms": percentile(text_cpu, 50),
        "normalise_segment_cpu_p99_ms": percentile(text_cpu, 99),
        "query_encoding_cpu_p50_ms": percentile(encode_cpu, 50),
        "query_encoding_cpu_p99_ms": percentile(encode_cpu, 99),
        "retrieval_cpu_p50_ms": percentile(retrieval_cpu, 50),
        "retrieval_cpu_p99_ms": percentile(retrieval_cpu, 99),
    }


def prefilter_agreement(kb: KnowledgeBase, questions: list[str]) -> dict[str, float]:
    """Share of questions whose fused top-1 article is the same with the coarse pass as with exact scoring."""
    params = kb.calibration.params("fused")
    same = 0
    saved = scoring.PREFILTER_ABOVE
    for q in questions:
        fast = kb.scores(q)[1].mode("fused", params.alpha)
        scoring.PREFILTER_ABOVE = 10**9
        try:
            exact = kb.scores(q)[1].mode("fused", params.alpha)
        finally:
            scoring.PREFILTER_ABOVE = saved
        same += int(np.argmax(fast) == np.argmax(exact))
    return {"questions": len(questions), "same_top1": same / len(questions)}


def encoder_agreement(kb: KnowledgeBase, questions: list[str]) -> dict[str, object]:
    fast = kb.query_encoder()
    if fast is None:
        return {"query_encoder": "torch"}
    texts = [normalized_question(q) for q in questions]
    return {"query_encoder": fast.path.name, **check_agreement(fast, kb.model, texts)}


def _variant(content: ArticleContent, district: str, copy: int) -> ArticleContent:
    """The district's own version: its name in the title, the standard question, every other paraphrase and
    the answer (service centre, local details instead of the seed's placeholders)."""
    paraphrases = tuple(f"{district}{p}" if i % 2 == 0 else p for i, p in enumerate(content.paraphrases))
    answer = content.answer.replace(LOCAL_PLACEHOLDER, f"（{district}）")
    centre = f"{district}政务服务中心（{district}人民路 {copy + 1} 号）"
    return replace(
        content,
        title=f"{content.title}（{district}）",
        question=f"{district}{content.question}",
        paraphrases=paraphrases,
        answer=f"{district}办理地点：{centre}，工作日 9:00-17:00。\n{answer}",
    )


def distractors() -> list[Article]:
    """Distinct articles on topics the seed does not cover: facilities x what people ask about them."""
    out = []
    for f_pos, facility in enumerate(FACILITIES):
        for t_pos, (topic, question, p1, p2, answer) in enumerate(FACILITY_TOPICS):
            content = ArticleContent(
                title=f"{facility}{topic}",
                question=question.format(f=facility),
                answer=answer.format(f=facility),
                paraphrases=(p1.format(f=facility), p2.format(f=facility)),
                category="文化体育/场馆服务",
            )
            out.append(Article(f"local-{f_pos}-{t_pos}", content, Status.PUBLISHED))
    return out


def synthesise(articles: list[Article], target: int) -> tuple[list[Article], dict[str, str]]:
    """`target` articles: district variants of the seed (about 60%) and of the distractors (the rest);
    returns text -> base text (the seed or distractor text whose vector a variant borrows)."""
    bases = distractors()
    n_seed = min(target, max(len(articles), round(target * 0.6)))
    out: list[Article] = []
    origin: dict[str, str] = {}
    for pool, quota in ((articles, n_seed), (bases, target - n_seed)):
        made = 0
        copy = 0
        while made < quota:
            district = DISTRICTS[copy % len(DISTRICTS)] + (
                str(copy // len(DISTRICTS)) if copy >= len(DISTRICTS) else ""
            )
            for article in pool:
                if made >= quota:
                    break
                c = article.content
                content = _variant(c, district, copy)
                origin[content.title] = c.title
                for seed_text, new_text in zip(c.questions(), content.questions(), strict=True):
                    origin[new_text] = seed_text
                origin[index_mod.answer_passage(Article("", content))] = index_mod.answer_passage(article)
                out.append(Article(f"{article.id}.{copy}", content, Status.PUBLISHED))
                made += 1
            copy += 1
    return out, origin


def build_large(kb: KnowledgeBase, n: int, full_encode: bool, root: Path) -> dict[str, object]:
    seeds = kb.store.servable(__import__("datetime").date.today())
    articles, origin = synthesise(seeds, n)
    rng = np.random.default_rng(0)
    seed_vectors: dict[tuple[str, str], np.ndarray] = {}

    def encode_real(texts: list[str], kind: str) -> np.ndarray:
        return kb._encode_docs(texts, kind)

    def encode_borrowed(texts: list[str], kind: str) -> np.ndarray:
        # Seed vector + small noise, renormalised: the search cost of real vectors, none of the encoding.
        missing = list(dict.fromkeys(origin[t] for t in texts if (origin[t], kind) not in seed_vectors))
        if missing:
            for text, vector in zip(missing, kb._encode_docs(missing, kind), strict=True):
                seed_vectors[(text, kind)] = vector
        base = np.stack([seed_vectors[(origin[t], kind)] for t in texts])
        noisy = base + rng.normal(0, 0.01, base.shape).astype(np.float32)
        normalised: np.ndarray = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
        return normalised

    # Encoding throughput on a sample of the synthetic texts (measured), to extrapolate the full build.
    sample_q = [t for t in origin if "\n" not in t][:256]
    sample_a = [t for t in origin if "\n" in t][:64]
    t0 = time.perf_counter()
    kb._encode_docs(sample_q, "question")
    t1 = time.perf_counter()
    kb._encode_docs(sample_a, "answer")
    t2 = time.perf_counter()
    n_docs = sum(len(index_mod.article_docs(a)) for a in articles)
    per_q, per_a = (t1 - t0) / len(sample_q), (t2 - t1) / len(sample_a)
    encode_estimate = n_docs * per_q + len(articles) * per_a

    index_dir = root / f"index-{n}"
    # Prime the borrowed vectors so the timed build measures tokenising, BM25, writing, not seed encoding.
    if not full_encode:
        encode_borrowed([t for t in origin if "\n" not in t], "question")
        encode_borrowed([t for t in origin if "\n" in t], "answer")
    started = time.perf_counter()
    index_mod.build(index_dir, articles, encode_real if full_encode else encode_borrowed, "bench", 1)
    build_seconds = time.perf_counter() - started
    large = KnowledgeBase(kb.store, index_dir, DEFAULT_ENCODER_NAME, model=kb.model)
    large.reload_if_changed()
    large.set_calibration(kb.calibration)
    return {
        "articles": len(articles),
        "phrasings": n_docs,
        "build_seconds_measured": build_seconds,
        "build_includes_encoding": full_encode,
        "encoding_seconds_per_phrasing": per_q,
        "encoding_seconds_per_answer": per_a,
        "encoding_seconds_estimated": None if full_encode else encode_estimate,
        "build_seconds_total_estimated": build_seconds if full_encode else build_seconds + encode_estimate,
        "_kb": large,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", type=int, default=10_000, help="articles in the synthetic timing run")
    parser.add_argument("--queries", type=int, default=200, help="queries per latency run")
    parser.add_argument("--full-encode", action="store_true", help="really encode the synthetic articles")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(1)
    results: dict[str, object] = {"torch_threads": torch.get_num_threads(), "load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        model = load_encoder(None, default_encoder_dir())
        results["encoder_load_seconds"] = time.perf_counter() - started
        kb = seed_kb(root, None)
        kb._model = model
        kb._query_prompt, kb._doc_prompt = "query", "passage"
        started = time.perf_counter()
        kb.reindex()
        results["build_150"] = {
            "articles": kb.index.meta["articles"],
            "phrasings": kb.index.meta["docs"],
            "build_seconds_cold": time.perf_counter() - started,
        }
        started = time.perf_counter()
        kb.reindex()
        results["build_150"]["rebuild_seconds_cached"] = time.perf_counter() - started  # type: ignore[index]
        results["quality"] = quality(kb)
        # The large KB and the latency runs use the calibration just computed on the calibration split.
        kb.set_calibration(Calibration.from_json(results["quality"]["calibration_params"]))  # type: ignore[index]
        questions = [r.question for r in eval_rows()][: args.queries]
        results["latency_150"] = latency(kb, questions)
        large = build_large(kb, args.large, args.full_encode, root)
        large_kb = large.pop("_kb")
        results[f"build_{args.large}"] = large
        results[f"latency_{args.large}"] = latency(large_kb, questions)  # type: ignore[arg-type]
        results[f"quality_{args.large}"] = quality_large(large_kb, kb.calibration)  # type: ignore[arg-type]
        results[f"prefilter_{args.large}"] = prefilter_agreement(large_kb, questions)  # type: ignore[arg-type]
        results["query_encoder_agreement"] = encoder_agreement(kb, [r.question for r in eval_rows()])
        results["load_average_end"] = os.getloadavg()
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2, default=float))
    else:
        print_table(results, args.large)
    return 0


def print_table(results: dict[str, object], large: int) -> None:
    q = results["quality"]
    assert isinstance(q, dict)
    print(f"load average {results['load_average']} -> {results['load_average_end']}; torch threads 1")
    for name in (*REPORTED, "calibration"):
        title = "calibration split (where thresholds were chosen)" if name == "calibration" else f"held-out {name}"
        print(f"\n{title}, 150 articles:")
        print(
            f"{'mode':6s} {'top-1':>6s} {'MRR@5':>6s} {'refusal':>8s} {'answered':>9s} "
            f"{'wrong':>6s} {'thr':>6s} {'alpha':>5s} {'margin':>6s}"
        )
        for r in q[name]:
            print(
                f"{r['mode']:6s} {r['top1']:6.3f} {r['mrr5']:6.3f} {r['correct_refusal']:8.3f} "
                f"{r['answered_correct']:9.3f} {r['wrong_answers']:6d} {r['threshold']:6.3f} {r['alpha']:5.2f} "
                f"{r['margin_weight']:6.1f}"
            )
    ql = results[f"quality_{large}"]
    assert isinstance(ql, dict)
    for name, reports in ql.items():
        print(f"\nheld-out {name}, {large} articles (a district variant of the labelled article counts as right):")
        for r in reports:
            print(
                f"{r['mode']:6s} top-1 {r['top1']:.3f} MRR@5 {r['mrr5']:.3f} "
                f"refusal {r['correct_refusal']:.3f} answered {r['answered_correct']:.3f} "
                f"(out-of-KB answered with a distractor: {r['out_of_kb_answered_with_distractor']}; lead over the "
                f"next article instead: refusal {r['without_groups']['correct_refusal']:.3f} "
                f"answered {r['without_groups']['answered_correct']:.3f})"
            )
    print(f"\ncoarse pass at {large}: {results[f'prefilter_{large}']}")
    print(f"query encoder vs float model: {results['query_encoder_agreement']}")
    for key in ("latency_150", f"latency_{large}"):
        lat = results[key]
        assert isinstance(lat, dict)
        print(
            f"\n{key}: search CPU p50 {lat['search_cpu_p50_ms']:.1f} ms, p99 {lat['search_cpu_p99_ms']:.1f} ms "
            f"(normalise+segment p50 {lat['normalise_segment_cpu_p50_ms']:.1f} ms; query encoding p50 "
            f"{lat['query_encoding_cpu_p50_ms']:.1f} ms, p99 {lat['query_encoding_cpu_p99_ms']:.1f} ms; retrieval p50 "
            f"{lat['retrieval_cpu_p50_ms']:.1f} ms, p99 {lat['retrieval_cpu_p99_ms']:.1f} ms); wall p50 "
            f"{lat['search_wall_p50_ms']:.1f} ms, p99 {lat['search_wall_p99_ms']:.1f} ms"
        )
    b150 = results["build_150"]
    assert isinstance(b150, dict)
    print(
        f"\nbuild 150: {b150['articles']} articles / {b150['phrasings']} phrasings: "
        f"cold {b150['build_seconds_cold']:.1f} s,"
        f" rebuild with cache {b150['rebuild_seconds_cached']:.2f} s"
    )
    bl = results[f"build_{large}"]
    assert isinstance(bl, dict)
    kind = "measured incl. encoding" if bl["build_includes_encoding"] else "measured without encoding"
    print(
        f"build {large}: {bl['articles']} articles / {bl['phrasings']} phrasings: {bl['build_seconds_measured']:.1f} s "
        f"({kind}); encoding {bl['encoding_seconds_per_phrasing'] * 1000:.1f} ms/phrasing, "
        f"{bl['encoding_seconds_per_answer'] * 1000:.1f} ms/answer "
        f"-> total about {bl['build_seconds_total_estimated']:.0f} s"
    )


if __name__ == "__main__":
    raise SystemExit(main())
