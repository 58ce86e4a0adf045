"""Training data: Rasa NLU YAML (version "3.1") is the source of truth; this module reads, validates and writes it.

One example carries its intent (appeal type or conversational intent) and, in Rasa's per-example
`metadata`, its category ("一级/二级"), an optional emergency service and where it came from:

    nlu:
    - intent: 投诉
      examples:
      - text: 小区门口的垃圾堆了一个星期没人清理
        metadata: {category: 城乡建设/城市建设和市政管理}
      - text: 我要投诉[幸福里小区](location)物业乱收费
        metadata: {category: 城乡建设/住房保障与房地产}

Plain `examples: |` blocks are accepted too (then category comes from the intent-level metadata).
Synonyms, lookup tables and regexes are kept and exported to Rasa unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from classifier.errors import TrainingDataError
from classifier.labels import ALL_INTENTS, APPEAL_TYPES, EMERGENCY_SERVICES, split_category

DEFAULT_DATA_DIR = Path(__file__).parent / "data" / "nlu"
# Sources that only say where an example sat in a file are not worth writing back.
_POSITIONAL = re.compile(r"^[^:]*#\d+:\d+$")
_ENTITY = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<ent>[^)]+)\)|(?P<json>\{[^}]+\}))")


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    entity: str
    value: str


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    category: str | None = None  # "一级/二级"; None for conversational intents
    emergency: str | None = None  # 110/119/120/122 when the message belongs to an emergency line
    entities: tuple[Entity, ...] = ()
    source: str = ""  # file:line, import file, or "correction:<id>"

    @property
    def category_l1(self) -> str | None:
        return None if self.category is None else split_category(self.category)[0]


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)
    # Intents declared in a file but with no example: reported as empty classes.
    declared_intents: set[str] = field(default_factory=set)

    def merge(self, other: TrainingData) -> TrainingData:
        out = TrainingData(
            examples=[*self.examples, *other.examples],
            synonyms={k: list(v) for k, v in self.synonyms.items()},
            lookups={k: list(v) for k, v in self.lookups.items()},
            regexes={k: list(v) for k, v in self.regexes.items()},
            declared_intents=self.declared_intents | other.declared_intents,
        )
        for target, src in ((out.synonyms, other.synonyms), (out.lookups, other.lookups), (out.regexes, other.regexes)):
            for key, values in src.items():
                merged = target.setdefault(key, [])
                merged.extend(v for v in values if v not in merged)
        return out

    def fingerprint(self) -> str:
        """A hash of the labelled texts, recorded in model metadata to tell which data trained a model."""
        h = hashlib.sha256()
        for ex in sorted(self.examples, key=lambda e: (e.text, e.intent, e.category or "")):
            h.update(f"{ex.text}\t{ex.intent}\t{ex.category or ''}\t{ex.emergency or ''}\n".encode())
        return h.hexdigest()[:16]

    def counts(self) -> dict[str, Any]:
        return {
            "examples": len(self.examples),
            "intents": dict(sorted(Counter(e.intent for e in self.examples).items())),
            "category_l1": dict(sorted(Counter(e.category_l1 for e in self.examples if e.category).items())),
            "categories": len({e.category for e in self.examples if e.category}),
            "emergency": dict(sorted(Counter(e.emergency for e in self.examples if e.emergency).items())),
        }


def dedup_key(text: str) -> str:
    """Texts equal after NFKC, case folding and whitespace removal count as duplicates."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def parse_annotated(text: str) -> tuple[str, tuple[Entity, ...]]:
    """Strip Rasa entity annotations `[text](entity)` / `[text]{"entity": ..., "value": ...}`."""
    out: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for m in _ENTITY.finditer(text):
        out.append(text[pos : m.start()])
        length += m.start() - pos
        surface = m.group("text")
        if m.group("json"):
            try:
                spec = json.loads(m.group("json"))
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"bad entity annotation {m.group(0)!r}: {exc}") from exc
            name, value = str(spec.get("entity", "")), str(spec.get("value", surface))
        else:
            name, _, value = str(m.group("ent")).partition(":")
            value = value or surface
        entities.append(Entity(length, length + len(surface), name, value))
        out.append(surface)
        length += len(surface)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), tuple(entities)


