"""Chinese NLU for the 12345 intake gateway.

nlu.analyse(text) -> Analysis        one call per message
nlu.tokenize(text) -> list[str]      normalised + jieba with the domain dictionary
nlu.normalize(text) -> Normalized    .text, .original, .to_original(start, end)
nlu.mask_pii(text) -> str            phones, ID numbers, plates, addresses, names masked
nlu.warm_up()                        load jieba, dictionaries, OpenCC, the pipeline once
nlu.reload_dictionary()              re-read the domain dictionary without restart
                                     (analyse() also does it by itself, in the background, within
                                     5 s of the file changing: nlu.watch)
"""

from __future__ import annotations

from nlu import pipeline, segment, watch
from nlu.analysis import analyse
from nlu.core import pieces_with_offsets, words
from nlu.errors import ConfigError, DictionaryError, InputError, NluError, PipelineError
from nlu.normalization import normalize
from nlu.pii import mask_pii
from nlu.results import ENTITY_TYPES, SERVICES, Analysis, Emergency, Entity, Normalized, UtilityReferral


def tokenize(text: str) -> list[str]:
    """Words of the normalised text (jieba + domain dictionary), without whitespace and punctuation."""
    return list(words(pieces_with_offsets(normalize(text).text)))


def warm_up() -> None:
    """Load everything heavy once per process (call at startup, not on the first citizen's message)."""
    from nlu import normalization as _normalize
    from nlu import utility

    _normalize.warm_up()
    segment.tokenizer()
    watch.remember_current()
    utility.operators()
    pipeline.get()
    from nlu.emergency import model

    model.get()  # trains the statistical safety net (about a second) so no citizen waits for it
    analyse("预热：我家厨房着火了，电话13812345678。")


def reload_dictionary() -> None:
    """Re-read the domain dictionary (maintainers edit it); raises DictionaryError if it is invalid."""
    segment.reload_dictionary()
    # The entity ruler's phrase patterns were tokenised with the old dictionary: rebuild them too.
    pipeline.rebuild()
    watch.remember_current()


__all__ = [
    "ENTITY_TYPES",
    "SERVICES",
    "Analysis",
    "ConfigError",
    "DictionaryError",
    "Emergency",
    "Entity",
    "InputError",
    "NluError",
    "Normalized",
    "PipelineError",
    "UtilityReferral",
    "analyse",
    "mask_pii",
    "normalize",
    "reload_dictionary",
    "tokenize",
    "warm_up",
]
