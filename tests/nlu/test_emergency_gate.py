"""The character gate that skips trigger regexes which cannot match a message."""

import re

import pytest

from nlu.emergency import context, gate, lexicon
from nlu.evaluation import load_heldout, load_tune
from nlu.normalization import normalize


@pytest.mark.parametrize(
    ("pattern", "starts", "others"),
    [
        (r"(?<![发高])烧到", "烧", "发高到"),  # a lookbehind consumes nothing
        (r"(?:快|赶紧)?叫消防", "快赶叫", "紧消防"),  # an optional prefix adds its first characters
        (r"^\s*着火", " \t着", "火"),
        (r"[0-2]号楼|\d+层", "0123456789", "号楼层"),
        (r"a{0,2}(?:b|c)+d", "abc", "d"),
    ],
)
def test_first_class(pattern: str, starts: str, others: str) -> None:
    cls = gate.first_class(re.compile(pattern))
    assert cls is not None
    assert all(cls.match(ch) for ch in starts)
    assert not any(cls.match(ch) for ch in others)


def test_first_class_follows_the_pattern_flags() -> None:
    cls = gate.first_class(re.compile(r"help me|sos", re.IGNORECASE))
    assert cls is not None
    assert cls.match("H") and cls.match("S") and cls.match("h")
    case_sensitive = gate.first_class(re.compile(r"help me|sos"))
    assert case_sensitive is not None and not case_sensitive.match("H")


@pytest.mark.parametrize("pattern", [r".{0,3}着火", r"[^,。]着火", r"着?火?", r"(?i:h)elp", r"()\1a"])
def test_patterns_that_cannot_be_gated(pattern: str) -> None:
    assert gate.first_class(re.compile(pattern)) is None
    assert gate.CharGate([re.compile(pattern)]).mask("无关的字") == 1


def test_gate_skips_only_triggers_that_cannot_match() -> None:
    triggers = lexicon.ALL_TRIGGERS
    char_gate = gate.CharGate([t.pattern for t in triggers])
    assert char_gate.ungated < len(triggers) // 10  # an ungatable trigger still runs, on every message
    texts = [e.text for e in load_tune()] + [e.text for p in ("a", "b", "c", "d") for e in load_heldout(part=p)]
    skipped = matched = 0
    for text in texts:
        masked = context.mask_phrases(normalize(text).text)
        mask = char_gate.mask(masked)
        for i, trig in enumerate(triggers):
            if trig.pattern.search(masked):
                matched += 1
                assert mask >> i & 1, (trig.name, text)
            elif not mask >> i & 1:
                skipped += 1
    assert matched > 500
    # The point of the gate: most trigger regexes need not run at all.
    assert skipped > 0.5 * len(texts) * len(triggers)
