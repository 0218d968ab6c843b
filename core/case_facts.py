"""The coded facts of a case that learning may see: what the workflow hands over when it asks
for similar reviews. Pure. Never a name, a reference, a partnership or a free-text note."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseFacts:
    """The coded facts of a case (values as the case store keeps them). ``nation`` is given
    where the search results are matched on it (a rapid review's annex), else empty."""

    outcome: str
    age_group: str
    looked_after: bool = False
    child_protection_plan: bool = False
    stage: str | None = None
    nation: str = ""
