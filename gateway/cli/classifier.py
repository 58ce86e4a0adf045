"""Classifier commands: `hotline train`, `hotline classify`, and the groups `classifier`, `models`, `rasa`.

`register(app)` adds the top-level commands and the `models` / `rasa` groups; `app` is the `classifier`
group (cv, validate, import, evaluate) registered through gateway.cli._GROUPS.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any, Literal, cast

import typer

app = typer.Typer(help="Training data and evaluation: cv, validate, import, evaluate.", no_args_is_help=True)
models_app = typer.Typer(help="Model registry: list, promote, rollback.", no_args_is_help=True)
rasa_app = typer.Typer(help="Rasa 3.6 backend: export projects, train them in the Rasa venv.", no_args_is_help=True)

DATA_OPT = typer.Option(None, "--data", help="Rasa YAML file/dir, CSV or JSONL; repeatable (default: built-in).")
MODEL_DIR_OPT = typer.Option(None, "--model-dir", help="Model registry directory (default: HOTLINE_DATA_DIR/models).")
JSON_OPT = typer.Option(False, "--json", help="Print one JSON document.")


def register(root: typer.Typer) -> None:
    root.command("train")(train)
    root.command("classify")(classify)
    root.add_typer(models_app, name="models")
    root.add_typer(rasa_app, name="rasa")


def _model_dir(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    from gateway.settings import get_settings

    return get_settings().models_dir


def _print_json(doc: Any) -> None:
    typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def _fail(message: str, code: int = 1) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _columns(text: str, intent: str | None, category: str | None, l1: str | None, l2: str | None) -> Any:
    from classifier.importers import Columns

    return Columns(text=text, intent=intent, category=category, category_l1=l1, category_l2=l2)


# -- hotline train ------------------------------------------------------------------------------------
def train(
    data: list[Path] = DATA_OPT,
    backend: str = typer.Option("builtin", "--backend", help="builtin | embedding | rasa"),
    model_dir: Path = MODEL_DIR_OPT,
    corrections: Path = typer.Option(None, help="Agent corrections JSONL (default: <model-dir>/../feedback/)."),
    promote: bool = typer.Option(True, "--promote/--no-promote", help="Promote if not worse than the current."),
    force: bool = typer.Option(False, "--force", help="Promote even if the rules refuse."),
    epochs: int = typer.Option(100, help="DIET epochs (rasa backend)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Train a model from the training data; writes a versioned model directory with metadata."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from classifier.errors import ClassifierError

    directory = _model_dir(model_dir)
    columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    with Progress(*columns, transient=True, disable=as_json or not sys.stderr.isatty()) as bar:
        task = bar.add_task("starting", total=None)

        def say(message: str) -> None:
            bar.update(task, description=message)

        try:
            if backend == "rasa":
                result = _train_rasa(directory, data or None, epochs, say)
            elif backend in ("builtin", "embedding"):
                from classifier.training import train as do_train

                mode: Literal["never", "if-better", "always"] = (
                    "always" if force else ("if-better" if promote else "never")
                )
                trained = do_train(
                    directory,
                    data or None,
                    backend=cast(Literal["builtin", "embedding"], backend),
                    corrections=corrections,
                    promote=mode,
                    progress=say,
                )
                result = {
                    "version": trained.version,
                    "path": str(trained.path),
                    "promoted": trained.promoted,
                    "refusal": trained.refusal,
                    **{k: trained.metadata[k] for k in ("backend", "data_hash", "counts", "train_seconds", "eval")},
                }
            else:
                _fail(f"unknown backend {backend!r}: builtin, embedding or rasa", 2)
                return
        except ClassifierError as exc:
            _fail(f"{exc.code}: {exc}")
            return
    if as_json:
        _print_json(result)
        return
    typer.echo(f"model {result['version']} ({result['backend']}) written to {result['path']}")
    typer.echo(f"trained in {result['train_seconds']:.1f}s on {result['counts']['examples']} examples")
    if result.get("eval"):
        ev = result["eval"]
        typer.echo(
            f"held-out: intent acc {ev['intent_accuracy']:.3f}, category acc {ev['category_accuracy']:.3f}, "
            f"first-level acc {ev['category_l1_accuracy']:.3f}, emergency recall {ev['emergency_recall']:.3f}"
        )
    if result.get("promoted"):
        typer.echo("promoted: it is now the current model")
        _notify_promotion(str(result["version"]))
    elif result.get("refusal"):
        typer.echo(f"not promoted: {result['refusal']}")


def _train_rasa(directory: Path, data: list[Path] | None, epochs: int, say: Any) -> dict[str, Any]:
    import time

    from classifier.rasa.export import RasaOptions, export
    from classifier.rasa.runner import find_rasa, train_project
    from classifier.registry import ModelRegistry
    from classifier.training import load_training_data

    rasa = find_rasa()
    say("loading training data")
    training = load_training_data(data)
    registry = ModelRegistry(directory / "rasa")
    version, path = registry.new_version_dir(f"rasa-{training.fingerprint()[:6]}")
    projects = export(training, path, RasaOptions(epochs=epochs))
    started = time.perf_counter()
    archives = {}
    for target, project in projects.items():
        say(f"rasa train nlu ({target}), {epochs} epochs")
        archives[target] = str(train_project(project, rasa))
    seconds = time.perf_counter() - started
    metadata = {
        "version": version,
        "backend": "rasa",
        "path": str(path),
        "archives": archives,
        "data_hash": training.fingerprint(),
        "counts": training.counts(),
        "train_seconds": round(seconds, 1),
        "eval": None,
        "serve": {t: f"cd {p} && rasa run --enable-api -i 127.0.0.1 -m models" for t, p in projects.items()},
    }
    registry.write_metadata(version, metadata)
    return metadata


def _notify_promotion(version: str) -> None:
    """Tell every gateway/worker process to reload (Redis pub/sub); without Redis there is one process."""
    from gateway.settings import get_settings

    settings = get_settings()
    if not settings.redis_url:
        return
    import redis

    from classifier.registry import PROMOTION_CHANNEL

    client = redis.Redis.from_url(settings.redis_url)
    try:
        client.publish(f"{settings.redis_prefix}:{PROMOTION_CHANNEL}", version)
    finally:
        client.close()


# -- hotline classify ---------------------------------------------------------------------------------
def classify(
    text: str = typer.Argument(None, help="The message to classify."),
    input_file: Path = typer.Option(None, "--input", help="CSV file to classify row by row."),
    text_column: str = typer.Option("text", help="Column of --input holding the message."),
    output: Path = typer.Option(None, help="Output CSV: the input plus the classification columns."),
    district: str = typer.Option(None, help="District for the department (e.g. 城东区)."),
    model_dir: Path = MODEL_DIR_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Appeal type, category (first and second level) with confidences, and the department."""
    from classifier.catalogue import load_catalogue
    from classifier.errors import ClassifierError
    from classifier.serving import load_predictor
    from gateway.settings import get_settings

    settings = get_settings()
    try:
        predictor = load_predictor(
            _model_dir(model_dir),
            nlu_backend=settings.nlu_backend,
            rasa_url=settings.rasa_url,
            rasa_category_url=getattr(settings, "rasa_category_url", None) or None,
            rasa_timeout_seconds=settings.rasa_timeout_seconds,
        )
        catalogue = load_catalogue(settings.catalogue_path)
    except ClassifierError as exc:
        _fail(f"{exc.code}: {exc}")
        return
    if input_file is not None:
        if output is None:
            _fail("--input needs --output", 2)
        _classify_csv(predictor, catalogue, input_file, text_column, output, district)
        return
    if not text:
        _fail("give a TEXT or --input FILE.csv", 2)
    prediction = predictor.predict(text)
    doc = prediction.to_dict()
    if prediction.category_l1 is not None:
        route = catalogue.route(
            prediction.category_l1, prediction.category_l2, district, appeal_type=prediction.appeal_type
        )
        doc["department"] = route.department
        doc["route"] = route.to_dict()
    else:
        doc["department"] = None
    if as_json:
        _print_json(doc)
        return
    typer.echo(f"intent: {prediction.intent} ({prediction.intent_confidence:.2f})")
    if prediction.appeal_type:
        typer.echo(f"appeal type: {prediction.appeal_type}")
        typer.echo(f"category: {prediction.category} ({prediction.category_confidence:.2f})")
        typer.echo(f"department: {doc['department']}")
    if prediction.emergency:
        typer.echo(f"emergency: {prediction.emergency} ({prediction.emergency_confidence:.2f})")
    if prediction.low_confidence:
        typer.echo("low confidence: an agent should check")


