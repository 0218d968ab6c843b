"""A case's coded facts as learning may see them (:class:`core.case_facts.CaseFacts`), from the
case list or a case's timeline: the only case data the workflow hands to learning."""

from __future__ import annotations

from core.case_facts import CaseFacts
from review_flows.case_queries import CaseOverview, CaseTimeline


def facts_of(overview: CaseOverview) -> CaseFacts:
    """The coded facts of one case of the viewer's case list."""
    case = overview.case
    return CaseFacts(
        outcome=str(case.outcome),
        age_group=str(case.age_group),
        looked_after=case.looked_after,
        child_protection_plan=case.child_protection_plan,
        stage=str(overview.stage),
    )


def timeline_facts(timeline: CaseTimeline) -> CaseFacts:
    """The coded facts of a case being drafted, with its nation (the annex matches on it)."""
    case = timeline.case
    return CaseFacts(
        outcome=str(case.outcome),
        age_group=str(case.age_group),
        looked_after=case.looked_after,
        child_protection_plan=case.child_protection_plan,
        stage=str(timeline.stage),
        nation=str(case.nation),
    )
