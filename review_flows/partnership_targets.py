"""A partnership's own targets for the steps the guidance sets no statutory time limit for.

Wales (child practice reviews, single unified safeguarding reviews), Scotland (learning
reviews) and Northern Ireland (case management reviews) set few or no time limits for their
steps, and English guidance none for a few. A partnership may set its own target in working
days for such a step; the timeline then gives the step a due date marked as a local target,
and the sweep reminds about it like any other (:func:`review_flows.timeline.compute_milestones`).
A target for a step with a statutory limit is refused: the guidance's limit stands.

``CSPR_LOCAL_TARGETS`` sets targets for every partnership; a partnership's own target for the
same step wins (:func:`targets_for`). Who set a target and when are kept on its row, and every
change is logged.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlmodel import Session, col, select

from core.columns import utc_now
from core.settings import get_settings
from review_flows.errors import (
    CaseDataInvalid,
    LocalTargetInvalid,
    PartnershipNotFound,
    RulebookNotFound,
)
from review_flows.milestones import describe_rule
from review_flows.models import check_partnership
from review_flows.partnership_models import PartnershipTarget
from review_flows.partnership_names import near_duplicate
from review_flows.partnerships import known_partnerships
from review_flows.rulebook import known_milestones, list_rulebooks, load_rulebook

logger = logging.getLogger(__name__)

#: The range of a target, in working days (500 is about two years).
MIN_DAYS, MAX_DAYS = 1, 500


def target_steps() -> dict[str, tuple[str, ...]]:
    """Each bundled rulebook that has steps without a statutory time limit, and those steps:
    the only ones a local target can be set for."""
    steps = {
        book.id: tuple(rule.milestone for rule in book.rules if not rule.has_time_limit)
        for book in list_rulebooks()
    }
    return {book: milestones for book, milestones in steps.items() if milestones}


def step_label(ruleset_id: str, milestone: str) -> str:
    """A step's label in its rulebook ("Child practice review completed and published"); the
    milestone id itself if the rulebook no longer has it."""
    try:
        return load_rulebook(ruleset_id).rule(milestone).label
    except (RulebookNotFound, KeyError):
        return milestone


def set_partnership_target(
    session: Session,
    partnership: str,
    ruleset_id: str,
    milestone: str,
    working_days: int,
    *,
    by: str,
    commit: bool = True,
) -> PartnershipTarget:
    """Set (or change) ``partnership``'s target for one step of a rulebook.

    Refused with a named error: an unknown partnership (:class:`PartnershipNotFound`, naming
    the one meant if the name is a slip), an unknown rulebook (:class:`RulebookNotFound`), a
    step the rulebook does not have, one it sets a statutory limit for, or days outside
    1-500 (:class:`LocalTargetInvalid`). ``commit=False`` leaves the change to the caller's
    transaction (a tracker import commits all its rows at once).
    """
    name = _known_partnership(session, partnership)
    _check_step(ruleset_id, milestone)
    days = _check_days(working_days)
    who = _check_by(by)
    row = session.get(PartnershipTarget, (name, ruleset_id, milestone))
    before = row.working_days if row is not None else None
    if row is None:
        row = PartnershipTarget(
            partnership=name, ruleset_id=ruleset_id, milestone=milestone, working_days=days,
            set_by=who,
        )  # fmt: skip
    row.working_days, row.set_by, row.set_at = days, who, utc_now()
    session.add(row)
    if commit:
        session.commit()
    logger.info(
        "local target %s:%s of %s set to %d working days by %s (was %s)",
        ruleset_id, milestone, name, days, who, before if before is not None else "none",
    )  # fmt: skip
    return row


def clear_partnership_target(
    session: Session, partnership: str, ruleset_id: str, milestone: str, *, by: str
) -> bool:
    """Remove ``partnership``'s own target for a step (``CSPR_LOCAL_TARGETS`` applies again,
    if it sets one); False if it had none."""
    row = session.get(PartnershipTarget, (partnership.strip(), ruleset_id, milestone))
    if row is None:
        return False
    session.delete(row)
    session.commit()
    logger.info(
        "local target %s:%s of %s (%d working days) cleared by %s",
        ruleset_id, milestone, row.partnership, row.working_days, _check_by(by),
    )  # fmt: skip
    return True


def partnership_targets(
    session: Session, partnership: str | None = None
) -> list[PartnershipTarget]:
    """The partnerships' own targets (of one partnership if named), by partnership and step."""
    query = select(PartnershipTarget).order_by(
        col(PartnershipTarget.partnership),
        col(PartnershipTarget.ruleset_id),
        col(PartnershipTarget.milestone),
    )
    if partnership is not None:
        query = query.where(PartnershipTarget.partnership == partnership.strip())
    return list(session.exec(query))