def _classify_csv(predictor: Any, catalogue: Any, path: Path, column: str, output: Path, district: str | None) -> None:
    from rich.progress import track

    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if column not in fields:
        _fail(f"{path}: no column {column!r} (columns: {', '.join(fields)})", 2)
    added = ["appeal_type", "category_l1", "category_l2", "confidence", "department"]
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields + [c for c in added if c not in fields])
        writer.writeheader()
        for row in track(rows, description="classifying", disable=not sys.stderr.isatty()):
            p = predictor.predict(row.get(column) or "")
            department = None
            if p.category_l1 is not None:
                department = catalogue.route(p.category_l1, p.category_l2, district).department
            confidence = p.category_confidence if p.appeal_type else p.intent_confidence
            writer.writerow(
                {
                    **row,
                    "appeal_type": p.appeal_type or p.intent,
                    "category_l1": p.category_l1 or "",
                    "category_l2": p.category_l2 or "",
                    "confidence": f"{confidence:.4f}",
                    "department": department or "",
                }
            )
    typer.echo(f"{len(rows)} rows written to {output}", err=True)


# -- hotline classifier ... ---------------------------------------------------------------------------
@app.command("cv")
def cv(
    data: Path = typer.Option(..., "--data", help="Labelled CSV (UTF-8; texts may contain newlines)."),
    text_column: str = typer.Option(..., help="Column with the text."),
    label_column: str = typer.Option(..., help="Column with the label."),
    folds: int = typer.Option(5, min=2, help="Number of stratified folds."),
    backend: str = typer.Option("builtin", help="builtin | embedding"),
    group_column: str = typer.Option(None, help="Keep rows with the same value of this column in one fold."),
    seed: int = typer.Option(0),
    report: Path = typer.Option(None, help="Also write DIR/report.html with a confusion-matrix picture."),
    as_json: bool = JSON_OPT,
) -> None:
    """Train and test a backend on K stratified folds of any labelled CSV."""
    from rich.progress import Progress

    from classifier.crossval import cross_validate
    from classifier.errors import ClassifierError
    from classifier.importers import read_csv_rows

    try:
        all_rows = list(read_csv_rows(data))
    except ClassifierError as exc:
        _fail(f"{exc.code}: {exc}")
        return
    header = list(all_rows[0]) if all_rows else []
    missing = [c for c in (text_column, label_column, group_column) if c and c not in header]
    if missing:
        _fail(f"{data}: no column(s) {', '.join(missing)} (columns: {', '.join(header)})", 2)
    rows = [r for r in all_rows if (r.get(text_column) or "").strip() and (r.get(label_column) or "").strip()]
    if not rows:
        _fail(f"{data}: no rows with both {text_column!r} and {label_column!r}", 2)
    texts = [r[text_column] for r in rows]
    labels = [r[label_column].strip() for r in rows]
    groups = [r[group_column] for r in rows] if group_column else None
    with Progress(transient=True, disable=as_json or not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"{folds}-fold cv ({backend})", total=folds)
        try:
            result = cross_validate(
                texts,
                labels,
                folds=folds,
                backend=cast(Literal["builtin", "embedding"], backend),
                groups=groups,
                seed=seed,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        except ClassifierError as exc:
            _fail(f"{exc.code}: {exc}")
            return
    if report is not None:
        from classifier.report import write_report

        result["report"] = str(write_report(result, report))
    if as_json:
        _print_json(result)
        return
    typer.echo(f"{result['n']} examples, {folds} folds, backend {backend}")
    typer.echo(f"accuracy {result['accuracy']:.4f}  macro-F1 {result['macro_f1']:.4f}")
    typer.echo(f"train seconds per fold {result['train_seconds']}")
    typer.echo(f"predict ms p50 {result['predict_ms_p50']:.3f}  p99 {result['predict_ms_p99']:.3f}")
    worst = sorted(result["per_class"].items(), key=lambda kv: kv[1]["f1"])[:5]
    typer.echo("weakest classes: " + ", ".join(f"{k} {v['f1']:.2f}" for k, v in worst))
    if report is not None:
        typer.echo(f"report: {result['report']}")


@app.command("validate")
def validate(data: list[Path] = DATA_OPT, as_json: bool = JSON_OPT) -> None:
    """Check training data: duplicates, conflicting labels, empty classes, unknown categories."""
    from classifier.errors import TrainingDataError
    from classifier.training import load_training_data

    try:
        training = load_training_data(data or None, corrections=None)
    except TrainingDataError as exc:
        if as_json:
            _print_json({"valid": False, "problems": exc.problems or [str(exc)]})
        else:
            typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    counts = training.counts()
    if as_json:
        _print_json({"valid": True, "counts": counts})
        return
    typer.echo(f"valid: {counts['examples']} examples, {counts['categories']} categories")


@app.command("import")
def import_data(
    source: Path = typer.Argument(..., help="CSV or JSONL file."),
    output: Path = typer.Option(..., help="Rasa NLU YAML to write."),
    text_column: str = typer.Option("text"),
    intent_column: str = typer.Option(None, help="Column with the appeal type / intent."),
    category_column: str = typer.Option(None, help="Column with '一级/二级'."),
    l1_column: str = typer.Option(None, help="Column with the first-level category."),
    l2_column: str = typer.Option(None, help="Column with the second-level category."),
    default_intent: str = typer.Option(None, help="Appeal type for rows without an intent column."),
) -> None:
    """Convert CSV/JSONL with chosen columns into validated Rasa NLU YAML."""
    from dataclasses import replace

    from classifier.catalogue import load_catalogue
    from classifier.errors import TrainingDataError
    from classifier.importers import import_table
    from classifier.training import catalogue_categories
    from classifier.trainingdata import dump_rasa_yaml
    from classifier.trainingdata import validate as check

    columns = replace(
        _columns(text_column, intent_column, category_column, l1_column, l2_column), default_intent=default_intent
    )
    try:
        data = import_table(source, columns)
    except TrainingDataError as exc:
        _fail(f"{exc.code}: {exc}")
        return
    problems = check(data, catalogue_categories(load_catalogue()))
    if problems:
        typer.echo(f"{len(problems)} problem(s):\n  - " + "\n  - ".join(problems[:50]), err=True)
        raise typer.Exit(1)
    dump_rasa_yaml(data, output)
    typer.echo(f"{len(data.examples)} examples written to {output}")


@app.command("evaluate")
def evaluate_cmd(
    data: Path = typer.Option(None, "--data", help="Rasa YAML with labels (default: the held-out set)."),
    version: str = typer.Option(None, help="Model version (default: the current one)."),
    model_dir: Path = MODEL_DIR_OPT,
) -> None:
    """Score a registered model on labelled Rasa YAML (intent, category, emergency recall)."""
    from classifier.evaluation import evaluate
    from classifier.persistence import load_version
    from classifier.registry import ModelRegistry
    from classifier.training import load_eval_examples

    registry = ModelRegistry(_model_dir(model_dir))
    chosen = version or registry.current_version()
    if chosen is None:
        _fail("no current model; give --version")
        return
    _print_json({"version": chosen, **evaluate(load_version(registry.path_of(chosen)), load_eval_examples(data))})


# -- hotline models ... -------------------------------------------------------------------------------
@models_app.command("list")
def models_list(model_dir: Path = MODEL_DIR_OPT, as_json: bool = JSON_OPT) -> None:
    """Registered versions, newest last; * marks the current one."""
    from classifier.registry import ModelRegistry

    infos = [i.summary() for i in ModelRegistry(_model_dir(model_dir)).list()]
    if as_json:
        _print_json(infos)
        return
    if not infos:
        typer.echo("no models (run `hotline train`)")
    for info in infos:
        ev = info.get("eval") or {}
        score = f"intent {ev.get('intent_accuracy', 0):.3f} category {ev.get('category_accuracy', 0):.3f}" if ev else ""
        typer.echo(
            f"{'*' if info['current'] else ' '} {info['version']}  {info['backend']}  {info['created']}  {score}"
        )


@models_app.command("promote")
def models_promote(
    version: str = typer.Argument(...),
    force: bool = typer.Option(False, "--force", help="Skip the refusal rules."),
    model_dir: Path = MODEL_DIR_OPT,
    as_json: bool = JSON_OPT,
) -> None:
    """Make VERSION current, unless it is worse beyond noise or loses emergency recall."""
    from classifier.errors import ClassifierError
    from classifier.promotion import promote
    from classifier.registry import ModelRegistry

    try:
        report = promote(ModelRegistry(_model_dir(model_dir)), version, force=force)
    except ClassifierError as exc:
        _fail(f"{exc.code}: {exc}")
        return
    _notify_promotion(version)
    if as_json:
        _print_json(report)
    else:
        typer.echo(f"{version} is now the current model")


@models_app.command("rollback")
def models_rollback(model_dir: Path = MODEL_DIR_OPT) -> None:
    """Return to the previously promoted version."""
    from classifier.errors import ClassifierError
    from classifier.promotion import rollback
    from classifier.registry import ModelRegistry

    try:
        version = rollback(ModelRegistry(_model_dir(model_dir)))
    except ClassifierError as exc:
        _fail(f"{exc.code}: {exc}")
        return
    _notify_promotion(version)
    typer.echo(f"rolled back: {version} is now the current model")


# -- hotline rasa ... ---------------------------------------------------------------------------------
@rasa_app.command("export")
def rasa_export(
    directory: Path = typer.Argument(..., help="Where to write the projects (DIR/intent, DIR/category)."),
    data: list[Path] = DATA_OPT,
    epochs: int = typer.Option(100, help="DIETClassifier epochs."),
) -> None:
    """Write complete Rasa 3.6 projects (config, domain, data) from the training data."""
    from classifier.rasa.export import RasaOptions, export
    from classifier.training import load_training_data

    projects = export(load_training_data(data or None), directory, RasaOptions(epochs=epochs))
    for target, path in projects.items():
        typer.echo(f"{target}: {path}")


@rasa_app.command("train")
def rasa_train(
    directory: Path = typer.Argument(..., help="A directory written by `hotline rasa export`."),
    rasa_bin: str = typer.Option(None, help="The rasa executable (default: HOTLINE_RASA_BIN or .rasa-venv)."),
) -> None:
    """Run `rasa train nlu` for each exported project in the Rasa environment."""
    from classifier.errors import ClassifierError
    from classifier.rasa.runner import find_rasa, train_project

    try:
        rasa = find_rasa(rasa_bin)
        for target in ("intent", "category"):
            if (directory / target / "config.yml").exists():
                typer.echo(f"{target}: {train_project(directory / target, rasa)}")
    except ClassifierError as exc:
        _fail(f"{exc.code}: {exc}")
