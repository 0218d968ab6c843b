"""The word lists of the personal-data guard: roles, place and body words, words that are
names too, the allow-list, and the shipped name lists (``review_flows/data``: census forenames
and surnames, built by ``scripts/build_name_lists.py``; worldwide ones from ``names-dataset``,
built by ``scripts/build_world_names.py``). Pure."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files

ROLES = frozenset({
    "mother", "mum", "mom", "mummy", "father", "dad", "daddy", "stepfather", "stepmother",
    "step-father", "step-mother", "partner", "boyfriend", "girlfriend", "brother", "sister",
    "sibling", "half-brother", "half-sister", "grandmother", "grandfather", "nan", "nana",
    "grandma", "grandad", "granddad", "uncle", "aunt", "auntie", "cousin", "child", "baby",
    "son", "daughter", "carer", "neighbour", "friend", "called", "named", "aka", "husband",
    "wife", "ex-partner", "girl", "boy", "teenager", "infant", "toddler", "pupil", "student",
})  # fmt: skip
# After these a capitalised word is a place or a body, not a person ("Victoria Road").
PLACE_WORDS = frozenset({
    "road", "street", "lane", "avenue", "close", "drive", "way", "place", "square", "court",
    "gardens", "crescent", "terrace", "hill", "park", "house", "cottage", "centre", "center",
    "hospital", "infirmary", "wing", "ward", "unit", "clinic", "surgery", "practice",
    "school", "primary", "academy", "college", "nursery", "university", "children's",
    "childrens", "trust", "council", "partnership", "board", "committee", "hall", "church",
    "chapel", "mill", "estate", "towers", "tower", "point", "valley", "bridge", "green",
    "health", "medical", "general", "royal", "county", "district", "town", "city", "borough",
    "community", "service", "services", "team", "hub", "news", "project", "foundation", "police",
    "constabulary", "authority", "group", "lodge", "station", "building", "buildings",
    "airport", "nurses", "institute", "museum", "library", "stadium",
})  # fmt: skip
# Words that are names too, but in case notes are months, days, virtues or common words.
ALSO_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday", "christmas", "easter", "will", "mark", "grace", "hope", "faith",
    "joy", "rose", "bill", "pat", "sue", "rob", "dawn", "eve", "summer", "autumn", "king",
    "royal", "princess", "prince", "queen", "major", "page", "bishop", "victoria", "george",
    "mary", "saint", "st", "holy", "trinity", "jesus", "christ", "england", "wales",
    "scotland", "ireland", "police", "court", "panel", "chair", "lead", "early", "help",
    "love", "happy", "baby", "child", "family", "young", "new", "long", "little", "care",
    "home", "case", "note", "notes", "said", "see", "seen", "visit", "well", "best", "star",
})  # fmt: skip
# Pseudonyms, professions, agencies, statute and review words: never a name on their own.
ALLOWED = frozenset({
    "child", "children", "baby", "babies", "family", "families", "sibling", "siblings",
    "twin", "twins", "young", "person", "people", "adult", "adults", "subject", "case",
    "gp", "gps", "doctor", "nurse", "midwife", "midwives", "health", "visitor", "visitors",
    "hv", "social", "worker", "workers", "sw", "teacher", "head", "headteacher", "senco",
    "dsl", "designated", "safeguarding", "lead", "paediatrician", "consultant", "registrar",
    "officer", "officers", "detective", "constable", "dc", "ds", "pc", "sergeant",
    "inspector", "manager", "chair", "reviewer", "author", "panel", "practitioner",
    "practitioners", "clinician", "psychologist", "psychiatrist", "therapist", "camhs",
    "iro", "lado", "mash", "nhs", "police", "council", "trust", "cafcass", "ofsted",
    "probation", "housing", "dwp", "icb", "ccg", "ae", "ed", "a&e", "school", "nursery",
    "hospital", "services", "service", "care", "team", "early", "help", "local",
    "authority", "partnership", "board", "national", "review", "reviews", "rapid",
    "practice", "learning", "strategy", "discussion", "meeting", "conference", "core",
    "group", "plan", "section", "act", "acts", "working", "together", "protection",
    "order", "court", "magistrates", "crown", "judge", "guardian", "mother",
    "father", "parent", "parents", "carer", "carers", "foster", "kinship", "agency",
    "agencies", "unit", "ward", "emergency", "department", "children's", "services'",
    "education", "crime", "domestic", "abuse", "mental", "capacity", "human", "rights",
    "regulations", "standards", "statutory", "guidance", "serious", "incident",
    "notification", "cspr", "lcspr", "scr", "mr", "mrs", "ms", "dr", "miss", "email",
    "amber", "red", "rag", "ramadan", "eid", "diwali", "christmas", "easter",
    "hanukkah", "passover", "english", "welsh", "scottish", "irish", "british", "polish",
    "romanian", "lithuanian", "somali", "urdu", "punjabi", "bengali", "arabic", "french",
})  # fmt: skip
# a surname alone before these is an eponym or a report ("the Munro review", "Fraser
# guidelines", "von Willebrand disease"), not a person of the case
EPONYM_WORDS = {"review", "reviews", "report", "principle", "principles", "guidelines",
                 "guidance", "disease", "syndrome", "competence", "criteria", "scale",
                 "test", "model", "framework", "recommendations", "act", "bill", "basket",
                 "protocol", "method", "approach", "tool", "law", "laws"}  # fmt: skip


_VOWEL = re.compile(r"[aeiouy]")


@lru_cache(maxsize=4)
def names_list(file: str) -> frozenset[str]:
    text = files("core").joinpath("data", file).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def forenames() -> frozenset[str]:
    return names_list("forenames.txt")


def surnames() -> frozenset[str]:
    return names_list("surnames.txt")


@lru_cache(maxsize=1)
def world() -> frozenset[str]:
    """Worldwide forenames and surnames, less the words case notes use for anything else."""
    world = names_list("world_forenames.txt") | names_list("world_surnames.txt")
    # the lists hold initialisms and typing slips ("smr"): a name has a vowel
    spoken = frozenset(name for name in world if _VOWEL.search(name))
    return spoken - ALLOWED - ALSO_WORDS - ROLES - PLACE_WORDS - stop_words()


@lru_cache(maxsize=1)
def any_forename() -> frozenset[str]:
    return forenames() | world()


@lru_cache(maxsize=1)
def any_surname() -> frozenset[str]:
    return surnames() | world()


@lru_cache(maxsize=1)
def any_name() -> frozenset[str]:
    return forenames() | surnames() | world()


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def base(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower())
