"""``cspr ingest``, ``cspr search`` and ``cspr similar``: the learning commands.

The edge: reads settings and the clock, loads the model once, calls one service, prints.
Library errors become one line on stderr and exit code 2. Heavy imports (torch, faiss) happen
inside the commands so ``cspr --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from learning import runtime
from learning.errors import LearningError

if TYPE_CHECKING:
    from core.settings import Settings
    from learning.index.writer_lock import LockHolder
    from learning.ingest_report import IngestProgress, IngestReport
    from learning.results import PassageHit
    from learning.search import SearchEngine

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data folder for this command (index in DIR/index)."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
TopK = Annotated[int, typer.Option("--k", min=1, help="How many results.")]
FilterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--filter",
        "-f",
        help="FIELD=VALUE: year (2019, 2018-2022, >=2019), nation, "
        "partnership, review_type, outcome, age_group, kind. Repeatable.",
    ),
]
BatchOpt = Annotated[
    Path | None, typer.Option("--batch", help="File with one input per line; prints JSON Lines.")
]


def _settings() -> Settings:
    from core.settings import get_settings

    return get_settings()


def index_dir_for(data_dir: Path | None) -> Path:
    """The index folder: ``DIR/index`` for ``--data-dir DIR``, else the settings' one."""
    return data_dir / "index" if data_dir is not None else _settings().resolved_index_dir


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _run(action: Callable[[], int]) -> None:
    """Run a command body; a library error is one line on stderr and exit code 2."""
    try:
        code = action()
    except LearningError as problem:
        raise _fail(str(problem)) from problem
    if code:
        raise typer.Exit(code=code)


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False) + "\n")


