"""Named errors of the case-review workflow. The library raises these; the edges (CLI, pages,
flows) turn them into a message that says what to do next."""

from __future__ import annotations


class ReviewFlowsError(Exception):
    """Base class of every error raised by ``review_flows``."""


class CalendarRangeError(ReviewFlowsError, ValueError):
    """A date lies outside the years a working-day calendar covers."""


class HolidayOverridesInvalid(ReviewFlowsError):
    """The holiday override file cannot be read or has a bad entry; the message names the file."""


class RulebookInvalid(ReviewFlowsError):
    """A rulebook file failed validation; the message names the file and the field."""


class RulebookNotFound(ReviewFlowsError):
    """No rulebook has the requested id, or none applies to the nation and incident date."""
