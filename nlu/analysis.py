"""`analyse`: one call per message, one `nlp(text)` call of the spaCy pipeline."""

from __future__ import annotations

import threading

from nlu import pipeline, segment, watch
from nlu.core import to_entities
from nlu.errors import InputError
from nlu.results import Analysis

# spaCy's memory zones are not thread-safe: two zones open at once corrupt the vocabulary's lexeme cache
# (E064, assertion errors in Vocab.get). Workers analyse in threads, so one zone at a time per process; the
# analysis is GIL-bound Python anyway, so the lock costs little.
_ZONE_LOCK = threading.Lock()


def analyse(text: str) -> Analysis:
    if not isinstance(text, str):
        raise InputError(f"analyse() needs str, got {type(text).__name__}")
    watch.maybe_reload()  # a maintainer's edit to the domain dictionary is picked up without restart
    nlp = pipeline.get()
    # Without a memory zone spaCy keeps every new token string for good: a long-running gateway would grow
    # with traffic and keep citizens' phone and ID numbers in memory. The Analysis holds no spaCy objects.
    with _ZONE_LOCK, nlp.memory_zone():
        doc = nlp(text)
        ext = doc._  # each `doc._` builds a new accessor: take it once
        norm = ext.hotline_norm
        return Analysis(
            text=text,
            normalized=norm.text,
            tokens=tuple(t for t, _, _ in ext.hotline_tokens if segment.is_word(t)),
            entities=to_entities(norm, ext.hotline_spans),
            emergency=ext.hotline_emergency,
            utility=ext.hotline_utility,
        )


def analyse_fast(text: str) -> Analysis:
    """The same analysis without spaCy (used by the benchmark to show what spaCy costs)."""
    from nlu import emergency, utility
    from nlu.core import prepare, words

    prep = prepare(text)
    return Analysis(
        text=text,
        normalized=prep.norm.text,
        tokens=words(prep.pieces),
        entities=to_entities(prep.norm, prep.spans),
        emergency=emergency.detect(prep.norm),
        utility=utility.detect(prep.norm),
    )
