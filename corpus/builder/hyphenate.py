"""A small rule-based English hyphenator for reportlab (no dictionary package needed).

reportlab accepts a callable as ``hyphenationLang``: word -> (head, tail) pairs, longest head
first. Points come from two rules that give plausible breaks: before common suffixes
("safeguard-ing", "assess-ment") and between two consonants that sit between vowels
("profes-sional", "infor-mation"). Lower-case words of 8+ letters only, so names stay whole.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiouy")
_DIGRAPHS = frozenset({"th", "ch", "sh", "ph", "wh", "gh", "ck", "qu"})
_SUFFIXES = ("ing", "tion", "sion", "ment", "ness", "ship", "ful", "ly")
_MIN_WORD = 8
_MIN_SIDE = 3


def hyphenation_points(word: str) -> list[int]:
    """Indexes at which ``word`` may be broken (a hyphen goes before the index), ascending."""
    if len(word) < _MIN_WORD or not word.isalpha() or not word.islower():
        return []
    suffix_points = {len(word) - len(s) for s in _SUFFIXES if word.endswith(s)}
    points = set(suffix_points)
    for i in range(_MIN_SIDE, len(word) - _MIN_SIDE + 1):
        before, here = word[i - 1], word[i]
        if before in _VOWELS or here in _VOWELS or before + here in _DIGRAPHS:
            continue
        # "safeguard-ing", not "safeguar-ding"
        if word[i - 2] in _VOWELS and word[i + 1] in _VOWELS and i + 1 not in suffix_points:
            points.add(i)
    return sorted(p for p in points if _MIN_SIDE <= p <= len(word) - _MIN_SIDE)


def split_pairs(word: str) -> list[tuple[str, str]]:
    """reportlab's hyphenator protocol: (head, tail) pairs, longest head first."""
    return [(word[:i], word[i:]) for i in reversed(hyphenation_points(word))]
