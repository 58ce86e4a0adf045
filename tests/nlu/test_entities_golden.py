"""The team's golden entity table (tests/nlu/data/entities_golden.tsv) and its negative twin."""

from pathlib import Path

import pytest

import nlu

DATA = Path(__file__).with_name("data")


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [ln.split("\t") for ln in lines if ln.strip() and not ln.startswith("#")]


GOLDEN = _rows("entities_golden.tsv")
NEGATIVE = _rows("entities_negative.tsv")


def test_table_sizes() -> None:
    assert len(GOLDEN) + len(NEGATIVE) >= 300
    assert {row[1] for row in GOLDEN} == set(nlu.ENTITY_TYPES)


@pytest.mark.parametrize(("text", "etype", "surface", "value"), GOLDEN, ids=[f"{r[1]}:{r[0][:16]}" for r in GOLDEN])
def test_golden_entity(text: str, etype: str, surface: str, value: str) -> None:
    entities = nlu.analyse(text).entities
    found = [(e.type, e.text, e.value) for e in entities]
    assert (etype, surface, value) in found
    for e in entities:
        assert text[e.start : e.end] == e.text  # offsets index the original text


@pytest.mark.parametrize(("text", "etype"), NEGATIVE, ids=[f"{r[1]}:{r[0][:16]}" for r in NEGATIVE])
def test_negative_entity(text: str, etype: str) -> None:
    assert etype not in {e.type for e in nlu.analyse(text).entities}
