"""A case précis built from a case's facts, for the similar-cases search. Pure.

Only coded facts go in (outcome, age group, looked after, child protection plan, stage): never
a name, a reference, a partnership or a free-text note, so the précis can carry no personal
data. It is written in the words published reviews use, one fact a sentence, because the
engine searches the précis whole and sentence by sentence.
"""

from __future__ import annotations

from core.case_facts import CaseFacts

_CHILD = {
    "under_1": "A baby under one year old",
    "1_4": "A young child aged between one and four",
    "5_9": "A child aged between five and nine",
    "10_14": "A child aged between ten and fourteen",
    "15_17": "A teenager aged between fifteen and seventeen",
}
_WHAT_HAPPENED = {"death": "died", "serious_harm": "was seriously harmed"}
_STAGE = {
    "incident_recorded": "the serious incident has just been recorded",
    "notified": "the serious incident has been notified",
    "rapid_review": "a rapid review is under way",
    "awaiting_decision": "the partnership is deciding whether to hold a review",
    "no_review": "the partnership decided not to hold a review",
    "local_review": "a local child safeguarding practice review was commissioned",
    "national_review": "the case was referred for a national review",
    "reviewing": "the practice review is under way",
    "report_sent": "the review report has been sent",
    "published": "the review report has been published",
    "actions": "the review's recommendations are being acted on",
    "closed": "the review is closed",
}


def case_precis(facts: CaseFacts) -> str:
    """A précis of the case in the words of published reviews, one fact a sentence."""
    child = _CHILD.get(facts.age_group, "A child")
    happened = _WHAT_HAPPENED.get(facts.outcome, "was harmed")
    sentences = [f"{child} {happened} after a serious safeguarding incident."]
    if facts.looked_after:
        sentences.append("The child was looked after by the local authority, in care.")
    if facts.child_protection_plan:
        sentences.append("The child was subject to a child protection plan at the time.")
    if facts.stage in _STAGE:
        sentences.append(f"For this case, {_STAGE[facts.stage]}.")
    return " ".join(sentences)
