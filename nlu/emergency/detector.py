"""Emergency detection: triggers from the lexicon, filtered by the context rules, merged per message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.emergency import context, gate, lexicon
from nlu.results import Emergency, Normalized

SERVICE_ORDER = ("110", "119", "120", "122")
MAX_REASON_PARTS = 8
_SERVICE_LABEL = {"110": "police", "119": "fire", "120": "ambulance", "122": "traffic accident"}
# Triggers whose smoke/fire words are routinely used in pollution complaints.
# A trigger the rules rejected for one of these families in the model's sentence: the rules read the
# scope (negation, a question, a past or resolved event), the model only reads words.
_MODEL_DEFERS_TO = ("negated", "hypothetical", "knowledge", "informational", "resolved", "past")
_PERSON = re.compile(lexicon.PERSON)
_POLLUTION_SENSITIVE = frozenset({"smoke", "fire", "fire_spread", "hazmat", "chemical"})
# Most triggers cannot match a given message at all: skip those whose first characters are absent.
_GATE = gate.CharGate([t.pattern for t in lexicon.ALL_TRIGGERS])


@dataclass(frozen=True, slots=True)
class Hit:
    trigger: lexicon.Trigger
    start: int
    end: int
    critical: bool
    services: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rejected:
    trigger: str
    start: int
    end: int
    family: str


def _injured(index: context.TextIndex, s_start: int, s_end: int) -> str | None:
    """An unnegated injury word in the sentence (computed once per sentence: many hits share one)."""

    def compute() -> str | None:
        text = index.text
        for m in lexicon.INJURY.finditer(text, s_start, s_end):
            if not context.NEGATION_BEFORE.search(text[max(s_start, m.start() - 8) : m.start()]):
                return m.group(0)
        return None

    return index.cached(("injured", s_start, s_end), compute)


def scan(text: str) -> tuple[list[Hit], list[Rejected]]:
    """All accepted and rejected trigger matches in normalised `text`."""
    return _scan_masked(context.mask_phrases(text))


def _scan_masked(masked: str, soft_cuts: tuple[int, ...] = ()) -> tuple[list[Hit], list[Rejected]]:
    hits: list[Hit] = []
    rejected: list[Rejected] = []
    candidates = _GATE.mask(masked)
    index: context.TextIndex | None = None  # built at the first match: most candidates match nothing
    triggers = lexicon.ALL_TRIGGERS
    while candidates:  # set bits, lowest first: the lexicon's order, as without the gate
        lowest = candidates & -candidates
        candidates ^= lowest
        trig = triggers[lowest.bit_length() - 1]
        for m in trig.pattern.finditer(masked):
            if index is None:
                index = context.TextIndex(masked, soft_cuts)
            start, end = m.start(), m.end()
            s_start, s_end = index.sentence(start)
            if trig.needs_context is not None and not index.search(trig.needs_context, s_start, s_end):
                rejected.append(Rejected(trig.name, start, end, "no context"))
                continue
            family = context.blocked_by(
                index, start, end, needs_present=trig.needs_present, critical=trig.critical, lasting=trig.lasting
            )
            if family is None and trig.name in _POLLUTION_SENSITIVE and context.pollution_complaint(index, start):
                family = "pollution complaint"
            if family is None and trig.generic and index.search(context.FIGURATIVE_HELP, s_start, s_end):
                family = "figurative (a cry about paperwork or an app)"
            if family is None and trig.name.startswith("missing") and not _PERSON.search(masked, start, end):
                # "鹦鹉走丢了", "钥匙找不到了": the bare verb, with an animal or a belonging just before it.
                c_start, _ = index.clause(start)
                if context.ANIMAL_OR_OBJECT.search(masked, max(c_start, start - 6), start):
                    family = "an animal or a belonging, not a person"
            if family is not None:
                rejected.append(Rejected(trig.name, start, end, family))
                continue
            services = set(trig.services)
            notes: list[str] = []
            # Accidents, assaults and fires with someone hurt also need an ambulance.
            if services & {"122", "110", "119"} and "120" not in services:
                injury = _injured(index, s_start, s_end)
                if injury is not None:
                    services.add("120")
                    notes.append(f"injured ({injury})")
            critical = trig.critical
            threat = index.search(lexicon.LIFE_THREAT, s_start, s_end)
            if not critical and threat is not None:
                critical = True
                notes.append(f"life threat ({threat.group(0)})")
            hits.append(Hit(trig, start, end, critical, tuple(s for s in SERVICE_ORDER if s in services), tuple(notes)))
    return hits, rejected


def _model_vetoed(norm: Normalized, start: int, rejected: list[Rejected], *, confident: bool) -> bool:
    """Reasons not to trust a model-only hit whose best sentence starts at `start`.

    The model scores wording; these checks ask what the sentence is about: a trigger the rules found
    negated or scoped away (question, past, resolved, hearsay), an animal as the one hurt, a
    standing-hazard or pollution complaint, or a utility outage (which belongs to its operator,
    GB/T 44190 6.3.2). A list of required danger words was tried and dropped: missing people and
    poisonings are reported without any such word.
    """
    from nlu import utility

    index = context.TextIndex(norm.text)
    s_start, s_end = index.sentence(start)
    if any(r.family.startswith(_MODEL_DEFERS_TO) and s_start <= r.start < s_end for r in rejected):
        return True
    if index.search(context.CORRECTION, s_start, s_end) and not index.search(context.STRONG_PRESENT, s_start, s_end):
        return True  # "没有打起来 就是两个司机在吵架"
    if context.is_appeal_letter(norm.text) and not context.has_present(index, s_start, s_end):
        return True  # a long letter that asks for a policy, an inspection or a repair
    if confident:
        return False
    if index.search(context.STRONG_PRESENT, s_start, s_end) is None and (
        index.search(context.ANIMAL_VICTIM, s_start, s_end) is not None
        or index.search(context.COMPLAINT_HAZARD, s_start, s_end) is not None
        or index.search(context.WEATHER, s_start, s_end) is not None
        or context.pollution_complaint(index, start)
    ):
        return True
    referral = utility.detect(norm)
    return referral is not None and referral.utility != "gas"


def _from_model(
    norm: Normalized, rejected: list[Rejected], masked: str, soft_cuts: tuple[int, ...]
) -> Emergency | None:
    from nlu.emergency import model

    hit = model.get().predict(masked, soft_cuts)
    if hit is None or _model_vetoed(norm, hit.start, rejected, confident=hit.probability >= model.CONFIDENT):
        return None
    start, end = norm.to_original(hit.start, hit.end)
    return Emergency(
        services=hit.services,
        severity="high",
        evidence=norm.original[start:end],
        start=start,
        end=end,
        reason=f"{'+'.join(hit.services)} statistical model p={hit.probability:.2f} (no rule matched; check)",
        source="model",
    )


def _model_disagrees(masked: str, hits: list[Hit]) -> bool:
    """The model reads every hit's message, sentence and clauses as ordinary, and nobody cries for help."""
    from nlu.emergency import model

    if context.STRONG_PRESENT.search(masked):
        return False
    trained = model.get()
    whole = trained.text_support(masked)  # once per message, not once per hit
    return all(
        max(whole, trained.clause_support(masked, h.start, h.end)) < (model.VETO_CRITICAL if h.critical else model.VETO)
        for h in hits
    )


