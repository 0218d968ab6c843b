"""Whose a facet is: the people a précis's facet names ("father's mental health") and whether a
passage is about the same person. Pure.

Why: the taxonomy's words for a risk are the same whoever carries it ("mental health",
"substance misuse"), so a facet about the father's mental health was borne out by a passage
about the mother's. The rule is generic, not a list of cases: a facet that names a person is
matched by a passage about that person (or about people the word may cover: "the parents"
covers the father), and not by one about someone else.

Which sentence is about whom: a sentence that names people is about them (in "the mother's
partner", the partner: the mother only says whose); one that names nobody ("She had
depression") is about the people named last before it in the passage, of its pronouns' sex.
A passage bears out a facet about a person unless more of the sentences that say the facet
are about someone else than about that person; a sentence about nobody known counts for
neither. Limits: a person named by a pseudonym ("Mr X") or only by context ("at booking")
is nobody known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from enum import StrEnum

from learning.query import split_sentences


class Role(StrEnum):
    """A person around the child, as précis and reviews name them."""

    FATHER = "father"
    MOTHER = "mother"
    STEPFATHER = "stepfather"
    STEPMOTHER = "stepmother"
    PARTNER = "partner"  # a parent's partner: boyfriend, girlfriend
    PARENT = "parent"  # either parent: "the parents", "parental"
    CARER = "carer"  # whoever cares for the child: a parent, a relative, a foster carer
    FOSTER_CARER = "foster carer"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    RELATIVE = "relative"  # an uncle, aunt or cousin


_WORDS: dict[Role, str] = {
    Role.FATHER: "father fathers dad dads daddy paternal",
    Role.MOTHER: "mother mothers mum mums mummy mom moms maternal",
    Role.STEPFATHER: "stepfather stepfathers step-father step-fathers stepdad step-dad",
    Role.STEPMOTHER: "stepmother stepmothers step-mother step-mothers stepmum step-mum",
    Role.PARTNER: "partner partners boyfriend boyfriends girlfriend girlfriends ex-partner",
    Role.PARENT: "parent parents parental",
    Role.CARER: "carer carers caregiver caregivers",
    Role.FOSTER_CARER: "foster-carer foster-carers",  # "foster carer" is joined first
    Role.SIBLING: "sibling siblings brother brothers sister sisters half-brother half-sister "
    "stepbrother stepsister step-brother step-sister",
    Role.GRANDPARENT: "grandmother grandmothers grandfather grandfathers grandparent "
    "grandparents grandma grandad granddad grandpa",
    Role.RELATIVE: "uncle uncles aunt aunts auntie cousin cousins",
}
_ROLE_OF = {word: role for role, words in _WORDS.items() for word in words.split()}
#: Every word that names a person around the child.
PEOPLE_WORDS = frozenset(_ROLE_OF)
_MALE = "father fathers dad dads daddy paternal stepfather stepfathers step-father stepdad "
_MALE += "step-dad boyfriend boyfriends brother brothers half-brother stepbrother step-brother "
_MALE += "grandfather grandfathers grandad granddad grandpa uncle uncles"
_FEMALE = "mother mothers mum mums mummy mom moms maternal stepmother stepmothers step-mother "
_FEMALE += "stepmum step-mum girlfriend girlfriends sister sisters half-sister stepsister "
_FEMALE += "step-sister grandmother grandmothers grandma aunt aunts auntie"
_GENDER = {word: "m" for word in _MALE.split()} | {word: "f" for word in _FEMALE.split()}
#: Sentences of a passage read at most (a passage is a few paragraphs).
_SENTENCES = 200
_HE = frozenset({"he", "him", "his", "himself"})
_SHE = frozenset({"she", "her", "hers", "herself"})
_PARENTS = {Role.FATHER, Role.MOTHER, Role.STEPFATHER, Role.STEPMOTHER}
#: Words that may name the same person as another role's (both ways).
_COVERS: dict[Role, set[Role]] = {
    Role.PARENT: _PARENTS,
    Role.CARER: _PARENTS | {Role.PARENT, Role.PARTNER, Role.GRANDPARENT, Role.FOSTER_CARER}
    | {Role.RELATIVE},
    Role.PARTNER: {Role.STEPFATHER, Role.STEPMOTHER},
}  # fmt: skip

_ROLE_WORD = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _ROLE_OF), key=len, reverse=True)) + r")"
    r"(?:'s|s'|')?(?![\w-])"
)
_JOINED = re.compile(r"\b(?:foster|kinship)\s+(?:carers?|parents?)\b")
# "partner agencies", "safeguarding partners": organisations, not a person
_NOT_A_PERSON_AFTER = re.compile(r"\s+(?:agenc|organi[sz]ation|service|professional|bod)")
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?:safeguarding|statutory|multi-agency|key|relevant|local|health|strategic)\s+$"
)
# "the mother's new partner": the mother only says whose partner
_WHOSE = re.compile(r"^(?:\s+(?:new|former|ex|current|previous|older|younger|own|late))*\s+$")


def _folded(text: str) -> str:
    folded = " ".join(text.lower().replace("’", "'").split())
    return _JOINED.sub("foster-carer", folded)


def _mentions(text: str) -> list[tuple[Role, str | None]]:
    """Each person ``text`` names, with "m" or "f" if the word says (a possessive that only
    says whose person another is, "the mother's partner", is not one of them)."""
    lowered = _folded(text)
    found: list[tuple[int, int, str, bool]] = []
    for match in _ROLE_WORD.finditer(lowered):
        word = match.group(1)
        if _ROLE_OF[word] is Role.PARTNER and (
            _NOT_A_PERSON_AFTER.match(lowered, match.end())
            or _NOT_A_PERSON_BEFORE.search(lowered, 0, match.start())
        ):
            continue
        found.append((match.start(), match.end(), word, match.group(0) != word))
    return [
        (_ROLE_OF[word], _GENDER.get(word))
        for index, (_, end, word, possessive) in enumerate(found)
        if not (
            possessive
            and index + 1 < len(found)
            and _WHOSE.match(lowered[end : found[index + 1][0]] or " ")
        )
    ]


def roles_named(text: str) -> frozenset[Role]:
    """The people ``text`` names ("the mother's new partner": the partner)."""
    return frozenset(role for role, _ in _mentions(text))


def same_person(first: Role, second: Role) -> bool:
    """Whether the two words may name the same person ("parent" and "father" may)."""
    return (
        first is second
        or second in _COVERS.get(first, set())
        or first in _COVERS.get(second, set())
    )


def agrees(wanted: Iterable[Role], named: Iterable[Role]) -> bool | None:
    """True if ``named`` includes one of the ``wanted`` people, False if it names only others,
    None if it names nobody."""
    named = list(named)
    if not named:
        return None
    return any(same_person(want, role) for want in wanted for role in named)


def about_the_same_person(wanted: frozenset[Role], text: str, says: Callable[[str], bool]) -> bool:
    """Whether passage ``text`` says what a facet about the ``wanted`` people says, about
    them: False if more of the sentences that say it (``says``) are about someone else than
    about them. A sentence that names nobody is about the people named last before it (of
    its pronoun's sex: "Her depression" after "Father's control made it harder for her" is
    still the mother's); if no one sentence says it, the passage as a whole is read."""
    if not wanted:
        return True
    verdicts: list[bool | None] = []
    last: dict[str | None, frozenset[Role]] = {}
    for sentence in split_sentences(text, min_words=1, limit=_SENTENCES) or [text]:
        mentions = _mentions(sentence)
        if mentions:
            last[None] = frozenset(role for role, _ in mentions)
            for sex in ("m", "f"):
                if any(said == sex for _, said in mentions):
                    last[sex] = frozenset(role for role, said in mentions if said == sex)
            about = last[None]
        else:
            about = last.get(_pronoun_sex(sentence), frozenset())
        if says(sentence):
            verdicts.append(agrees(wanted, about))
    if not verdicts:
        verdicts.append(agrees(wanted, roles_named(text)))
    return verdicts.count(True) >= verdicts.count(False)


def _pronoun_sex(sentence: str) -> str | None:
    """ "m" or "f" if the sentence's pronouns are all of one sex, else None (anyone's)."""
    words = set(_folded(sentence).replace("'", " ").split())
    male, female = bool(words & _HE), bool(words & _SHE)
    return None if male == female else "m" if male else "f"
