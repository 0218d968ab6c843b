"""Named errors of the corpus builder."""

from __future__ import annotations


class CorpusError(Exception):
    """Base class for problems with the demo corpus."""


class SourceInvalid(CorpusError):
    """A source file's front matter or structure cannot be used (names the file and field)."""


class CatalogueInvalid(CorpusError):
    """``corpus/catalogue.csv`` is malformed or disagrees with the files."""
