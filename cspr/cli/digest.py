"""``cspr digest``: the monthly digest of new learning on demand, as Markdown (the default),
HTML or an Atom feed, for one partnership or every edition (the national one first).

The edge: reads settings, asks the library for the month's digest (the model is loaded only if
the themes are not cached), prints it. An unreadable month or a missing library is one line on
stderr and exit code 2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import typer

from core.digest_model import Digest, DigestEdition, Month, MonthInvalid
from core.errors import WorkbenchError
from cspr.cli.library import DataDir, _fail
from learning import runtime
from learning.errors import LearningError

if TYPE_CHECKING:
    from core.settings import Settings

MonthOpt = Annotated[
    str | None,
    typer.Option("--month", help="The month, YYYY-MM (e.g. 2026-11); default last month."),
]
PartnershipOpt = Annotated[
    str | None,
    typer.Option("--partnership", "-p", help="Only this partnership's edition."),
]
AsHtml = Annotated[bool, typer.Option("--html", help="Print HTML.")]
AsAtom = Annotated[bool, typer.Option("--atom", help="Print an Atom feed (one entry a month).")]
AsMd = Annotated[bool, typer.Option("--md", help="Print Markdown (the default).")]
Months = Annotated[
    int, typer.Option("--months", min=1, max=120, help="Months in the Atom feed, to --month.")
]


def register(app: typer.Typer) -> None:
    app.command("digest")(digest_command)


def digest_command(
    month: MonthOpt = None,
    partnership: PartnershipOpt = None,
    md: AsMd = False,
    as_html: AsHtml = False,
    atom: AsAtom = False,
    months: Months = 12,
    data_dir: DataDir = None,
) -> None:
    """The digest of the reviews added to the library in a month: per partnership and
    national, each review with its themes, three key learning points and a link."""
    from review_flows.digest_text import to_atom, to_html, to_markdown

    if sum((md, as_html, atom)) > 1:
        raise _fail("choose one of --md, --html and --atom")
    settings = _settings(data_dir)
    try:
        chosen = Month.parse(month) if month else Month.before(_today(settings))
    except MonthInvalid as invalid:
        raise _fail(str(invalid)) from None
    wanted = chosen.back(months) if atom else [chosen]
    try:
        from learning.digest import read_digests

        digests = read_digests(wanted, runtime.build_encoder, settings)
    except (LearningError, WorkbenchError) as problem:
        raise _fail(str(problem)) from problem
    digest = digests[-1]
    if atom:
        text = to_atom(digests, partnerships=[partnership], app_url=settings.app_url, feed_url=None)
    elif as_html:
        text = to_html(digest, _editions(digest, partnership))
    else:
        text = to_markdown(digest, _editions(digest, partnership))
    typer.echo(text, nl=False)


def _editions(digest: Digest, partnership: str | None) -> list[DigestEdition]:
    if partnership is not None:
        return [digest.edition(partnership)]
    return [digest.national, *digest.partnerships]


def _settings(data_dir: Path | None) -> Settings:
    from core.settings import get_settings

    settings = get_settings()
    return settings if data_dir is None else settings.model_copy(update={"data_dir": data_dir})


def _today(settings: Settings) -> dt.date:
    """Today where the partnerships are (``CSPR_SWEEP_TIMEZONE``)."""
    return dt.datetime.now(ZoneInfo(settings.sweep_timezone)).date()
