"""The digest written out: Atom that parses back (one entry per month), HTML and Markdown that
show a review's own words as written, and empty months said plainly."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from core.digest_model import Digest, DigestEdition, DigestReview, KeyPoint, Month
from review_flows.digest_text import ATOM_NS, entry_id, to_atom, to_html, to_markdown

A = {"a": ATOM_NS}
TRICKY = "Child <B> & the *missing* [school]"


def _digest(month: Month, *partnerships: str) -> Digest:
    reviews = tuple(
        DigestReview(
            review_id=f"r-{month}-{n}",
            title=TRICKY if n == 0 else f"Review {n}",
            partnership=name,
            nation="wales",
            year=2026,
            added=month.first_day,
            themes=("Neglect",),
            key_points=(KeyPoint("Nobody saw the child alone.", "iv"),),
            link=f"https://cspr.example.org/library?review=r-{month}-{n}",
        )  # fmt: skip
        for n, name in enumerate(partnerships)
    )
    editions = tuple(
        DigestEdition(name, tuple(r for r in reviews if r.partnership == name))
        for name in sorted(set(partnerships))
    )
    return Digest(month, DigestEdition(None, reviews), editions)


DIGESTS = [
    _digest(Month(2026, 10)),
    _digest(Month(2026, 11), "Dyfnant", "Northshire"),
    _digest(Month(2026, 9), "Northshire"),
]


def test_the_atom_feed_parses_back_with_one_entry_per_month_newest_first() -> None:
    feed = ET.fromstring(
        to_atom(
            DIGESTS,
            partnerships=["Northshire"],
            app_url="https://cspr.example.org",
            feed_url="https://cspr.example.org/feeds/t/digest.atom",
        )  # fmt: skip
    )

    assert feed.tag == f"{{{ATOM_NS}}}feed"
    assert feed.findtext("a:title", namespaces=A).endswith("Northshire")
    assert feed.find("a:link[@rel='self']", A).get("href").endswith("/digest.atom")
    entries = feed.findall("a:entry", A)
    assert [e.findtext("a:title", namespaces=A) for e in entries] == [
        "New learning, November 2026: Northshire",
        "New learning, October 2026: Northshire",
        "New learning, September 2026: Northshire",
    ]
    assert [e.findtext("a:updated", namespaces=A) for e in entries] == [
        "2026-12-01T00:00:00Z", "2026-11-01T00:00:00Z", "2026-10-01T00:00:00Z"
    ]  # fmt: skip
    ids = [e.findtext("a:id", namespaces=A) for e in entries]
    assert len(set(ids)) == 3 and ids[0] == "tag:cspr-workbench,2026:digest/2026-11/northshire"
    november = entries[0].find("a:content", A)
    assert november.get("type") == "html"
    # the content is HTML, escaped once more inside the XML: it reads back as the HTML
    assert "Child &lt;B&gt; &amp; the *missing* [school]" not in november.text  # not Northshire's
    assert "Review 1" in november.text and "(page iv)" in november.text
    assert entries[1].findtext("a:summary", namespaces=A) == (
        "0 reviews added to the library in October 2026."
    )


def test_the_national_feed_holds_every_review_and_keeps_a_title_as_written() -> None:
    feed = ET.fromstring(
        to_atom(DIGESTS, partnerships=[None], app_url="https://cspr.example.org", feed_url=None)
    )

    assert feed.find("a:link[@rel='self']", A) is None  # a file, with no address of its own
    content = feed.find("a:entry/a:content", A).text
    assert "Child &lt;B&gt; &amp; the *missing* [school]" in content
    assert "<h1>New learning, November 2026: national</h1>" in content


def test_an_entry_id_is_stable_and_says_which_edition() -> None:
    november = DIGESTS[1]
    assert entry_id(november.month, november.national).endswith("/2026-11/national")
    assert entry_id(november.month, november.edition("Dyfnant")).endswith("/2026-11/dyfnant")


def test_markdown_and_html_keep_a_title_as_written_and_say_when_a_month_is_empty() -> None:
    november, october = DIGESTS[1], DIGESTS[0]

    markdown = to_markdown(november, [november.national])
    assert "## [Child \\<B\\> & the \\*missing\\* \\[school\\]](https://" in markdown
    assert "- Nobody saw the child alone. (page iv)" in markdown
    assert "Dyfnant · Wales · published 2026 · added 2026-11-01" in markdown

    page = to_html(november, [november.national])
    assert '<a href="https://cspr.example.org/library?review=r-2026-11-0">' in page
    assert "Child &lt;B&gt; &amp; the *missing* [school]</a>" in page

    empty = to_markdown(october, [october.national])
    assert "0 reviews added to the library." in empty
    assert "No reviews were added this month." in empty


def test_a_digest_of_months_back_runs_across_the_new_year() -> None:
    assert [str(m) for m in Month(2026, 2).back(3)] == ["2025-12", "2026-01", "2026-02"]
    assert Month(2026, 2).label == "February 2026"
    assert dt.date(2026, 2, 1) == Month(2026, 2).first_day
