"""Issue 23, item 5 in the browser: a panel member saves a published review to a case from the
Similar cases page, opens the Case page and prepares the rapid review draft. The draft leads
with the saved review, and each of its citations is the page printed in the report, as read
from the running system's own index (not the page of the PDF file)."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest

from core.draft_model import ANNEX_HEADING
from learning.themes.citations import page_text
from tests.conftest import REPO_ROOT
from tests.ui.browser.conftest import (
    BROWSER_MARKS,
    SHOTS,
    SIZES,
    open_anywhere,
    page_for,
    settle,
)  # fmt: skip

pytestmark = BROWSER_MARKS

REFERENCE = "NSH-DEMO-001"  # a baby who died
CITED = re.compile(r"^Source: \[.*, p\. ([^\]]+)\]$")


def _demo_reviews() -> int:
    lines = (REPO_ROOT / "corpus" / "catalogue.csv").read_text().splitlines()
    return len([line for line in lines[1:] if line.strip()])


def _index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The running system's index (the `system` fixture's data folder), once it holds every
    demo review: the app may be up before the demo library is embedded."""
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        found = list(tmp_path_factory.getbasetemp().glob("system*/data/index/units.sqlite"))
        if found and _count(found[0], "SELECT COUNT(*) FROM documents") >= _demo_reviews():
            return found[0]
        time.sleep(5)
    raise AssertionError("the demo library was not in the index after 15 minutes")


def _count(path: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
            return int(db.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # not created yet, or mid-write
        return 0


def _units(index: Path, title: str) -> list[tuple[str, int, str | None]]:
    """(text, PDF page, printed page) of every unit of the review titled ``title``."""
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True, timeout=30) as db:
        return db.execute(
            "SELECT u.text, u.page, u.page_label FROM units u JOIN documents d "
            "ON d.review_id = u.review_id WHERE d.title = ?", (title,),
        ).fetchall()  # fmt: skip


def _labelled_titles(index: Path) -> set[str]:
    """Titles of the reviews whose printed pages differ from the PDF's (front matter)."""
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute(
            "SELECT DISTINCT d.title FROM units u JOIN documents d ON d.review_id = u.review_id "
            "WHERE u.page_label IS NOT NULL AND u.page_label != CAST(u.page AS TEXT)"
        )
        return {title for (title,) in rows}


def _choose(page: object, label: str, option: str) -> None:
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label).first  # type: ignore[attr-defined]
    box.locator("input").click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(option)}")).first.click()  # type: ignore[attr-defined]
    settle(page)


def _results(page: object) -> list[tuple[str, str]]:
    """(title, age) of each result of the Similar cases page, in rank order: the titles are
    the bold "N. title" lines, the ages those of the captions that give one."""
    strong = page.locator("[data-testid='stMarkdownContainer'] strong").all_inner_texts()  # type: ignore[attr-defined]
    titles: list[str] = []
    for text in strong:
        ranked = re.match(r"^(\d+)\. (.+)$", text.strip())
        if ranked and int(ranked.group(1)) == len(titles) + 1:
            titles.append(ranked.group(2).strip())
    captions = page.locator("[data-testid='stCaptionContainer']").all_inner_texts()  # type: ignore[attr-defined]
    ages = [age.group(1).strip() for c in captions if (age := re.search(r"age: ([^·]+)", c))]
    assert len(ages) == len(titles), (titles, ages)
    return list(zip(titles, ages, strict=True))


def _save_one(page: object, labelled: set[str]) -> str:
    """Save to the case a result that would not lead the draft by itself: another age group,
    a report with printed page numbers if there is one. Returns its title."""
    _choose(page, "Take the précis from a case", REFERENCE)
    page.get_by_role("button", name="Find similar reviews").click()  # type: ignore[attr-defined]
    settle(page)
    saves = page.get_by_role("button", name=f"Save to {REFERENCE}")  # type: ignore[attr-defined]
    saves.first.wait_for(timeout=180_000)
    results = _results(page)
    assert len(results) == saves.count(), results
    ranked = sorted(
        range(len(results)),
        key=lambda i: (results[i][1] == "Under 1 year", results[i][0] not in labelled, -i),
    )
    chosen = ranked[0]
    saves.nth(chosen).click()
    page.get_by_text(f"Saved to the shortlist of {REFERENCE}.").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    return results[chosen][0]


def _draft(page: object) -> list[tuple[str, str]]:
    """(label, text) of each text area of the page, in order."""
    areas = page.locator("[data-testid='stTextArea']").all()  # type: ignore[attr-defined]
    return [
        (area.locator("label").inner_text().strip(), area.locator("textarea").input_value())
        for area in areas
    ]


def test_the_draft_leads_with_the_shortlisted_review_and_cites_printed_pages(
    system: str, browser: object, tmp_path_factory: pytest.TempPathFactory
) -> None:
    index = _index(tmp_path_factory)
    labelled = _labelled_titles(index)
    page = page_for(browser, system, "panel-northshire", SIZES["desktop"])
    page.get_by_role("heading", name="Deadlines").wait_for(timeout=120_000)
    open_anywhere(page, "Similar cases")
    saved = _save_one(page, labelled)

    open_anywhere(page, "Case")
    if not page.get_by_role("heading", name=f"Case {REFERENCE}").is_visible():
        _choose(page, "Case reference", REFERENCE)
    page.get_by_role("heading", name=f"Case {REFERENCE}").wait_for(timeout=60_000)
    page.get_by_role("button", name="Prepare the rapid review draft").click()
    page.get_by_role("button", name="Save the edits").wait_for(timeout=180_000)
    settle(page)

    draft = _draft(page)
    labels = [label for label, _ in draft]
    annex = labels.index(ANNEX_HEADING)
    assert labels[annex + 1] == saved, labels[annex:]
    text = draft[annex + 1][1]
    assert "Saved to this case's shortlist." in text
    lines = text.splitlines()
    units = _units(index, saved)
    cited = []
    for bullet, source in zip(lines, lines[1:], strict=False):
        if not (bullet.startswith("- ") and (page_cited := CITED.match(source))):
            continue
        [(_, pdf_page, printed)] = {
            unit for unit in units if " ".join(unit[0].split())[-60:] in bullet
        }  # one unit of the review holds the passage
        assert page_cited.group(1) == page_text(pdf_page, printed)
        cited.append((page_cited.group(1), str(pdf_page)))
    assert cited, text
    if saved in labelled:  # the printed page, where the report has one, not the PDF's
        assert any(printed != pdf_page for printed, pdf_page in cited), cited
    assert "rules.md" not in "\n".join(text for _, text in draft)
    # the annex and the saved review's section, as a reviewer reads them
    page.locator("[data-testid='stTextArea']").nth(annex).evaluate(
        "area => area.scrollIntoView({block: 'start'})"
    )
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "rapid-review.png"))
    print(f"\nsaved {saved!r}; cited pages (printed, PDF): {cited}")
