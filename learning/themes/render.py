"""Text output of ``cspr themes`` (rich tables); part of the CLI edge, so it may print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from learning.themes.discovery import DiscoveryResult
    from learning.themes.recurring import RecurringRecommendation
    from learning.themes.report import CooccurrenceReport, TrendsReport
    from learning.themes.taxonomy import Taxonomy, ThemeSpec
    from learning.themes.values import ThemeTag


def _console() -> Console:
    return Console(soft_wrap=True)


def print_theme_list(taxonomy: Taxonomy) -> None:
    table = Table("id", "label", "group", "phrases", title=f"{len(taxonomy.themes)} themes")
    for theme in taxonomy.themes:
        table.add_row(theme.id, theme.label, theme.group, str(len(theme.phrases)))
    console = _console()
    console.print(table)
    console.print(Text(f"from {taxonomy.source} (digest {taxonomy.digest[:12]})", style="dim"))


def print_theme(theme: ThemeSpec, tags: Sequence[ThemeTag]) -> None:
    console = _console()
    console.print(Text(f"{theme.label} [{theme.id}] ({theme.group})", style="bold"))
    console.print(theme.definition)
    console.print(Text("phrases: " + "; ".join(theme.phrases), style="dim"))
    console.print(Text(f"tagged reviews: {len(tags)}", style="bold"))
    for tag in tags:
        cite = tag.evidence[0].citation if tag.evidence else ""
        console.print(f"  {tag.review_id}  {tag.confidence:.2f} ({tag.source})  {cite}")


def print_tags(tags: Sequence[ThemeTag]) -> None:
    console = _console()
    if not tags:
        console.print("no tags")
    current = None
    for tag in tags:
        if tag.review_id != current:
            current = tag.review_id
            console.print(Text(tag.review_id, style="bold"))
        console.print(
            Text(
                f"  {tag.label} [{tag.theme_id}]  {tag.confidence:.2f} ({tag.source}, "
                f"{tag.tagger or 'tagger not recorded'})",
                "cyan",
            )
        )
        for item in tag.evidence:
            where = f"{item.section or '-'} | p. {item.page_label or item.page} | {item.kind}"
            console.print(Text(f"    {where} | {item.confidence:.2f}", style="dim"))
            console.print(Text(f"    {' '.join(item.text.split())[:300]}"))


def print_trends(report: TrendsReport) -> None:
    console = _console()
    groups = report.table.groups
    headers = (f"{g} (n={n})" for g, n in groups)
    table = Table("theme", *headers, title=f"by {report.table.dimension}")
    cells: dict[tuple[str, str], str] = {
        (row.theme_id, row.group): f"{row.count} ({row.share:.0%})" for row in report.table.rows
    }
    for theme_id, label in report.labels.items():
        table.add_row(label, *(cells[(theme_id, g)] for g, _ in groups))
    console.print(table)
    changes = Table("theme", "status", "first year", "recent", "before", "change")
    for change in report.changes:
        if change.status in ("new", "rising", "falling"):
            changes.add_row(
                report.labels[change.theme_id],
                change.status,
                str(change.first_year),
                f"{change.recent_count}/{change.recent_reviews}",
                f"{change.earlier_count}/{change.earlier_reviews}",
                f"{change.change:+.0%}",
            )
    console.print(changes)


def print_cooccurrence(report: CooccurrenceReport) -> None:
    table = Table("themes", "observed", "expected", "lift", title=f"{report.total_reviews} reviews")
    for item in report.items:
        table.add_row(
            " + ".join(report.labels[t] for t in item.themes),
            str(item.observed),
            f"{item.expected:.2f}",
            f"{item.lift:.2f}",
        )
    _console().print(table)


def print_discovery(result: DiscoveryResult) -> None:
    console = _console()
    console.print(
        Text(
            f"{len(result.clusters)} clusters from {result.uncovered} uncovered of "
            f"{result.considered} findings and recommendations "
            f"(index generation {result.version['index_generation']}, taxonomy "
            f"{result.version['taxonomy_digest']}, discovery {result.version['discovery']})",
            style="bold",
        )
    )
    for cluster in result.clusters:
        console.print(
            Text(
                f"{cluster.cluster_id}  {cluster.label}  ({cluster.size} units, "
                f"{len(cluster.reviews)} reviews)",
                style="cyan",
            )
        )
        for example in cluster.examples:
            console.print(f"    {' '.join(example.text.split())[:200]} {example.citation}")


def print_recurring(groups: Sequence[RecurringRecommendation]) -> None:
    console = _console()
    if not groups:
        console.print("no recurring recommendations")
    for group in groups:
        years = f"{group.first_year}-{group.last_year}" if group.first_year else "years unknown"
        console.print(
            Text(
                f"{group.group_id}  made {group.count} times in {group.reviews} reviews, {years}",
                style="bold",
            )
        )
        console.print(f"  {' '.join(group.statement.split())[:300]}")
        for member in group.members:
            console.print(Text(f"    {member.citation}", style="dim"))
