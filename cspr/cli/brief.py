"""``cspr brief REVIEW_ID``: a 7-minute briefing drafted from one review of the library.

The edge: reads the settings, opens the library, calls the briefing service, writes the file.
Markdown goes to the screen unless ``--out`` names a file; a Word document or a PDF goes to
``--out`` or to ``<review id>-briefing.docx|pdf`` in the current folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import DatabaseNotReady
from cspr.cli.library import DataDir, _run, index_dir_for
from learning import runtime

if TYPE_CHECKING:
    from core.settings import Settings

ReviewArg = Annotated[
    str, typer.Argument(help="The review's id, as the Library listing and `cspr search` show it.")
]
MdOpt = Annotated[bool, typer.Option("--md", help="Markdown (the default).")]
DocxOpt = Annotated[bool, typer.Option("--docx", help="A Word document.")]
PdfOpt = Annotated[bool, typer.Option("--pdf", help="A PDF of two pages at most.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="The file to write.")]
NoThemesOpt = Annotated[
    bool,
    typer.Option("--no-themes", help="Leave out the themes (and the questions drawn from them)."),
]


def _settings(data_dir: Path | None) -> Settings:
    from core.settings import get_settings

    settings = get_settings()
    return settings if data_dir is None else settings.model_copy(update={"data_dir": data_dir})


def brief_command(
    review_id: ReviewArg,
    md: MdOpt = False,
    docx: DocxOpt = False,
    pdf: PdfOpt = False,
    out: OutOpt = None,
    no_themes: NoThemesOpt = False,
    data_dir: DataDir = None,
) -> None:
    """Draft a 7-minute briefing from a review: each point quoted from the review with its page."""
    from learning.briefing_writers import BriefingFormat

    if sum((md, docx, pdf)) > 1:
        typer.echo("error: choose one of --md, --docx and --pdf", err=True)
        raise typer.Exit(code=2)
    form = BriefingFormat.WORD if docx else BriefingFormat.PDF if pdf else BriefingFormat.MARKDOWN
    try:
        _run(lambda: _brief(review_id, form, out, not no_themes, data_dir))
    except DatabaseNotReady as problem:  # the themes read the analysts' decisions from it
        typer.echo(f"error: {problem} (or leave the themes out: --no-themes)", err=True)
        raise typer.Exit(code=2) from problem


def _brief(
    review_id: str, form: object, out: Path | None, themes: bool, data_dir: Path | None
) -> int:
    from learning.briefing_library import review_briefing
    from learning.briefing_writers import BriefingFormat, render
    from learning.library import ThemeSource
    from learning.search import open_engine

    form = BriefingFormat(str(form))
    engine = open_engine(index_dir_for(data_dir), runtime.build_encoder())
    try:
        source = ThemeSource.from_settings(_settings(data_dir)) if themes else None
        data = render(review_briefing(engine, review_id, source), form)
    finally:
        engine.close()
    if out is None and form is BriefingFormat.MARKDOWN:
        typer.echo(data.decode("utf-8"), nl=False)
        return 0
    target = out or Path(f"{review_id}-briefing.{form.value}")
    try:
        target.write_bytes(data)
    except OSError as problem:
        typer.echo(f"error: cannot write {target}: {problem.strerror}", err=True)
        return 2
    typer.echo(f"wrote the briefing draft of {review_id} to {target}")
    return 0


def register(app: typer.Typer) -> None:
    """Mount ``cspr brief`` on the ``cspr`` app."""
    app.command("brief")(brief_command)
