"""Derive ``labels.csv`` from ``sources*.csv`` by RULE.md's mapping table, and nothing else.

Each publisher's theme phrase is matched against every row's words: case-insensitive, word by
word, hyphens read as spaces or as joined, a regular plural or possessive equal to its singular.
A phrase may take several rows; a phrase that takes none is recorded as ``unmapped``.

    python corpus/dev/map_labels.py        # rewrites corpus/dev/labels.csv
"""

import csv
import re
from pathlib import Path

DEV = Path(__file__).resolve().parent

TABLE = {
    "nai_infancy": [
        "non-accidental injury",
        "NAI",
        "physical abuse of a baby",
        "physical abuse of an infant",
        "physical abuse of a infant",
        "physical abuse of infants",
        "physical abuse of babies",
        "bruising in mobile babies",
        "bruising in non-mobile babies",
        "abusive head trauma",
        "shaken baby",
        "fractures in infants",
    ],
    "sudi_unsafe_sleep": [
        "safer sleep",
        "safe sleeping",
        "SUDI",
        "SIDS",
        "sudden unexpected death in infancy",
        "co-sleeping",
        "bed sharing",
    ],
    "neglect": ["neglect", "neglectful care", "dental neglect"],
    "csa_intrafamilial": [
        "child sexual abuse",
        "sexual abuse",
        "intra-familial sexual abuse",
        "familial sexual abuse",
        "harmful sexual behaviour",
    ],
    "exploitation_ehm": [
        "exploitation",
        "CSE",
        "CCE",
        "county lines",
        "criminal exploitation",
        "sexual exploitation",
        "extra-familial harm",
        "contextual safeguarding",
        "serious youth violence",
        "knife crime",
        "gangs",
        "trafficking",
        "modern slavery",
    ],
    "adolescent_mental_health": [
        "suicide",
        "self-harm",
        "child's mental health",
        "young person's mental health",
        "adolescent mental health",
        "emotional wellbeing",
        "eating disorder",
    ],
    "missing_education": [
        "missing from home",
        "missing from care",
        "missing from education",
        "children missing education",
        "elective home education",
        "school exclusion",
        "school attendance",
        "part-time timetable",
    ],
    "disability_health_needs": [
        "disability",
        "disabled child",
        "disabled children",
        "SEND",
        "special educational needs",
        "complex health needs",
        "learning disability of the child",
        "autism of the child",
    ],
    "children_in_care": [
        "children in care",
        "looked after",
        "care leavers",
        "kinship care",
        "special guardianship",
        "private fostering",
        "connected carers",
        "residential care",
    ],
    "online_harm": ["online", "internet", "social media", "dark web", "sexting", "image sharing"],
    "domestic_abuse": [
        "domestic abuse",
        "domestic violence",
        "coercive control",
        "controlling behaviour",
        "honour-based abuse",
        "toxic trio",
    ],
    "parental_mental_health": [
        "parental mental health",
        "maternal mental health",
        "perinatal mental health",
        "postnatal depression",
        "toxic trio",
    ],
    "parental_substance_misuse": [
        "substance misuse",
        "substance use",
        "parental drinking",
        "alcohol",
        "drugs",
        "cannabis and parenting",
        "toxic trio",
    ],
    "invisible_men": [
        "hidden men",
        "invisible men",
        "fathers",
        "male carers",
        "men in the family",
        "engaging fathers",
        "unknown men",
        "new partners",
    ],
    "young_parents_capacity": [
        "young parents",
        "parenting capacity",
        "care-experienced parents",
        "parents with learning disability",
        "parental learning needs",
        "pre-birth assessment",
    ],
    "poverty_housing": [
        "poverty",
        "housing",
        "homelessness",
        "deprivation",
        "overcrowding",
        "cost of living",
    ],
    "race_culture_faith": [
        "race",
        "racism",
        "ethnicity",
        "culture",
        "faith",
        "religion",
        "adultification",
        "interpreters",
        "language barriers",
        "ethnic identity",
        "cultural identity",
        "identity (ethnic, cultural)",
    ],
    "information_sharing": [
        "information sharing",
        "sharing information",
        "record keeping",
        "communication between agencies",
    ],
    "professional_curiosity": [
        "professional curiosity",
        "professional challenge",
        "escalation",
        "respectful uncertainty",
        "critical thinking",
        "challenge and escalation",
    ],
    "voice_of_child": [
        "voice of the child",
        "lived experience",
        "child's daily life",
        "seeing the child",
        "hearing the child",
        "child-centred",
    ],
    "risk_assessment": [
        "risk assessment",
        "assessment",
        "family history",
        "chronology",
        "history of the family",
        "analysis of risk",
        "holistic assessment",
    ],
    "disguised_compliance": [
        "disguised compliance",
        "hard to engage",
        "non-engagement",
        "resistant families",
        "hostile families",
        "avoidant families",
    ],
    "thresholds_early_help": [
        "thresholds",
        "early help",
        "referral",
        "referrals",
        "step down",
        "step-down",
        "step-up",
        "step up",
        "MASH",
        "front door",
    ],
    "supervision_workforce": [
        "supervision",
        "workload",
        "caseloads",
        "staff turnover",
        "workforce",
        "management oversight",
    ],
    "multiagency_transfer": [
        "multi-agency working",
        "partnership working",
        "working together",
        "transfer",
        "moves between areas",
        "cross-border",
        "strategy meeting",
        "strategy meetings",
        "child protection conference",
        "child protection conferences",
        "think family",
    ],
    "health_practice": [
        "health",
        "GP",
        "health visitor",
        "health visiting",
        "midwifery",
        "midwife",
        "hospital",
        "emergency department",
        "A&E",
        "was not brought",
        "fabricated or induced illness",
        "FII",
        "paediatric",
    ],
    "covid_impact": ["Covid", "Covid-19", "pandemic", "lockdown"],
}


