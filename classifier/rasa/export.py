"""`hotline rasa export DIR`: complete Rasa 3.6 projects written from the same training data.

Rasa gives one intent per message, and a message here has two labels, so the export writes two projects:

    DIR/intent/    appeal type or conversational intent  -> served as HOTLINE_RASA_URL (port 5005)
    DIR/category/  category "一级__二级"                     -> served as HOTLINE_RASA_CATEGORY_URL (5006)

Each has config.yml (JiebaTokenizer, regex/lexical/count-vector featurizers, DIETClassifier,
EntitySynonymMapper, FallbackClassifier), domain.yml and data/nlu.yml with entities, synonyms,
lookup tables and regexes. Intent names stay Chinese (Rasa 3.6 handles them); "/" is Rasa's
retrieval-intent separator, so categories use CATEGORY_SEPARATOR instead.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import yaml

from classifier.trainingdata import Example, TrainingData, dump_rasa_yaml

CATEGORY_SEPARATOR = "__"
FALLBACK_INTENT = "nlu_fallback"
Target = Literal["intent", "category"]


@dataclass(frozen=True)
class RasaOptions:
    epochs: int = 100  # DIET's default; tests and CI pass a handful
    fallback_threshold: float = 0.3
    ambiguity_threshold: float = 0.1


def category_intent(category: str) -> str:
    return category.replace("/", CATEGORY_SEPARATOR, 1)


def category_from_intent(name: str) -> str:
    return name.replace(CATEGORY_SEPARATOR, "/", 1)


def config_yaml(target: Target, options: RasaOptions) -> dict[str, Any]:
    return {
        "recipe": "default.v1",
        "language": "zh",
        "assistant_id": f"hotline-{target}",
        "pipeline": [
            # Rasa's own Chinese tokenizer (jieba); the char n-grams below carry most of the signal.
            {"name": "JiebaTokenizer"},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3},
            {"name": "DIETClassifier", "epochs": options.epochs, "constrain_similarities": True},
            {"name": "EntitySynonymMapper"},
            {
                "name": "FallbackClassifier",
                "threshold": options.fallback_threshold,
                "ambiguity_threshold": options.ambiguity_threshold,
            },
        ],
        # NLU only: the gateway's dialogue policy decides what to do; Rasa classifies.
        "policies": [],
    }


def project_data(data: TrainingData, target: Target) -> TrainingData:
    if target == "intent":
        return data
    examples = [replace(e, intent=category_intent(e.category)) for e in data.examples if e.category is not None]
    return replace(data, examples=examples)


def domain_yaml(data: TrainingData) -> dict[str, Any]:
    intents = sorted({e.intent for e in data.examples})
    entities = sorted({ent.entity for e in data.examples for ent in e.entities} | set(data.lookups))
    return {
        "version": "3.1",
        "intents": intents,
        "entities": entities,
        "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True},
    }


def export_project(data: TrainingData, directory: Path, target: Target, options: RasaOptions | None = None) -> Path:
    """Write one Rasa project; returns its directory."""
    options = options or RasaOptions()
    project = project_data(data, target)
    directory.mkdir(parents=True, exist_ok=True)
    _dump(directory / "config.yml", config_yaml(target, options))
    _dump(directory / "domain.yml", domain_yaml(project))
    dump_rasa_yaml(_without_metadata(project), directory / "data" / "nlu.yml")
    return directory


def export(data: TrainingData, directory: Path, options: RasaOptions | None = None) -> dict[str, Path]:
    """Both projects (intent and category) under `directory`, plus a README with the commands."""
    targets: tuple[Target, ...] = ("intent", "category")
    out: dict[str, Path] = {}
    for target in targets:
        out[target] = export_project(data, directory / target, target, options)
    (directory / "README.md").write_text(_README, encoding="utf-8")
    return out


def _without_metadata(data: TrainingData) -> TrainingData:
    # Category/emergency metadata is ours; Rasa would carry it along but it only bloats the model.
    return replace(data, examples=[Example(e.text, e.intent, entities=e.entities) for e in data.examples])


def _dump(path: Path, content: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")


_README = """# Rasa projects exported by `hotline rasa export`

Two NLU projects from the same training data (Rasa 3.6, Python 3.10 environment):

    cd intent   && rasa train nlu --out models && rasa run --enable-api -i 127.0.0.1 -p 5005 -m models
    cd category && rasa train nlu --out models && rasa run --enable-api -i 127.0.0.1 -p 5006 -m models

Set RASA_TELEMETRY_ENABLED=false. Then HOTLINE_NLU_BACKEND=rasa, HOTLINE_RASA_URL=http://127.0.0.1:5005 and
HOTLINE_RASA_CATEGORY_URL=http://127.0.0.1:5006 make the gateway classify through `POST /model/parse`
(the built-in model answers when a server is slow or down).
"""
