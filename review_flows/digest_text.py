"""The monthly digest of new learning written out: Markdown (the CLI), HTML, a plain-text
email and an Atom feed (one entry per month and edition). Pure: a
:class:`core.digest_model.Digest` in, text out, no clock read (an entry's ``updated`` is the
first moment of the month after, when the month's digest is complete).

Every text comes from a published review (its title, its themes' labels, quotations of its
findings), so the Markdown escapes it and the HTML and Atom let the XML writers escape it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from core.digest_model import Digest, DigestEdition, DigestReview, KeyPoint, Month

ATOM_NS = "http://www.w3.org/2005/Atom"
#: What would change how a line of Markdown reads (emphasis, links, HTML, tables, code)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def edition_title(month: Month, edition: DigestEdition) -> str:
    """``New learning, November 2026: Northshire`` (or ``: national``)."""
    return f"New learning, {month.label}: {edition.partnership or 'national'}"


def _count(edition: DigestEdition) -> str:
    n = len(edition.reviews)
    return f"{n} review{'s' * (n != 1)} added to the library"


def _cite(point: KeyPoint) -> str:
    return f"{point.text} (page {point.page})" if point.page else point.text


def _md(text: str) -> str:
    """Markdown-escaped text, so a title or a quotation reads as written."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _review_facts(review: DigestReview) -> str:
    facts = [review.partnership or "partnership not recorded"]
    if review.nation:
        facts.append(review.nation.replace("_", " ").title())
    if review.year:
        facts.append(f"published {review.year}")
    facts.append(f"added {review.added.isoformat()}")
    return " · ".join(facts)


# --- Markdown and plain text ---------------------------------------------------------------------


def to_markdown(digest: Digest, editions: Sequence[DigestEdition]) -> str:
    """The digest's ``editions`` (e.g. one partnership's, then the national) as Markdown."""
    lines: list[str] = []
    for edition in editions:
        lines += [f"# {_md(edition_title(digest.month, edition))}", "", f"{_count(edition)}.", ""]
        if not edition.reviews:
            lines += ["No reviews were added this month.", ""]
        for review in edition.reviews:
            lines += [f"## [{_md(review.title)}]({review.link})", "", _md(_review_facts(review))]
            lines += ["", f"Themes: {_md(', '.join(review.themes) or 'none found yet')}", ""]
            lines += ["Key learning:", ""]
            lines += [f"- {_md(_cite(point))}" for point in review.key_points] or ["- (none)"]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_plain_text(digest: Digest, editions: Sequence[DigestEdition]) -> str:
    """The digest as the body of an email: plain text, links written out."""
    lines: list[str] = []
    for edition in editions:
        title = edition_title(digest.month, edition)
        lines += [title, "=" * len(title), f"{_count(edition)}.", ""]
        if not edition.reviews:
            lines += ["No reviews were added this month.", ""]
        for review in edition.reviews:
            lines += [review.title, f"  {_review_facts(review)}"]
            lines.append(f"  Themes: {', '.join(review.themes) or 'none found yet'}")
            lines += [f"  - {_cite(point)}" for point in review.key_points]
            lines += [f"  Read it: {review.link}", ""]
    return "\n".join(lines).rstrip() + "\n"


# --- HTML ----------------------------------------------------------------------------------------


def _edition_html(month: Month, edition: DigestEdition) -> str:
    parts = [f"<h1>{html.escape(edition_title(month, edition))}</h1>"]
    parts.append(f"<p>{_count(edition)}.</p>")
    if not edition.reviews:
        parts.append("<p>No reviews were added this month.</p>")
    for review in edition.reviews:
        e = html.escape
        points = "".join(f"<li>{e(_cite(point))}</li>" for point in review.key_points)
        parts += [
            f'<h2><a href="{e(review.link)}">{e(review.title)}</a></h2>',
            f"<p>{e(_review_facts(review))}</p>",
            f"<p>Themes: {e(', '.join(review.themes) or 'none found yet')}</p>",
            f"<p>Key learning:</p><ul>{points}</ul>",
        ]
    return "\n".join(parts)


def to_html(digest: Digest, editions: Sequence[DigestEdition]) -> str:
    """The digest's ``editions`` as an HTML document."""
    body = "\n".join(_edition_html(digest.month, edition) for edition in editions)
    title = html.escape(f"New learning, {digest.month.label}")
    return (
        f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n<body>\n{body}\n</body></html>\n"
    )


# --- Atom ----------------------------------------------------------------------------------------


def entry_id(month: Month, edition: DigestEdition) -> str:
    """A stable id per month and edition (RFC 4151 tag URI): a reader shows it once."""
    slug = re.sub(r"[^a-z0-9]+", "-", (edition.partnership or "national").lower()).strip("-")
    return f"tag:cspr-workbench,2026:digest/{month}/{slug or 'partnership'}"


def _updated(month: Month) -> str:
    moment = dt.datetime.combine(month.next_first_day, dt.time(), tzinfo=dt.UTC)
    return moment.isoformat().replace("+00:00", "Z")


def to_atom(
    digests: Sequence[Digest],
    *,
    partnerships: Sequence[str | None],
    app_url: str,
    feed_url: str | None,
) -> str:
    """An Atom feed with one entry per month of ``digests`` and edition of ``partnerships``
    (None: the national one), each with its HTML as content. Newest month first."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    ordered = sorted(digests, key=lambda d: d.month, reverse=True)
    names = [name or "national" for name in partnerships]
    _sub(feed, "title", f"New learning from published reviews: {' and '.join(names)}")
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(names).lower()).strip("-")
    _sub(feed, "id", f"tag:cspr-workbench,2026:digest/{slug}")
    _sub(feed, "updated", _updated(ordered[0].month) if ordered else "2026-01-01T00:00:00Z")
    if feed_url:  # where a reader fetches it again (none for a file written by the CLI)
        ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="self", href=feed_url)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", rel="alternate", href=app_url)
    author = ET.SubElement(feed, f"{{{ATOM_NS}}}author")
    _sub(author, "name", "CSPR workbench")
    for digest in ordered:
        for partnership in partnerships:
            _entry(feed, digest.month, digest.edition(partnership))
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _entry(feed: ET.Element, month: Month, edition: DigestEdition) -> None:
    entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry")
    _sub(entry, "title", edition_title(month, edition))
    _sub(entry, "id", entry_id(month, edition))
    _sub(entry, "updated", _updated(month))
    _sub(entry, "summary", f"{_count(edition)} in {month.label}.")
    content = _sub(entry, "content", _edition_html(month, edition))
    content.set("type", "html")


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}")
    element.text = text
    return element
