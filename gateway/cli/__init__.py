"""The `hotline` command line: one module per command group, registered explicitly below."""

from __future__ import annotations

import typer

from gateway.cli import classifier as classifier_cli
from gateway.cli import core, workorders

app = typer.Typer(
    name="hotline",
    help="12345 hotline intake gateway: serve, work, migrate, train, search.",
    no_args_is_help=True,
    add_completion=False,
)

core.register(app)
classifier_cli.register(app)
workorders.register(app)

# Command groups: (module, name). Each module exposes a `typer.Typer` named `app`.
# Add a line here when a package gains a command group.
_GROUPS: list[tuple[str, str]] = [
    ("gateway.cli.nlu", "nlu"),
    ("gateway.cli.classifier", "classifier"),
    ("gateway.cli.kb", "kb"),
]


def _register_groups() -> None:
    import importlib

    for module_name, group_name in _GROUPS:
        module = importlib.import_module(module_name)
        app.add_typer(module.app, name=group_name)


_register_groups()


def main() -> None:
    app()
