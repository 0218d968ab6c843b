"""Distinctive words of groups of texts, c-TF-IDF style (as BERTopic labels topics). Pure.

Each group's texts are one class; the other texts form one more class, so words common
everywhere score low. A term is a content word or a pair of adjacent content words; a term
must occur in at least two texts of a group of three or more (one text's quirk is not a label).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from learning.query import STOPWORDS, words_of

# Words every review uses when it recommends or finds anything: never a label on their own.
_REPORT_TEXT = """
    should must ensure review reviews reviewer partnership partnerships recommendation
    recommendations recommend recommends finding findings learning also within including
    make made need needs use used take taken
"""
_REPORT_WORDS = frozenset(_REPORT_TEXT.split())


def text_terms(text: str, exclude: frozenset[str] = frozenset()) -> list[str]:
    """Content words (3+ letters, not numbers, not in ``exclude``) and adjacent pairs of them."""
    words = [
        word
        for word in words_of(text)
        if len(word) >= 3 and not word.isdigit() and word not in STOPWORDS and word not in exclude
    ]
    content = [word for word in words if word not in _REPORT_WORDS]
    pairs = [f"{a} {b}" for a, b in zip(content, content[1:], strict=False)]
    return content + pairs


def distinctive_terms(
    groups: Sequence[Sequence[str]],
    rest: Sequence[str],
    count: int = 6,
    exclude: frozenset[str] = frozenset(),
) -> list[list[str]]:
    """The ``count`` most distinctive terms of each group of texts, best first; words in
    ``exclude`` (place and partnership names) never make a term."""
    per_text = [[set(text_terms(text, exclude)) for text in group] for group in groups]
    classes = [Counter(t for text in group for t in text_terms(text, exclude)) for group in groups]
    classes.append(Counter(t for text in rest for t in text_terms(text, exclude)))
    totals: Counter[str] = Counter()
    for counter in classes:
        totals.update(counter)
    average = sum(sum(c.values()) for c in classes) / max(len(classes), 1)
    labels = []
    for counter, texts in zip(classes[:-1], per_text, strict=True):
        size = sum(counter.values()) or 1
        scored = []
        for term, freq in counter.items():
            spread = sum(term in terms for terms in texts)
            if len(texts) >= 3 and spread < 2:
                continue
            score = (freq / size) * math.log(1 + average / totals[term])
            scored.append((-round(score, 12), term))
        labels.append(_pick([term for _, term in sorted(scored)], count))
    return labels


def _pick(ranked: list[str], count: int) -> list[str]:
    """Best terms, skipping one whose words are all chosen already; a pair replaces a chosen
    word it contains (``private fostering`` over ``fostering``)."""
    chosen: list[str] = []
    for term in ranked:
        words = set(term.split())
        covered = {word for kept in chosen for word in kept.split()}
        if words <= covered:
            continue
        inside = [kept for kept in chosen if " " not in kept and kept in words]
        if inside:
            chosen[chosen.index(inside[0])] = term
            chosen = [kept for kept in chosen if kept not in inside[1:]]
        elif len(chosen) < count:
            chosen.append(term)
        else:
            break
    return chosen