def _batch_lines(path: Path) -> Iterator[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as problem:
        raise _fail(f"cannot read batch file {path}: {problem.strerror}") from problem
    return (line.strip() for line in text.splitlines() if line.strip())


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Review files or folders.")],
    data_dir: DataDir = None,
    remove_missing: Annotated[
        bool,
        typer.Option("--remove-missing", help="Remove reviews whose file under PATH has gone."),
    ] = False,
    rebuild: Annotated[
        bool,
        typer.Option(
            "--rebuild", help="Build the index afresh (after a model change or a mismatch)."
        ),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Add new and changed reviews to the learning index (unchanged files are skipped)."""
    _run(lambda: _ingest(paths, index_dir_for(data_dir), remove_missing, rebuild, as_json))


def _ingest(
    paths: list[Path], index_dir: Path, remove_missing: bool, rebuild: bool, as_json: bool
) -> int:
    from learning.ingest import ingest_paths
    from learning.reader import shared_reader

    settings = _settings()
    runtime.lower_priority(settings.ingest_nice)
    encoder = runtime.build_encoder()
    max_bytes = settings.max_document_mb * 1024 * 1024
    reader = shared_reader(settings.ingest_memory_mb, settings.ingest_seconds_per_document)
    with _progress_reporter() as advance:
        report = ingest_paths(
            paths,
            index_dir,
            encoder,
            progress=advance,
            max_bytes=max_bytes,
            remove_missing=remove_missing,
            rebuild=rebuild,
            now=datetime.now(UTC),
            reader=reader,
            on_wait=_say_waiting,
            checkpoint_seconds=settings.ingest_checkpoint_seconds,
        )
    if as_json:
        _print_json(report.to_dict())
    else:
        _print_report(report, index_dir)
    return 1 if report.failed else 0


PROGRESS_LINE_SECONDS = 5.0


@contextmanager
def _progress_reporter() -> Iterator[Callable[[IngestProgress], None]]:
    """A progress bar on a terminal; elsewhere (logs, CI, a flow) a line every few seconds:
    files done, units read, rate."""
    console = Console(stderr=True, soft_wrap=True)
    if console.is_terminal:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("ingesting", total=None)

            def advance(step: IngestProgress) -> None:
                name = runtime.printable(step.path.name)[:40]
                bar.update(task, total=step.total, completed=step.done, description=name)

            yield advance
        return
    started = last = time.monotonic()

    def line(step: IngestProgress) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= PROGRESS_LINE_SECONDS or step.done == step.total:
            last = now
            rate = step.done / max(now - started, 1e-9)
            console.print(
                f"ingest: {step.done}/{step.total} files, {step.units:,} units read, "
                f"{rate:.1f} files/s"
            )

    yield line


def _say_waiting(holder: LockHolder | None) -> None:
    who = holder.describe() if holder else "another process"
    Console(stderr=True, soft_wrap=True).print(
        Text(f"waiting for {who} to finish writing the index; this ingest starts when it does")
    )


def _print_report(report: IngestReport, index_dir: Path) -> None:
    console = Console(soft_wrap=True)
    console.print(
        Text(
            f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.removed} removed, {len(report.failed)} failed, "
            f"{len(report.warnings)} warnings; {report.units_added} units "
            f"embedded in {report.seconds:.1f} s -> {index_dir}"
        )
    )
    for path, warning in report.warnings:
        console.print(Text(runtime.printable(f"WARNING {path}: {warning}"), style="yellow"))
    if report.missing:
        console.print(
            Text(
                f"{len(report.missing)} indexed file(s) under the folders ingested no longer "
                "exist and are still searchable; run `cspr ingest PATH --remove-missing` to "
                "drop them",
                style="yellow",
            )
        )
    for path, reason in report.failed:
        console.print(Text(runtime.printable(f"FAILED {path}: {reason}"), style="red"))


def search_command(
    query: Annotated[str | None, typer.Argument(help="Words or a question.")] = None,
    reviews: Annotated[bool, typer.Option("--reviews", help="One result per review.")] = False,
    k: TopK = 10,
    filters: FilterOpt = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
    batch: BatchOpt = None,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="A theme id from `cspr themes list`: rank reviews by it too (implies --reviews).",
        ),
    ] = None,
) -> None:
    """Search findings, recommendations and passages by meaning and by words."""
    _run(
        lambda: _search(
            query, reviews, k, filters or [], as_json, index_dir_for(data_dir), batch, theme
        )
    )


def _search(
    query: str | None,
    reviews: bool,
    k: int,
    filter_args: list[str],
    as_json: bool,
    index_dir: Path,
    batch: Path | None,
    theme: str | None = None,
) -> int:
    from learning.filters import parse_filters

    filters = parse_filters(filter_args)
    queries = _inputs(query, batch, "QUERY")

    def ask(engine: SearchEngine, text: str) -> list[Any]:
        if reviews or theme is not None:
            return engine.search_reviews(text, k, filters, theme=theme)
        return engine.search_passages(text, k, filters)

    _answer_each(queries, index_dir, ask, as_json or batch is not None)
    return 0


def _answer_each(
    inputs: list[str],
    index_dir: Path,
    ask: Callable[[SearchEngine, str], list[Any]],
    as_json: bool,
) -> None:
    """Open the index and load the model once, then print the answer to each input."""
    from learning.search import open_engine

    engine = open_engine(index_dir, runtime.build_encoder())
    try:
        for text in inputs:
            results = ask(engine, text)
            if as_json:
                _print_json([result.to_dict() for result in results])
            else:
                _print_hits(results)
    finally:
        engine.close()


def _inputs(single: str | None, batch: Path | None, what: str) -> list[str]:
    if batch is not None:
        if single is not None:
            raise _fail(f"give {what} or --batch FILE, not both")
        return list(_batch_lines(batch))
    if single is None:
        raise _fail(f"give {what} (or --batch FILE)")
    return [single]


def _print_hits(hits: list[Any]) -> None:
    console = Console(soft_wrap=True)
    if not hits:
        console.print("no results")
    for rank, hit in enumerate(hits, start=1):
        year = f" ({hit.year})" if hit.year else ""
        console.print(
            Text(
                runtime.printable(
                    f"{rank}. {hit.title}{year}  [{hit.review_id}]  score {hit.score:.4f}"
                ),
                style="bold",
            )
        )
        shared = getattr(hit, "shared_themes", ())
        if shared:
            console.print(Text(f"   shared themes: {', '.join(shared)}", style="magenta"))
        for passage in getattr(hit, "passages", None) or (hit,):
            _print_passage(console, passage)
        console.print(Text(runtime.printable(f"   {hit.source}"), style="dim"))


def _print_passage(console: Console, passage: PassageHit) -> None:
    page = passage.page_label or str(passage.page)
    label = f"{passage.kind} {passage.number}" if passage.number else passage.kind
    heading = runtime.printable(f"   {passage.section or '-'} | p. {page} | {label}")
    console.print(Text(heading, style="cyan"))
    body = Text(runtime.printable(passage.text))  # one character for one: the spans still fit
    for start, end in passage.spans:
        body.stylize("bold yellow", start, end)
    console.print(Text("   ").append(body))


def similar_command(
    text: Annotated[str | None, typer.Option("--text", help="The case précis.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="File holding the case précis.")
    ] = None,
    k: TopK = 5,
    filters: FilterOpt = None,
    as_json: AsJson = False,
    data_dir: DataDir = None,
    batch: BatchOpt = None,
) -> None:
    """Past reviews like a case précis, with their best matching findings and recommendations."""
    _run(lambda: _similar(text, file, k, filters or [], as_json, index_dir_for(data_dir), batch))


def _similar(
    text: str | None,
    file: Path | None,
    k: int,
    filter_args: list[str],
    as_json: bool,
    index_dir: Path,
    batch: Path | None,
) -> int:
    from learning.filters import parse_filters

    if text is not None and file is not None:
        raise _fail("give --text or --file, not both")
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as problem:
            raise _fail(f"cannot read {file}: {problem.strerror}") from problem
    filters = parse_filters(filter_args)
    precises = _inputs(text, batch, "--text TEXT or --file FILE")

    def ask(engine: SearchEngine, precis: str) -> list[Any]:
        _warn_personal_data(precis)
        return engine.similar_cases(precis, k, filters)

    _answer_each(precises, index_dir, ask, as_json or batch is not None)
    return 0


def _warn_personal_data(precis: str) -> None:
    """A précis is searched, not stored: warn (on stderr) if it seems to hold personal data."""
    from core.personal_data import find_personal_data

    found = find_personal_data(precis)
    if found:
        listed = "; ".join(f.masked for f in found[:5])
        typer.echo(
            f"warning: the précis seems to hold personal data ({listed}); describe the case by "
            "roles and facts, never by name",
            err=True,
        )


def register(app: typer.Typer) -> None:
    """Mount the learning commands on the ``cspr`` app."""
    app.command("ingest")(ingest_command)
    app.command("search")(search_command)
    app.command("similar")(similar_command)
