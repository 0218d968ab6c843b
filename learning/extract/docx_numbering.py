"""Word list numbering: the number Word would show in front of a numbered paragraph ("3.",
"2.1", "(a)"), worked out from ``numbering.xml`` because python-docx does not compute it."""

from __future__ import annotations

from dataclasses import dataclass, field

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml.etree import _Element

from learning.extract.blocks import format_number


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int


def _val(element: _Element | None, tag: str) -> str | None:
    child = element.find(qn(tag)) if element is not None else None
    return child.get(qn("w:val")) if child is not None else None


@dataclass
class ListNumbering:
    """Counts numbered paragraphs in document order and renders their labels."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, str] = field(default_factory=dict)
    overrides: dict[str, dict[int, int]] = field(default_factory=dict)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def from_document(cls, document: DocxDocument) -> ListNumbering:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return cls()
        numbering = cls()
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = _Level(
                    fmt=_val(lvl, "w:numFmt") or "decimal",
                    text=_val(lvl, "w:lvlText") or "",
                    start=int(_val(lvl, "w:start") or "1"),
                )
            numbering.abstract[abstract.get(qn("w:abstractNumId"), "")] = levels
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"), "")
            numbering.nums[num_id] = _val(num, "w:abstractNumId") or ""
            numbering.overrides[num_id] = {
                int(o.get(qn("w:ilvl"), "0")): int(_val(o, "w:startOverride") or "1")
                for o in num.findall(qn("w:lvlOverride"))
                if o.find(qn("w:startOverride")) is not None
            }
        return numbering

    def label(self, paragraph: Paragraph) -> str | None:
        """The list label of a paragraph ("3.", "2.1", "-" for a bullet), or ``None``."""
        found = _num_pr(paragraph)
        if found is None or found[0] not in self.nums:
            return None
        num_id, ilvl = found
        abstract_id = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None or level.fmt == "none":
            return None
        if level.fmt == "bullet":
            return "-"
        counts = self._advance(num_id, abstract_id, ilvl, levels)
        text = level.text
        for depth in range(ilvl, -1, -1):
            fmt = levels[depth].fmt if depth in levels else "decimal"
            text = text.replace(f"%{depth + 1}", format_number(counts.get(depth, 1), fmt))
        return text.strip() or None

    def _advance(
        self, num_id: str, abstract_id: str, ilvl: int, levels: dict[int, _Level]
    ) -> dict[int, int]:
        counts = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for depth, start in self.overrides.get(num_id, {}).items():
                counts[depth] = start - 1  # a restarted list
        start = levels[ilvl].start
        counts[ilvl] = counts.get(ilvl, start - 1) + 1
        for depth in [d for d in counts if d > ilvl]:
            del counts[depth]
        return counts


def _num_pr(paragraph: Paragraph) -> tuple[str, int] | None:
    """(numId, level) from the paragraph or, failing that, from its style chain."""
    candidates = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        candidates.append(style.element.pPr)
        style = style.base_style
    for ppr in candidates:
        num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num_pr is None:
            continue
        num_id = _val(num_pr, "w:numId")
        if num_id is None or num_id == "0":
            return None
        return num_id, int(_val(num_pr, "w:ilvl") or "0")
    return None
