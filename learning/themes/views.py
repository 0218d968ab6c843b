"""What the Themes page shows, shaped from the themes services (glue; no Streamlit here).

The page reads its inputs, calls one function of this module and renders the values it gets:
prevalence as a grid (a row per theme, a column per group) with a sentence that stands in for
the chart, one tag with the evidence behind it, an analyst's decision (checked, then saved in
the app database), and an evidence pack as a file to download. Rates (shares with intervals,
changes in percentage points) are shaped in :mod:`learning.themes.analyst_views`, and themes
found together in :mod:`learning.themes.cooccurrence`. Everything comes from the published
reviews in the learning index: nothing here reads the case database, so an analyst sees no
case details.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from core.labels import (
    AGE_GROUP_LABELS,
    NATION_LABELS,
    OUTCOME_LABELS,
    REVIEW_TYPE_LABELS,
)
from learning.encoder import Encoder
from learning.errors import InvalidDecision
from learning.themes.decisions import load_decisions, save_decision
from learning.themes.learned_head import TaggerChoice
from learning.themes.pack_export import FORMATS, pack_csv, pack_markdown, write_pack_pdf
from learning.themes.packs import build_pack
from learning.themes.report import TrendsReport
from learning.themes.scoring import SCORING_VERSION
from learning.themes.tagging import ThemeWorkspace
from learning.themes.values import AnalystDecision, Decision, Evidence

if TYPE_CHECKING:
    from core.settings import Settings

#: The facts the page groups prevalence by, with their headings.
DIMENSIONS: dict[str, str] = {
    "year": "Year of publication",
    "nation": "Nation",
    "age_group": "Age group of the child",
    "outcome": "Outcome",
    "review_type": "Review type",
}
#: Dimensions whose groups run in an order (a sequential colour scale suits them).
ORDERED_DIMENSIONS = ("year", "age_group")
_GROUP_LABELS: dict[str, str] = {
    **NATION_LABELS, **REVIEW_TYPE_LABELS, **OUTCOME_LABELS, **AGE_GROUP_LABELS,
}  # fmt: skip
PACK_MIME: dict[str, str] = {"csv": "text/csv", "md": "text/markdown", "pdf": "application/pdf"}


@contextmanager
def open_theme_workspace(
    settings: Settings, encoder_factory: Callable[[], Encoder]
) -> Iterator[ThemeWorkspace]:
    """The themes of the index in use, with the analysts' decisions; closed on leaving.

    Raises :class:`~learning.errors.IndexNotFound` when nothing has been ingested yet. The
    encoder is built only if the scores are not cached for this index and taxonomy.
    """
    from learning.index import open_index
    from learning.themes.head_store import tagger_in_use
    from learning.themes.taxonomy import load_taxonomy, resolve_taxonomy_path

    taxonomy = load_taxonomy(resolve_taxonomy_path(settings.taxonomy_file, settings.data_dir))
    tagger = tagger_in_use(settings.theme_tagger, settings.data_dir).choice
    index = open_index(settings.resolved_index_dir)
    try:
        decisions = load_decisions(settings.resolved_database_url)
        yield ThemeWorkspace(index, taxonomy, encoder_factory, decisions=decisions, tagger=tagger)
    finally:
        index.close()


def group_label(group: str) -> str:
    """A group as a reader writes it: "Under 1", "Serious harm", "CSPR", "2021"."""
    return _GROUP_LABELS.get(group, group.replace("_", " ").capitalize())


# --- prevalence ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrevalenceLine:
    """One theme: reviews carrying it in all, and in each group (in the grid's group order)."""

    theme_id: str
    label: str
    total: int
    counts: tuple[int, ...]


@dataclass(frozen=True)
class PrevalenceGrid:
    """Prevalence by one dimension: groups with their review counts, themes most common first."""

    dimension: str
    total_reviews: int
    groups: tuple[tuple[str, int], ...]
    lines: tuple[PrevalenceLine, ...]

    @property
    def carried(self) -> tuple[PrevalenceLine, ...]:
        """The themes at least one review carries."""
        return tuple(line for line in self.lines if line.total)


def prevalence_grid(report: TrendsReport) -> PrevalenceGrid:
    """The report's prevalence rows as a grid, the most common themes first."""
    table = report.table
    place = {group: i for i, (group, _) in enumerate(table.groups)}
    counts: dict[str, list[int]] = {}
    for row in table.rows:
        counts.setdefault(row.theme_id, [0] * len(place))[place[row.group]] = row.count
    lines = [
        PrevalenceLine(theme_id, report.labels[theme_id], sum(found), tuple(found))
        for theme_id, found in counts.items()
    ]
    lines.sort(key=lambda line: (-line.total, line.label))
    return PrevalenceGrid(table.dimension, table.total_reviews, table.groups, tuple(lines))


def prevalence_text(grid: PrevalenceGrid, top: int = 3) -> str:
    """The chart in words (its text alternative): the commonest themes and each group's first."""
    heading = DIMENSIONS.get(grid.dimension, grid.dimension).lower()
    if not grid.carried:
        return f"No theme is tagged in the {grid.total_reviews} reviews indexed."
    common = "; ".join(
        f"{line.label} in {line.total} of {grid.total_reviews}" for line in grid.carried[:top]
    )
    leaders = []
    for place, (group, size) in enumerate(grid.groups):
        best = max(grid.carried, key=lambda line: line.counts[place])
        if best.counts[place]:
            leaders.append(f"{group_label(group)}: {best.label} ({best.counts[place]} of {size})")
    firsts = f" Most common in each group: {'; '.join(leaders)}." if leaders else ""
    return (
        f"Reviews carrying each theme, by {heading}, over {grid.total_reviews} reviews. "
        f"Most common: {common}.{firsts}"
    )


# --- confirming and rejecting tags ---------------------------------------------------------------


@dataclass(frozen=True)
class ReviewChoice:
    review_id: str
    title: str | None
    year: int | None

    @property
    def label(self) -> str:
        year = f" ({self.year})" if self.year else ""
        return f"{self.title or self.review_id}{year} [{self.review_id}]"


@dataclass(frozen=True)
class ThemeChoice:
    """A theme as offered for one review: tagged (with confidence and source) or not."""

    theme_id: str
    label: str
    confidence: float | None = None
    source: str | None = None

    @property
    def tagged(self) -> bool:
        return self.confidence is not None

    @property
    def caption(self) -> str:
        if self.confidence is None:
            return f"{self.label}: not tagged"
        return f"{self.label}: tagged, {self.confidence:.2f} ({self.source})"


@dataclass(frozen=True)
class TagReview:
    """One review and theme as the analyst weighs them: the model's score, the threshold,
    any decision in force, and the passages (with pages) behind the score."""

    review_id: str
    theme_id: str
    label: str
    definition: str
    tagged: bool
    model_confidence: float
    threshold: float
    decision: AnalystDecision | None
    evidence: tuple[Evidence, ...]


def review_choices(workspace: ThemeWorkspace) -> tuple[ReviewChoice, ...]:
    """The indexed reviews, newest first."""
    choices = [
        ReviewChoice(doc.review_id, doc.title, doc.year)
        for doc in workspace.table.documents.values()
    ]
    choices.sort(key=lambda choice: (-(choice.year or 0), choice.review_id))
    return tuple(choices)


def theme_choices(workspace: ThemeWorkspace, review_id: str) -> tuple[ThemeChoice, ...]:
    """Every theme for ``review_id``: its tags first (most confident first), then the rest."""
    tags = {tag.theme_id: tag for tag in workspace.tags(review_id)}
    tagged = [
        ThemeChoice(tag.theme_id, tag.label, tag.confidence, str(tag.source))
        for tag in tags.values()
    ]
    others = sorted(
        (ThemeChoice(t.id, t.label) for t in workspace.taxonomy.themes if t.id not in tags),
        key=lambda choice: choice.label,
    )
    return (*tagged, *others)


def tag_review(workspace: ThemeWorkspace, review_id: str, theme_id: str) -> TagReview:
    """The evidence for (or against) ``theme_id`` on ``review_id``: the tag's own evidence,
    else the review's best passages for the theme, whatever their score."""
    theme = workspace.taxonomy.theme(theme_id)
    workspace.check_review(review_id)
    row = workspace.scores.review_ids.index(review_id)
    column = workspace.scores.theme_ids.index(theme_id)
    tag = next((t for t in workspace.tags(review_id) if t.theme_id == theme_id), None)
    evidence = tag.evidence if tag else workspace.evidence(row, column, any_score=True)
    return TagReview(
        review_id=review_id,
        theme_id=theme_id,
        label=theme.label,
        definition=theme.definition,
        tagged=tag is not None,
        model_confidence=round(float(workspace.scores.review_conf[row, column]), 4),
        threshold=workspace.thresholds[theme_id],
        decision=workspace.decisions.get((review_id, theme_id)),
        evidence=evidence,
    )


def decide_tag(
    workspace: ThemeWorkspace,
    database_url: str,
    *,
    review_id: str,
    theme_id: str,
    decision: Decision,
    by: str,
    at: dt.datetime,
    note: str | None = None,
    settings: Settings | None = None,
) -> AnalystDecision:
    """Confirm or reject ``theme_id`` on ``review_id`` as ``by`` at ``at`` (both must exist in
    the workspace); a blank note is no note. The tags change from the next workspace opened.
    With ``settings``, the learned tagger is then retrained if enough decisions have followed
    its last training."""
    workspace.taxonomy.theme(theme_id)
    workspace.check_review(review_id)
    if decision not in tuple(Decision):
        raise InvalidDecision(f"decision {decision!r} is not 'confirm' or 'reject'")
    saved = save_decision(
        database_url,
        review_id=review_id,
        theme_id=theme_id,
        decision=str(decision),
        by=by,
        at=at,
        note=(note or "").strip() or None,
    )
    if settings is not None:
        from learning.themes.retraining import retrain_if_due

        retrain_if_due(settings, workspace.encoder_factory, now=at)
    return saved


def tagger_caption(workspace: ThemeWorkspace) -> str:
    """Which tagger made the tags, in a sentence for the page."""
    head = workspace.head
    zero_shot = f"the zero-shot tagger (scoring version {SCORING_VERSION})"
    if head is not None:
        trained = dt.datetime.fromisoformat(head.trained_at)
        when = f"trained on {_count(head.decisions, 'decision')} on {trained.day} {trained:%B %Y}"
        if not head.models:
            return (
                f"Tags made by {zero_shot}: the tagger that learns from analysts, {when}, has "
                "too few confirmed and rejected examples of any theme yet."
            )
        return (
            f"Tags made by the tagger that learns from analysts, {when}: "
            f"{_count(len(head.models), 'theme')} learned, the others by {zero_shot}. "
            f"Version {head.version}."
        )
    if workspace.tagger is TaggerChoice.LEARNED:
        return (
            f"Tags made by {zero_shot}: the tagger that learns from analysts starts once "
            "enough decisions have been made."
        )
    return f"Tags made by {zero_shot}, chosen instead of the tagger that learns from analysts."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --- evidence packs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackFile:
    """An evidence pack ready to download, with what it holds."""

    name: str
    mime: str
    data: bytes
    reviews: int
    findings: int
    recommendations: int


def pack_file(workspace: ThemeWorkspace, theme_id: str, fmt: str) -> PackFile:
    """The evidence pack for ``theme_id`` as CSV, Markdown or PDF bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    pack = build_pack(workspace, theme_id)
    if fmt == "csv":
        data = pack_csv(pack).encode("utf-8")
    elif fmt == "md":
        data = pack_markdown(pack).encode("utf-8")
    else:
        data = _pdf_bytes(lambda path: write_pack_pdf(pack, path))
    return PackFile(
        f"evidence-pack-{theme_id}.{fmt}",
        PACK_MIME[fmt],
        data,
        len(pack.reviews),
        len(pack.findings),
        len(pack.recommendations),
    )


def _pdf_bytes(write: Callable[[Path], None]) -> bytes:
    """What ``write`` puts in a file, read back (the PDF writer wants a path)."""
    with tempfile.TemporaryDirectory(prefix="cspr-pack-") as folder:
        path = Path(folder) / "pack.pdf"
        write(path)
        return path.read_bytes()
