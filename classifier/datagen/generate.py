"""Write the starter dataset (Rasa NLU YAML) from the hand-written phrase lists and frames.

    python -m classifier.datagen.generate [OUT_DIR]

Deterministic (fixed seed): the committed classifier/data/nlu/*.yml is exactly this script's output,
so a change to a phrase list is reviewed as a data diff. Variants: the bare phrase, several chat frames,
a long letter (200-600 characters) for about a third of the phrases, and typing noise (traditional
characters, typos, emoji) on a few.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from classifier.datagen import templates as T
from classifier.trainingdata import Entity, Example, TrainingData, dedup_key, dump_rasa_yaml

HERE = Path(__file__).parent
DEFAULT_OUT = HERE.parent / "data" / "nlu"
SEED = 12345
FRAMES_PER_PHRASE = 4
LETTER_SHARE = 0.34


def _load(name: str) -> Any:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def _phrases() -> dict[str, dict[str, list[str]]]:
    merged: dict[str, dict[str, list[str]]] = {}
    for path in sorted(HERE.glob("phrases_*.yaml")):
        for category, by_code in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            target = merged.setdefault(category, {})
            for code, items in by_code.items():
                target.setdefault(T.TYPE_CODES[code], []).extend(items)
    return merged


class _Gen:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.seen: set[str] = set()
        self.to_traditional = _traditional_converter()

    def start(self, source: str) -> None:
        """One random stream per hand-written phrase: adding a phrase changes only its own variants, so the
        committed data's diff shows exactly what a maintainer added (one shared stream reshuffled them all)."""
        self.rng = random.Random(f"{self.seed}:{source}")

    def pick(self, items: tuple[str, ...]) -> str:
        return self.rng.choice(items)

    def slots(self) -> dict[str, str]:
        street, street2 = self.rng.sample(T.STREETS, 2)
        return {
            "g": self.pick(T.GREETINGS),
            "district": self.pick(T.DISTRICTS),
            "street": street,
            "street2": street2,
            "place": self.pick(T.PLACES),
            "when": self.pick(T.WHEN),
            "demand": self.pick(T.DEMANDS),
            "anger": self.pick(T.ANGER),
            "help": self.pick(T.HELPS),
            "report": self.pick(T.REPORTS),
            "suggest": self.pick(T.SUGGESTS),
        }

    def frame(self, appeal: str, phrase: str) -> str:
        template = self.pick(T.FRAMES[appeal])
        p = phrase
        if template.startswith(("我有个建议", "提个建议")):
            p = p.removeprefix("建议")
        if "请问" in template or "问一下" in template:
            p = p.removeprefix("请问")
        return template.format(p=p, **self.slots()).replace("？？", "？").replace("，，", "，")

    def letter(self, appeal: str, phrase: str, others: list[str]) -> str:
        s = self.slots()
        parts = [self.pick(T.SALUTATIONS), "\n", self.pick(T.INTROS).format(**s)]
        if appeal in ("投诉", "求助", "举报"):
            parts.append(self.pick(T.LOCATION_SENTENCES).format(**s))
        parts.append(f"{self.pick(T.WHEN)}{phrase}。")
        extra = [o for o in others if o != phrase]
        sentences = list(T.ELABORATIONS[appeal]) + list(self.rng.sample(T.STORY, 7))
        self.rng.shuffle(sentences)
        target = self.rng.randint(200, 560)
        text = "".join(parts)
        for i, sentence in enumerate(sentences):
            text += sentence
            if i in (1, 5) and extra:
                text += f"{self.pick(T.SECOND_ISSUE)}{self.rng.choice(extra)}。"
            if len(text) >= target:
                break
        return (text + "\n" + self.pick(T.CLOSINGS[appeal]))[:600]

    def noisy(self, text: str) -> str:
        r = self.rng.random()
        if r < 0.06 and self.to_traditional is not None:
            return self.to_traditional(text)
        if r < 0.12:
            wrong, typo = self.rng.choice(T.TYPOS)
            return text.replace(wrong, typo, 1)
        if r < 0.17:
            return text + self.pick(T.EMOJI)
        if r < 0.22:
            return text.replace("，", ",").replace("？", "?")
        return text

    def add(
        self,
        out: list[Example],
        text: str,
        intent: str,
        source: str,
        category: str | None = None,
        emergency: str | None = None,
    ) -> None:
        key = dedup_key(text)
        if key in self.seen or not text.strip():
            return
        self.seen.add(key)
        entities = _address_entities(text)
        out.append(
            Example(text=text, intent=intent, category=category, emergency=emergency, entities=entities, source=source)
        )


