"""Reload the domain dictionary when a maintainer edits the file: no restart, no call to make.

`analyse` calls `maybe_reload()` on every message. It looks at the file's modification time at most
once per CHECK_INTERVAL seconds (one stat call), and when the file changed it rebuilds the tokenizer
and the pipeline in a background thread: building takes about a second, and no citizen's message
should wait for it. Until the new dictionary is ready the old one keeps serving; an invalid file is
logged and the old dictionary stays.
"""

from __future__ import annotations

import logging
import threading
import time

from nlu import segment
from nlu.errors import DictionaryError

CHECK_INTERVAL = 5.0
_log = logging.getLogger(__name__)
_lock = threading.Lock()
_state: dict[str, float] = {"checked": 0.0, "mtime": -1.0}
_reloading = threading.Event()


def _mtime() -> float:
    try:
        return segment.dictionary_path().stat().st_mtime
    except OSError:
        return -1.0


def remember_current() -> None:
    """Record the dictionary file's current version (after a load, so that load is not redone)."""
    with _lock:
        _state["mtime"] = _mtime()
        _state["checked"] = time.monotonic()


def _reload(mtime: float) -> None:
    import nlu

    try:
        nlu.reload_dictionary()
        _log.info("domain dictionary reloaded from %s", segment.dictionary_path())
    except DictionaryError as exc:
        _log.error("domain dictionary not reloaded, the previous one stays: %s", exc)
    finally:
        with _lock:
            _state["mtime"] = mtime
        _reloading.clear()


def maybe_reload(*, now: float | None = None, wait: bool = False) -> bool:
    """Start a reload if the dictionary file changed since the last look; True if one was started.

    `wait` joins the reload thread (tests and the CLI); the gateway never waits.
    """
    now = time.monotonic() if now is None else now
    with _lock:
        if now - _state["checked"] < CHECK_INTERVAL or _reloading.is_set():
            return False
        _state["checked"] = now
        known = _state["mtime"]
    mtime = _mtime()
    if known < 0:  # first look in this process: the dictionary in memory is this file's
        with _lock:
            _state["mtime"] = mtime
        return False
    if mtime == known:
        return False
    _reloading.set()
    thread = threading.Thread(target=_reload, args=(mtime,), name="nlu-dictionary-reload", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return True
