"""Per-article scores for one query, fusion, and the calibrated answer thresholds.

BM25 scores are made comparable across queries by dividing by the query's own idf mass (the score a
short document containing every query token once would get), so 1.0 means "every informative word
matched" and an unmatched rare word lowers the score. Dense scores are cosines. The fused score is
alpha * dense + (1 - alpha) * bm25; `alpha` and each mode's threshold come from calibration.
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
            "modes": {m: {"threshold": p.threshold, "alpha": p.alpha} for m, p in self.modes.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Calibration:
        modes = {m: ModeParams(float(p["threshold"]), float(p.get("alpha", 0.5))) for m, p in data["modes"].items()}
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
        dense_doc = np.zeros(len(index.doc_text), dtype=np.float32)
    else:
        dense_doc = (index.vectors @ query_vector).astype(np.float32)
    if query_vector is None:
        dense = np.zeros(n, dtype=np.float32)
    else:
        pooled = np.add.reduceat(np.exp((dense_doc - 1.0) / POOL_TEMPERATURE), index.starts)
        best_question = 1.0 + POOL_TEMPERATURE * np.log(pooled)
        answer = index.answer_vectors @ query_vector
        dense = (QUESTION_WEIGHT * best_question + (1.0 - QUESTION_WEIGHT) * answer).astype(np.float32)
    return QueryScores(bm25, dense, bm25_doc.astype(np.float32), dense_doc)


def matched_question(index: IndexData, scores: QueryScores, position: int) -> str:
    """The phrasing of article `position` that matched best (sum of both signals): evidence for maintainers."""
    start = int(index.starts[position])
    end = int(index.starts[position + 1]) if position + 1 < len(index.starts) else len(index.doc_text)
    combined = scores.dense_doc[start:end] + scores.bm25_doc[start:end]
    return index.doc_text[start + int(np.argmax(combined))]
