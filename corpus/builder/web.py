"""HTML output: the review as a page on the partnership's website.

Site header and navigation, breadcrumbs, the report in ``<main><article>``, an "on this page"
list, and a footer with the cookie notice and contact links: the page furniture that an
extractor has to leave out. Plain string building, so a rebuild gives the same bytes.
"""

from __future__ import annotations

import re
from html import escape

from corpus.builder.source import (
    FICTION_NOTICE,
    Block,
    Heading,
    Inline,
    ListBlock,
    ListItem,
    ReviewSource,
    Table,
    is_notice,
    plain,
)
from corpus.builder.source import Paragraph as SourceParagraph

_STYLE = """body{font-family:Arial,Helvetica,sans-serif;margin:0;color:#1b1b1b;line-height:1.5}
.site-header{background:#1d3b5c;color:#fff;padding:1rem 2rem}
.site-header a{color:#fff;margin-right:1.2rem}
.breadcrumbs{padding:.5rem 2rem;font-size:.9rem}
main{max-width:46rem;margin:0 auto;padding:1rem 2rem}
.notice{border-left:6px solid #1d3b5c;background:#f3f2f1;padding:.8rem}
table{border-collapse:collapse}td,th{border:1px solid #b1b4b6;padding:.3rem .5rem}
.site-footer{background:#f3f2f1;padding:1rem 2rem;font-size:.9rem}"""


def slugify(text: str) -> str:
    """An anchor id for a heading."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def render_html(source: ReviewSource) -> bytes:
    """``source`` as a partnership web page (UTF-8 bytes)."""
    meta = source.meta
    site = escape(meta.partnership)
    title = escape(source.title)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{title} | {site}</title>",
        f'<meta name="description" content="{escape(meta.type_label)} published by {site}.">',
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        '<a class="skip-link" href="#main-content">Skip to main content</a>',
        _site_header(site),
        _breadcrumbs(title),
        '<main id="main-content">',
        "<article>",
        *_article_head(source),
        *_contents(source),
        *(_block(block) for block in source.body),
        "</article>",
        "</main>",
        _site_footer(site),
        "</body>",
        "</html>",
    ]
    return ("\n".join(parts) + "\n").encode("utf-8")


def _site_header(site: str) -> str:
    links = (
        "Home",
        "Children and families",
        "Professionals",
        "Training",
        "Case reviews",
        "Contact us",
    )
    items = "".join(f'<li><a href="/{slugify(link)}/">{link}</a></li>' for link in links)
    return (
        f'<header class="site-header"><a class="logo" href="/">{site}</a>'
        f'<nav aria-label="Site navigation"><ul>{items}</ul></nav>'
        '<form role="search" action="/search/"><label for="q">Search this site</label>'
        '<input id="q" name="q" type="search"><button>Search</button></form></header>'
    )


def _breadcrumbs(title: str) -> str:
    return (
        '<nav class="breadcrumbs" aria-label="Breadcrumb"><ol>'
        '<li><a href="/">Home</a></li><li><a href="/professionals/">Professionals</a></li>'
        '<li><a href="/case-reviews/">Case reviews</a></li>'
        f'<li aria-current="page">{title}</li></ol></nav>'
    )


def _article_head(source: ReviewSource) -> list[str]:
    meta = source.meta
    lines = [
        f"<h1>{escape(source.title)}</h1>",
        f'<p class="meta">{escape(meta.type_label)}. Published '
        f'<time datetime="{meta.published.isoformat()}">'
        f"{meta.published.day} {meta.published:%B %Y}</time>.</p>",
    ]
    notice_seen = False
    for block in source.preamble:
        if is_notice(block):
            lines.append(f'<p class="notice"><strong>{_inline(block.runs)}</strong></p>')
            notice_seen = True
        else:
            lines.append(_block(block))
    if not notice_seen:
        lines.insert(2, f'<p class="notice"><strong>{escape(FICTION_NOTICE)}</strong></p>')
    return lines


def _contents(source: ReviewSource) -> list[str]:
    items = "".join(
        f'<li><a href="#{slugify(h.text)}">{_inline(h.runs)}</a></li>'
        for h in source.headings(max_level=2)
    )
    return [
        f'<nav class="on-this-page" aria-label="On this page"><h2>On this page</h2>'
        f"<ul>{items}</ul></nav>"
    ]


def _inline(runs: Inline) -> str:
    parts = []
    for run in runs:
        text = escape(run.text, quote=False)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 2), 4)
        anchor = f' id="{slugify(block.text)}"' if level == 2 else ""
        return f"<h{level}{anchor}>{_inline(block.runs)}</h{level}>"
    if isinstance(block, SourceParagraph):
        paragraph = f"<p>{_inline(block.runs)}</p>"
        return f"<blockquote>{paragraph}</blockquote>" if block.quote else paragraph
    if isinstance(block, ListBlock):
        return _list(block.items)
    return _table(block)


def _list(items: tuple[ListItem, ...]) -> str:
    """Nested lists from the flat item sequence (depth says where each item sits)."""
    html: list[str] = []
    open_tags: list[str] = []
    for item in items:
        if not item.marker and open_tags:
            html.append(f"<p>{_inline(item.runs)}</p>")
            continue
        while len(open_tags) > item.depth + 1:
            html.append(f"</li></{open_tags.pop()}>")
        if len(open_tags) == item.depth + 1:
            html.append("</li>")
        while len(open_tags) < item.depth + 1:
            tag = "ol" if item.ordered else "ul"
            start = _start_attribute(item) if tag == "ol" else ""
            html.append(f"<{tag}{start}>")
            open_tags.append(tag)
        html.append(f"<li>{_inline(item.runs)}")
    while open_tags:
        html.append(f"</li></{open_tags.pop()}>")
    return "".join(html)


def _start_attribute(item: ListItem) -> str:
    number = item.marker.rstrip(".)")
    return f' start="{number}"' if number.isdigit() and number != "1" else ""


def _table(block: Table) -> str:
    rows = []
    if any(plain(cell) for cell in block.header):
        rows.append("<tr>" + "".join(f"<th>{_inline(c)}</th>" for c in block.header) + "</tr>")
    for row in block.rows:
        rows.append("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in row) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _site_footer(site: str) -> str:
    return (
        '<footer class="site-footer">'
        '<div class="cookie-notice" role="region" aria-label="Cookies on this site">'
        "<p>We use some essential cookies to make this website work. We would like to set "
        "additional cookies to understand how you use the site.</p>"
        "<button>Accept additional cookies</button><button>Reject additional cookies</button>"
        '<a href="/cookies/">View cookies</a></div>'
        '<ul class="footer-links"><li><a href="/contact-us/">Contact us</a></li>'
        '<li><a href="mailto:safeguarding@example.org">safeguarding@example.org</a></li>'
        '<li><a href="/accessibility/">Accessibility statement</a></li>'
        '<li><a href="/privacy/">Privacy notice</a></li></ul>'
        f"<p>&copy; {site}. This site is a fictional example for the CSPR Workbench.</p>"
        "</footer>"
    )
