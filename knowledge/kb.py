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
from knowledge.embedding import DEFAULT_ENCODER_NAME, default_encoder_dir, encoder_prompts, is_default, load_encoder
from knowledge.encoder import onnx_query
from knowledge.encoder.onnx_query import OnnxQueryEncoder
from knowledge.errors import EncoderError, KnowledgeError
from knowledge.index import IndexData, Vector
from knowledge.models import Answer, Candidate, SearchResult, Status
from knowledge.scoring import Calibration, QueryScores, load_calibration, matched_question, score
from knowledge.store import ArticleStore
from knowledge.tokens import normalized_search_tokens

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

ENCODER_ENV = "HOTLINE_EMBEDDING_MODEL"
# How questions are encoded at search time: "auto" (ONNX Runtime int8 when the model can be exported, else
# torch), "onnx-int8", "onnx-float32" or "torch". Documents are always encoded by the float model.
QUERY_ENCODER_ENV = "HOTLINE_KB_QUERY_ENCODER"
QUERY_ENCODERS = ("auto", "onnx-int8", "onnx-float32", "torch")
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
        self.query_encoder_kind = os.environ.get(QUERY_ENCODER_ENV, "auto").strip() or "auto"
        if self.query_encoder_kind not in QUERY_ENCODERS:
            choices = ", ".join(QUERY_ENCODERS)
            raise KnowledgeError(f"{QUERY_ENCODER_ENV}={self.query_encoder_kind!r}: use one of {choices}")
        self._onnx: OnnxQueryEncoder | None = None
        self._onnx_tried = False
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

    def query_encoder(self) -> OnnxQueryEncoder | None:
        """The ONNX Runtime encoder for questions (exported and cached on first use), or None for torch."""
        with self._lock:
            if self._onnx is not None or self._onnx_tried or self.query_encoder_kind == "torch":
                return self._onnx
            self._onnx_tried = True
            model = self.model
            precision = "float32" if self.query_encoder_kind == "onnx-float32" else "int8"
            prefix = (getattr(model, "prompts", {}) or {}).get(self._query_prompt or "", "")
            try:
                path = onnx_query.export(model, self._onnx_dir(), self.encoder_name, precision)
                self._onnx = onnx_query.OnnxQueryEncoder(path, model.tokenizer, prefix)
            except (EncoderError, ImportError) as exc:
                if self.query_encoder_kind != "auto":
                    raise EncoderError(f"{QUERY_ENCODER_ENV}={self.query_encoder_kind}: {exc}") from exc
                log.warning("query encoder stays on torch (slower): %s", exc)
            return self._onnx

    def _onnx_dir(self) -> Path:
        """Beside the offline default encoder's folder (shared by every index), else inside the index folder."""
        if is_default(self.encoder_name):
            return default_onnx_dir(self.encoder_dir)
        return self.index_dir / "query-encoder"

    def encode_query(self, question: str, normalized: str | None = None) -> Vector:
        """The NLU-normalised question (simplified characters, half-width, typos folded) is encoded, as the
        articles are written in normalised simplified Chinese."""
        text = normalized if normalized is not None else normalized_question(question)
        fast = self.query_encoder()
        if fast is not None:
            return fast.encode(text)
        model = self.model
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
        # Normalised once: BM25's words and the encoder's input come from the same text.
        text = normalized_question(question)
        tokens = normalized_search_tokens(text) if "bm25" in signals else []
        vector = self.encode_query(question, text) if "dense" in signals and index.articles else None
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
        # At least two candidates: the runner-up's score is part of the answer decision.
        want = max(top_k, 2)
        picked = self._candidates(index, scores, values, _ranked(values, 4 * want + 16), want, today)
        if len(picked) < min(want, len(values)):
            # Many of the best articles are outside their validity window: rank everything.
            picked = self._candidates(index, scores, values, _ranked(values, len(values)), want, today)
        answer = None
        confidence = 0.0
        runner_up = self._runner_up(index, values, picked[0][0], today) if picked else 0.0
        if picked:
            confidence = params.confidence(picked[0][1].score, runner_up)
        if picked and params.answers(picked[0][1].score, runner_up):
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
        return SearchResult(question, [c for _, c in picked[:top_k]], answer, params.threshold, mode, confidence)

    @staticmethod
    def _runner_up(index: IndexData, values: npt.NDArray[np.float32], top: int, today: date) -> float:
        """The best servable article outside the top article's variant group: district copies of one
        procedure are not rivals, so they do not lower the lead to nothing."""
        others = np.where(index.groups == index.groups[top], -np.inf, values).astype(np.float32)
        for k in (8, len(others)):
            for pos in _ranked(others, k).tolist():
                if not np.isfinite(others[pos]):
                    return 0.0
                if index.articles[pos].servable_on(today):
                    return float(values[pos])
        return 0.0

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


def default_onnx_dir(encoder_dir: Path | None = None) -> Path:
    """Where the ONNX query encoder of the offline default model is cached: beside the model's folder."""
    return (encoder_dir or default_encoder_dir()).with_name(DEFAULT_ENCODER_NAME + "-onnx")


def prepare_default_query_encoder(encoder_dir: Path | None = None, precision: str = "int8") -> Path:
    """Export the offline default model's query encoder now (as `hotline kb prepare-encoder` does), so the
    first gateway start does not spend a minute on it."""
    model = load_encoder(None, encoder_dir)
    encoder_prompts(model, DEFAULT_ENCODER_NAME)
    return onnx_query.export(model, default_onnx_dir(encoder_dir), DEFAULT_ENCODER_NAME, precision)


def normalized_question(question: str) -> str:
    import nlu

    cut = question[:MAX_QUERY_CHARS]
    return nlu.normalize(cut).text or cut


def _ranked(values: npt.NDArray[np.float32], k: int) -> npt.NDArray[np.int64]:
    """Positions of the k highest values, best first (a partial sort: 10,000 articles, 5 wanted)."""
    if k >= len(values):
        return np.argsort(-values, kind="stable").astype(np.int64)
    top = np.argpartition(-values, k)[:k]
    return top[np.argsort(-values[top], kind="stable")].astype(np.int64)
