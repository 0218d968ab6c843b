"""The workflow's check of ``CSPR_LOCAL_TARGETS``: each key names a bundled rulebook and one of
its milestones. Run by :func:`core.settings.get_settings` through the entry point
``cspr.settings_checks: local_targets``, so a mistyped target is refused when the settings are
read, before any command uses it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from review_flows.rulebook import known_milestones

if TYPE_CHECKING:
    from core.settings import Settings


def local_target_problems(settings: Settings) -> str | None:
    """The first local target that names no rulebook or milestone, in words; None if none."""
    known = known_milestones()
    for key in settings.local_targets:
        book, _, milestone = key.partition(":")
        if book not in known:
            return (
                f"CSPR_LOCAL_TARGETS: {key!r}: no rulebook {book!r}; rulebooks: {', '.join(known)}"
            )
        if milestone not in known[book]:
            return (
                f"CSPR_LOCAL_TARGETS: {key!r}: {book} has no milestone {milestone!r}; its "
                f"milestones: {', '.join(known[book])}"
            )
    return None
