"""HTML review pages: the main content (``main``, ``article`` or ``role=main``, else the body
without navigation, banners and footers), h1-h6 as headings, ordered lists with their numbers,
table rows as lines. A web page has no pages: it is one page."""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment

from learning.extract.blocks import format_number, table_row_block

_DROP_ALWAYS = ("script", "style", "noscript", "template", "svg", "form", "button", "nav", "iframe")
_DROP_OUTSIDE_MAIN = ("header", "footer", "aside")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LEAF_BLOCKS = {"p", "pre", "blockquote", "dt", "dd", "figcaption", "caption", "address"}
_CONTAINERS = {
    "div", "section", "article", "main", "body", "html", "header", "footer", "aside",
    "figure", "details", "summary", "center", "dl", "tbody", "thead", "tfoot",
}  # fmt: skip
_BLOCK_TAGS = {*_HEADINGS, *_LEAF_BLOCKS, *_CONTAINERS, "ol", "ul", "table", "li", "tr", "hr", "br"}
_LIST_STYLES = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}


#: Containers nested deeper than this are read as one paragraph of their text, so reading a
#: page never recurses with its depth (a page of 3,000 nested divs).
MAX_NESTING = 64


def read_html(text: str) -> str:
    """HTML to one normalised page text (blocks separated by blank lines)."""
    soup = BeautifulSoup(text, "lxml")
    for element in soup(_DROP_ALWAYS):
        element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    main = _main_content(soup)
    for element in main.find_all(_DROP_OUTSIDE_MAIN) if main.name in ("body", "html") else []:
        element.decompose()
    for element in main.find_all(_is_link_list):
        element.decompose()  # an in-page table of contents
    return "\n\n".join(block for block in _Walker().blocks(main) if block)


def _main_content(soup: BeautifulSoup) -> Tag:
    for candidate in (soup.find("main"), soup.find(None, {"role": "main"}), soup.find("article")):
        if isinstance(candidate, Tag) and candidate.get_text(strip=True):
            return candidate
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


def _is_link_list(tag: Tag) -> bool:
    """A list whose every item is only a link to a place on the same page."""
    if tag.name not in ("ol", "ul"):
        return False
    items = tag.find_all("li", recursive=False)
    if len(items) < 3:
        return False
    for item in items:
        link = item.find("a", href=True)
        own = item.get_text(" ", strip=True)
        if link is None or not str(link["href"]).startswith("#"):
            return False
        if own != link.get_text(" ", strip=True) and not item.find(["ol", "ul"]):
            return False
    return True


def _inline_text(tag: Tag | NavigableString) -> str:
    return " ".join(tag.get_text(" ").split())


class _Walker:
    def __init__(self) -> None:
        self.level = 1
        self.depth = 0

    def blocks(self, tag: Tag) -> Iterator[str]:
        """Blocks of a container, in order; loose inline text becomes its own paragraph."""
        loose: list[str] = []
        for child in tag.children:
            if isinstance(child, NavigableString):
                loose.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            if child.name in _BLOCK_TAGS:
                if child.name != "br" or "".join(loose).strip():
                    yield " ".join(" ".join(loose).split())
                    loose = []
                yield from self._block(child)
            else:
                loose.append(child.get_text(" "))
        yield " ".join(" ".join(loose).split())

    def _block(self, tag: Tag) -> Iterator[str]:
        name = tag.name
        if name in _HEADINGS:
            self.level = _HEADINGS[name]
            text = _inline_text(tag)
            if text:
                yield "#" * self.level + " " + text
        elif name in _LEAF_BLOCKS:
            yield from self._leaf(tag)
        elif name in ("ol", "ul"):
            yield from self._list(tag)
        elif name == "table":
            yield from (_row_text(row) for row in tag.find_all("tr"))
        elif name == "tr":
            yield _row_text(tag)
        elif name in _CONTAINERS or name == "li":
            yield from self._nested(tag)

    def _nested(self, tag: Tag) -> Iterator[str]:
        if self.depth >= MAX_NESTING:
            yield _inline_text(tag)  # get_text walks iteratively, whatever the depth
            return
        self.depth += 1
        try:
            yield from self.blocks(tag)
        finally:
            self.depth -= 1

    def _leaf(self, tag: Tag) -> Iterator[str]:
        text = _inline_text(tag)
        bold = tag.find(["strong", "b"], recursive=False)
        if (
            bold is not None
            and _inline_text(bold) == text
            and len(text.split()) <= 12
            and not text.endswith((".", ",", ";"))
        ):
            yield "#" * min(self.level + 1, 6) + " " + text  # an all-bold short paragraph
        else:
            yield text

    def _list(self, tag: Tag) -> Iterator[str]:
        ordered = tag.name == "ol"
        start = str(tag.get("start", "1"))
        counter = int(start) - 1 if start.isdigit() else 0
        style = _LIST_STYLES.get(str(tag.get("type", "1")), "decimal")
        for item in tag.find_all("li", recursive=False):
            value = str(item.get("value", ""))
            counter = int(value) if value.isdigit() else counter + 1
            own, nested = _split_item(item)
            marker = format_number(counter, style) + "." if ordered else "-"
            if own:
                yield f"{marker} {own}"
            for child in nested:
                yield from self._nested_block(child)

    def _nested_block(self, tag: Tag) -> Iterator[str]:
        if self.depth >= MAX_NESTING:
            yield _inline_text(tag)
            return
        self.depth += 1
        try:
            yield from self._block(tag)
        finally:
            self.depth -= 1


def _split_item(item: Tag) -> tuple[str, list[Tag]]:
    """A list item's own text and its nested blocks (sub-lists, paragraphs after the first)."""
    nested = [c for c in item.children if isinstance(c, Tag) and c.name in ("ol", "ul", "table")]
    parts = [
        c.get_text(" ") if isinstance(c, Tag) else str(c)
        for c in item.children
        if not (isinstance(c, Tag) and c in nested)
    ]
    return " ".join(" ".join(parts).split()), nested


def _row_text(row: Tag) -> str:
    return table_row_block([_inline_text(c) for c in row.find_all(["td", "th"], recursive=False)])
