"""`hotline nlu ...`: analyse messages, mask personal data, evaluate the emergency detector."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import typer

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


@app.command()
def evaluate(
    part: str = typer.Option("all", help="Part of the labelled set: tune, a, b, c, d (held-out parts) or all."),
    show_errors: bool = typer.Option(False, "--show-errors", help="List misses and false alarms."),
) -> None:
    """Emergency recall and precision on the team's labelled set, overall and per service."""
    import nlu
    from nlu.evaluation import evaluate as run
    from nlu.evaluation import load_heldout, load_tune

    names = ["tune", "a", "b", "c", "d"]
    if part not in (*names, "all"):
        raise typer.BadParameter("part must be tune, a, b, c, d or all", param_hint="--part")
    if part != "all":
        names = [part]

    def detect(message: str) -> nlu.Emergency | None:
        return nlu.analyse(message).emergency

    for name in names:
        examples = load_tune() if name == "tune" else load_heldout(part=name)
        report = run(examples, detect)
        o = report.overall
        typer.echo(
            f"{name}: {report.n_emergency} emergencies, {report.n_non_emergency} non-emergencies "
            f"({report.n_hard} hard) | recall {o.recall:.3f} precision {o.precision:.3f} (fn {o.fn}, fp {o.fp})"
        )
        for service, c in report.per_service.items():
            typer.echo(
                f"  {service}: recall {c.recall:.3f} precision {c.precision:.3f} (tp {c.tp}, fn {c.fn}, fp {c.fp})"
            )
        if show_errors:
            for ex in report.misses:
                typer.echo(f"  MISS {','.join(ex.services)}: {ex.text}")
            for ex, pred in report.false_alarms:
                typer.echo(f"  FALSE ALARM [{ex.family}] {ex.text} -> {'+'.join(pred.services)} ({pred.reason})")
