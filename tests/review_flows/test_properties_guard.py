"""Properties of the personal-data guard, for all texts: it never crashes, finds personal data
anywhere, and never flags text made of safe words."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import PersonalDataFound
from core.personal_data import check_personal_data, find_personal_data
from core.personal_findings import Kind
from core.personal_words import ALLOWED, ROLES

# slow: runs the guard's real NER model over generated text
# (`make test-fast` leaves it to `make test`)
pytestmark = pytest.mark.slow


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=300), identifier=st.booleans())
def test_the_guard_never_crashes_and_its_findings_lie_in_the_text(
    text: str, identifier: bool
) -> None:
    findings = find_personal_data(text, identifier=identifier)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.kind in Kind and finding.masked
    try:
        check_personal_data(text, "note", identifier=identifier)
    except PersonalDataFound as refusal:
        assert findings and refusal.field == "note"
        assert str(refusal).startswith("note seems to hold personal data: ")
    else:
        assert not findings


def _nhs_number(digits: list[int]) -> str | None:
    """Nine digits and their modulus-11 check digit, or None where there is none (10)."""
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
    check = 0 if check == 11 else check
    return None if check == 10 else "".join(map(str, digits)) + str(check)


# Numbers of the English, Welsh and Northern Irish ranges (320-399, 400-799); Scotland's CHI
# numbers start with a date of birth.
nhs_numbers = (
    st.tuples(st.integers(320, 799), st.lists(st.integers(0, 9), min_size=6, max_size=6))
    .map(lambda parts: _nhs_number([*map(int, str(parts[0])), *parts[1]]))
    .filter(lambda number: number is not None)
)
uk_phones = st.builds(
    lambda body, style: {
        "spaced": f"07{body[:3]} {body[3:]}",
        "plain": f"07{body}",
        "international": f"+44 7{body[:3]} {body[3:]}",
        "landline": f"020 {body[1:5]} {body[5:]}",
    }[style],
    st.text("0123456789", min_size=9, max_size=9),
    st.sampled_from(["spaced", "plain", "international", "landline"]),
)
_LABEL = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
emails = st.builds(
    lambda local, domain, tld: f"{local}@{domain}.{tld}",
    st.builds(lambda a, b: a + b, _LABEL, st.text("abcdefghij._+-", max_size=4) | st.just("")),
    _LABEL,
    st.sampled_from(["com", "org", "co.uk", "nhs.uk", "gov.uk"]),
).filter(lambda email: email.split("@")[0][-1].isalnum())
# a word the guard knows as a role or profession ("Mr Pc": a police constable) is no surname
surnames = st.from_regex(r"\A[A-Z][a-z]{1,10}\Z").filter(
    lambda name: name.lower() not in ALLOWED | ROLES
)
titled_names = st.builds(
    lambda title, dot, name: f"{title}{dot} {name}",
    st.sampled_from(["Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Master"]),
    st.sampled_from(["", "."]),
    surnames,
)


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(max_size=60),
    after=st.text(max_size=60),
    found=st.one_of(
        nhs_numbers.map(lambda n: (Kind.NHS_NUMBER, n)),
        nhs_numbers.map(lambda n: (Kind.NHS_NUMBER, f"{n[:3]} {n[3:6]} {n[6:]}")),
        nhs_numbers.map(lambda n: (Kind.NHS_NUMBER, f"{n[:3]}-{n[3:6]}-{n[6:]}")),
        uk_phones.map(lambda p: (Kind.PHONE, p)),
        emails.map(lambda e: (Kind.EMAIL, e)),
        titled_names.map(lambda n: (Kind.NAME, n)),
    ),
)
def test_personal_data_anywhere_in_any_text_is_flagged(
    before: str, after: str, found: tuple[Kind, str]
) -> None:
    kind, value = found
    text = f"{before} ; {value} ; {after}"  # see the next test for a number beside a number
    start = len(before) + 3
    findings = find_personal_data(text)
    assert kind in {f.kind for f in findings if f.start <= start + len(value) and f.end > start}
    with pytest.raises(PersonalDataFound):
        check_personal_data(text, "note")


@settings(max_examples=50, deadline=None)
@given(phone=uk_phones, number=st.integers(0, 99))
def test_a_phone_number_beside_another_number_is_flagged(phone: str, number: int) -> None:
    for text in (f"ring {phone} {number} times", f"{number} {phone}"):
        assert Kind.PHONE in {f.kind for f in find_personal_data(text)}, text


def _names_file(name: str) -> frozenset[str]:
    path = Path(__file__).parents[2] / "core" / "data" / name
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines())


# Case-note words that are no one's forename, and not a role word (after which a capitalised
# word reads as a name: "mum Chelsea"), checked against the guard's own lists.
_CANDIDATES = (
    'the', 'a', 'of', 'to', 'and', 'in', 'on', 'for', 'with', 'after', 'before', 'was', 'were',
    'agreed', 'discussed', 'referral', 'concerns', 'home', 'visit', 'visits', 'records', 'meeting',
    'meetings', 'agency', 'agencies', 'review', 'reviews', 'panel', 'report', 'practice',
    'learning', 'partners', 'services', 'decision', 'health', 'school', 'nursery', 'police',
    'social', 'care', 'plan', 'assessment', 'strategy', 'discussion', 'information', 'shared',
    'escalation', 'threshold', 'timely', 'response', 'recommendation', 'recommendations',
    'findings', 'safeguarding', 'multi', 'professional', 'supervision', 'support', 'early', 'help',
    'transfer', 'attendance', 'missed', 'appointment', 'appointments', 'injuries', 'injury',
    'bruising', 'hospital', 'admission', 'discharge'
)  # fmt: skip
SAFE_WORDS = sorted(
    word
    for word in _CANDIDATES
    if word not in _names_file("forenames.txt") and word not in {"mum", "child", "baby"}
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.tuples(
            st.sampled_from(SAFE_WORDS), st.booleans(), st.sampled_from([" ", ", ", ". ", "\n"])
        ),
        max_size=40,
    )
)
def test_text_of_safe_words_is_never_flagged(words: list[tuple[str, bool, str]]) -> None:
    assert len(SAFE_WORDS) >= 60  # the property is about many words, not a handful
    text = "".join((w.capitalize() if upper else w) + gap for w, upper, gap in words)
    assert find_personal_data(text) == []
    check_personal_data(text, "note")
