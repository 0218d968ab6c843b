"""Named errors of the learning side. The library raises these; the edges (CLI, pages, flows)
turn them into a message that says what to do next."""

from __future__ import annotations

from pathlib import Path


class LearningError(Exception):
    """Base class of every error raised by ``learning``."""


class UnreadableDocument(LearningError):
    """A review file cannot be read or extracted; names the file and why."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


# Kinds of unreadable document: each carries a reason that says what the user can do.
class EncryptedDocument(UnreadableDocument):
    """The file needs a password to open."""


class NoTextLayer(UnreadableDocument):
    """A scanned PDF: pages are images with no text to extract (OCR it first)."""


class CorruptDocument(UnreadableDocument):
    """The file is damaged or truncated and cannot be parsed."""


class EmptyDocument(UnreadableDocument):
    """The file is empty or contains no text."""


class WrongExtension(UnreadableDocument):
    """The content is of a different format from the one its name says."""


class UnsupportedFormat(UnreadableDocument):
    """The file is of a format the extractor does not read."""


class DocumentTooLarge(UnreadableDocument):
    """The file is larger than the configured limit."""


class DocumentFailed(UnreadableDocument):
    """Reading the document failed otherwise: an unexpected error in a parser, or the reader's
    memory or time limit reached (see ``learning.reader``)."""


# index errors
class IndexNotFound(LearningError):
    """There is no index in the folder yet (run ``cspr ingest PATH`` first)."""


class IndexMismatch(LearningError):
    """The index files disagree with each other or with the encoder; the message says what
    differs and to run ``cspr ingest --rebuild``."""


class IndexCorrupt(IndexMismatch):
    """An index file cannot be read at all (bad JSON, truncated FAISS file)."""


class IndexBusy(LearningError):
    """Another process is writing the index."""


class EmptyQuery(LearningError, ValueError):
    """A search query or précis has no words."""


class InvalidFilter(LearningError, ValueError):
    """A search filter is malformed or names an unknown field or value; the message names the
    field and the allowed values."""


# theme errors
class ThemeError(LearningError):
    """Base class of the themes-and-trends errors."""


class TaxonomyInvalid(ThemeError, ValueError):
    """A taxonomy file cannot be used; the message names the file and the field at fault."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


class ThemeNotFound(ThemeError, KeyError):
    """No theme with this id in the taxonomy in use."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "theme not found"


class ReviewNotIndexed(ThemeError, KeyError):
    """No review with this id in the learning index."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "review not found"


class ClusterNotFound(ThemeError, KeyError):
    """No discovered cluster with this id for the current index, taxonomy and parameters."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "cluster not found"


class InvalidDecision(ThemeError, ValueError):
    """An analyst decision is malformed (unknown decision, empty analyst name)."""


class TaggerHeadInvalid(ThemeError, ValueError):
    """A stored learned tagger (its numbers beside the index) cannot be used: unreadable,
    mis-shaped, not finite, for other themes or another model. The tagger falls back to the
    zero-shot scores and the head is retrained at the next chance."""


class PublishedFiguresInvalid(LearningError):
    """A file of published national figures cannot be used; names the row and column."""

    def __init__(self, path: Path | str, reason: str, row: int = 0, column: str = "") -> None:
        where = f" line {row}" if row else ""
        field = f", column {column!r}" if column else ""
        super().__init__(f"{path}{where}{field}: {reason}")
        self.row = row
        self.column = column
