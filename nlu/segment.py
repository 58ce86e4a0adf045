"""jieba segmentation with the hotline domain dictionary, loaded once per process, reloadable."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from nlu.errors import DictionaryError

if TYPE_CHECKING:
    import jieba

DEFAULT_DICTIONARY = Path(__file__).with_name("data") / "domain_dict.txt"
# Maintainers may point the gateway at their own copy; the shipped file is the default.
DICTIONARY_ENV = "HOTLINE_NLU_DICTIONARY"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_dictionary_path: Path | None = None


def dictionary_path() -> Path:
    if _dictionary_path is not None:
        return _dictionary_path
    env = os.environ.get(DICTIONARY_ENV)
    return Path(env) if env else DEFAULT_DICTIONARY


def set_dictionary_path(path: Path | None) -> None:
    """Use another domain dictionary file (None: back to the env/default); takes effect on reload."""
    global _dictionary_path
    _dictionary_path = path


def parse_dictionary(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba user dictionary; comments and blank lines allowed. Raises DictionaryError."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DictionaryError(f"cannot read domain dictionary {path}: {exc.strerror}") from exc
    entries: list[tuple[str, int | None, str | None]] = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) > 3:
            raise DictionaryError(f"{path}:{lineno}: expected 'word [freq] [pos]', got {line!r}")
        freq: int | None = None
        if len(parts) >= 2:
            if not parts[1].isdigit():
                raise DictionaryError(f"{path}:{lineno}: frequency must be an integer, got {parts[1]!r}")
            freq = int(parts[1])
        entries.append((parts[0], freq, parts[2] if len(parts) == 3 else None))
    return entries


def _build() -> jieba.Tokenizer:
    import jieba  # lazy: building the prefix dictionary takes ~1 s

    jieba.setLogLevel(logging.WARNING)
    entries = parse_dictionary(dictionary_path())
    tok = jieba.Tokenizer()
    tok.initialize()
    for word, freq, tag in entries:
        tok.add_word(word, freq, tag)
    return tok


def tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    tok = _tokenizer
    if tok is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build()
            tok = _tokenizer
    return tok


def reload_dictionary() -> None:
    """Rebuild the tokenizer from the dictionary file, then swap it in (readers never see half a load)."""
    global _tokenizer
    fresh = _build()
    with _lock:
        _tokenizer = fresh


def cut(text: str) -> list[str]:
    """Raw jieba segmentation (every piece, whitespace and punctuation included)."""
    return list(tokenizer().cut(text, HMM=True))


def is_word(token: str) -> bool:
    """True for tokens that carry meaning (not whitespace, not punctuation-only)."""
    return any(ch.isalnum() for ch in token)
