"""Named errors of the case-review workflow. The library raises these; the edges (CLI, pages,
flows) turn them into a message that says what to do next."""

from __future__ import annotations

from core.errors import WorkbenchError


class ReviewFlowsError(WorkbenchError):
    """Base class of every error raised by ``review_flows``."""


class CalendarRangeError(ReviewFlowsError, ValueError):
    """A date lies outside the years a working-day calendar covers."""


class HolidayOverridesInvalid(ReviewFlowsError):
    """The holiday override file cannot be read or has a bad entry; the message names the file."""


class RulebookInvalid(ReviewFlowsError):
    """A rulebook file failed validation; the message names the file and the field."""


class RulebookNotFound(ReviewFlowsError):
    """No rulebook has the requested id, or none applies to the nation and incident date."""


# --- case store and lifecycle ------------------------------------------------------------------


class CaseNotFound(ReviewFlowsError, LookupError):
    """No case has the given reference (in the given partnership) that the asker may see.

    Built by :meth:`of` only, so a missing case and one out of scope read the same, byte for
    byte, on every page, command and service."""

    @classmethod
    def of(cls, reference: str) -> CaseNotFound:
        return cls(f"no case {reference} that you can see")


class CaseReferenceAmbiguous(ReviewFlowsError, LookupError):
    """The reference is used by cases of more than one partnership the asker may see; name the
    partnership (one of ``partnerships``, never one the asker may not see)."""

    def __init__(self, reference: str, partnerships: tuple[str, ...]) -> None:
        names = ", ".join(partnerships)
        super().__init__(
            f"{reference} is a case of several partnerships ({names}); name one with --partnership"
        )
        self.reference = reference
        self.partnerships = partnerships


class DuplicateCaseReference(ReviewFlowsError):
    """A case with this reference already exists in the partnership."""


class CaseDataInvalid(ReviewFlowsError, ValueError):
    """A case, event, action or user field failed validation; the message names the field."""


class EventRefused(ReviewFlowsError):
    """Base of the lifecycle's refusals: the event was not recorded and nothing changed."""


class InvalidTransition(EventRefused):
    """The event does not fit the case's stage; the message names the stage and what it accepts."""


class EventAlreadyRecorded(InvalidTransition):
    """The case already has an event of this kind (``event_id``, on ``on``); a later date is
    recorded as a correction of that event."""

    def __init__(self, message: str, *, event_id: int, on: str) -> None:
        super().__init__(message)
        self.event_id = event_id
        self.on = on


class EventDateInvalid(EventRefused, ValueError):
    """The event's date is before the incident, before the previous step, or in the future."""


class EventNoteMissing(EventRefused, ValueError):
    """The event kind needs a note (a delay needs its reason)."""


class CorrectionInvalid(EventRefused):
    """A correction does not reference an earlier event of the same case."""


class ActionNotFound(ReviewFlowsError, LookupError):
    """No action has the given id (on the given case)."""


class UserNotFound(ReviewFlowsError, LookupError):
    """No user has the given username."""


class DuplicateUsername(ReviewFlowsError):
    """A user with this username already exists."""


class ContactNotFound(ReviewFlowsError, LookupError):
    """No partnership contact with that id."""


class DeliveryFailed(ReviewFlowsError):
    """A notice could not be delivered on its channel (it stays pending and is tried again)."""


class PartnershipNearDuplicate(ReviewFlowsError, ValueError):
    """A new partnership's name is too like a known one (``existing``) to be another."""

    def __init__(self, message: str, *, existing: str) -> None:
        super().__init__(message)
        self.existing = existing


class PartnershipNotFound(ReviewFlowsError, LookupError):
    """No partnership of that name is known (on a case, a user, a contact or a chosen rulebook)."""


class LocalTargetInvalid(ReviewFlowsError, ValueError):
    """A partnership's local target names no step of its rulebook, a step the guidance already
    sets a statutory time limit for, or a number of working days out of range."""


# --- trackers in and out (review_flows.tracker_*) ----------------------------------------------


class TrackerUnreadable(ReviewFlowsError, ValueError):
    """A tracker file is refused before any row is read: too large, not a spreadsheet, a
    workbook that is not a zip or unpacks too far, too many rows, columns or characters."""


class TrackerLayoutInvalid(ReviewFlowsError, ValueError):
    """A column-mapping file cannot be read, or no known layout fits a tracker's header row;
    the message names the file or the header found and the layouts known."""
