"""jieba segmentation with the hotline domain dictionary, loaded once per process, reloadable."""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from math import log
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
    """Raw jieba segmentation (every piece, whitespace and punctuation included).

    Exactly `list(tokenizer().cut(text, HMM=True))` (tests compare the two), computed without
    jieba's generator layers: the prefix-dictionary DAG and the best route are built in one pass per
    block, and the HMM's answer for a run of unjoined characters is memoised (names, dialect words
    and fillers recur from message to message; the Viterbi pass over them is the slowest step).
    """
    import jieba

    tok = tokenizer()
    han, skip = jieba.re_han_default, jieba.re_skip_default
    out: list[str] = []
    for block in han.split(text):
        if not block:
            continue
        if han.match(block):
            _cut_block(tok.FREQ, tok.total, block, out)
        else:
            for piece in skip.split(block):
                if skip.match(piece):
                    out.append(piece)
                else:
                    out.extend(piece)
    return out


def _cut_block(freq: dict[str, int], total: int, block: str, out: list[str]) -> None:
    """jieba's Tokenizer.__cut_DAG: the most probable path through the dictionary, HMM for the rest."""
    n = len(block)
    dag: list[list[int]] = []
    for k in range(n):
        ends: list[int] = []
        i = k
        frag = block[k]
        while i < n:
            count = freq.get(frag)
            if count is None:
                break
            if count:
                ends.append(i)
            i += 1
            frag = block[k : i + 1]
        dag.append(ends or [k])
    # Same arithmetic as jieba's `calc` (bit-identical scores, same tie-breaks).
    logtotal = log(total)
    route: list[tuple[float, int]] = [(0, 0)] * (n + 1)
    for idx in range(n - 1, -1, -1):
        ends = dag[idx]
        if len(ends) == 1:
            x = ends[0]
            route[idx] = (log(freq.get(block[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x)
        else:
            route[idx] = max((log(freq.get(block[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x) for x in ends)
    x = 0
    buf = ""
    while x < n:
        y = route[x][1] + 1
        if y - x == 1:
            buf += block[x]
        else:
            if buf:
                _flush(freq, buf, out)
                buf = ""
            out.append(block[x:y])
        x = y
    if buf:
        _flush(freq, buf, out)


def _flush(freq: dict[str, int], buf: str, out: list[str]) -> None:
    """A run of single characters: one piece, a dictionary word split into characters, or the HMM's words."""
    if len(buf) == 1:
        out.append(buf)
    elif not freq.get(buf):
        out.extend(_hmm_cut(buf))
    else:
        out.extend(buf)


def _hmm_cut(buf: str) -> tuple[str, ...]:
    from jieba import finalseg

    if finalseg.Force_Split_Words:  # global jieba state the memo does not know about
        return tuple(finalseg.cut(buf))
    return _hmm_cut_memo(buf)


@lru_cache(maxsize=8192)
def _hmm_cut_memo(buf: str) -> tuple[str, ...]:
    from jieba import finalseg

    return tuple(finalseg.cut(buf))


def is_word(token: str) -> bool:
    """True for tokens that carry meaning (not whitespace, not punctuation-only)."""
    # Most tokens are all letters or digits: one C call answers them without the per-character loop.
    return token.isalnum() or any(ch.isalnum() for ch in token)
