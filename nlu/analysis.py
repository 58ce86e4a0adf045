"""`analyse`: one call per message."""

from __future__ import annotations

from nlu import emergency, utility
from nlu.core import prepare, to_entities, words
from nlu.errors import InputError
from nlu.results import Analysis


def analyse(text: str) -> Analysis:
    if not isinstance(text, str):
        raise InputError(f"analyse() needs str, got {type(text).__name__}")
    prep = prepare(text)
    return Analysis(
        text=text,
        normalized=prep.norm.text,
        tokens=words(prep.pieces),
        entities=to_entities(prep.norm, prep.spans),
        emergency=emergency.detect(prep.norm),
        utility=utility.detect(prep.norm),
    )
