"""The search index: BM25 over search tokens and dense vectors over every question phrasing.

An index is a generation folder under `index_dir` (docs, article metadata, BM25, vectors); the file
CURRENT names the live one and is replaced atomically, so readers in other processes switch by reading
one small file. Embeddings are cached by text across generations: a reindex encodes only new phrasings.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.errors import SearchIndexError
from knowledge.models import Article
from knowledge.tokens import search_tokens

if TYPE_CHECKING:
    import bm25s

FORMAT = 1
CURRENT = "CURRENT"
CACHE_FILE = "embedding-cache.npz"
KEEP_GENERATIONS = 2
BM25_K1 = 1.2
BM25_B = 0.75
# Variants of one standard article (the same procedure written per district or window) share a group; the
# answer decision measures the lead over the best article of another group, so near-identical variants do
# not make every question look ambiguous. A tag "group:<key>" names the group; otherwise articles whose
# titles differ only by a trailing parenthesised qualifier ("社会保障卡补办（东区）") are variants.
GROUP_TAG = "group:"
_QUALIFIER = re.compile(r"\s*[（(][^（）()]*[)）]\s*$")

Vector = npt.NDArray[np.float32]
# encode(texts, kind): kind "question" for phrasings, "answer" for title + answer passages.
Encode = Callable[[list[str], str], Vector]


@dataclass(frozen=True)
class ServedArticle:
    """What a search needs to return an answer without a database round trip."""

    id: str
    title: str
    answer: str
    source: str
    source_url: str
    department: str
    category: str
    valid_from: date | None
    valid_until: date | None
    group: str = ""

    def servable_on(self, today: date) -> bool:
        if self.valid_from and today < self.valid_from:
            return False
        return not (self.valid_until and today > self.valid_until)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "answer": self.answer,
            "source": self.source,
            "source_url": self.source_url,
            "department": self.department,
            "category": self.category,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "group": self.group,
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ServedArticle:
        vf, vu = d.get("valid_from"), d.get("valid_until")
        return cls(
            d["id"],
            d["title"],
            d["answer"],
            d.get("source", ""),
            d.get("source_url", ""),
            d.get("department", ""),
            d.get("category", ""),
            date.fromisoformat(vf) if vf else None,
            date.fromisoformat(vu) if vu else None,
            # Indexes built before variant groups: derive the group from the title.
            d.get("group") or variant_group(d["title"], ()),
        )

    @classmethod
    def of(cls, article: Article) -> ServedArticle:
        c = article.content
        return cls(
            article.id,
            c.title,
            c.answer,
            c.source,
            c.source_url,
            c.department,
            c.category,
            c.valid_from,
            c.valid_until,
            variant_group(c.title, c.tags),
        )


def variant_group(title: str, tags: Sequence[str]) -> str:
    """The group of an article: its "group:" tag, else its title without a trailing parenthesised qualifier."""
    for tag in tags:
        if tag.startswith(GROUP_TAG) and tag[len(GROUP_TAG) :].strip():
            return "tag:" + tag[len(GROUP_TAG) :].strip()
    return "title:" + (_QUALIFIER.sub("", title).strip() or title.strip())


@dataclass
class IndexData:
    generation: str
    meta: dict[str, Any]
    articles: list[ServedArticle]
    doc_article: npt.NDArray[np.int64]  # doc -> article position; docs of one article are contiguous
    doc_text: list[str]
    starts: npt.NDArray[np.int64]  # first doc of each article (for max-per-article reductions)
    vectors: Vector  # (docs, dim), L2-normalised
    answer_vectors: Vector  # (articles, dim): title + answer as a passage
    bm25: bm25s.BM25
    df: dict[str, int]
    n_docs: int
    # (articles, dim): one normalised vector per article (its phrasings' mean and its answer, weighted like
    # the dense score) for the coarse pass of large knowledge bases (scoring.score).
    coarse: Vector
    # (articles,): variant group number of each article (articles of one group are variants of each other).
    groups: npt.NDArray[np.int64]

    def idf(self, token: str) -> float:
        # Lucene's BM25 idf; a token the index has never seen gets the maximum (df = 0), so unmatched
        # informative words pull the refusal score down instead of vanishing.
        df = self.df.get(token, 0)
        return math.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5))


def article_docs(article: Article) -> list[str]:
    c = article.content
    return list(dict.fromkeys([c.title, *c.questions()]))


def answer_passage(article: Article) -> str:
    return f"{article.content.title}\n{article.content.answer}"


def _key(model_id: str, kind: str, text: str) -> str:
    return hashlib.sha1(f"{model_id}\0{kind}\0{text}".encode()).hexdigest()


class EmbeddingCache:
    """text -> vector, persisted next to the generations; only new texts reach the encoder."""

    def __init__(self, path: Path, model_id: str) -> None:
        self.path = path
        self.model_id = model_id
        self._vectors: dict[str, Vector] = {}
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as data:
                    if str(data["model"]) == model_id:
                        self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, KeyError, ValueError):
                self._vectors = {}

    def encode(self, texts: Sequence[str], kind: str, encode: Encode) -> Vector:
        keys = [_key(self.model_id, kind, t) for t in texts]
        missing = sorted({(k, t) for k, t in zip(keys, texts, strict=True) if k not in self._vectors})
        if missing:
            fresh = encode([t for _, t in missing], kind)
            for (k, _), v in zip(missing, fresh, strict=True):
                self._vectors[k] = np.asarray(v, dtype=np.float32)
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self, keep: set[str] | None = None) -> None:
        items = [(k, v) for k, v in self._vectors.items() if keep is None or k in keep]
        if not items:
            return
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(
            tmp,
            model=np.array(self.model_id),
            keys=np.array([k for k, _ in items]),
            vectors=np.stack([v for _, v in items]),
        )
        os.replace(tmp, self.path)

    def keys_for(self, texts: Sequence[str], kind: str) -> set[str]:
        return {_key(self.model_id, kind, t) for t in texts}


def build(index_dir: Path, articles: Sequence[Article], encode: Encode, model_id: str, revision: int) -> str:
    """Write a new generation for `articles` and make it current; returns the generation name."""
    import bm25s

    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    served = [ServedArticle.of(a) for a in articles]
    doc_article: list[int] = []
    doc_text: list[str] = []
    for pos, article in enumerate(articles):
        for text in article_docs(article):
            doc_article.append(pos)
            doc_text.append(text)

    cache = EmbeddingCache(index_dir / CACHE_FILE, model_id)
    passages = [answer_passage(a) for a in articles]
    vectors = cache.encode(doc_text, "question", encode) if doc_text else np.zeros((0, 1), dtype=np.float32)
    answer_vectors = cache.encode(passages, "answer", encode) if passages else np.zeros((0, 1), dtype=np.float32)
    tokens = [search_tokens(t) for t in doc_text]
    df = Counter(tok for doc in tokens for tok in set(doc))

    generation = f"g{revision:08d}-{time.time_ns():x}"
    tmp = index_dir / f".{generation}.tmp"
    tmp.mkdir()
    try:
        retriever = bm25s.BM25(k1=BM25_K1, b=BM25_B)
        # bm25s cannot index an empty corpus; one empty document keeps an empty KB searchable.
        retriever.index(tokens or [[]], show_progress=False)
        retriever.save(str(tmp / "bm25"), show_progress=False)
        np.save(tmp / "vectors.npy", vectors)
        np.save(tmp / "answer_vectors.npy", answer_vectors)
        (tmp / "articles.json").write_text(
            json.dumps([a.to_json() for a in served], ensure_ascii=False), encoding="utf-8"
        )
        (tmp / "docs.json").write_text(
            json.dumps({"article": doc_article, "text": doc_text, "df": df}, ensure_ascii=False),
            encoding="utf-8",
        )
        meta = {
            "format": FORMAT,
            "revision": revision,
            "encoder": model_id,
            "articles": len(served),
            "docs": len(doc_text),
            "built_at": time.time(),
            "build_seconds": time.perf_counter() - started,
        }
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        os.replace(tmp, index_dir / generation)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    keep = cache.keys_for(doc_text, "question") | cache.keys_for(passages, "answer")
    cache.save(keep=keep | _recent_keys(index_dir, cache))
    _point_current(index_dir, generation)
    _prune(index_dir, generation)
    return generation


def _recent_keys(index_dir: Path, cache: EmbeddingCache) -> set[str]:
    """Keep cached vectors of the previous generation too, so a revert costs no encoding."""
    keys: set[str] = set()
    for gen in _generations(index_dir)[-KEEP_GENERATIONS:]:
        docs = gen / "docs.json"
        if docs.is_file():
            keys |= cache.keys_for(json.loads(docs.read_text(encoding="utf-8"))["text"], "question")
        served = gen / "articles.json"
        if served.is_file():
            passages = [f"{d['title']}\n{d['answer']}" for d in json.loads(served.read_text(encoding="utf-8"))]
            keys |= cache.keys_for(passages, "answer")
    return keys


def _point_current(index_dir: Path, generation: str) -> None:
    tmp = index_dir / f".{CURRENT}.{os.getpid()}.tmp"
    tmp.write_text(generation, encoding="utf-8")
    os.replace(tmp, index_dir / CURRENT)


def _generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.glob("g*-*") if p.is_dir())


def _prune(index_dir: Path, current: str) -> None:
    old = [p for p in _generations(index_dir) if p.name != current]
    for path in old[: max(0, len(old) - (KEEP_GENERATIONS - 1))]:
        shutil.rmtree(path, ignore_errors=True)


def current_generation(index_dir: Path) -> str | None:
    try:
        return (index_dir / CURRENT).read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def load(index_dir: Path, generation: str) -> IndexData:
    import bm25s

    path = index_dir / generation
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise SearchIndexError(f"index {path} has format {meta.get('format')}, expected {FORMAT}")
        articles = [ServedArticle.from_json(d) for d in json.loads((path / "articles.json").read_text("utf-8"))]
        docs = json.loads((path / "docs.json").read_text(encoding="utf-8"))
        vectors = np.load(path / "vectors.npy", allow_pickle=False).astype(np.float32)
        answer_vectors = np.load(path / "answer_vectors.npy", allow_pickle=False).astype(np.float32)
        retriever = bm25s.BM25.load(str(path / "bm25"), show_progress=False, verbosity=0)
    except (OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(f"cannot load search index {path}: {exc}") from exc
    doc_article = np.asarray(docs["article"], dtype=np.int64)
    starts = np.searchsorted(doc_article, np.arange(len(articles))).astype(np.int64)
    coarse = coarse_vectors(vectors, answer_vectors, starts)
    return IndexData(
        generation=generation,
        meta=meta,
        articles=articles,
        doc_article=doc_article,
        doc_text=list(docs["text"]),
        starts=starts,
        vectors=vectors,
        answer_vectors=answer_vectors,
        bm25=retriever,
        df={str(k): int(v) for k, v in docs["df"].items()},
        n_docs=max(1, len(docs["text"])),
        coarse=coarse,
        groups=group_numbers(articles),
    )


def group_numbers(articles: Sequence[ServedArticle]) -> npt.NDArray[np.int64]:
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(a.group, len(numbers)) for a in articles], dtype=np.int64)


# Weight of the phrasings (vs the answer passage) in the coarse article vector, as in the dense score.
COARSE_QUESTION_WEIGHT = 0.6


def coarse_vectors(vectors: Vector, answer_vectors: Vector, starts: npt.NDArray[np.int64]) -> Vector:
    if len(starts) == 0 or vectors.shape[0] == 0:
        return np.zeros((len(starts), vectors.shape[1] if vectors.ndim == 2 else 1), dtype=np.float32)
    counts = np.diff(np.append(starts, vectors.shape[0])).astype(np.float32)
    mean = np.add.reduceat(vectors, starts, axis=0) / counts[:, None]
    mean /= np.maximum(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12)
    mixed = COARSE_QUESTION_WEIGHT * mean + (1.0 - COARSE_QUESTION_WEIGHT) * answer_vectors
    mixed /= np.maximum(np.linalg.norm(mixed, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(mixed, dtype=np.float32)
