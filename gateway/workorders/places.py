"""The place of an appeal, reduced to a key that duplicate appeals share."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Where in a place people stand differs between reports of one problem: "东门", "门口", "附近" go.
_TRAILING = re.compile(r"(附近|旁边|对面|门口|东门|西门|南门|北门|正门|后门|路口|一带|周边)+$")
MAX_KEY = 128


def place_key(entities: Iterable[Mapping[str, Any]]) -> str:
    """A normalised key of the first address or location entity; empty when the appeal names no place."""
    for entity in entities:
        if entity.get("type") not in ("address", "location"):
            continue
        value = entity.get("value")
        text = value if isinstance(value, str) else entity.get("text")
        if not isinstance(text, str):
            continue
        key = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text)).lower()
        key = _TRAILING.sub("", key)
        if key:
            return key[:MAX_KEY]
    return ""
