"""Import labelled examples from CSV and JSONL with chosen columns (UTF-8, texts may contain newlines)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier.errors import TrainingDataError
from classifier.labels import APPEAL_TYPES, category_key
from classifier.trainingdata import Example, TrainingData, load_rasa_yaml


@dataclass(frozen=True)
class Columns:
    """Which column holds what; `category` holds "一级/二级", or use category_l1 + category_l2."""

    text: str = "text"
    intent: str | None = "intent"
    category: str | None = "category"
    category_l1: str | None = None
    category_l2: str | None = None
    emergency: str | None = None
    # For files that label only categories: the appeal type every row gets.
    default_intent: str | None = None


def read_csv_rows(path: Path) -> Iterator[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.DictReader(fh)
    except UnicodeDecodeError as exc:
        raise TrainingDataError(f"{path} is not UTF-8: {exc}") from exc


def read_jsonl_rows(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise TrainingDataError(f"{path}:{n}: invalid JSON: {exc}") from exc


def import_table(path: Path, columns: Columns | None = None) -> TrainingData:
    cols = columns or Columns()
    rows = read_jsonl_rows(path) if path.suffix == ".jsonl" else read_csv_rows(path)
    data = TrainingData()
    for n, row in enumerate(rows, start=2 if path.suffix == ".csv" else 1):
        if cols.text not in row:
            raise TrainingDataError(f"{path}: no column {cols.text!r} (columns: {', '.join(map(str, row))})")
        text = str(row.get(cols.text) or "").strip()
        category = _category(row, cols)
        intent = str(row.get(cols.intent) or "").strip() if cols.intent else ""
        intent = intent or (cols.default_intent or "")
        if not intent:
            raise TrainingDataError(f"{path}:{n}: no intent (set the intent column or a default intent)")
        if intent not in APPEAL_TYPES:
            category = None
        emergency = str(row.get(cols.emergency) or "").strip() if cols.emergency else ""
        data.examples.append(
            Example(text=text, intent=intent, category=category, emergency=emergency or None, source=f"{path.name}:{n}")
        )
    return data


def _category(row: dict[str, Any], cols: Columns) -> str | None:
    if cols.category_l1 and cols.category_l2:
        l1, l2 = str(row.get(cols.category_l1) or "").strip(), str(row.get(cols.category_l2) or "").strip()
        return category_key(l1, l2) if l1 and l2 else None
    if cols.category:
        value = str(row.get(cols.category) or "").strip()
        return value or None
    return None


def load_any(path: Path, columns: Columns | None = None) -> TrainingData:
    """Rasa YAML (file or directory), CSV or JSONL by extension."""
    if path.is_dir() or path.suffix in (".yml", ".yaml"):
        return load_rasa_yaml([path])
    if path.suffix in (".csv", ".jsonl"):
        return import_table(path, columns)
    raise TrainingDataError(f"{path}: unsupported training data format (use .yml, .csv or .jsonl)")
