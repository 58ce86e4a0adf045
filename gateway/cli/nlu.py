"""`hotline nlu ...`: analyse messages, mask personal data, evaluate the emergency detector."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from nlu.evaluation import Example
    from nlu.evaluation.metrics import Counts
    from nlu.results import Emergency

app = typer.Typer(help="Chinese NLU: analyse, mask personal data, evaluate emergency detection.", no_args_is_help=True)


def _read_messages(path: Path, text_column: str | None) -> Iterator[str]:
    """Plain text (one message per line) or, with a .csv name or --text-column, CSV with a header."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint="--input") from exc
    with handle:
        if text_column is None and path.suffix.lower() != ".csv":
            for line in handle:
                line = line.rstrip("\r\n")
                if line.strip():
                    yield line
            return
        reader = csv.DictReader(handle)
        column = text_column or "text"
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise typer.BadParameter(
                f"column {column!r} not in the CSV header {reader.fieldnames}", param_hint="--text-column"
            )
        for row in reader:
            value = row.get(column) or ""
            if value.strip():
                yield value


def _human(result: dict[str, object]) -> str:
    lines = [f"text:       {result['text']}", f"normalized: {result['normalized']}"]
    lines.append("tokens:     " + " / ".join(str(t) for t in result["tokens"]))  # type: ignore[attr-defined]
    for ent in result["entities"]:  # type: ignore[attr-defined]
        lines.append(f"entity:     {ent['type']:<8} {ent['text']}  -> {ent['value']}  [{ent['start']}:{ent['end']}]")
    emergency = result["emergency"]
    if emergency:
        lines.append(
            f"EMERGENCY:  {'+'.join(emergency['services'])} ({emergency['severity']})"  # type: ignore[index]
            f"  evidence={emergency['evidence']!r}  reason: {emergency['reason']}"  # type: ignore[index]
        )
    else:
        lines.append("emergency:  none")
    utility = result["utility"]
    if utility:
        lines.append(f"utility:    {utility['utility']} -> {utility['operator']}")  # type: ignore[index]
    return "\n".join(lines)


@app.command()
def analyse(
    text: str = typer.Argument(None, help="The message to analyse (or use --input)."),
    input_file: Path = typer.Option(None, "--input", "-i", help="File: one message per line, or CSV with a header."),
    text_column: str = typer.Option(
        None, "--text-column", "-c", help="CSV column holding the message (default: text)."
    ),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line, per message."),
) -> None:
    """Analyse one message or every message of a file."""
    import nlu

    if (text is None) == (input_file is None):
        raise typer.BadParameter("give either a TEXT argument or --input FILE")
    messages: Iterator[str] = iter([text]) if text is not None else _read_messages(input_file, text_column)
    nlu.warm_up()
    first = True
    for message in messages:
        result = nlu.analyse(message).to_dict()
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        else:
            if not first:
                typer.echo("")
            typer.echo(_human(result))
        first = False


@app.command()
def mask(text: str = typer.Argument(..., help="Text whose personal data should be masked.")) -> None:
    """Print TEXT with phones, ID numbers, plates, addresses and names masked."""
    import nlu

    typer.echo(nlu.mask_pii(text))


def _part_summary(name: str, examples: list[Example], detect: Callable[[str], Emergency | None]) -> dict[str, Any]:
    """Report of one part plus what `Report` leaves out: exact service sets and false alarms per family."""
    from nlu.evaluation import evaluate as run

    predicted: dict[str, Emergency | None] = {}

    def remember(text: str) -> Emergency | None:
        predicted[text] = detect(text)
        return predicted[text]

    report = run(examples, remember)
    emergencies = [ex for ex in examples if ex.is_emergency]
    exact = sum(
        (pred := predicted[ex.text]) is not None and set(pred.services) == set(ex.services) for ex in emergencies
    )
    families = Counter(ex.family for ex in examples if not ex.is_emergency)
    alarms = Counter(ex.family for ex, _ in report.false_alarms)
    o = report.overall

    def counts(c: Counts) -> dict[str, Any]:
        return {"recall": round(c.recall, 4), "precision": round(c.precision, 4), "tp": c.tp, "fn": c.fn, "fp": c.fp}

    def prediction(pred: Emergency) -> dict[str, Any]:
        return {"predicted": list(pred.services), "reason": pred.reason, "source": pred.source}

    return {
        "part": name,
        "emergencies": report.n_emergency,
        "non_emergencies": report.n_non_emergency,
        "hard": report.n_hard,
        "overall": counts(o),
        "per_service": {s: counts(c) for s, c in report.per_service.items()},
        "service_sets_exact": {"rate": round(exact / len(emergencies), 4) if emergencies else 1.0, "n": exact},
        "false_alarms_by_family": {f: {"fp": alarms[f], "of": n} for f, n in sorted(families.items())},
        "misses": [{"services": list(ex.services), "text": ex.text} for ex in report.misses],
        "false_alarms": [{"family": ex.family, "text": ex.text, **prediction(p)} for ex, p in report.false_alarms],
        "wrong_service": [
            {"services": list(ex.services), "text": ex.text, **prediction(p)} for ex, p in report.wrong_service
        ],
        "inexact_services": [
            {"services": list(ex.services), "text": ex.text, **prediction(pred)}
            for ex in emergencies
            if (pred := predicted[ex.text]) is not None and set(pred.services) != set(ex.services)
        ],
    }


@app.command()
def evaluate(
    part: str = typer.Option(
        "all", help="Part of the labelled set: tune, a-n (tuned on), o (held out: never tuned on) or all."
    ),
    show_errors: bool = typer.Option(False, "--show-errors", help="List misses and false alarms."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per part, with every miss and false alarm."),
) -> None:
    """Emergency recall and precision on the team's labelled set, overall and per service."""
    import nlu
    from nlu.evaluation import load_heldout, load_tune

    names = ["tune", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"]
    if part not in (*names, "all"):
        raise typer.BadParameter(
            "part must be tune, a, b, c, d, e, f, g, h, i, j, k, l, m, n, o or all", param_hint="--part"
        )
    if part != "all":
        names = [part]

    def detect(message: str) -> nlu.Emergency | None:
        return nlu.analyse(message).emergency

    for name in names:
        examples = load_tune() if name == "tune" else load_heldout(part=name)
        summary = _part_summary(name, examples, detect)
        if as_json:
            sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
            continue
        o = summary["overall"]
        typer.echo(
            f"{name}: {summary['emergencies']} emergencies, {summary['non_emergencies']} non-emergencies "
            f"({summary['hard']} hard) | recall {o['recall']:.3f} precision {o['precision']:.3f} "
            f"(fn {o['fn']}, fp {o['fp']})"
        )
        for service, c in summary["per_service"].items():
            typer.echo(
                f"  {service}: recall {c['recall']:.3f} precision {c['precision']:.3f} "
                f"(tp {c['tp']}, fn {c['fn']}, fp {c['fp']})"
            )
        exact = summary["service_sets_exact"]
        typer.echo(f"  service sets exact: {exact['rate']:.3f} ({exact['n']} of {summary['emergencies']})")
        if show_errors:
            for miss in summary["misses"]:
                typer.echo(f"  MISS {','.join(miss['services'])}: {miss['text']}")
            for fa in summary["false_alarms"]:
                typer.echo(
                    f"  FALSE ALARM [{fa['family']}] {fa['text']} -> {'+'.join(fa['predicted'])} ({fa['reason']})"
                )
