"""The 集成事项清单 (integration item list): category -> responsible department, deadline, required details.

The YAML (default `classifier/data/catalogue.yaml`) lists every first-level category with defaults and its
second-level classes with overrides; `load_catalogue` validates it once so `route()` never meets bad data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from classifier.errors import CatalogueError, UnknownCategory

DEFAULT_CATALOGUE_PATH = Path(__file__).parent / "data" / "catalogue.yaml"
OTHER = "其他"


@dataclass(frozen=True)
class Utility:
    key: str
    name: str
    operator: str
    hotline: str | None
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    """Where a work order of one category goes."""

    category_l1: str
    category_l2: str
    department: str
    deadline_working_days: int
    required_details: tuple[str, ...]
    # Public utilities this category can involve (GB/T 44190 6.3.2 linkage), e.g. water/power/gas/heating.
    utilities: tuple[Utility, ...] = ()
    district: str | None = None

    @property
    def utility_notes(self) -> tuple[str, ...]:
        notes = []
        for u in self.utilities:
            line = f"{u.name}：{u.operator}"
            if u.hotline:
                line += f"（{u.hotline}）"
            notes.append(line)
        return tuple(notes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category_l1": self.category_l1,
            "category_l2": self.category_l2,
            "department": self.department,
            "deadline_working_days": self.deadline_working_days,
            "required_details": list(self.required_details),
            "utilities": [u.key for u in self.utilities],
            "utility_notes": list(self.utility_notes),
            "district": self.district,
        }


@dataclass(frozen=True)
class _Entry:
    department: str
    district_department: str | None
    deadline_working_days: int
    required_details: tuple[str, ...]
    utilities: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    name: str
    entries: Mapping[tuple[str, str], _Entry]
    detail_prompts: Mapping[str, str]
    utilities: Mapping[str, Utility]
    district_overrides: Mapping[str, Mapping[str, str]]
    deadline_by_appeal_type: Mapping[str, int] = field(default_factory=dict)

    @property
    def categories(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for l1, l2 in self.entries:
            out.setdefault(l1, []).append(l2)
        return out

    def has(self, category_l1: str, category_l2: str) -> bool:
        return (category_l1, category_l2) in self.entries

    def route(
        self,
        category_l1: str,
        category_l2: str | None = None,
        district: str | None = None,
        *,
        appeal_type: str | None = None,
    ) -> Route:
        """Department, deadline and required details for a category; an unknown l2 falls back to l1/其他."""
        l2 = category_l2 or OTHER
        entry = self.entries.get((category_l1, l2))
        if entry is None:
            entry = self.entries.get((category_l1, OTHER))
            if entry is None:
                raise UnknownCategory(f"catalogue has no category {category_l1}/{l2}")
            l2 = OTHER
        department = entry.department
        if district:
            override = self.district_overrides.get(district, {})
            explicit = override.get(f"{category_l1}/{l2}") or override.get(category_l1)
            if explicit:
                department = explicit
            elif entry.district_department:
                department = f"{district}{entry.district_department}"
        deadline = self.deadline_by_appeal_type.get(appeal_type or "", entry.deadline_working_days)
        return Route(
            category_l1=category_l1,
            category_l2=l2,
            department=department,
            deadline_working_days=deadline,
            required_details=entry.required_details,
            utilities=tuple(self.utilities[k] for k in entry.utilities),
            district=district,
        )

    def detect_utilities(self, text: str) -> tuple[Utility, ...]:
        """Utilities whose keywords occur in the text (for linkage to utility hotlines)."""
        return tuple(u for u in self.utilities.values() if any(k in text for k in u.keywords))

    def prompt_for(self, detail: str) -> str:
        return self.detail_prompts[detail]


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the catalogue YAML; every problem is reported at once."""
    path = path or DEFAULT_CATALOGUE_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"cannot read catalogue {path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("categories"), dict):
        raise CatalogueError(f"{path}: top level must be a mapping with 'categories'")
    return _build(raw, str(path))


def _build(raw: dict[str, Any], where: str) -> Catalogue:
    problems: list[str] = []
    details = {str(k): str(v) for k, v in (raw.get("details") or {}).items()}
    utilities: dict[str, Utility] = {}
    for key, spec in (raw.get("utilities") or {}).items():
        try:
            utilities[str(key)] = Utility(
                key=str(key),
                name=str(spec["name"]),
                operator=str(spec["operator"]),
                hotline=None if spec.get("hotline") is None else str(spec["hotline"]),
                keywords=tuple(str(k) for k in spec.get("keywords") or ()),
            )
        except (KeyError, TypeError):
            problems.append(f"utility {key!r} needs name and operator")
    entries: dict[tuple[str, str], _Entry] = {}
    for l1, spec in raw["categories"].items():
        if not isinstance(spec, dict):
            problems.append(f"{l1}: must be a mapping")
            continue
        subs = spec.get("subcategories") or {}
        if not subs:
            problems.append(f"{l1}: no subcategories")
        for l2, sub in subs.items():
            merged = {k: v for k, v in spec.items() if k != "subcategories"}
            merged.update(sub or {})
            entry = _entry(f"{l1}/{l2}", merged, details, utilities, problems)
            if entry is not None:
                entries[(str(l1), str(l2))] = entry
    overrides: dict[str, dict[str, str]] = {}
    for district, mapping in (raw.get("districts") or {}).items():
        overrides[str(district)] = {str(k): str(v) for k, v in (mapping or {}).items()}
        for key in mapping or {}:
            l1, _, l2 = str(key).partition("/")
            if (l1, l2 or OTHER) not in entries and not any(e[0] == l1 for e in entries):
                problems.append(f"district {district}: unknown category {key}")
    by_type = {str(k): int(v) for k, v in (raw.get("deadline_by_appeal_type") or {}).items()}
    if problems:
        raise CatalogueError(f"{where}: " + "; ".join(problems))
    return Catalogue(
        name=str(raw.get("name", "集成事项清单")),
        entries=entries,
        detail_prompts=details,
        utilities=utilities,
        district_overrides=overrides,
        deadline_by_appeal_type=by_type,
    )


def _entry(
    where: str,
    spec: dict[str, Any],
    details: Mapping[str, str],
    utilities: Mapping[str, Utility],
    problems: list[str],
) -> _Entry | None:
    department = spec.get("department")
    deadline = spec.get("deadline_working_days")
    if not isinstance(department, str) or not department:
        problems.append(f"{where}: missing department")
        return None
    if not isinstance(deadline, int) or deadline <= 0:
        problems.append(f"{where}: deadline_working_days must be a positive integer")
        return None
    required = tuple(str(d) for d in spec.get("required_details") or ())
    for d in required:
        if d not in details:
            problems.append(f"{where}: required detail {d!r} is not defined under 'details'")
    used = tuple(str(u) for u in spec.get("utilities") or ())
    for u in used:
        if u not in utilities:
            problems.append(f"{where}: unknown utility {u!r}")
    district_department = spec.get("district_department")
    return _Entry(
        department=department,
        district_department=str(district_department) if district_department else None,
        deadline_working_days=deadline,
        required_details=required,
        utilities=used,
    )
