"""The labelled emergency set: tune part (rules were tuned on it) and held-out part (never tuned on).

Files in nlu/data/emergency/: heldout_pos.txt ("services<TAB>text"), heldout_neg.txt
("family<TAB>text"), tune.txt and tune_handwritten.txt ("services<TAB>family<TAB>text", services "-"
for non-emergencies).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nlu.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "emergency"
# Parts the rules were tuned on and the statistical model trains on; O is never used for either.
TUNED_PARTS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n")
HELD_OUT_PARTS = ("o",)
HARD_FAMILIES = frozenset(
    {
        "negation",
        "hypothetical",
        "past",
        "resolved",
        "complaint_hazard",
        "pollution",
        "informational",
        "admin",
        "colloquial",
        "utility",
    }
)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    services: tuple[str, ...]  # empty for a non-emergency
    family: str  # service style for emergencies, hard-negative family or "plain" otherwise

    @property
    def is_emergency(self) -> bool:
        return bool(self.services)

    @property
    def is_hard_negative(self) -> bool:
        return not self.services and self.family in HARD_FAMILIES


def _lines(path: Path) -> list[list[str]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from exc
    rows = []
    for lineno, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2 or not parts[-1].strip():
            raise ConfigError(f"{path}:{lineno}: malformed line {line!r}")
        rows.append(parts)
    return rows


def _services(field: str) -> tuple[str, ...]:
    return () if field == "-" else tuple(s.strip() for s in field.split(","))


def load_heldout(data_dir: Path = DATA_DIR, part: str = "a") -> list[Example]:
    """Held-out part A (heldout_*.txt, written first), B (heldout_b_*.txt, after the second tuning round),
    C (heldout_c_*.txt, after the third round and the statistical model), D (heldout_d_*.txt, written
    before the fourth round without reading the rules), E (heldout_e_*.txt, written in session 4 after
    A-D had all been read while fixing the detector), F (heldout_f_*.txt, written in session 4 before
    the fixes made with E's errors), G (heldout_g_*.txt, written in session 5 by someone who read
    neither the detector nor the other parts, before that session's changes), H (heldout_h_*.txt, written
    like G after the first of those changes), I (heldout_i_*.txt, written like them after G and H were
    scored and read), J (the same, after I was scored and read), K (after J), L (after K), M (written
    in session 6 while L was read), N (written with M, scored after M was read) or O (written while N was
    read, scored after). A-N were tuned on and the statistical model trains on them; O never is."""
    prefixes = {
        "a": "heldout",
        "b": "heldout_b",
        "c": "heldout_c",
        "d": "heldout_d",
        "e": "heldout_e",
        "f": "heldout_f",
        "g": "heldout_g",
        "h": "heldout_h",
        "i": "heldout_i",
        "j": "heldout_j",
        "k": "heldout_k",
        "l": "heldout_l",
        "m": "heldout_m",
        "n": "heldout_n",
        "o": "heldout_o",
    }
    prefix = prefixes[part]
    pos = [Example(t, _services(s), "heldout") for s, t in _lines(data_dir / f"{prefix}_pos.txt")]
    neg = [Example(t, (), f) for f, t in _lines(data_dir / f"{prefix}_neg.txt")]
    return pos + neg


def load_everyday(data_dir: Path = DATA_DIR) -> list[Example]:
    """everyday.txt (built by nlu.evaluation.everyday): the classifier's appeals and the knowledge base's
    indexed questions, so the statistical model sees what ordinary hotline messages look like."""
    return [Example(t, _services(s), f) for s, f, t in _lines(data_dir / "everyday.txt")]


def load_tune(data_dir: Path = DATA_DIR) -> list[Example]:
    """tune.txt (built by nlu.evaluation.tuneset) plus tune_handwritten.txt (written by hand)."""
    rows = _lines(data_dir / "tune.txt") + _lines(data_dir / "tune_handwritten.txt")
    return [Example(t, _services(s), f) for s, f, t in rows]
