"""Text similarity used by the golden and end-to-end tests.

Character-level F1 over multisets suits Chinese text, where words are not delimited and a dropped or
leaked paragraph shows up as missing or extra characters regardless of line breaks or table layout.
"""

from __future__ import annotations

from collections import Counter

_IGNORED = set(" \t\r\n\u3000\u00a0|")


def char_counts(text: str) -> Counter:
    return Counter(ch for ch in text if ch not in _IGNORED)


def char_f1(got: str, want: str) -> float:
    """F1 between the character multisets of two texts, whitespace and "|" ignored."""
    g, w = char_counts(got), char_counts(want)
    if not g and not w:
        return 1.0
    overlap = sum((g & w).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(g.values())
    recall = overlap / sum(w.values())
    return 2 * precision * recall / (precision + recall)
