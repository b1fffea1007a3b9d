"""Row and column labels matched as a person reads them.

A printed label may carry numbering (（三）, 2.), annotations (（区分处理的，只计这一情形…）), line breaks
and spaces inside words (商业 企业), a variant wording (信访投诉举报 / 信访举报投诉), or a misprint: one or
two characters wrong, missing or extra. A label matches a template line when the line's label (or one of
its variants) occurs in it within a tolerance that grows with the label's length, so 规章 must be exact
while 属于三类内部事务信息 survives two slips. Every match says which spelling it matched and how far off
the printed text was, so the archive can show how sure a cell's row is.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .template import Line
from .values import key

__all__ = ["Match", "match", "tolerance", "distance", "strip_numbering"]

# Numbering in front of a label: "一、", "（三）", "(七)", "3.", "2、", "1．" and runs of them ("三、(一)").
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．])+"
)


def strip_numbering(text: str) -> str:
    return _NUMBERING.sub("", key(text))


def tolerance(length: int) -> int:
    """Edits allowed for a label of this many characters: none up to 3, one up to 7, then two."""
    return 0 if length <= 3 else 1 if length <= 7 else 2


@dataclass(frozen=True)
class Match:
    line: Line
    printed: str  # the spelling of the line that matched (its label or a variant)
    distance: int  # edits between that spelling and the printed text
    end: int  # where the match ends in the label: the rightmost match names the row itself


def _approx_find(pattern: str, text: str, k: int) -> tuple[int, int] | None:
    """The smallest edit distance of `pattern` to any substring of `text` (≤ k) and where it ends."""
    m = len(pattern)
    prev = list(range(m + 1))  # column for text position 0: distance of pattern[:i] to ""
    best: tuple[int, int] | None = None
    for j, ch in enumerate(text, 1):
        cur = [0] * (m + 1)  # a match may start anywhere in text: row 0 is always 0
        for i in range(1, m + 1):
            cost = 0 if pattern[i - 1] == ch else 1
            cur[i] = min(prev[i - 1] + cost, prev[i] + 1, cur[i - 1] + 1)
        if cur[m] <= k and (best is None or cur[m] <= best[0]):
            best = (cur[m], j)
        prev = cur
    return best


def distance(a: str, b: str) -> int:
    """Plain edit distance between two labels (the position-aided match reports it)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j - 1] + (ca != cb), prev[j] + 1, cur[j - 1] + 1)
        prev = cur
    return prev[-1]


def _close_enough(pattern: str, text_counts: Counter, k: int) -> bool:
    """Cheap filter before the DP: the text must hold all but k of the pattern's characters."""
    have = sum(min(n, text_counts[c]) for c, n in Counter(pattern).items())
    return have >= len(pattern) - k


def match(label: str, lines: tuple[Line, ...] | list[Line], fuzzy: bool = True) -> Match | None:
    """The line a printed label names, or None. When a label names two lines ("(六)其他处理 1.申请人…
    逾期不补正" names a group, then the row), the one printed last wins."""
    text = key(label)
    if not text:
        return None
    bare = strip_numbering(text)
    found: list[Match] = []
    for line in lines:
        for spelling in line.labels:
            pat = key(spelling)
            if line.exact:
                if bare == pat or (bare.endswith(pat) and len(bare) - len(pat) <= 1 and fuzzy):
                    found.append(Match(line, spelling, len(bare) - len(pat), len(text)))
                continue
            pos = text.rfind(pat)
            if pos >= 0:
                found.append(Match(line, spelling, 0, pos + len(pat)))
    if not found and fuzzy:
        counts = Counter(text)
        for line in lines:
            if line.exact:
                continue
            for spelling in line.labels:
                pat = key(spelling)
                k = tolerance(len(pat))
                if k == 0 or not _close_enough(pat, counts, k):
                    continue
                hit = _approx_find(pat, text, k)
                if hit is not None:
                    found.append(Match(line, spelling, hit[0], hit[1]))
    if not found:
        return None
    return max(found, key=lambda m: (m.end, -m.distance, len(m.printed)))
