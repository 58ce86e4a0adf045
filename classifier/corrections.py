"""Agent corrections: every label an agent fixes on a work order becomes training data, with provenance.

The gateway appends one JSON line per correction to `corrections_path(model_dir)`
(`<model_dir>/../feedback/corrections.jsonl`) through `record_correction`; `hotline train` merges
them into the next training run, where a correction overrides the starter label of the same text.

Pass the text after nlu's PII masking: the file is training data that maintainers read and export.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifier.errors import TrainingDataError
from classifier.labels import ALL_INTENTS, APPEAL_TYPES, category_key
from classifier.trainingdata import Example

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Correction:
    text: str
    intent: str  # corrected appeal type or conversational intent
    category: str | None  # corrected "一级/二级"
    agent: str  # who corrected it (agent id, never a citizen's data)
    ticket: str | None = None  # work order it came from
    previous_intent: str | None = None
    previous_category: str | None = None
    model_version: str | None = None
    created: str = ""

    def to_example(self, line: int) -> Example:
        return Example(
            text=self.text,
            intent=self.intent,
            category=self.category,
            source=f"correction:{self.ticket or line}:{self.agent}",
        )


def corrections_path(model_dir: Path) -> Path:
    return Path(model_dir).parent / "feedback" / "corrections.jsonl"


def record_correction(
    path: Path,
    *,
    text: str,
    appeal_type: str,
    category_l1: str | None = None,
    category_l2: str | None = None,
    agent: str,
    ticket: str | None = None,
    previous_intent: str | None = None,
    previous_category: str | None = None,
    model_version: str | None = None,
) -> Correction:
    """Append one correction (validated) to the JSONL file and return it.

    `appeal_type` may also be a conversational intent; the category is required for appeal types.
    Appends are whole lines written with one `write` under a lock (O_APPEND), so concurrent workers of
    one host do not interleave lines.
    """
    if not text.strip():
        raise TrainingDataError("a correction needs the message text")
    if appeal_type not in ALL_INTENTS:
        raise TrainingDataError(f"unknown appeal type or intent {appeal_type!r}")
    category = None
    if appeal_type in APPEAL_TYPES:
        if not category_l1 or not category_l2:
            raise TrainingDataError("a corrected appeal needs category_l1 and category_l2")
        category = category_key(category_l1, category_l2)
    correction = Correction(
        text=text.strip(),
        intent=appeal_type,
        category=category,
        agent=agent,
        ticket=ticket,
        previous_intent=previous_intent,
        previous_category=previous_category,
        model_version=model_version,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    line = json.dumps(asdict(correction), ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _LOCK:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
    return correction


def load_corrections(path: Path) -> list[Correction]:
    """All corrections in file order; later corrections of the same text win when merged."""
    if not path.exists():
        return []
    out: list[Correction] = []
    problems: list[str] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            item: dict[str, Any] = json.loads(raw)
            out.append(Correction(**{k: v for k, v in item.items() if k in Correction.__dataclass_fields__}))
        except (json.JSONDecodeError, TypeError) as exc:
            problems.append(f"{path.name}:{n}: {exc}")
    if problems:
        raise TrainingDataError(f"unreadable corrections in {path}", problems)
    return out


def correction_examples(path: Path) -> list[Example]:
    return [c.to_example(n) for n, c in enumerate(load_corrections(path), start=1)]
