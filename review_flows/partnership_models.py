"""Tables of a partnership's people and settings, as SQLModel families: the staff accounts that
sign in, the contacts told about its cases, and the rulebook it applies to its new cases.

A staff member's own name is what a display name is for (staff accounts are not the child's
data); a contact is a role mailbox. Neither table refers to a case, so they sit apart from the
case store (:mod:`review_flows.models`), whose field checks they share.

No ``from __future__ import annotations`` here: it breaks SQLModel's relationship and type
resolution (fastapi/sqlmodel#196).
"""

import datetime as dt
import re

import sqlalchemy as sa
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from core.columns import UTCDateTime, enum_column, utc_now
from core.personal_data import check_personal_data
from core.roles import Role
from review_flows.models import check_partnership, check_username
from review_flows.notify.kinds import Channel, ContactRole

# --- users ---------------------------------------------------------------------------------------


class UserBase(SQLModel):
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=80)
    role: Role = Field(sa_type=enum_column(Role))
    partnership: str | None = Field(default=None, max_length=80)

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        return check_username(value)

    @field_validator("display_name")
    @classmethod
    def _display_name(cls, value: str) -> str:
        text = value.strip()
        if not 1 <= len(text) <= 80:
            raise ValueError("display_name must have 1-80 characters")
        # a staff member's own name is what a display name is for (staff accounts are not the
        # child's data); an NHS number, date of birth, address or contact details are refused
        check_personal_data(text, "display_name", names=False)
        return text


class UserCreate(UserBase):
    password: str = Field(min_length=12, max_length=256)


class User(UserBase, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    failed_sign_ins: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    locked_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserPublic(UserBase):
    id: int
    created_at: dt.datetime
    disabled: bool = False


# --- contacts ------------------------------------------------------------------------------------


_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")


def check_email(value: str) -> str:
    text = value.strip()
    if len(text) > 254 or _EMAIL.match(text) is None:
        raise ValueError(f"email {value!r} is not an address like name@example.org")
    return text.lower()


class ContactBase(SQLModel):
    partnership: str = Field(max_length=80, index=True)
    role: ContactRole = Field(sa_type=enum_column(ContactRole))
    email: str = Field(max_length=254)
    # comma-separated channels, e.g. "inbox,email"
    channels: str = Field(default="inbox,email", max_length=80)
    # the app user who reads this contact's inbox (optional)
    username: str | None = Field(default=None, max_length=64)
    # wants the monthly digest of new learning by email (issue 27); off unless they opt in
    digest: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return check_email(value)

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: str) -> str:
        names = [part.strip().lower() for part in value.split(",") if part.strip()]
        known = {channel.value for channel in Channel}
        unknown = [name for name in names if name not in known]
        if unknown or not names:
            raise ValueError(
                f"channels {value!r}: one or more of {', '.join(sorted(known))}, comma-separated"
            )
        return ",".join(dict.fromkeys(names))

    @field_validator("username")
    @classmethod
    def _username(cls, value: str | None) -> str | None:
        return None if value is None else check_username(value)

    @field_validator("partnership")
    @classmethod
    def _partnership(cls, value: str) -> str:
        return check_partnership(value)

    @property
    def channel_list(self) -> tuple[Channel, ...]:
        return tuple(Channel(name) for name in self.channels.split(","))


class ContactCreate(ContactBase):
    pass


class Contact(ContactBase, table=True):
    __tablename__ = "contacts"
    __table_args__ = (
        sa.UniqueConstraint("partnership", "role", "email", name="uq_contacts_role_email"),
    )

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class ContactPublic(ContactBase):
    id: int
    created_at: dt.datetime


# --- a partnership's own edition of the rules ------------------------------------------------


class PartnershipRulebook(SQLModel, table=True):
    """The rulebook a partnership applies to its new cases where it can govern the incident
    (set on the Admin page or with ``cspr rules partnership``)."""

    __tablename__ = "partnership_rulebooks"

    partnership: str = Field(max_length=80, primary_key=True)
    ruleset_id: str = Field(max_length=64)
    set_by: str = Field(max_length=64)
    set_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)


class PartnershipTarget(SQLModel, table=True):
    """A partnership's own target, in working days, for a step its rulebook sets no statutory
    time limit for (Wales, Scotland and Northern Ireland set few): set on the Admin page, with
    ``cspr rules target`` or by a tracker import; who set it and when are kept on the row."""

    __tablename__ = "partnership_targets"
    __table_args__ = (
        sa.CheckConstraint(
            "working_days BETWEEN 1 AND 500", name="ck_partnership_targets_working_days"
        ),
    )

    partnership: str = Field(max_length=80, primary_key=True)
    ruleset_id: str = Field(max_length=64, primary_key=True)
    milestone: str = Field(max_length=64, primary_key=True)
    working_days: int
    set_by: str = Field(max_length=64)
    set_at: dt.datetime = Field(default_factory=utc_now, sa_type=UTCDateTime)
