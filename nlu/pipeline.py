"""The spaCy pipeline that holds the analysis: blank Chinese + our jieba tokenizer + components.

    nlp = build()              # spacy.blank("zh") with the hotline tokenizer, then:
    entity_ruler               # gazetteer of departments and operators (ORG), nlu/data/org_gazetteer.txt
    hotline_entities           # regex/token extractors, merged with the ruler; sets doc.ents too
    hotline_emergency          # 110/119/120/122 detection
    hotline_utility            # water/power/gas/heating/telecom referral
    doc = nlp(text)            # the whole analysis is this one call

Why a custom tokenizer instead of spaCy's own `segmenter = "jieba"`: spaCy's ChineseTokenizer calls the
process-global `jieba.cut` on the raw text. We need (1) normalisation (traditional, full-width, emoji)
before segmentation with an offset map back to the original, and (2) our own jieba.Tokenizer instance
carrying the domain dictionary that maintainers reload without restart. The tokenizer below does both
and keeps the Doc text equal to the normalised text. Nothing is downloaded: it works offline.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nlu import emergency, segment, utility
from nlu.entities import Span, extract_all, resolve_overlaps
from nlu.errors import PipelineError
from nlu.normalization import normalize

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

GAZETTEER = Path(__file__).with_name("data") / "org_gazetteer.txt"
PIPE_NAMES = ("entity_ruler", "hotline_entities", "hotline_emergency", "hotline_utility")

_lock = threading.Lock()
_nlp: Language | None = None
_registered = False


class HotlineTokenizer:
    """Normalise, then segment with the domain-dictionary jieba; Doc.text is the normalised text."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        from spacy.tokens import Doc

        norm = normalize(text)
        words = [w for w in segment.cut(norm.text) if w]
        doc = Doc(self.vocab, words=words, spaces=[False] * len(words))
        ext = doc._  # every `doc._` builds a new accessor object: take it once
        ext.hotline_norm = norm
        # Offsets kept as plain tuples: iterating spaCy tokens again costs more than the segmentation.
        offsets = []
        pos = 0
        for word in words:
            offsets.append((word, pos, pos + len(word)))
            pos += len(word)
        ext.hotline_tokens = offsets
        return doc

    # spaCy serialises tokenizers with the pipeline; ours has no state beyond the shared dictionary.
    def to_bytes(self, **_: Any) -> bytes:
        return b""

    def from_bytes(self, _data: bytes, **_: Any) -> HotlineTokenizer:
        return self

    def to_disk(self, _path: Any, **_: Any) -> None:
        return None

    def from_disk(self, _path: Any, **_: Any) -> HotlineTokenizer:
        return self


def _entities(doc: Doc) -> Doc:
    ext = doc._
    # The tokenizer keeps doc.text equal to the normalised text; `doc.text` would rebuild it token by token.
    spans = extract_all(ext.hotline_norm.text, ext.hotline_tokens)
    ruler_orgs = [Span("org", e.start_char, e.end_char, e.text) for e in doc.ents if e.label_ == "ORG"]
    merged = resolve_overlaps(spans + ruler_orgs)
    ext.hotline_spans = merged
    ents: list[Any] = []
    for span in merged:
        ent = doc.char_span(span.start, span.end, label=span.type.upper(), alignment_mode="expand")
        if ent is not None and all(ent.start >= e.end or ent.end <= e.start for e in ents):
            ents.append(ent)
    doc.ents = ents
    return doc


def _emergency(doc: Doc) -> Doc:
    ext = doc._
    ext.hotline_emergency = emergency.detect(ext.hotline_norm)
    return doc


def _utility(doc: Doc) -> Doc:
    ext = doc._
    ext.hotline_utility = utility.detect(ext.hotline_norm)
    return doc


def _doc_text(doc: Doc) -> str:
    """doc.text without building a Token per word (our tokenizer's docs carry the text they were made of)."""
    norm = doc._.hotline_norm
    return norm.text if norm is not None else doc.text