def annotate(example: Example) -> str:
    """Inverse of parse_annotated: the Rasa markup for an example's text."""
    text = example.text
    for ent in sorted(example.entities, key=lambda e: e.start, reverse=True):
        surface = text[ent.start : ent.end]
        mark = (
            f"[{surface}]({ent.entity})"
            if ent.value == surface
            else (f'[{surface}]{{"entity": "{ent.entity}", "value": "{ent.value}"}}')
        )
        text = text[: ent.start] + mark + text[ent.end :]
    return text


def load_rasa_yaml(paths: Iterable[Path]) -> TrainingData:
    """Read Rasa NLU YAML files (or every *.yml/*.yaml under a directory) without validating."""
    data = TrainingData()
    for path in _expand(paths):
        data = data.merge(_load_file(path))
    return data


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted([*p.rglob("*.yml"), *p.rglob("*.yaml")]))
        elif p.exists():
            files.append(p)
        else:
            raise TrainingDataError(f"training data not found: {p}")
    return files


def _load_file(path: Path) -> TrainingData:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise TrainingDataError(f"cannot read {path}: {exc}") from exc
    if not isinstance(raw, dict) or "nlu" not in raw:
        raise TrainingDataError(f"{path}: not a Rasa NLU file (no top-level 'nlu' key)")
    version = str(raw.get("version", ""))
    if version and not version.startswith("3"):
        raise TrainingDataError(f'{path}: Rasa training data version {version!r} is not supported (use "3.1")')
    data = TrainingData()
    for i, block in enumerate(raw["nlu"] or []):
        where = f"{path.name}#{i}"
        if not isinstance(block, dict):
            raise TrainingDataError(f"{where}: each nlu item must be a mapping")
        if "intent" in block:
            _read_intent(block, where, data)
        elif "synonym" in block:
            data.synonyms.setdefault(str(block["synonym"]), []).extend(_lines(block.get("examples")))
        elif "lookup" in block:
            data.lookups.setdefault(str(block["lookup"]), []).extend(_lines(block.get("examples")))
        elif "regex" in block:
            data.regexes.setdefault(str(block["regex"]), []).extend(_lines(block.get("examples")))
        else:
            raise TrainingDataError(f"{where}: unknown nlu item (expected intent, synonym, lookup or regex)")
    return data


def _read_intent(block: dict[str, Any], where: str, data: TrainingData) -> None:
    intent = str(block["intent"])
    data.declared_intents.add(intent)
    meta = block.get("metadata") or {}
    examples = block.get("examples")
    items: list[tuple[str, dict[str, Any]]]
    if isinstance(examples, str) or examples is None:
        items = [(line, {}) for line in _lines(examples)]
    elif isinstance(examples, list):
        items = []
        for item in examples:
            if isinstance(item, dict) and "text" in item:
                items.append((str(item["text"]).strip(), dict(item.get("metadata") or {})))
            else:
                raise TrainingDataError(f"{where}: example must be a mapping with 'text': {item!r}")
    else:
        raise TrainingDataError(f"{where}: 'examples' must be a block string or a list")
    for n, (annotated, ex_meta) in enumerate(items):
        merged = {**meta, **ex_meta}
        text, entities = parse_annotated(annotated)
        category = merged.get("category")
        emergency = merged.get("emergency")
        data.examples.append(
            Example(
                text=text,
                intent=intent,
                category=str(category) if category else None,
                emergency=str(emergency) if emergency else None,
                entities=entities,
                source=str(merged.get("source") or f"{where}:{n}"),
            )
        )


def _lines(block: Any) -> list[str]:
    if block is None:
        return []
    if isinstance(block, list):
        return [str(x).strip() for x in block if str(x).strip()]
    return [line.strip()[2:].strip() for line in str(block).splitlines() if line.strip().startswith("- ")]


