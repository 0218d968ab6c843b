"""The ``cspr`` command: one Typer app that mounts each area's commands.

Each area owns its module (``cspr.cli.cases``, ``cspr.cli.database``, ``cspr.cli.rules``,
``cspr.cli.library``, ``cspr.cli.themes``); this file only assembles them. Heavy imports
(torch, faiss) happen inside commands, so ``cspr --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging

import typer

from core.settings import SettingsInvalid

app = typer.Typer(
    name="cspr",
    help="CSPR workbench: statutory clocks for case reviews and learning from published reviews.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# (module, attribute): each attribute is a function ``register(app: typer.Typer) -> None``.
_AREAS: tuple[str, ...] = (
    "cspr.cli.cases",
    "cspr.cli.tracker",  # `case import` and `case export`, on the `case` commands
    "cspr.cli.database",
    "cspr.cli.rules",
    "cspr.cli.targets",
    "cspr.cli.orchestration",
    "cspr.cli.users",
    "cspr.cli.feeds",
    "cspr.cli.demo",
    "cspr.cli.backup",
    "cspr.cli.audit",
    "cspr.cli.library",
    "cspr.cli.themes",
    "cspr.cli.digest",
    "cspr.cli.brief",
)


def _register_areas() -> None:
    for module_name in _AREAS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise
            continue
        module.register(app)


def main() -> None:
    """Entry point of the ``cspr`` console script."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _register_areas()
    try:
        app()
    except SettingsInvalid as invalid:
        typer.echo(f"error: {invalid}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