def detect(norm: Normalized, *, use_model: bool = True) -> Emergency | None:
    """Rules first (they name their evidence); the statistical model catches what they miss and vetoes
    trigger words it reads as ordinary text."""
    masked = context.mask_phrases(norm.text)  # the rules and the model read the same masked text
    if context.NOT_URGENT.search(masked) and not context.STRONG_PRESENT.search(masked):
        return None
    cuts = context.soft_cuts(norm)
    hits, rejected = _scan_masked(masked, cuts)
    if not hits:
        return _from_model(norm, rejected, masked, cuts) if use_model else None
    if use_model and _model_disagrees(masked, hits):
        return None
    specific = [h for h in hits if not h.trigger.generic]
    if specific:
        # "救命" in a fire report means 119, not 119 + 110.
        hits = specific
    services = {s for h in hits for s in h.services}
    # Evidence: the first critical hit if any, else the first hit.
    ordered = sorted(hits, key=lambda h: (not h.critical, h.start))
    main = ordered[0]
    start, end = norm.to_original(main.start, main.end)
    surface = norm.original[start:end]
    severity = "critical" if any(h.critical for h in hits) else "high"
    parts: dict[str, None] = {}  # ordered set: one entry per distinct finding
    for h in sorted(hits, key=lambda h: h.start):
        label = "+".join(h.services)
        part = f"{label} {h.trigger.name}: {norm.text[h.start : h.end]}"
        if h.notes:
            part += " [" + "; ".join(h.notes) + "]"
        parts[part] = None
    reason = "; ".join(list(parts)[:MAX_REASON_PARTS])
    return Emergency(
        services=tuple(s for s in SERVICE_ORDER if s in services),
        severity=severity,
        evidence=surface,
        start=start,
        end=end,
        reason=reason,
    )