def _address_entities(text: str) -> tuple[Entity, ...]:
    """Annotate the places the frames inserted as nlu's `address` entity (for the Rasa export's DIET)."""
    spans: list[Entity] = []
    for name in (*T.DISTRICTS, *T.STREETS, *T.PLACES):
        start = text.find(name)
        if start >= 0 and not any(start < e.end and e.start < start + len(name) for e in spans):
            spans.append(Entity(start, start + len(name), "address", name))
    return tuple(sorted(spans, key=lambda e: e.start))


def _traditional_converter() -> Callable[[str], str] | None:
    try:
        import opencc
    except ImportError:
        return None
    converter = opencc.OpenCC("s2t")
    return lambda text: str(converter.convert(text))


def generate(seed: int = SEED, frames_per_phrase: int = FRAMES_PER_PHRASE) -> dict[str, TrainingData]:
    """The starter dataset, one TrainingData per output file (more frames: a bigger set, for benchmarks)."""
    gen = _Gen(seed)
    files: dict[str, TrainingData] = {}
    for category, by_type in _phrases().items():
        l1 = category.split("/")[0]
        data = files.setdefault(f"appeals_{l1}", TrainingData())
        for appeal, phrases in by_type.items():
            for n, phrase in enumerate(phrases):
                src = f"datagen:{category}:{appeal}:{n}"
                gen.start(src)
                gen.add(data.examples, phrase, appeal, src, category=category)
                for _ in range(frames_per_phrase):
                    gen.add(data.examples, gen.noisy(gen.frame(appeal, phrase)), appeal, src, category=category)
                if gen.rng.random() < LETTER_SHARE:
                    gen.add(data.examples, gen.letter(appeal, phrase, phrases), appeal, src, category=category)
    files["conversation"] = _conversation(gen)
    files["lexicon"] = _lexicon()
    files["emergency"] = _emergency(gen)
    return files


def _conversation(gen: _Gen) -> TrainingData:
    data = TrainingData()
    for intent, texts in _load("conversation.yaml").items():
        for n, text in enumerate(texts):
            src = f"datagen:conversation:{intent}:{n}"
            gen.start(src)
            gen.add(data.examples, str(text), intent, src)
            for _ in range(2):
                variant = str(text).rstrip("。！") + gen.pick(T.CHAT_PARTICLES)
                gen.add(data.examples, gen.noisy(variant), intent, src)
    return data


def _lexicon() -> TrainingData:
    """Synonyms, lookup tables and regexes (used by the Rasa export's featurizers and entity mapper)."""
    raw = _load("lexicon.yaml")
    return TrainingData(
        synonyms={str(k): [str(v) for v in vs] for k, vs in raw["synonyms"].items()},
        lookups={str(k): [str(v) for v in vs] for k, vs in raw["lookups"].items()},
        regexes={str(k): [str(v) for v in vs] for k, vs in raw["regexes"].items()},
    )


def _emergency(gen: _Gen) -> TrainingData:
    data = TrainingData()
    raw = _load("emergency.yaml")
    for service, spec in raw.items():
        if service == "none":
            continue
        for n, text in enumerate(spec["texts"]):
            src = f"datagen:emergency:{service}:{n}"
            gen.start(src)
            gen.add(data.examples, text, "求助", src, category=spec["category"], emergency=service)
            gen.add(
                data.examples,
                gen.noisy(f"{gen.pick(T.GREETINGS)}{text}！快来人"),
                "求助",
                src,
                category=spec["category"],
                emergency=service,
            )
    for group in raw["none"]:
        for n, text in enumerate(group["texts"]):
            gen.add(data.examples, text, group["intent"], f"datagen:emergency:none:{n}", category=group["category"])
    return data


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else DEFAULT_OUT
    for name, data in generate().items():
        dump_rasa_yaml(data, out / f"{name}.yml")
        print(f"{name}.yml: {len(data.examples)} examples")


if __name__ == "__main__":
    main(sys.argv[1:])
