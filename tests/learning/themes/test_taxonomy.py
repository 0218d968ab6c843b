"""The taxonomy as data: the shipped file loads, bad files are refused naming file and field,
analysts' files are found, and new themes are appended without losing the analyst's text."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from learning.errors import TaxonomyInvalid, ThemeNotFound
from learning.themes.taxonomy import (
    SHIPPED_TAXONOMY,
    ThemeSpec,
    analyst_taxonomy_path,
    append_theme,
    ensure_analyst_copy,
    load_taxonomy,
    resolve_taxonomy_path,
    slug_id,
)

GOOD_THEME = {
    "id": "private_fostering",
    "label": "Private fostering",
    "group": "harm",
    "definition": "Children cared for by someone who is not a close relative for 28 days or more.",
    "phrases": ["private fostering arrangement", "not notified to the local authority"],
}


def write(tmp_path: Path, document: object, name: str = "taxonomy.yaml") -> Path:
    path = tmp_path / name
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_taxonomy_loads_with_unique_ids() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.themes) == 27
    assert len(set(taxonomy.ids)) == 27
    assert taxonomy.source == SHIPPED_TAXONOMY
    assert taxonomy.theme("domestic_abuse").label == "Domestic abuse and coercive control"
    assert all(theme.phrases and len(theme.definition) > 40 for theme in taxonomy.themes)


def test_digest_ignores_comments_but_not_content(tmp_path: Path) -> None:
    plain = write(tmp_path, {"version": 1, "themes": [GOOD_THEME]}, "a.yaml")
    commented = write(tmp_path, "# a note\n" + plain.read_text(), "b.yaml")
    changed = write(
        tmp_path, {"version": 1, "themes": [{**GOOD_THEME, "label": "Fostering"}]}, "c.yaml"
    )
    assert load_taxonomy(plain).digest == load_taxonomy(commented).digest
    assert load_taxonomy(plain).digest != load_taxonomy(changed).digest


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("themes: [unclosed", r"not valid YAML at line"),
        ("- just\n- a list\n", r"expected a mapping with 'version' and 'themes'"),
        ({"version": 1, "themes": []}, r"themes: List should have at least 1 item"),
        (
            {"themes": [{**GOOD_THEME, "definition": None}]},
            r"themes\[0\]\.definition \(theme 'private_fostering'\): "
            r"Input should be a valid string",
        ),
        (
            {"themes": [{k: v for k, v in GOOD_THEME.items() if k != "label"}]},
            r"themes\[0\]\.label \(theme 'private_fostering'\): Field required",
        ),
        ({"themes": [{**GOOD_THEME, "id": "Private Fostering"}]}, r"themes\[0\]\.id .*pattern"),
        ({"themes": [{**GOOD_THEME, "phrases": []}]}, r"themes\[0\]\.phrases .*at least 1 item"),
        ({"themes": [{**GOOD_THEME, "phrases": ["  "]}]}, r"themes\[0\]\.phrases .*empty"),
        ({"themes": [{**GOOD_THEME, "colour": "red"}]}, r"themes\[0\]\.colour .*Extra inputs"),
        ({"themes": [GOOD_THEME, GOOD_THEME]}, r"themes: .*'private_fostering' is used twice"),
        ({"themes": [{**GOOD_THEME, "definition": "short"}]}, r"themes\[0\]\.definition"),
    ],
)
def test_invalid_taxonomy_names_file_and_field(
    tmp_path: Path, document: object, message: str
) -> None:
    path = write(tmp_path, document)
    with pytest.raises(TaxonomyInvalid, match=message) as caught:
        load_taxonomy(path)
    assert str(caught.value).startswith(str(path))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyInvalid, match=r"nope\.yaml: file not found"):
        load_taxonomy(tmp_path / "nope.yaml")


def test_unknown_theme_says_how_to_list(taxonomy) -> None:
    with pytest.raises(ThemeNotFound, match=r"no theme 'ghosts'.*cspr themes list"):
        taxonomy.theme("ghosts")


def test_taxonomy_file_in_use(tmp_path: Path) -> None:
    own = write(tmp_path, {"themes": [GOOD_THEME]}, "mine.yaml")
    data = tmp_path / "data"
    data.mkdir()
    assert resolve_taxonomy_path(None, data) == SHIPPED_TAXONOMY
    assert resolve_taxonomy_path(own, data) == own
    (data / "taxonomy.yaml").write_text(own.read_text())
    assert resolve_taxonomy_path(None, data) == data / "taxonomy.yaml"


def test_analyst_file_is_never_the_shipped_one(tmp_path: Path) -> None:
    assert analyst_taxonomy_path(None, tmp_path) == tmp_path / "taxonomy.yaml"
    with pytest.raises(TaxonomyInvalid, match="is the shipped taxonomy"):
        analyst_taxonomy_path(SHIPPED_TAXONOMY, tmp_path)


def test_append_keeps_comments_and_validates(tmp_path: Path) -> None:
    path = ensure_analyst_copy(tmp_path / "mine" / "taxonomy.yaml")
    before = path.read_text()
    theme = ThemeSpec(**GOOD_THEME)
    taxonomy = append_theme(path, theme)
    assert taxonomy.ids[-1] == "private_fostering"
    assert len(taxonomy.themes) == 28
    assert path.read_text().startswith(before.rstrip("\n"))  # comments and layout kept
    assert SHIPPED_TAXONOMY.read_text() == before  # the package's file is untouched
    with pytest.raises(TaxonomyInvalid, match="'private_fostering' already exists"):
        append_theme(path, theme)


def test_append_rewrites_a_file_whose_themes_are_not_last(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump({"themes": [GOOD_THEME], "version": 1}, sort_keys=False))
    theme = ThemeSpec(**{**GOOD_THEME, "id": "kinship_care", "label": "Kinship care"})
    assert load_taxonomy(path).ids == ("private_fostering",)
    assert append_theme(path, theme).ids == ("private_fostering", "kinship_care")


@pytest.mark.parametrize(
    ("text", "taken", "expected"),
    [
        ("Private fostering", (), "private_fostering"),
        ("Private fostering", ("private_fostering",), "private_fostering_2"),
        ("2020 lockdown", (), "theme_2020_lockdown"),
        ("!!!", (), "theme"),
    ],
)
def test_slug_id(text: str, taken: tuple[str, ...], expected: str) -> None:
    assert slug_id(text, taken) == expected
