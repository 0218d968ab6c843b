"""What every ``cspr`` sub-command shares: its options, its database session and settings,
its refusals and its output.

Refusals (a wrong date, an event out of order, an unknown case) print one line starting
``error:`` on stderr and exit with 2; nothing is written. The first command on an empty
database creates the schema (and says so on stderr); a database with an older schema is left
alone until ``cspr db upgrade``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from core.errors import WorkbenchError
from cspr.cli.case_views import csv_text
from review_flows.errors import CaseDataInvalid, CaseNotFound

REFUSED = 2

TodayOption = Annotated[
    str | None, typer.Option("--today", help="Compute as of this date (YYYY-MM-DD); default today.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Username recording this; default your login name.")
]
PartnershipOption = Annotated[
    str | None,
    typer.Option(
        "--partnership", "-p", help="Partnership of the case, if the reference is shared."
    ),
]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder for this command (database DIR/cspr.db)."),
]


@contextmanager
def _refusals() -> Iterator[None]:
    """Turn the library's named errors into one line on stderr and exit code 2."""
    try:
        yield
    except CaseNotFound as missing:  # the one message of the services, and where to look
        typer.echo(f"error: {missing}; `cspr case list` shows the cases", err=True)
        raise typer.Exit(REFUSED) from None
    except WorkbenchError as refused:
        typer.echo(f"error: {refused}", err=True)
        raise typer.Exit(REFUSED) from None
    except DBAPIError as failed:
        reason = str(failed.orig).splitlines()[0] if failed.orig else str(failed)
        typer.echo(
            f"error: the database refused or could not be reached ({reason}); "
            "check CSPR_DATABASE_URL and run `cspr db upgrade`",
            err=True,
        )
        raise typer.Exit(REFUSED) from None


@contextmanager
def _session(data_dir: Path | None = None) -> Iterator[Session]:
    from core.db import open_session
    from core.migrations import prepare_database

    url = _database_url(data_dir)
    if prepare_database(url):
        typer.echo(f"created the case database at {_safe(url)}", err=True)
    with open_session(url) as session:
        yield session


def _database_url(data_dir: Path | None = None) -> str:
    """The settings' database URL; with ``--data-dir`` the SQLite file in that folder (an
    explicit CSPR_DATABASE_URL still wins)."""
    return _settings(data_dir).resolved_database_url


def _settings(data_dir: Path | None = None) -> Any:
    """The settings, with ``--data-dir`` applied."""
    from core.settings import get_settings

    settings = get_settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    return settings


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _date(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CaseDataInvalid(f"{name}: {value!r} is not a date; write YYYY-MM-DD") from None


def _today(value: str | None) -> dt.date:
    return _date(value, "--today") if value else dt.date.today()


def _user(value: str | None) -> str:
    if value:
        return value
    try:
        login = getpass.getuser().lower()
    except (OSError, KeyError):
        return "cli"
    return login if re.fullmatch(r"[a-z0-9][a-z0-9_.@-]{1,63}", login) else "cli"


def _dump(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json"))


def _print_csv(records: list[dict[str, Any]]) -> None:
    typer.echo(csv_text(records), nl=False)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))
