"""The vocabularies of review metadata (nation, review type, outcome, age group) and how a
value written by hand is read as one of them: "Northern Ireland" -> northern_ireland,
"Serious harm" -> serious_harm. A value outside a vocabulary is kept as a slug.
"""

from __future__ import annotations

import re
from typing import Any

NATIONS = ("england", "wales", "scotland", "northern_ireland")
REVIEW_TYPES = ("scr", "cspr", "national", "cpr", "susr", "learning_review", "cmr")
# "other" and "near miss" are incident levels of the Panel's own statistics
OUTCOMES = ("death", "serious_harm", "other", "near_miss")
AGE_GROUPS = ("under_1", "1_4", "5_9", "10_14", "15_17", "mixed")

_SYNONYMS: dict[str, dict[str, str]] = {
    "nation": {
        "ni": "northern_ireland",
        "n ireland": "northern_ireland",
        "cymru": "wales",
        "eng": "england",
    },
    "review_type": {
        "serious case review": "scr",
        "lcspr": "cspr",
        "child safeguarding practice review": "cspr",
        "local child safeguarding practice review": "cspr",
        "national review": "national",
        "national child safeguarding practice review": "national",
        "ncspr": "national",
        "child practice review": "cpr",
        "concise child practice review": "cpr",
        "extended child practice review": "cpr",
        "single unified safeguarding review": "susr",
        "learning review": "learning_review",
        "case management review": "cmr",
    },
    "outcome": {
        "died": "death",
        "fatal": "death",
        "child death": "death",
        "harm": "serious_harm",
        "serious injury": "serious_harm",
        "nearmiss": "near_miss",
    },
    "age_group": {
        "under 1": "under_1",
        "<1": "under_1",
        "infant": "under_1",
        "1 to 4": "1_4",
        "5 to 9": "5_9",
        "10 to 14": "10_14",
        "15 to 17": "15_17",
        "multiple": "mixed",
        "siblings": "mixed",
    },
}
#: The known values of each vocabulary field.
VOCABULARY = {
    "nation": NATIONS,
    "review_type": REVIEW_TYPES,
    "outcome": OUTCOMES,
    "age_group": AGE_GROUPS,
}


def normalise_value(field: str, value: Any) -> str | None:
    """The vocabulary value a metadata value plainly means ("Northern Ireland" ->
    northern_ireland, "SCR" -> scr, "Serious harm" -> serious_harm); ``None`` if none."""
    text = " ".join(re.sub(r"[-_/]", " ", str(value)).lower().split())
    for candidate in (text.replace(" ", "_"), _SYNONYMS[field].get(text)):
        if candidate in VOCABULARY[field]:
            return candidate
    return None


def slug(value: str) -> str:
    """A free value as it is kept and filtered: lower case, runs of other characters as one
    underscore ("Significant harm" -> significant_harm)."""
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
