"""The one settings class of the product (environment prefix ``CSPR_``, ``.env`` supported).

Reach it through :func:`get_settings`; never build it at import time. No other module reads
``os.environ``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError


class Settings(BaseSettings):
    """Configuration for the workbench. Every field can be set as ``CSPR_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="CSPR_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"), description="Folder for the database, index files and exports."
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the case database; default SQLite file `cspr.db` in the data folder."
        ),
    )
    index_dir: Path | None = Field(
        default=None,
        description="Folder of the learning index; default `index/` in the data folder.",
    )
    audit_heads_dir: Path | None = Field(
        default=None,
        description=(
            "Folder the event log's chain heads are exported to (each backup, each sweep), one "
            "new owner-only file each time; default `audit-heads/` in the data folder. In "
            "production, storage the database user cannot write."
        ),
    )
    model_path: Path | None = Field(
        default=None,
        description=(
            "Folder of the sentence-transformers model; default the bundled all-MiniLM-L6-v2."
        ),
    )
    corpus_dir: Path = Field(
        default=Path("corpus/reviews"),
        description="Folder of published reviews that `make run` ingests.",
    )
    holiday_overrides_file: Path | None = Field(
        default=None,
        description=(
            "YAML file of announced one-off bank holidays per nation, added to the calendars."
        ),
    )
    due_soon_working_days: int = Field(
        default=5, ge=0, description="A milestone is 'due soon' within this many working days."
    )
    stalled_after_working_days: int = Field(
        default=20,
        ge=1,
        description="A step with no statutory time limit is flagged stalled after this long.",
    )
    local_targets: dict[str, int] = Field(
        default_factory=dict,
        description=(
            "Local targets in working days where guidance sets none, as JSON: "
            '{"wales-cpr:review_completed": 120}.'
        ),
    )

    @field_validator("local_targets")
    @classmethod
    def _targets_are_days(cls, targets: dict[str, int]) -> dict[str, int]:
        """Each key is ``<rulebook>:<milestone>`` and each target 1 working day or more (the
        names are checked against the rulebooks by the workflow: see :func:`get_settings`)."""
        for key, days in targets.items():
            book, colon, milestone = key.partition(":")
            if not (book and colon and milestone):
                raise ValueError(f"{key!r}: write each key as <rulebook>:<milestone>")
            if days < 1:
                raise ValueError(f"{key!r}: a target is a number of working days (1 or more)")
        return targets

    taxonomy_file: Path | None = Field(
        default=None,
        description=(
            "YAML taxonomy of themes (validated on load); default `taxonomy.yaml` in the data "
            "folder if present, else the shipped one."
        ),
    )
    theme_tagger: Literal["learned", "zero-shot"] = Field(
        default="learned",
        description=(
            "Which tagger makes theme tags: `learned` (trained from analysts' decisions; the "
            "zero-shot tagger until it has been trained) or `zero-shot` (the way back)."
        ),
    )
    tagger_retrain_after: int = Field(
        default=10,
        ge=1,
        description="The learned tagger is retrained once this many decisions follow its training.",
    )
    embed_batch_size: int = Field(default=16, ge=1, description="Passages per encoder batch.")
    max_document_mb: int = Field(
        default=200, ge=1, description="Documents larger than this are refused at ingest."
    )
    max_text_document_mb: int = Field(
        default=10,
        ge=1,
        description=(
            "Uploaded text, Markdown and HTML files larger than this are refused (a published "
            "review's text is rarely over 1 MB)."
        ),
    )
    publication_drop_dir: Path | None = Field(
        default=None,
        description=(
            "Folder an administrator puts published reports in; a `published` event on the Case "
            "page may name a file in it. Unset, the report is uploaded."
        ),
    )
    ingest_memory_mb: int = Field(
        default=2048,
        ge=256,
        description="Memory cap of the process that reads each document at ingest.",
    )
    ingest_seconds_per_document: float = Field(
        default=600.0,
        gt=0,
        description="Reading one document longer than this stops it (it fails; the run goes on).",
    )
    ingest_nice: int = Field(
        default=10,
        ge=0,
        le=19,
        description="Niceness of `cspr ingest`, so searches in other processes go first.",
    )
    ingest_checkpoint_seconds: float = Field(
        default=60.0,
        gt=0,
        description="An ingest commits its work at least this often: what a crash can cost.",
    )
    prefect_api_url: str | None = Field(
        default=None,
        description=(
            "Prefect server API URL (e.g. http://127.0.0.1:4200/api); unset, event follow-ups "
            "run in-process and `cspr run` starts a local server."
        ),
    )
    prefect_port: int = Field(
        default=4200,
        ge=1,
        le=65535,
        description="Port of the local Prefect server `cspr run` starts.",
    )
    sweep_cron: str = Field(
        default="0 7 * * 1-5",
        description="When the deadline sweep runs (cron, in CSPR_SWEEP_TIMEZONE).",
    )
    sweep_timezone: str = Field(
        default="Europe/London", description="Time zone of the sweep's cron."
    )
    digest_cron: str = Field(
        default="0 7 1 * *",
        description=(
            "When the monthly digest of new learning goes out (cron, in CSPR_SWEEP_TIMEZONE); "
            "each run sends the month before."
        ),
    )
    smtp_host: str | None = Field(
        default=None,
        description="SMTP server for email notices; unset, notices go to the inbox only.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    smtp_starttls: bool = Field(
        default=True, description="Upgrade the SMTP connection with STARTTLS."
    )
    smtp_username: str | None = Field(
        default=None, description="SMTP login, if the server needs one."
    )
    smtp_password: SecretStr | None = Field(
        default=None, description="SMTP password (never logged)."
    )
    smtp_from: str = Field(
        default="cspr-workbench@localhost", description="Sender address of email notices."
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="An app session idle this long must sign in again."
    )
    session_max_hours: int = Field(
        default=12,
        ge=1,
        le=24 * 30,
        description="A browser's session ends this long after sign-in, however busy.",
    )
    sign_in_attempts: int = Field(
        default=5,
        ge=1,
        description="Failed sign-ins in a row before a username must wait (a minute, doubling).",
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="The longest wait after repeated failed sign-ins."
    )
    demo_password: SecretStr | None = Field(
        default=None,
        description="Password of the demo users `cspr demo` creates; unset, `cspr run` makes one.",
    )
    smtp_timeout_seconds: float = Field(default=20.0, gt=0, description="SMTP connection timeout.")
    app_url: str = Field(
        default="http://127.0.0.1:8501",
        description="Address users open the app at; reminders link to a case's page under it.",
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cspr.db').resolve()}"

    @property
    def prefect_home(self) -> Path:
        """``PREFECT_HOME`` of the local Prefect server: ``prefect/`` in the data folder."""
        return self.data_dir / "prefect"

    @property
    def publications_dir(self) -> Path:
        """Where published reports are kept under server-chosen names: ``publications/``."""
        return self.data_dir / "publications"

    @property
    def uploads_dir(self) -> Path:
        """Where Library uploads are kept, one folder per batch: ``uploads/``."""
        return self.data_dir / "uploads"

    @property
    def resolved_audit_heads_dir(self) -> Path:
        """The folder of exported chain heads, defaulting to ``audit-heads/`` in the data folder."""
        if self.audit_heads_dir is not None:
            return self.audit_heads_dir
        return self.data_dir / "audit-heads"

    @property
    def resolved_index_dir(self) -> Path:
        """The index folder, defaulting to ``index/`` in the data folder."""
        return self.index_dir if self.index_dir is not None else self.data_dir / "index"


class SettingsInvalid(ValueError):
    """A ``CSPR_`` setting cannot be used; the message names it and says what to write."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``; raises
    :class:`SettingsInvalid` with one line per problem when one cannot be used."""
    try:
        settings = Settings()
    except SettingsError as unreadable:
        field = re.search(r'field "(\w+)"', str(unreadable))
        name = f"CSPR_{field.group(1).upper()}" if field else "a CSPR_ setting"
        raise SettingsInvalid(
            f"{name} cannot be read ({unreadable.__cause__ or unreadable}); "
            "see the settings table in README"
        ) from None
    except ValidationError as invalid:
        from core.errors import validation_problems

        problems = validation_problems(
            invalid, lambda loc: "CSPR_" + "_".join(map(str, loc)).upper()
        )
        raise SettingsInvalid(problems) from None
    for check in _installed_checks():
        problem = check(settings)
        if problem:
            raise SettingsInvalid(problem)
    return settings


#: The entry-point group of checks a half adds to the settings (each returns a problem or None).
CHECKS_GROUP = "cspr.settings_checks"


def _installed_checks() -> list[Callable[[Settings], str | None]]:
    """The checks the installed halves add (the workflow checks the local targets against its
    rulebooks), in name order."""
    found = sorted(entry_points(group=CHECKS_GROUP), key=lambda point: point.name)
    return [point.load() for point in found]
