"""The guard remembers texts it found clean (a tracker checks the same partnership name on
every row), never texts that hold personal data."""

from __future__ import annotations

import pytest

from core import personal_data
from core.personal_findings import Finding, Kind


def test_a_clean_text_is_read_once_and_a_text_with_a_name_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[str] = []

    def fake_find(text: str, *, identifier: bool, names: bool) -> list[Finding]:
        reads.append(text)
        return [Finding(Kind.NAME, 0, 5, "a person's name (J****)")] if "Jayden" in text else []

    monkeypatch.setattr(personal_data, "_find", fake_find)
    monkeypatch.setattr(personal_data, "_CLEAN", type(personal_data._CLEAN)())
    for _ in range(3):
        assert personal_data.find_personal_data("Northshire Partnership") == []
        assert personal_data.find_personal_data("Jayden was seen") != []
    assert reads.count("Northshire Partnership") == 1
    assert reads.count("Jayden was seen") == 3
    assert all("Jayden" not in text for text, _, _ in personal_data._CLEAN)
    # the flags are part of what was checked: a staff field's clean is not a note's clean
    personal_data.find_personal_data("Northshire Partnership", names=False)
    assert reads.count("Northshire Partnership") == 2


def test_the_memory_of_clean_texts_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(personal_data, "_find", lambda text, **_: [])
    monkeypatch.setattr(personal_data, "_CLEAN", type(personal_data._CLEAN)())
    monkeypatch.setattr(personal_data, "_CLEAN_MAX", 10)
    for number in range(25):
        personal_data.find_personal_data(f"note {number}")
    assert len(personal_data._CLEAN) == 10
    assert ("note 24", False, True) in personal_data._CLEAN
