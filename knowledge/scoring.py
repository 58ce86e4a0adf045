"""Per-article scores for one query, fusion, and the calibrated answer thresholds.

BM25 scores are made comparable across queries by dividing by the query's own idf mass (the score a
short document containing every query token once would get), so 1.0 means "every informative word
matched" and an unmatched rare word lowers the score. Dense scores are cosines. The fused score is
alpha * dense + (1 - alpha) * bm25; `alpha` and each mode's threshold come from calibration.

The answer decision looks at the confidence top + margin_weight x (top - runner-up): a question that two
articles fit almost equally well is ambiguous, and a wrong answer costs more than a work order. The margin
weight and the threshold are calibrated together on the calibration split (evaluation.calibrate). The
runner-up is the best article outside the top article's variant group (index.variant_group): the district
variants of one procedure are not rivals, so a 10,000-article KB of per-district articles still answers.
Near duplicates under unrelated titles still lower the margin: merge them, or tag them "group:<key>".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.errors import KnowledgeError
from knowledge.index import IndexData, Vector

MODES = ("fused", "bm25", "dense")
SHIPPED_CALIBRATION = Path(__file__).with_name("data") / "calibration.json"
CALIBRATION_FILE = "calibration.json"
# Dense article score = QUESTION_WEIGHT x (soft maximum of the cosines of the article's phrasings)
# + the rest x (cosine of the answer passage). The soft maximum (log-sum-exp at POOL_TEMPERATURE) lets
# an article whose several phrasings all come close beat one with a single lucky match; the answer's
# own words catch questions phrased around the content. Both chosen on the calibration split
# (top-1: plain max of phrasings 0.76; + answer 0.79; soft maximum + answer 0.81).
QUESTION_WEIGHT = 0.6
POOL_TEMPERATURE = 0.03


@dataclass(frozen=True)
class ModeParams:
    threshold: float
    alpha: float = 0.5
    margin_weight: float = 0.0
    # The best score itself must reach `floor`: in a sparse knowledge base every runner-up is far away and
    # the margin alone would carry a weak match over the threshold.
    floor: float = 0.0

    def confidence(self, top: float, runner_up: float) -> float:
        """What the threshold is compared with: the best score plus its weighted lead over the next article."""
        return top + self.margin_weight * (top - runner_up)

    def answers(self, top: float, runner_up: float) -> bool:
        return top >= self.floor and self.confidence(top, runner_up) >= self.threshold


@dataclass(frozen=True)
class Calibration:
    encoder: str
    modes: dict[str, ModeParams]
    source: str = ""

    def params(self, mode: str) -> ModeParams:
        if mode not in self.modes:
            raise KnowledgeError(f"no calibration for mode {mode!r} (have {', '.join(self.modes)})")
        return self.modes[mode]

    def to_json(self) -> dict[str, Any]:
        return {
            "encoder": self.encoder,
            "source": self.source,
            "modes": {
                m: {"threshold": p.threshold, "alpha": p.alpha, "margin_weight": p.margin_weight, "floor": p.floor}
                for m, p in self.modes.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        modes = {
            m: ModeParams(
                float(p["threshold"]),
                float(p.get("alpha", 0.5)),
                float(p.get("margin_weight", 0.0)),
                float(p.get("floor", 0.0)),
            )
            for m, p in data["modes"].items()
        }
        return cls(str(data.get("encoder", "")), modes, str(data.get("source", "")))


def load_calibration(index_dir: Path, encoder: str) -> Calibration:
    """The maintainers' calibration in the index folder if present, else the one shipped for the seed KB."""
    for path in (index_dir / CALIBRATION_FILE, SHIPPED_CALIBRATION):
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data if isinstance(data, list) else [data]
            for entry in entries:
                if entry.get("encoder") == encoder:
                    return Calibration.from_json(entry)
            if entries:
                return Calibration.from_json(entries[0])
    raise KnowledgeError("no answer-threshold calibration found; run `hotline kb calibrate`")


