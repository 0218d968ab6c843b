"""``cspr themes ...``: the theme taxonomy, tags, analyst decisions, trends, discovery,
recurring recommendations and evidence packs.

The edge: reads settings and the clock, opens the index (the model is loaded only when scores
are not cached), calls one service, prints text or JSON. Library errors become one line on
stderr and exit code 2, as for the other learning commands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.errors import WorkbenchError
from cspr.cli.library import AsJson, DataDir, FilterOpt, _fail, _print_json, index_dir_for
from learning import runtime
from learning.errors import LearningError
from learning.themes import render

if TYPE_CHECKING:
    from core.settings import Settings
    from learning.themes.discovery import DiscoveryParams
    from learning.themes.tagging import ThemeWorkspace
    from learning.themes.taxonomy import Taxonomy

app = typer.Typer(
    name="themes",
    help="Themes across published reviews: tags with evidence, trends, discovery, packs.",
    no_args_is_help=True,
)
By = Annotated[
    str,
    typer.Option("--by", help="year, nation, partnership, age_group, outcome or review_type."),
]
Coverage = Annotated[
    float, typer.Option("--coverage", min=0.0, max=1.0, help="Uncovered below this confidence.")
]
Similarity = Annotated[
    float, typer.Option("--similarity", min=0.0, max=1.0, help="Grouping similarity threshold.")
]
MinSize = Annotated[int, typer.Option("--min-size", min=2, help="Smallest cluster.")]


def _run(action: Callable[[], None]) -> None:
    """Run a command body; a library or database error is one line on stderr, exit code 2."""

    try:
        action()
    except (LearningError, WorkbenchError) as problem:
        raise _fail(str(problem)) from problem


def _settings(data_dir: Path | None) -> Settings:
    from core.settings import get_settings

    settings = get_settings()
    return settings if data_dir is None else settings.model_copy(update={"data_dir": data_dir})


def _taxonomy(data_dir: Path | None) -> Taxonomy:
    from learning.themes.taxonomy import load_taxonomy, resolve_taxonomy_path

    settings = _settings(data_dir)
    return load_taxonomy(resolve_taxonomy_path(settings.taxonomy_file, settings.data_dir))


def _workspace(data_dir: Path | None) -> ThemeWorkspace:
    from learning.index import open_index
    from learning.themes.decisions import load_decisions
    from learning.themes.head_store import tagger_in_use
    from learning.themes.tagging import ThemeWorkspace

    settings = _settings(data_dir)
    tagger = tagger_in_use(settings.theme_tagger, settings.data_dir).choice
    taxonomy = _taxonomy(data_dir)
    index = open_index(index_dir_for(data_dir))
    try:
        decisions = load_decisions(_settings(data_dir).resolved_database_url)
    except BaseException:
        index.close()
        raise
    # Looked up at call time, so the encoder is loaded only if scores are not cached.
    return ThemeWorkspace(
        index, taxonomy, lambda: runtime.build_encoder(), decisions=decisions, tagger=tagger
    )


@app.command("list")
def list_command(data_dir: DataDir = None, as_json: AsJson = False) -> None:
    """The themes of the taxonomy in use (id, label, group)."""

    def body() -> None:
        taxonomy = _taxonomy(data_dir)
        if as_json:
            _print_json([theme.model_dump(mode="json") for theme in taxonomy.themes])
        else:
            render.print_theme_list(taxonomy)

    _run(body)


@app.command("show")
def show_command(
    theme_id: Annotated[str, typer.Argument(help="Theme id (see `cspr themes list`).")],
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """A theme's definition and phrases, and the indexed reviews it tags."""

    def body() -> None:
        from learning.errors import IndexNotFound

        theme = _taxonomy(data_dir).theme(theme_id)
        try:
            workspace = _workspace(data_dir)
        except IndexNotFound:
            tags = []
        else:
            tags = [tag for tag in workspace.tags() if tag.theme_id == theme_id]
            workspace.index.close()
        if as_json:
            _print_json({**theme.model_dump(mode="json"), "tags": [t.to_dict() for t in tags]})
        else:
            render.print_theme(theme, tags)

    _run(body)