def targets_for(
    session: Session, partnership: str, *, defaults: Mapping[str, int] | None = None
) -> dict[str, int]:
    """The targets that apply to ``partnership``'s cases, keyed ``"<rulebook>:<milestone>"``:
    ``defaults`` (``CSPR_LOCAL_TARGETS`` when not given) under its own, its own winning."""
    base = get_settings().local_targets if defaults is None else defaults
    own = {
        f"{row.ruleset_id}:{row.milestone}": row.working_days
        for row in partnership_targets(session, partnership)
    }
    return {**base, **own}


def targets_by_partnership(
    session: Session, *, defaults: Mapping[str, int] | None = None
) -> dict[str, dict[str, int]]:
    """:func:`targets_for` of every partnership that has its own targets, in one query (the
    case list and the sweep read every case); a partnership not in it takes ``defaults``."""
    base = get_settings().local_targets if defaults is None else defaults
    merged: dict[str, dict[str, int]] = {}
    for row in partnership_targets(session):
        targets = merged.setdefault(row.partnership, dict(base))
        targets[f"{row.ruleset_id}:{row.milestone}"] = row.working_days
    return merged


# --- checks -------------------------------------------------------------------------------------


def _known_partnership(session: Session, partnership: str) -> str:
    try:
        name = check_partnership(partnership)
    except ValueError as invalid:
        raise CaseDataInvalid(str(invalid)) from None
    known = known_partnerships(session)
    if name in known:
        return name
    meant = near_duplicate(name, known)
    hint = f"; did you mean \u201c{meant}\u201d?" if meant else ""
    raise PartnershipNotFound(
        f"no partnership \u201c{name}\u201d is known (on a case, a user or a contact){hint}"
    )


def _check_step(ruleset_id: str, milestone: str) -> None:
    known = known_milestones()
    if ruleset_id not in known:
        raise RulebookNotFound(f"no rulebook {ruleset_id!r}; rulebooks: {', '.join(sorted(known))}")
    book = load_rulebook(ruleset_id)
    open_steps = ", ".join(target_steps().get(ruleset_id, ())) or "none"
    if milestone not in known[ruleset_id]:
        raise LocalTargetInvalid(
            f"{book.title} has no step {milestone!r}; its steps without a statutory time "
            f"limit: {open_steps}"
        )
    rule = book.rule(milestone)
    if rule.has_time_limit:
        raise LocalTargetInvalid(
            f"\u201c{rule.label}\u201d has a statutory time limit in {book.title}: the "
            f"guidance sets {describe_rule(rule)}; a local target is only for a step without "
            f"one (in this rulebook: {open_steps})"
        )


def _check_days(working_days: int) -> int:
    if isinstance(working_days, bool) or not isinstance(working_days, int):
        raise LocalTargetInvalid(f"working days: {working_days!r} is not a whole number")
    if not MIN_DAYS <= working_days <= MAX_DAYS:
        raise LocalTargetInvalid(
            f"working days: {working_days} is out of range; give {MIN_DAYS} to {MAX_DAYS}"
        )
    return working_days


def _check_by(by: str) -> str:
    who = by.strip()
    if not 1 <= len(who) <= 64:
        raise CaseDataInvalid("set by: give the username of who makes the change (1-64 characters)")
    return who
