"""Tables of contents in normalised page text: a "Contents" heading and the short entries under
it (possibly running onto the next page), or a run of dot-leader entries without a heading."""

from __future__ import annotations

import re
from collections.abc import Sequence

from learning.cleaning import is_contents_entry

_TITLE = re.compile(r"^#{1,6}\s*(?:table of )?contents?:?$", re.IGNORECASE)
_LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}")
_MAX_ENTRY_WORDS = 15


def strip_contents_blocks(pages: Sequence[str]) -> list[str]:
    """Page texts with any table of contents removed (pages are kept, perhaps empty)."""
    blocks = [(p, block) for p, page in enumerate(pages) for block in _split(page)]
    drop: set[int] = set()
    k = 0
    while k < len(blocks):
        end = _contents_end(blocks, k)
        drop.update(range(k, end))
        k = max(end, k + 1)
    kept: list[list[str]] = [[] for _ in pages]
    for i, (p, block) in enumerate(blocks):
        if i not in drop:
            kept[p].append(block)
    return ["\n\n".join(page) for page in kept]


def _split(page: str) -> list[str]:
    return [block.strip() for block in page.split("\n\n") if block.strip()]


def _is_entry(block: str) -> bool:
    """A contents entry: short, not a heading, not a sentence (entries have no full stop)."""
    if block.startswith("#") or len(block.split()) > _MAX_ENTRY_WORDS:
        return False
    return is_contents_entry(block) or not re.search(r"[.!?:]['\"”’)]*$", block)


def _contents_end(blocks: Sequence[tuple[int, str]], start: int) -> int:
    """End (exclusive) of a table of contents beginning at ``start``, or ``start``."""
    text = blocks[start][1]
    if _TITLE.match(text):
        end = start + 1
        while end < len(blocks) and _is_entry(blocks[end][1]):
            end += 1
        return end
    end = start
    while (
        end < len(blocks) and is_contents_entry(blocks[end][1]) and _LEADER.search(blocks[end][1])
    ):
        end += 1
    return end if end - start >= 4 else start