def save_calibration(index_dir: Path, calibration: Calibration) -> Path:
    path = index_dir / CALIBRATION_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(calibration.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class QueryScores:
    """Scores of every article in the index for one query (positions follow `IndexData.articles`)."""

    bm25: npt.NDArray[np.float32]
    dense: npt.NDArray[np.float32]
    bm25_doc: npt.NDArray[np.float32]
    dense_doc: npt.NDArray[np.float32]

    def mode(self, mode: str, alpha: float) -> npt.NDArray[np.float32]:
        if mode == "bm25":
            return self.bm25
        if mode == "dense":
            return self.dense
        if mode == "fused":
            return (alpha * self.dense + (1.0 - alpha) * self.bm25).astype(np.float32)
        raise KnowledgeError(f"unknown search mode {mode!r}; use one of {', '.join(MODES)}")


# Above this many articles the dense score is computed exactly only for candidates: the COARSE_KEEP articles
# whose coarse vector is closest plus the BM25_KEEP best by BM25. Scanning every phrasing vector of 10,000
# articles (92 MB) cost 16 ms per query, memory-bound; the coarse pass reads 15 MB. Others keep their coarse
# cosine as dense score (ranked below the candidates in practice: bench/knowledge.py checks top-1 agreement).
PREFILTER_ABOVE = 2000
COARSE_KEEP = 300
BM25_KEEP = 100


def score(index: IndexData, tokens: list[str], query_vector: Vector | None) -> QueryScores:
    n = len(index.articles)
    if n == 0:
        empty = np.zeros(0, dtype=np.float32)
        return QueryScores(empty, empty, empty, empty)
    unique = list(dict.fromkeys(tokens))
    if unique:
        raw = np.asarray(index.bm25.get_scores(unique), dtype=np.float32)[: len(index.doc_text)]
        mass = sum(index.idf(t) for t in unique)
        bm25_doc = raw / mass if mass > 0 else raw
    else:
        bm25_doc = np.zeros(len(index.doc_text), dtype=np.float32)
    bm25 = np.maximum.reduceat(bm25_doc, index.starts).astype(np.float32)
    if query_vector is None:
        zeros = np.zeros(n, dtype=np.float32)
        return QueryScores(bm25, zeros, bm25_doc.astype(np.float32), np.zeros(len(index.doc_text), np.float32))
    if n <= PREFILTER_ABOVE:
        dense_doc = (index.vectors @ query_vector).astype(np.float32)
        dense = _dense_articles(dense_doc, index.starts, index.answer_vectors @ query_vector)
        return QueryScores(bm25, dense, bm25_doc.astype(np.float32), dense_doc)
    coarse = (index.coarse @ query_vector).astype(np.float32)
    keep = np.union1d(_top(coarse, COARSE_KEEP), _top(bm25, BM25_KEEP))
    ends = np.append(index.starts[1:], len(index.doc_text))
    lengths = ends[keep] - index.starts[keep]
    local_starts = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    # Doc positions of the kept articles: each article's range start..end, concatenated.
    docs = np.repeat(index.starts[keep] - local_starts, lengths) + np.arange(int(lengths.sum()))
    sub = (index.vectors[docs] @ query_vector).astype(np.float32)
    dense = coarse.copy()
    dense[keep] = _dense_articles(sub, local_starts, index.answer_vectors[keep] @ query_vector)
    dense_doc = np.zeros(len(index.doc_text), dtype=np.float32)
    dense_doc[docs] = sub
    return QueryScores(bm25, dense, bm25_doc.astype(np.float32), dense_doc)


def _top(values: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    if k >= len(values):
        return np.arange(len(values), dtype=np.int64)
    return np.argpartition(-values, k)[:k].astype(np.int64)


def _dense_articles(
    dense_doc: npt.NDArray[np.float32], starts: npt.NDArray[np.int64], answer: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    pooled = np.add.reduceat(np.exp((dense_doc - 1.0) / POOL_TEMPERATURE), starts)
    best_question = 1.0 + POOL_TEMPERATURE * np.log(pooled)
    return (QUESTION_WEIGHT * best_question + (1.0 - QUESTION_WEIGHT) * answer).astype(np.float32)


def matched_question(index: IndexData, scores: QueryScores, position: int) -> str:
    """The phrasing of article `position` that matched best (sum of both signals): evidence for maintainers."""
    start = int(index.starts[position])
    end = int(index.starts[position + 1]) if position + 1 < len(index.starts) else len(index.doc_text)
    combined = scores.dense_doc[start:end] + scores.bm25_doc[start:end]
    return index.doc_text[start + int(np.argmax(combined))]
