"""KnowledgeBase: the one object the gateway holds. Search, answer decision, reindex, reload."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from knowledge import index as index_mod
from knowledge.embedding import DEFAULT_ENCODER_NAME, encoder_prompts, load_encoder
from knowledge.errors import KnowledgeError
from knowledge.index import IndexData, Vector
from knowledge.models import Answer, Candidate, SearchResult, Status
from knowledge.scoring import Calibration, QueryScores, load_calibration, matched_question, score
from knowledge.store import ArticleStore
from knowledge.tokens import search_tokens

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

ENCODER_ENV = "HOTLINE_EMBEDDING_MODEL"
# Long letters are cut before encoding: the first part of a citizen's letter carries the question.
MAX_QUERY_CHARS = 400
# Answers are embedded from their first part: title and opening lines carry the topic.
MAX_DOC_TOKENS = 160


class KnowledgeBase:
    def __init__(
        self,
        store: ArticleStore,
        index_dir: Path,
        encoder: str | None = None,
        encoder_dir: Path | None = None,
        model: SentenceTransformer | None = None,
    ) -> None:
        self.store = store
        self.index_dir = index_dir
        self.encoder_name = encoder or os.environ.get(ENCODER_ENV) or DEFAULT_ENCODER_NAME
        # Where the offline default encoder is built and cached (None: knowledge.embedding's default).
        self.encoder_dir = encoder_dir
        # A loaded model may be shared (several knowledge bases in one process, tests).
        self._model: SentenceTransformer | None = model
        self._query_prompt: str | None = None
        self._doc_prompt: str | None = None
        if model is not None:
            self._query_prompt, self._doc_prompt = encoder_prompts(model, self.encoder_name)
        self._index: IndexData | None = None
        self._calibration: Calibration | None = None
        self._lock = threading.RLock()

    # ---- life cycle --------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        database_url: str,
        index_dir: Path,
        encoder: str | None = None,
        *,
        encoder_dir: Path | None = None,
        build_if_missing: bool = True,
    ) -> KnowledgeBase:
        """Load the persisted index; build it from the store when it is missing (or stale) and allowed."""
        kb = cls(ArticleStore.from_url(database_url), Path(index_dir), encoder, encoder_dir)
        if not kb.store.has_schema():
            raise KnowledgeError("the knowledge tables do not exist; run `hotline db upgrade` first")
        if not kb.reload_if_changed() and not build_if_missing:
            raise KnowledgeError(f"no search index in {index_dir}; run `hotline kb reindex`")
        if build_if_missing:
            kb.refresh()
        return kb

    def close(self) -> None:
        self.store.dispose()

    def warm_up(self) -> None:
        """Load the encoder and run one query, at startup rather than on the first citizen's message."""
        self.search("社保卡丢了怎么补办")

    @property
    def model(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                self._model = load_encoder(self.encoder_name, self.encoder_dir)
                self._query_prompt, self._doc_prompt = encoder_prompts(self._model, self.encoder_name)
            return self._model

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = load_calibration(self.index_dir, self.encoder_name)
        return self._calibration

    def set_calibration(self, calibration: Calibration) -> None:
        self._calibration = calibration

    def index_revision(self) -> int:
        return int(self._index.meta["revision"]) if self._index is not None else -1

    @property
    def index(self) -> IndexData:
        if self._index is None:
            raise KnowledgeError("the knowledge base has no index loaded")
        return self._index

    # ---- index -------------------------------------------------------------------------------
    def reload_if_changed(self) -> bool:
        """Pick up a generation another process built (one small file read); True if one was loaded."""
        generation = index_mod.current_generation(self.index_dir)
        if generation is None or (self._index is not None and self._index.generation == generation):
            return False
        loaded = index_mod.load(self.index_dir, generation)
        with self._lock:
            self._index = loaded
            self._calibration = None
        log.info("knowledge index %s loaded (%d articles)", generation, len(loaded.articles))
        return True

    def reindex(self, actor: str = "system", today: date | None = None) -> str:
        """Expire outdated articles, rebuild from every published article, publish the new generation.

        Articles whose validity starts later are indexed too: search filters by date, so they go live on
        their first day without another reindex."""
        today = today or date.today()
        with self._build_lock():
            self.store.expire_outdated(today, actor)
            revision = self.store.revision()
            articles = self.store.list_articles(Status.PUBLISHED)
            generation = index_mod.build(self.index_dir, articles, self._encode_docs, self.encoder_name, revision)
        self.reload_if_changed()
        return generation

    def refresh(self) -> bool:
        """Make the index match the store: load another process's newer build, or build (once) if stale.
        Returns True if a different index is now loaded."""
        changed = self.reload_if_changed()
        if self.store.revision() == self.index_revision():
            return changed
        with self._build_lock():
            # Another process may have built it while we waited for the lock.
            changed = self.reload_if_changed() or changed
            if self.store.revision() == self.index_revision():
                return changed
        self.reindex()
        return True

    @contextmanager
    def _build_lock(self) -> Iterator[None]:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with open(self.index_dir / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _encode_docs(self, texts: list[str], kind: str) -> Vector:
        """Question phrasings are encoded like queries (symmetric matching); answers as passages."""
        model = self.model
        prompt = self._query_prompt if kind == "question" else self._doc_prompt
        # Sort by length so batches pad little; long answers are cut to the first MAX_DOC_TOKENS tokens.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        saved = model.max_seq_length
        model.max_seq_length = min(saved or MAX_DOC_TOKENS, MAX_DOC_TOKENS)
        try:
            encoded = model.encode(
                [texts[i] for i in order],
                prompt_name=prompt,
                normalize_embeddings=True,
                batch_size=32,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        finally:
            model.max_seq_length = saved
        vectors = np.empty_like(encoded)
        vectors[order] = encoded
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, question: str) -> Vector:
        """The NLU-normalised question (simplified characters, half-width, typos folded) is encoded, as the
        articles are written in normalised simplified Chinese."""
        import nlu

        model = self.model
        text = nlu.normalize(question[:MAX_QUERY_CHARS]).text or question[:MAX_QUERY_CHARS]
        vector = model.encode(
            [text],
            prompt_name=self._query_prompt,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )[0]
        return np.asarray(vector, dtype=np.float32)

    # ---- search ------------------------------------------------------------------------------
    def scores(self, question: str, signals: tuple[str, ...] = ("bm25", "dense")) -> tuple[IndexData, QueryScores]:
        """Per-article scores for the requested signals (a signal not requested scores 0 everywhere)."""
        index = self.index
        tokens = search_tokens(question[:MAX_QUERY_CHARS]) if "bm25" in signals else []
        vector = self.encode_query(question) if "dense" in signals and index.articles else None
        return index, score(index, tokens, vector)

    @staticmethod
    def signals_for(mode: str, alpha: float) -> tuple[str, ...]:
        """Only what the mode's score uses: fused with alpha 1.0 never pays for BM25, and so on."""
        if mode == "bm25" or (mode == "fused" and alpha <= 0.0):
            return ("bm25",)
        if mode == "dense" or (mode == "fused" and alpha >= 1.0):
            return ("dense",)
        return ("bm25", "dense")

    def search(self, question: str, top_k: int = 5, mode: str = "fused", today: date | None = None) -> SearchResult:
        question = question.strip()
        params = self.calibration.params(mode)
        if not question:
            return SearchResult(question, [], None, params.threshold, mode)
        index, scores = self.scores(question, self.signals_for(mode, params.alpha))
        values = scores.mode(mode, params.alpha)
        today = today or date.today()
        picked = self._candidates(index, scores, values, _ranked(values, 4 * top_k + 16), top_k, today)
        if len(picked) < min(top_k, len(values)):
            # Many of the best articles are outside their validity window: rank everything.
            picked = self._candidates(index, scores, values, _ranked(values, len(values)), top_k, today)
        answer = None
        if picked and picked[0][1].score >= params.threshold:
            served, best = index.articles[picked[0][0]], picked[0][1]
            answer = Answer(
                served.id,
                served.title,
                served.answer,
                best.score,
                served.source,
                served.source_url,
                served.department,
                served.category,
                served.valid_until,
            )
        return SearchResult(question, [c for _, c in picked], answer, params.threshold, mode)

    @staticmethod
    def _candidates(
        index: IndexData,
        scores: QueryScores,
        values: npt.NDArray[np.float32],
        order: npt.NDArray[np.int64],
        top_k: int,
        today: date,
    ) -> list[tuple[int, Candidate]]:
        picked: list[tuple[int, Candidate]] = []
        for pos in order.tolist():
            article = index.articles[pos]
            if not article.servable_on(today):
                continue
            candidate = Candidate(
                article.id,
                article.title,
                float(values[pos]),
                float(scores.bm25[pos]),
                float(scores.dense[pos]),
                matched_question(index, scores, pos),
            )
            picked.append((pos, candidate))
            if len(picked) >= top_k:
                break
        return picked


def _ranked(values: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    """Positions of the k highest values, best first (a partial sort: 10,000 articles, 5 wanted)."""
    if k >= len(values):
        return np.argsort(-values, kind="stable").astype(np.int64)
    top = np.argpartition(-values, k)[:k]
    return top[np.argsort(-values[top], kind="stable")].astype(np.int64)
