"""Knowledge-base benchmark: retrieval quality on held-out questions, query latency and index build time.

    python bench/knowledge.py                   # quality + latency/build at 150 and 10,000 articles
    python bench/knowledge.py --full-encode     # also encode all 10,000 synthetic articles (slow on 2 cores)

Quality: thresholds (and the fused mix) are calibrated on the calibration split, figures are reported on
the test split (held-out paraphrases never indexed + out-of-KB questions), for BM25 alone, dense alone and
fused. Latency: end-to-end `KnowledgeBase.search` (NLU tokens, query encoding, BM25, vectors, decision),
one thread. The 10,000-article KB is synthesised from the seed articles (each copied with a district name
into every title and phrasing) for timing only. Without --full-encode, its vectors are the seed vectors
plus noise (same shapes, so the same search cost), and the encoding part of the build time is extrapolated
from the measured throughput on a sample; the printout says which figures are measured and which estimated.
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
from knowledge.embedding import DEFAULT_ENCODER_NAME, default_encoder_dir, load_encoder
from knowledge.evaluation import LabelledQuestion, calibrate, report, score_set
from knowledge.kb import KnowledgeBase
from knowledge.models import Article, Status
from knowledge.scoring import MODES, load_calibration
from knowledge.seed import eval_rows, seed_items
from knowledge.store import ArticleStore

DISTRICTS = [f"{name}区" for name in "东西南北中"] + [f"第{n}片区" for n in range(1, 200)]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q)) * 1000.0


def seed_kb(root: Path, encoder_dir: Path | None) -> KnowledgeBase:
    store = ArticleStore.from_url(f"sqlite:///{root / 'kb.sqlite3'}")
    store.create_schema()
    store.import_articles([(i.id, i.content, i.status) for i in seed_items()], "bench")
    return KnowledgeBase(store, root / "index", DEFAULT_ENCODER_NAME, encoder_dir)


def quality(kb: KnowledgeBase) -> dict[str, object]:
    rows = eval_rows()
    cal = [LabelledQuestion(r.question, r.article) for r in rows if r.split == "calibration"]
    test = [LabelledQuestion(r.question, r.article) for r in rows if r.split == "test"]
    started = time.perf_counter()
    cal_scored, test_scored = score_set(kb, cal), score_set(kb, test)
    seconds = time.perf_counter() - started
    fresh = calibrate(cal_scored, kb.encoder_name, source="calibration split")
    shipped = load_calibration(kb.index_dir, kb.encoder_name)
    return {
        "calibration": fresh.to_json(),
        "shipped_calibration": shipped.to_json(),
        "test": [report(test_scored, m, fresh.params(m)).to_json() for m in MODES],
        "calibration_split": [report(cal_scored, m, fresh.params(m)).to_json() for m in MODES],
        "test_with_shipped": [report(test_scored, m, shipped.params(m)).to_json() for m in MODES],
        "scoring_seconds_per_question": seconds / (len(cal) + len(test)),
    }


def latency(kb: KnowledgeBase, questions: list[str]) -> dict[str, float]:
    """Wall-clock and CPU time per search. The machine is shared, so wall time includes waiting for a core;
    process CPU time (one torch thread, one BLAS thread) is the cost on one core."""
    kb.search(questions[0])  # warm-up
    wall: list[float] = []
    cpu: list[float] = []
    encode_cpu: list[float] = []
    for q in questions:
        c0 = time.process_time()
        kb.encode_query(q)
        c1, t1 = time.process_time(), time.perf_counter()
        kb.search(q)
        t2, c2 = time.perf_counter(), time.process_time()
        encode_cpu.append(c1 - c0)
        wall.append(t2 - t1)
        cpu.append(c2 - c1)
    retrieval_cpu = [max(0.0, t - e) for t, e in zip(cpu, encode_cpu, strict=True)]
    return {
        "queries": len(questions),
        "search_wall_p50_ms": percentile(wall, 50),
        "search_wall_p99_ms": percentile(wall, 99),
        "search_cpu_p50_ms": percentile(cpu, 50),
        "search_cpu_p99_ms": percentile(cpu, 99),
        "query_encoding_cpu_p50_ms": percentile(encode_cpu, 50),
        "retrieval_cpu_p50_ms": percentile(retrieval_cpu, 50),
        "retrieval_cpu_p99_ms": percentile(retrieval_cpu, 99),
    }


def synthesise(articles: list[Article], target: int) -> tuple[list[Article], dict[str, str]]:
    """`target` articles: copies of the seed with a district in every text; returns text -> seed text."""
    out: list[Article] = []
    origin: dict[str, str] = {}
    copy = 0
    while len(out) < target:
        district = DISTRICTS[copy % len(DISTRICTS)] + (str(copy // len(DISTRICTS)) if copy >= len(DISTRICTS) else "")
        for article in articles:
            if len(out) >= target:
                break
            c = article.content
            texts = {c.title: f"{c.title}（{district}）", c.question: f"{district}{c.question}"}
            texts.update({p: f"{district}{p}" for p in c.paraphrases})
            content = replace(
                c,
                title=texts[c.title],
                question=texts[c.question],
                paraphrases=tuple(texts[p] for p in c.paraphrases),
                answer=f"{district}：{c.answer}",
            )
            for seed_text, new_text in texts.items():
                origin[new_text] = seed_text
            origin[index_mod.answer_passage(Article("", content))] = index_mod.answer_passage(article)
            out.append(Article(f"{article.id}-{copy}", content, Status.PUBLISHED))
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
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)

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
        questions = [r.question for r in eval_rows()][: args.queries]
        results["latency_150"] = latency(kb, questions)
        large = build_large(kb, args.large, args.full_encode, root)
        large_kb = large.pop("_kb")
        results[f"build_{args.large}"] = large
        results[f"latency_{args.large}"] = latency(large_kb, questions)  # type: ignore[arg-type]
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
    print("\nheld-out test split (thresholds calibrated on the calibration split):")
    print(
        f"{'mode':6s} {'top-1':>6s} {'MRR@5':>6s} {'refusal':>8s} {'answered':>9s} "
        f"{'wrong':>6s} {'thr':>6s} {'alpha':>5s}"
    )
    for r in q["test"]:
        print(
            f"{r['mode']:6s} {r['top1']:6.3f} {r['mrr5']:6.3f} {r['correct_refusal']:8.3f} "
            f"{r['answered_correct']:9.3f} {r['wrong_answers']:6d} {r['threshold']:6.3f} {r['alpha']:5.2f}"
        )
    print("(same, with the shipped knowledge/data/calibration.json):")
    for r in q["test_with_shipped"]:
        print(
            f"{r['mode']:6s} top-1 {r['top1']:.3f} MRR@5 {r['mrr5']:.3f} "
            f"refusal {r['correct_refusal']:.3f} wrong {r['wrong_answers']}"
        )
    for key in ("latency_150", f"latency_{large}"):
        lat = results[key]
        assert isinstance(lat, dict)
        print(
            f"\n{key}: search CPU p50 {lat['search_cpu_p50_ms']:.1f} ms, p99 {lat['search_cpu_p99_ms']:.1f} ms "
            f"(query encoding p50 {lat['query_encoding_cpu_p50_ms']:.1f} ms; retrieval p50 "
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
