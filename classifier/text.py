"""Text preparation shared by training and prediction: normalisation and word tokens.

nlu (normalisation + jieba + the domain dictionary) is used when importable; otherwise NFKC,
traditional-to-simplified (OpenCC) and plain jieba. The model records which tokenizer trained it and
refuses to load where that tokenizer is missing, so train-time and predict-time features never differ.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Literal

from classifier.errors import ModelLoadError

TokenizerName = Literal["nlu", "jieba"]
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    try:
        import opencc
    except ImportError:  # the model still works on simplified text; traditional input loses some n-grams
        return lambda text: text
    converter = opencc.OpenCC("t2s")
    return lambda text: str(converter.convert(text))


def builtin_normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _t2s()(text)).strip()


def available_tokenizer() -> TokenizerName:
    """The best tokenizer this process can use: nlu when its public functions exist, else jieba."""
    try:
        import nlu
    except ImportError:
        return "jieba"
    return "nlu" if hasattr(nlu, "tokenize") and hasattr(nlu, "normalize") else "jieba"


class TextPipeline:
    """normalize() for character n-grams and words() for word n-grams, bound to one tokenizer."""

    def __init__(self, tokenizer: TokenizerName) -> None:
        self.tokenizer = tokenizer
        if tokenizer == "nlu" and available_tokenizer() != "nlu":
            raise ModelLoadError("this model was trained with nlu.tokenize, which is not importable here")

    def normalize(self, text: str) -> str:
        if self.tokenizer == "nlu":
            import nlu

            return str(nlu.normalize(text).text)
        return builtin_normalize(text)

    def words(self, normalized: str, max_chars: int | None = None) -> list[str]:
        """Words of the first `max_chars` characters (jieba is ~100 characters per ms in pure Python:
        capping it bounds the latency of long letters; their character n-grams still cover all of it).
        Without HMM: new-word discovery costs 40% more and char n-grams already cover unknown words."""
        text = normalized if max_chars is None else normalized[:max_chars]
        if self.tokenizer == "nlu":
            from nlu import segment

            return [t for t in segment.tokenizer().cut(text, HMM=False) if segment.is_word(t)]
        return [t for t in (tok.strip() for tok in _jieba_cut(text)) if t]


def _jieba_cut(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(60)  # jieba logs its dictionary load at INFO on first use
    return list(jieba.lcut(text, HMM=False))