def _norm_tok(t: str) -> str:
    t = t.replace("\u2019", "'")
    if t.endswith("'s"):
        t = t[:-2]
    t = t.strip("'")
    if len(t) > 4 and t.endswith("ies"):
        return t[:-3] + "y"
    if len(t) > 3 and t.endswith("s") and not t.endswith(("ss", "us", "is")):
        return t[:-1]
    return t


def toks(s: str, join_hyphens: bool = False) -> list[str]:
    s = s.lower().replace("\u2019", "'").replace("\u2013", " ").replace("\u2014", " ")
    s = re.sub(r"-", "" if join_hyphens else " ", s)
    s = re.sub(r"/", " ", s)
    return [_norm_tok(t) for t in re.findall(r"[a-z0-9&']+", s) if _norm_tok(t)]


def contains(hay: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1))


def map_phrase(phrase: str) -> list[str]:
    out = []
    for tid, words in TABLE.items():
        own = _without_exceptions(tid, phrase)
        for w in words:
            if any(contains(toks(own, j), toks(w, j)) for j in (False, True)):
                out.append(tid)
                break
    return out


def map_words(words: str) -> list[str]:
    out: list[str] = []
    for p in [w.strip() for w in words.split(";") if w.strip()]:
        ids = map_phrase(p) or ["unmapped"]
        for i in ids:
            if i not in out:
                out.append(i)
    return out


# Words that a row's word sits inside without meaning that row's idea (RULE.md, amendment 1).
EXCEPT = {
    "health_practice": ["mental health", "emotional health", "emotional wellbeing"],
    "race_culture_faith": [
        "leadership and culture",
        "organisational culture",
        "safeguarding culture",
    ],
}


def _without_exceptions(theme_id: str, phrase: str) -> str:
    if theme_id == "children_in_care" and re.search(r"\bparent", phrase, re.IGNORECASE):
        # "care leavers (as the child)": care leavers who are the parents are not this row
        phrase = re.sub(r"care leavers?", " ", phrase, flags=re.IGNORECASE)
    for words in EXCEPT.get(theme_id, []):
        phrase = re.sub(re.escape(words), " ", phrase, flags=re.IGNORECASE)
    return phrase


def main() -> None:
    rows = []
    for path in sorted(DEV.glob("sources.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    with open(DEV / "labels.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["doc_id", "theme_id"])
        for row in sorted(rows, key=lambda r: r["doc_id"]):
            for theme_id in map_words(row["publisher_theme_words"]):
                writer.writerow([row["doc_id"], theme_id])


if __name__ == "__main__":
    main()
