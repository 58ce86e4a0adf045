"""Import and export articles: CSV, JSON, YAML and a folder of Markdown files with front matter.

Every format carries the same fields (see `knowledge.serialize.ARTICLE_FIELDS`). In CSV, list fields
(paraphrases, tags) are one cell separated by '|'. In Markdown, the body is the answer and everything
else is YAML front matter between '---' lines.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import ImportFormatError, KnowledgeError
from knowledge.models import Article, ArticleContent, Status, check_article_id
from knowledge.serialize import ARTICLE_FIELDS, article_to_dict, content_from_dict, parse_status

FORMATS = ("csv", "json", "yaml", "markdown")
# Keys an import may carry besides the article fields; anything else is a typo and is refused.
_IGNORED_KEYS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class ImportItem:
    id: str
    content: ArticleContent
    status: Status


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "markdown"
    suffix = path.suffix.lower()
    by_suffix = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".md": "markdown"}
    if suffix not in by_suffix:
        raise ImportFormatError(f"cannot tell the format of {path.name}; use --format {'|'.join(FORMATS)}")
    return by_suffix[suffix]


def item_from_record(record: Mapping[str, Any], where: str, default_status: Status) -> ImportItem:
    unknown = set(record) - set(ARTICLE_FIELDS) - _IGNORED_KEYS
    if unknown:
        raise ImportFormatError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    article_id = str(record.get("id") or "").strip()
    if not article_id:
        raise ImportFormatError(f"{where}: every article needs an id")
    try:
        check_article_id(article_id)
        content = content_from_dict(record)
        status = parse_status(record.get("status"), default_status)
    except KnowledgeError as exc:
        raise ImportFormatError(f"{where}: {exc.message}") from exc
    return ImportItem(article_id, content, status)


def _records_from_list(data: object, where: str) -> list[Mapping[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ImportFormatError(f"{where}: expected a list of article objects")
    return data


def parse_csv(text: str, where: str, default_status: Status) -> list[ImportItem]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or "id" not in reader.fieldnames:
        raise ImportFormatError(f"{where}: the CSV header must include id, title, question, answer")
    return [item_from_record(row, f"{where} row {n}", default_status) for n, row in enumerate(reader, start=2)]


def parse_json(text: str, where: str, default_status: Status) -> list[ImportItem]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{where}: invalid JSON: {exc}") from exc
    records = _records_from_list(data, where)
    return [item_from_record(r, f"{where} item {n}", default_status) for n, r in enumerate(records, start=1)]


def parse_yaml(text: str, where: str, default_status: Status) -> list[ImportItem]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportFormatError(f"{where}: invalid YAML: {exc}") from exc
    records = _records_from_list(data, where)
    return [item_from_record(r, f"{where} item {n}", default_status) for n, r in enumerate(records, start=1)]


def split_front_matter(text: str, where: str) -> tuple[dict[str, Any], str]:
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise ImportFormatError(f"{where}: a Markdown article must start with '---' front matter")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise ImportFormatError(f"{where}: front matter is not closed with '---'")
    header, body = parts[0][3:], parts[1]
    body = body.split("\n", 1)[1] if "\n" in body else ""
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise ImportFormatError(f"{where}: invalid front matter: {exc}") from exc
    if not isinstance(meta, dict):
        raise ImportFormatError(f"{where}: front matter must be a mapping")
    return meta, body.strip()


def parse_markdown(text: str, where: str, default_status: Status, fallback_id: str) -> ImportItem:
    meta, body = split_front_matter(text, where)
    if "answer" in meta:
        raise ImportFormatError(f"{where}: the answer is the Markdown body, not a front matter field")
    record = {**meta, "answer": body}
    record.setdefault("id", fallback_id)
    return item_from_record(record, where, default_status)


def read_items(path: Path, fmt: str | None = None, default_status: Status = Status.DRAFT) -> list[ImportItem]:
    """Parse a file (or a folder of Markdown / YAML files) into validated items; nothing is written."""
    fmt = fmt or detect_format(path)
    if path.is_dir():
        pattern = {"markdown": "*.md", "yaml": "*.yaml", "json": "*.json", "csv": "*.csv"}[fmt]
        files = sorted(p for p in path.rglob(pattern) if p.is_file())
        if not files:
            raise ImportFormatError(f"{path}: no {pattern} files")
        items: list[ImportItem] = []
        for file in files:
            items.extend(read_items(file, fmt, default_status))
        return _unique(items)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFormatError(f"cannot read {path}: {exc}") from exc
    parsers = {"csv": parse_csv, "json": parse_json, "yaml": parse_yaml}
    if fmt == "markdown":
        return [parse_markdown(text, str(path), default_status, path.stem)]
    if fmt not in parsers:
        raise ImportFormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return _unique(parsers[fmt](text, str(path), default_status))


def _unique(items: list[ImportItem]) -> list[ImportItem]:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ImportFormatError(f"article id {item.id} appears twice in the import")
        seen.add(item.id)
    return items


# ---- export ----------------------------------------------------------------------------------
def _csv_row(article: Article) -> dict[str, str]:
    row = article_to_dict(article)
    out: dict[str, str] = {}
    for key in ARTICLE_FIELDS:
        value = row.get(key)
        if isinstance(value, list):
            out[key] = "|".join(value)
        else:
            out[key] = "" if value is None else str(value)
    return out


def to_csv(articles: Iterable[Article]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ARTICLE_FIELDS), lineterminator="\n")
    writer.writeheader()
    for article in articles:
        writer.writerow(_csv_row(article))
    return buffer.getvalue()


def to_json(articles: Iterable[Article]) -> str:
    return json.dumps([article_to_dict(a) for a in articles], ensure_ascii=False, indent=2) + "\n"


def to_yaml(articles: Iterable[Article]) -> str:
    return yaml.safe_dump([article_to_dict(a) for a in articles], allow_unicode=True, sort_keys=False)


def to_markdown(article: Article) -> str:
    meta = article_to_dict(article)
    answer = meta.pop("answer")
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return f"---\n{header}---\n\n{answer}\n"


def write_export(articles: list[Article], target: Path, fmt: str) -> int:
    """Write `articles` to a file (csv/json/yaml) or a folder of Markdown files; returns the count."""
    if fmt == "markdown":
        target.mkdir(parents=True, exist_ok=True)
        for article in articles:
            (target / f"{article.id}.md").write_text(to_markdown(article), encoding="utf-8")
        return len(articles)
    writers = {"csv": to_csv, "json": to_json, "yaml": to_yaml}
    if fmt not in writers:
        raise ImportFormatError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(writers[fmt](articles), encoding="utf-8")
    return len(articles)
