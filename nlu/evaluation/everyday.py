"""Build nlu/data/emergency/everyday.txt: ordinary hotline messages for the statistical model.

The emergency set's negatives are mostly hard cases written around emergency words, so on its own the
model learned that almost any first-person trouble ("领结婚证需要户口本吗", "楼下KTV太吵") scores like an
emergency. The team's classifier appeals (with their emergency labels) and the knowledge base's indexed
questions (never its held-out ones) show it what everyday messages look like.

    python -m nlu.evaluation.everyday        # rewrite the file after the classifier data or seed KB change
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from nlu.evaluation.dataset import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]
CLASSIFIER_DATA = ROOT / "classifier" / "data" / "nlu"
KB_SEED = ROOT / "knowledge" / "data" / "seed"
HEADER = (
    "# Everyday hotline messages for the emergency model. Built by nlu.evaluation.everyday; do not edit.\n"
    "# services<TAB>family<TAB>text; services '-' for non-emergencies.\n"
)


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def classifier_rows(data_dir: Path = CLASSIFIER_DATA) -> list[tuple[str, str, str]]:
    from classifier.trainingdata import load_rasa_yaml

    data = load_rasa_yaml([data_dir])
    return [
        (e.emergency or "-", "appeal" if e.emergency is None else "appeal_emergency", _one_line(e.text))
        for e in data.examples
    ]


def seed_rows(seed_dir: Path = KB_SEED) -> list[tuple[str, str, str]]:
    rows = []
    for path in sorted(seed_dir.glob("*.yaml")):
        for article in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            for question in [article.get("question"), *(article.get("paraphrases") or [])]:
                if question:
                    rows.append(("-", "kb_question", _one_line(str(question))))
    return rows


def build(path: Path = DATA_DIR / "everyday.txt") -> int:
    seen: set[str] = set()
    lines = []
    for services, family, text in classifier_rows() + seed_rows():
        if text and text not in seen:
            seen.add(text)
            lines.append(f"{services}\t{family}\t{text}\n")
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return len(lines)


if __name__ == "__main__":
    sys.stdout.write(f"{build()} messages\n")
