"""Human labels for the codes the workbench stores: event kinds, stages, outcomes, age groups,
nations, review types, notices and jobs. Pure, and the one place these words live.

Keyed by the codes' string values, so a ``StrEnum`` member looks up as its value (``EventKind``
lives in the pure core, ``Outcome`` in the models; this module imports neither). The texts are
app-neutral: they say what happened or what to do, never which command does it.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

EVENT_LABELS: Mapping[str, str] = {
    "aware": "Became aware of the incident",
    "history_imported": "Taken over with its history",
    "notified": "Incident notified",
    "rapid_review_started": "Rapid review started",
    "rapid_review_submitted": "Rapid review submitted",
    "decision_no_review": "Decided not to hold a local review",
    "decision": "Decided to hold a local review",
    "national_review_referred": "Referred for a national review",
    "panel_response": "Panel responded",
    "reviewer_appointed": "Reviewer appointed",
    "terms_of_reference_agreed": "Terms of reference agreed",
    "draft_received": "Draft report received",
    "publication_planned": "Publication planned",
    "report_sent": "Report sent",
    "published": "Report published",
    "action_plan_agreed": "Action plan agreed",
    "actions_completed": "Actions completed",
    "closed": "Case closed",
    "delay_recorded": "Delay recorded",
    "correction": "Correct an earlier event's date",
    "void": "Void an event recorded in error",
    "amended": "Case facts amended",
}

#: What each event means, in words a user of the app reads beside its label.
EVENT_HELP: Mapping[str, str] = {
    "aware": "the authority became aware of the incident (the clocks start)",
    "history_imported": (
        "the case was taken over at a later stage; the note says which earlier steps have no "
        "date and why"
    ),
    "notified": "the incident was notified to the Panel (Ofsted before 2018)",
    "rapid_review_started": "the rapid review began (England)",
    "rapid_review_submitted": "the rapid review was sent to the Panel (England)",
    "decision_no_review": "the partners decided not to hold a local review",
    "decision": "the partners decided to hold a local review",
    "national_review_referred": "the Panel took the case for a national review",
    "panel_response": "the Panel replied",
    "reviewer_appointed": "the independent reviewer was appointed",
    "terms_of_reference_agreed": "the review's terms of reference were agreed",
    "draft_received": "the draft report was received",
    "publication_planned": "the planned publication date (may be in the future)",
    "report_sent": "the report was sent to the Panel and the Secretary of State",
    "published": "the report was published",
    "action_plan_agreed": "the action plan was agreed",
    "actions_completed": "every action of the plan was completed",
    "closed": "the case was closed",
    "delay_recorded": "a delay was notified; give its reason in the note",
    "correction": (
        "choose the event in \u201cEvent it corrects or voids\u201d and give its right date"
    ),
    "void": ("choose the event in \u201cEvent it corrects or voids\u201d and say why in the note"),
    "amended": "the case's incident date or nation was changed",
}

STAGE_LABELS: Mapping[str, str] = {
    "incident_recorded": "Incident recorded",
    "notified": "Notified",
    "rapid_review": "Rapid review",
    "awaiting_decision": "Awaiting decision",
    "no_review": "No local review",
    "local_review": "Local review commissioned",
    "national_review": "National review",
    "reviewing": "Review under way",
    "report_sent": "Report sent",
    "published": "Published",
    "actions": "Acting on recommendations",
    "closed": "Closed",
}

#: Outcomes of the case store (death, serious harm) and of published reviews' metadata.
OUTCOME_LABELS: Mapping[str, str] = {
    "death": "Death",
    "serious_harm": "Serious harm",
    "other": "Other",
    "near_miss": "Near miss",
}

AGE_GROUP_LABELS: Mapping[str, str] = {
    "under_1": "Under 1 year",
    "1_4": "1\u20134 years",
    "5_9": "5\u20139 years",
    "10_14": "10\u201314 years",
    "15_17": "15\u201317 years",
    "mixed": "Children of several ages",
}

NATION_LABELS: Mapping[str, str] = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}

REVIEW_TYPE_LABELS: Mapping[str, str] = {
    "scr": "SCR",
    "cspr": "CSPR",
    "national": "National review",
    "cpr": "CPR",
    "susr": "SUSR",
    "learning_review": "Learning review",
    "cmr": "CMR",
}

NOTICE_KIND_LABELS: Mapping[str, str] = {
    "reminder": "Reminder",
    "escalation": "Escalation",
    "digest": "Weekly digest",
    "event": "Follow-up",
    "publication": "Review published",
}

JOB_KIND_LABELS: Mapping[str, str] = {
    "follow_up": "Follow-up notices",
    "publish": "Publication to the library",
    "ingest_upload": "Library upload",
}

CHANNEL_LABELS: Mapping[str, str] = {"inbox": "Inbox", "email": "Email"}


def _label(table: Mapping[str, str], code: object) -> str:
    """The label of ``code``; an unknown code in words rather than a raw id."""
    text = str(code)
    return table.get(text) or text.replace("_", " ").capitalize()


def event_label(kind: object) -> str:
    """ "Rapid review submitted" for ``rapid_review_submitted``."""
    return _label(EVENT_LABELS, kind)


def event_choice(kind: object) -> str:
    """An event as the record form offers it: its label and what it means."""
    help_text = EVENT_HELP.get(str(kind))
    return f"{event_label(kind)}: {help_text}" if help_text else event_label(kind)


def stage_label(stage: object) -> str:
    return _label(STAGE_LABELS, stage)


def outcome_label(outcome: object) -> str:
    return _label(OUTCOME_LABELS, outcome)


def age_group_label(age_group: object) -> str:
    return _label(AGE_GROUP_LABELS, age_group)


def nation_label(nation: object) -> str:
    return _label(NATION_LABELS, nation)


def review_type_label(review_type: object) -> str:
    return _label(REVIEW_TYPE_LABELS, review_type)


def notice_kind_label(kind: object) -> str:
    return _label(NOTICE_KIND_LABELS, kind)


def job_kind_label(kind: object) -> str:
    return _label(JOB_KIND_LABELS, kind)


def channel_label(channel: object) -> str:
    return _label(CHANNEL_LABELS, channel)


def case_link(app_url: str, reference: str) -> str:
    """The address of a case's page in the app (``CSPR_APP_URL``)."""
    return f"{app_url.rstrip('/')}/case?ref={quote(reference, safe='')}"
