"""The seed knowledge base shipped in knowledge/data/seed and the evaluation set derived from it.

Each seed article lists `heldout` phrasings that are never indexed. The first goes to the calibration
split, the second to the test split; out_of_kb.txt alternates likewise. `python -m knowledge.seed eval-csv`
rewrites knowledge/data/eval/{calibration,test}.csv (a test checks they are current).
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import ImportFormatError
from knowledge.models import Status
from knowledge.store import ArticleStore, ImportReport
from knowledge.transfer import ImportItem, item_from_record

DATA_DIR = Path(__file__).with_name("data")
SEED_DIR = DATA_DIR / "seed"
EVAL_DIR = DATA_DIR / "eval"
SPLITS = ("calibration", "test")


@dataclass(frozen=True)
class EvalRow:
    question: str
    article: str  # "" = the KB must not answer
    split: str


def _seed_records(seed_dir: Path) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for path in sorted(seed_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, list):
            raise ImportFormatError(f"{path}: expected a list of articles")
        records.extend(data)
    return records


def seed_items(seed_dir: Path = SEED_DIR) -> list[ImportItem]:
    """The seed articles, published, without their held-out phrasings."""
    items = []
    for record in _seed_records(seed_dir):
        article = {k: v for k, v in record.items() if k != "heldout"}
        items.append(item_from_record(article, f"seed {article.get('id')}", Status.PUBLISHED))
    return items


def eval_rows(seed_dir: Path = SEED_DIR) -> list[EvalRow]:
    rows: list[EvalRow] = []
    for record in _seed_records(seed_dir):
        for i, question in enumerate(record.get("heldout") or []):
            rows.append(EvalRow(str(question), str(record["id"]), SPLITS[i % 2]))
    lines = [
        line.strip()
        for line in (seed_dir / "out_of_kb.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    rows.extend(EvalRow(q, "", SPLITS[i % 2]) for i, q in enumerate(lines))
    return rows


def eval_csv(rows: list[EvalRow], split: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["question", "article"])
    for row in rows:
        if row.split == split:
            writer.writerow([row.question, row.article])
    return buffer.getvalue()


def load_seed(store: ArticleStore, actor: str = "seed") -> ImportReport:
    return store.import_articles(((i.id, i.content, i.status) for i in seed_items()), actor)


def load_seed_if_empty(store: ArticleStore) -> ImportReport | None:
    """First run: an empty knowledge base gets the seed articles; an existing one is left alone."""
    if store.count():
        return None
    return load_seed(store)


def _main(argv: list[str]) -> int:
    if argv != ["eval-csv"]:
        print("usage: python -m knowledge.seed eval-csv", file=sys.stderr)
        return 2
    rows = eval_rows()
    EVAL_DIR.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        (EVAL_DIR / f"{split}.csv").write_text(eval_csv(rows, split), encoding="utf-8")
    print(f"wrote {len(rows)} rows to {EVAL_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