@app.command("tag")
def tag_command(
    review: Annotated[str | None, typer.Option("--review", help="Only this review id.")] = None,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Theme tags of every review (or one), with confidence and the passages that earned them."""

    def body() -> None:
        workspace = _workspace(data_dir)
        try:
            tags = workspace.tags(review)
        finally:
            workspace.index.close()
        if as_json:
            _print_json([tag.to_dict() for tag in tags])
        else:
            render.print_tags(tags)

    _run(body)


def _decide(
    decision: str, review_id: str, theme_id: str, by: str, note: str | None, data_dir: Path | None
) -> None:
    from learning.index import open_index
    from learning.themes.decisions import save_decision
    from learning.themes.retraining import retrain_if_due

    _taxonomy(data_dir).theme(theme_id)
    index = open_index(index_dir_for(data_dir))
    try:
        if index.store.document_by_review(review_id) is None:
            from learning.errors import ReviewNotIndexed

            raise ReviewNotIndexed(f"no review {review_id!r} in the index {index.directory}")
    finally:
        index.close()
    saved = save_decision(
        _settings(data_dir).resolved_database_url,
        review_id=review_id,
        theme_id=theme_id,
        decision=decision,
        by=by,
        at=datetime.now(UTC),
        note=note,
    )
    stamp = f"{saved.at:%Y-%m-%d %H:%M} UTC"
    typer.echo(f"{saved.decision}ed {theme_id} on {review_id} by {saved.by} at {stamp}")
    retrained = retrain_if_due(_settings(data_dir), runtime.build_encoder, now=saved.at)
    if retrained:
        typer.echo(f"theme tagger {retrained}")


ReviewArg = Annotated[str, typer.Argument(help="Review id.")]
ThemeArg = Annotated[str, typer.Argument(help="Theme id.")]
ByOpt = Annotated[str, typer.Option("--by", help="Who decides.")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="Why.")]


@app.command("confirm")
def confirm_command(
    review_id: ReviewArg,
    theme_id: ThemeArg,
    by: ByOpt = "analyst",
    note: NoteOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Confirm that a review carries a theme (wins over the model, survives re-ingest)."""
    _run(lambda: _decide("confirm", review_id, theme_id, by, note, data_dir))


@app.command("reject")
def reject_command(
    review_id: ReviewArg,
    theme_id: ThemeArg,
    by: ByOpt = "analyst",
    note: NoteOpt = None,
    data_dir: DataDir = None,
) -> None:
    """Reject a theme tag on a review (wins over the model, survives re-ingest)."""
    _run(lambda: _decide("reject", review_id, theme_id, by, note, data_dir))


@app.command("trends")
def trends_command(
    by: By = "year",
    recent_years: Annotated[
        int, typer.Option("--recent-years", min=1, help="Window for rising and new themes.")
    ] = 3,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Prevalence of each theme by a review fact, and rising and new themes."""

    def body() -> None:
        from learning.themes.report import trends_report
        from learning.themes.trends import DIMENSIONS

        if by not in DIMENSIONS:
            raise _fail(f"--by {by!r} is not one of: {', '.join(DIMENSIONS)}")
        workspace = _workspace(data_dir)
        try:
            report = trends_report(workspace, by, recent_years)
        finally:
            workspace.index.close()
        _print_json(report.to_dict()) if as_json else render.print_trends(report)

    _run(body)


@app.command("cooccurrence")
def cooccurrence_command(
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="Fewest reviews.")] = 2,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Pairs and triples of themes found together: observed, expected if independent, lift."""

    def body() -> None:
        from learning.themes.report import cooccurrence_report

        workspace = _workspace(data_dir)
        try:
            report = cooccurrence_report(workspace, min_count)
        finally:
            workspace.index.close()
        _print_json(report.to_dict()) if as_json else render.print_cooccurrence(report)

    _run(body)


def _discovery_params(coverage: float, similarity: float, min_size: int) -> DiscoveryParams:
    from learning.themes.discovery import DiscoveryParams

    return DiscoveryParams(coverage_threshold=coverage, similarity=similarity, min_size=min_size)


@app.command("discover")
def discover_command(
    coverage: Coverage = 0.5,
    similarity: Similarity = 0.6,
    min_size: MinSize = 3,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Clusters of findings and recommendations that no theme covers (stable, citable ids)."""

    def body() -> None:
        from learning.themes.discovery import discover_clusters

        workspace = _workspace(data_dir)
        try:
            result = discover_clusters(workspace, _discovery_params(coverage, similarity, min_size))
        finally:
            workspace.index.close()
        _print_json(result.to_dict()) if as_json else render.print_discovery(result)

    _run(body)


@app.command("promote")
def promote_command(
    cluster_id: Annotated[str, typer.Argument(help="Cluster id from `cspr themes discover`.")],
    label: Annotated[str | None, typer.Option("--label", help="The new theme's label.")] = None,
    coverage: Coverage = 0.5,
    similarity: Similarity = 0.6,
    min_size: MinSize = 3,
    data_dir: DataDir = None,
) -> None:
    """Add a discovered cluster to your taxonomy file as a new theme (edit its definition)."""

    def body() -> None:
        from learning.themes.discovery import discover_clusters, promote_cluster
        from learning.themes.taxonomy import analyst_taxonomy_path

        settings = _settings(data_dir)
        target = analyst_taxonomy_path(settings.taxonomy_file, settings.data_dir)
        workspace = _workspace(data_dir)
        try:
            result = discover_clusters(workspace, _discovery_params(coverage, similarity, min_size))
        finally:
            workspace.index.close()
        theme = promote_cluster(result, cluster_id, target, label)
        typer.echo(f"added theme {theme.id} ({theme.label}) to {target}")
        if settings.taxonomy_file is None:
            typer.echo(f"{target} is now the taxonomy in use for this data folder")

    _run(body)


@app.command("recurring")
def recurring_command(
    threshold: Annotated[
        float, typer.Option("--threshold", min=0.0, max=1.0, help="Similarity to group.")
    ] = 0.65,
    min_reviews: Annotated[int, typer.Option("--min-reviews", min=2, help="Fewest reviews.")] = 2,
    data_dir: DataDir = None,
    as_json: AsJson = False,
) -> None:
    """Recommendations made again and again: how often, in how many reviews, since when."""

    def body() -> None:
        from learning.themes.recurring import RecurringParams, recurring_recommendations

        params = RecurringParams(threshold=threshold, min_reviews=min_reviews)
        workspace = _workspace(data_dir)
        try:
            groups = recurring_recommendations(workspace, params)
        finally:
            workspace.index.close()
        _print_json([g.to_dict() for g in groups]) if as_json else render.print_recurring(groups)

    _run(body)


@app.command("pack")
def pack_command(
    theme_id: Annotated[str, typer.Argument(help="Theme id.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, md or pdf.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="File to write.")] = None,
    filters: FilterOpt = None,
    data_dir: DataDir = None,
) -> None:
    """An evidence pack for a theme: reviews, findings and recommendations, every line cited."""

    def body() -> None:
        from learning.themes.pack_export import FORMATS, write_pack
        from learning.themes.packs import build_pack

        if fmt not in FORMATS:
            raise _fail(f"--format {fmt!r} is not one of: {', '.join(FORMATS)}")
        if out is None:
            raise _fail("give --out FILE")
        workspace = _workspace(data_dir)
        try:
            pack = build_pack(workspace, theme_id, filters or [])
        finally:
            workspace.index.close()
        write_pack(pack, fmt, out)
        typer.echo(
            f"{out}: {len(pack.reviews)} reviews, {len(pack.findings)} findings, "
            f"{len(pack.recommendations)} recommendations"
        )

    _run(body)


def register(root: typer.Typer) -> None:
    """Mount ``cspr themes`` on the ``cspr`` app."""
    root.add_typer(app, name="themes")


# ``cspr themes national`` (the national picture in rates) lives in its own module too.
import cspr.cli.national as _national_cli  # noqa: E402, F401

# ``cspr themes retrain`` and ``cspr themes tagger`` live in their own module; importing it
# adds them to ``app`` (last, as it uses this module's helpers).
import cspr.cli.tagger as _tagger_cli  # noqa: E402, F401