def _make_gazetteer_ruler(nlp: Language, name: str) -> Any:
    from spacy.pipeline import EntityRuler

    class GazetteerRuler(EntityRuler):
        """spaCy's EntityRuler, skipped for texts that hold none of its phrases.

        A phrase pattern matches a run of tokens whose texts are the pattern's tokens, so the text
        holds the pattern's text: one regex search over the phrases tells whether the matcher can
        find anything. Most messages name no department, and then the ruler would only set
        `doc.ents` to the empty list that `hotline_entities` sets anyway.
        """

        _gate: re.Pattern[str] | None = None
        _gate_ready = False

        def __call__(self, doc: Doc) -> Doc:
            if not self._gate_ready:
                self._gate = self._phrase_gate()
                self._gate_ready = True
            if self._gate is not None and self._gate.search(_doc_text(doc)) is None:
                return doc
            return super().__call__(doc)

        def _phrase_gate(self) -> re.Pattern[str] | None:
            if any(self.token_patterns.values()) or str(self.phrase_matcher_attr).upper() not in ("TEXT", "ORTH"):
                return None  # token patterns or another attribute: no substring test, always run
            phrases = {p.text for docs in self.phrase_patterns.values() for p in docs if p.text}
            if not phrases:
                return None
            return re.compile("|".join(re.escape(p) for p in sorted(phrases, key=lambda p: (-len(p), p))))

        # Every way the patterns change goes through one of these: the gate is rebuilt on next use.
        def add_patterns(self, patterns: Any) -> None:
            super().add_patterns(patterns)
            self._gate_ready = False

        def clear(self) -> None:
            super().clear()
            self._gate_ready = False

        def remove(self, ent_id: str) -> None:
            super().remove(ent_id)
            self._gate_ready = False

    return GazetteerRuler(nlp, name, phrase_matcher_attr="TEXT")


def _register() -> None:
    """Register extensions, tokenizer and components with spaCy (once per process)."""
    global _registered
    if _registered:
        return
    from spacy.language import Language
    from spacy.tokens import Doc

    for name in ("hotline_norm", "hotline_tokens", "hotline_spans", "hotline_emergency", "hotline_utility"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)

    from spacy.util import registry

    def _make_tokenizer() -> Any:
        return lambda nlp: HotlineTokenizer(nlp.vocab)

    registry.tokenizers.register("hotline.jieba_tokenizer.v1", func=_make_tokenizer)

    Language.factory("hotline_gazetteer_ruler", func=_make_gazetteer_ruler)
    Language.component("hotline_entities", func=_entities)
    Language.component("hotline_emergency", func=_emergency)
    Language.component("hotline_utility", func=_utility)
    _registered = True


def _gazetteer_patterns() -> list[dict[str, str]]:
    try:
        lines = GAZETTEER.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PipelineError(f"cannot read {GAZETTEER}: {exc.strerror}") from exc
    names = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    return [{"label": "ORG", "pattern": name} for name in names]


def build() -> Language:
    """A fresh pipeline (tests and benchmarks); `get()` returns the shared one."""
    _register()
    import spacy

    try:
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"@tokenizers": "hotline.jieba_tokenizer.v1"}}})
        # spaCy's entity_ruler behind a gate that skips it when no phrase occurs in the text.
        ruler = nlp.add_pipe("hotline_gazetteer_ruler", name="entity_ruler")
        ruler.add_patterns(_gazetteer_patterns())  # type: ignore[attr-defined]
        nlp.add_pipe("hotline_entities")
        nlp.add_pipe("hotline_emergency")
        nlp.add_pipe("hotline_utility")
    except (ValueError, KeyError) as exc:
        raise PipelineError(f"cannot build the spaCy pipeline: {exc}") from exc
    return nlp


def get() -> Language:
    global _nlp
    nlp = _nlp
    if nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = build()
            nlp = _nlp
    return nlp


def rebuild() -> None:
    """Swap in a fresh pipeline (after the gazetteer or dictionary changed)."""
    global _nlp
    fresh = build()
    with _lock:
        _nlp = fresh