def validate(data: TrainingData, categories: set[str] | None = None) -> list[str]:
    """Every problem found: duplicates, conflicting labels, empty or unknown classes, malformed labels."""
    problems: list[str] = []
    seen: dict[str, Example] = {}
    for ex in data.examples:
        if not ex.text.strip():
            problems.append(f"{ex.source}: empty text")
            continue
        if ex.intent not in ALL_INTENTS:
            problems.append(f"{ex.source}: unknown intent {ex.intent!r}")
        if ex.category is not None:
            if ex.intent not in APPEAL_TYPES:
                problems.append(f"{ex.source}: conversational intent {ex.intent} must not carry a category")
            try:
                split_category(ex.category)
            except ValueError as exc:
                problems.append(f"{ex.source}: {exc}")
            else:
                if categories is not None and ex.category not in categories:
                    problems.append(f"{ex.source}: category {ex.category} is not in the catalogue")
        if ex.emergency is not None and ex.emergency not in EMERGENCY_SERVICES:
            problems.append(f"{ex.source}: emergency must be one of {', '.join(EMERGENCY_SERVICES)}")
        key = dedup_key(ex.text)
        first = seen.get(key)
        if first is None:
            seen[key] = ex
        elif (first.intent, first.category, first.emergency) != (ex.intent, ex.category, ex.emergency):
            problems.append(
                f"{ex.source}: conflicting labels for {ex.text[:30]!r}: "
                f"{ex.intent}/{ex.category} here, {first.intent}/{first.category} at {first.source}"
            )
        else:
            problems.append(f"{ex.source}: duplicate of {first.source}: {ex.text[:30]!r}")
    counts = Counter(ex.intent for ex in data.examples)
    for intent in sorted(data.declared_intents):
        if counts[intent] == 0:
            problems.append(f"intent {intent!r} has no examples (empty class)")
    return problems


def load_and_validate(paths: Sequence[Path], categories: set[str] | None = None) -> TrainingData:
    data = load_rasa_yaml(paths)
    problems = validate(data, categories)
    if problems:
        raise TrainingDataError(f"{len(problems)} problem(s) in training data", problems)
    return data


def apply_corrections(data: TrainingData, corrections: Sequence[Example]) -> TrainingData:
    """Agent corrections override the label of the same text in the data, and add new texts."""
    index = {dedup_key(c.text): c for c in corrections}
    kept = [ex for ex in data.examples if dedup_key(ex.text) not in index]
    out = replace(data, examples=[*kept, *index.values()])
    return out


class _BlockDumper(yaml.SafeDumper):
    """Multi-line strings (letters, `examples: |` lists) as YAML literal blocks, the way Rasa files look."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _str_representer)


def dump_rasa_yaml(data: TrainingData, path: Path, *, intent_names: dict[str, str] | None = None) -> None:
    """Write Rasa NLU YAML (version "3.1"); `intent_names` renames intents (the Rasa export uses ASCII)."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for ex in data.examples:
        by_intent[ex.intent].append(ex)
    nlu: list[dict[str, Any]] = []
    for intent, examples in by_intent.items():
        items: list[dict[str, Any]] = []
        for ex in examples:
            source = ex.source if not _POSITIONAL.match(ex.source) else None
            meta = {k: v for k, v in (("category", ex.category), ("emergency", ex.emergency), ("source", source)) if v}
            items.append({"text": annotate(ex), **({"metadata": meta} if meta else {})})
        nlu.append({"intent": (intent_names or {}).get(intent, intent), "examples": items})
    for kind, table in (("synonym", data.synonyms), ("lookup", data.lookups), ("regex", data.regexes)):
        for name, values in table.items():
            nlu.append({kind: name, "examples": "".join(f"- {v}\n" for v in values)})
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(
        {"version": "3.1", "nlu": nlu}, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=1000
    )
    path.write_text(text, encoding="utf-8")
