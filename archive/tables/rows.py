"""Rows of cells from every text shape a report reaches us in.

Our archive text (one table row per line, cells joined by " | "), markdown pipes (also shredded by a
PDF-to-markdown tool: a row's label wrapped onto the next pipe row), tab-separated text, the naive
one-cell-per-line scrape with a lone "|" between rows (seed 004), plain one-cell-per-line text, PDF text
with figures separated by spaces, and a page's text whose table ran together into one line. Every shape
becomes the same list of `Row`s, and the section readers never see the shape again (only `method`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .values import FIGURE

__all__ = ["Row", "rows_from_text", "split_spaced", "cut_flat_line"]


@dataclass
class Row:
    """One table row as cells. `positional` is True when empty cells were kept, so position = column.

    `conf` holds one confidence per cell (OCR); `page` is the 1-based page of a PDF; `method` says which
    reader made the row (html, pdf-lines, pdf-words, text, ocr)."""

    cells: list[str]
    positional: bool
    method: str = "text"
    page: int | None = None
    conf: list[float] | None = None
    extra: dict = field(default_factory=dict)


# Figures trailing a label on one line, as PDF text gives them: "行政许可 1448 62 1550", "行政许可 1,448 62 1,550".
_TRAILING_NUMBERS = re.compile(rf"^(.*?\S)?\s*((?:{FIGURE}\s+)*{FIGURE})$")
# A markdown separator row: "|---|:---:|".
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
# A label that ends in a number that is part of it: "第二十条第（一）项", "1.属于国家秘密", "(七)总计".
_LABEL_ENDS_WITH_DIGIT = re.compile(r"[项条号]$")


def split_spaced(line: str, method: str = "text", page: int | None = None) -> Row:
    """A line without pipes: a label followed by space-separated figures (PDF text) or a single cell."""
    stripped = line.strip()
    if len(stripped) < 160 and "。" not in stripped and not _LABEL_ENDS_WITH_DIGIT.search(stripped):
        m = _TRAILING_NUMBERS.match(stripped)
        if m and m.group(2):
            label = (m.group(1) or "").strip()
            numbers = m.group(2).split()
            # "2020 年" style prose and "1.属于国家秘密" are not figures: require a separating space.
            if not label or stripped[len(m.group(1) or "") :].startswith((" ", "\t", "\u3000")):
                return Row(([label] if label else []) + numbers, False, method, page)
    return Row([stripped], False, method, page)


# Where a page's run-together table text starts a new row or section: a heading such as
# "三、收到和处理政府信息公开申请情况", a row's numbering "（三）", "2.", "一、", or the start of a statutory
# label (the list comes from the templates, see cut_flat_line).
_HEADINGS = (
    "二、主动公开",
    "三、收到和处理",
    "四、政府信息公开行政复议",
    "五、存在的主要问题",
    "第二十条",
    "信息内容",
    "本列数据",
    "申请人情况",
)
# Numbering directly in front of a label: "（一）", "(七)", "一、", "1.", "3、" (one digit: the rows
# of a group are numbered 1 to 8, so in "00002.其他法律…" only "2." is the numbering).
_NUM_BEFORE = re.compile(
    r"(?:[一二三四五六七八九十]、|[(（][一二三四五六七八九十]+[)）]|\d[.．、])$"
)
# A whole-cell label that is only a word with its numbering, run into the figures: "…0 003.其他000".
_NUMBERED_WORD = re.compile(r"\d[.．、](?=其他)")


def cut_flat_line(line: str, labels: list[str]) -> list[str]:
    """A line holding several rows run together (a page's text with its table flattened) cut before
    each heading and each statutory label it holds, numbering kept with its label. A line with fewer
    than two labels is returned whole."""
    cuts: set[int] = set()
    for lab in [*_HEADINGS, *labels]:
        start = 0
        while (pos := line.find(lab, start)) >= 0:
            start = pos + 1
            head = line[max(0, pos - 4) : pos]
            m = _NUM_BEFORE.search(head)
            cut = pos - (len(m.group(0)) if m else 0)
            # A numbering "2." glued to the figures before it ("10002.其他法律…"): cut at the numbering.
            cuts.add(cut)
    cuts.update(m.start() for m in _NUMBERED_WORD.finditer(line))
    cuts.discard(0)
    if len(cuts) < 2:
        return [line]
    # Labels inside labels ("公开" in "予以公开") cut nowhere: keep a cut only where no longer label
    # found at an earlier position still runs over it.
    spans = []
    for lab in [*_HEADINGS, *labels]:
        start = 0
        while (pos := line.find(lab, start)) >= 0:
            start = pos + 1
            spans.append((pos, pos + len(lab)))
    kept = sorted(c for c in cuts if not any(s < c < e for s, e in spans))
    pieces, prev = [], 0
    for c in kept:
        if line[prev:c].strip():
            pieces.append(line[prev:c].strip())
        prev = c
    pieces.append(line[prev:].strip())
    return [p for p in pieces if p]


def rows_from_text(text: str, flat_labels: list[str] | None = None) -> list[Row]:
    """Rows from any of the text forms (see the module docstring). `flat_labels` are the statutory
    labels a run-together line is cut at."""
    lines = [line.rstrip() for line in text.splitlines()]
    if flat_labels:
        cut: list[str] = []
        for line in lines:
            if len(line) > 60 and "|" not in line:
                cut.extend(cut_flat_line(line, flat_labels))
            else:
                cut.append(line)
        lines = cut
    separators = sum(1 for line in lines if line.strip() == "|")
    rows: list[Row] = []
    if separators >= 3:
        # Seed 004: "|" opens a row, every following line "规 章 |" is one of its cells; empty cells lost.
        current: list[str] | None = None
        for line in lines:
            s = line.strip()
            if s == "|":
                if current:
                    rows.append(Row(current, False))
                current = []
            elif "|" in s and current is not None:
                current.extend(c.strip() for c in s.split("|") if c.strip())
            else:
                if current:
                    rows.append(Row(current, False))
                current = None
                if s:
                    rows.append(split_spaced(s))
        if current:
            rows.append(Row(current, False))
        return rows
    for line in lines:
        s = line.strip()
        if not s or _MD_RULE.match(s):
            continue
        if "|" in s:
            parts = s.split("|")
            if s.startswith("|"):
                parts = parts[1:]
            if s.endswith("|") and parts:
                parts = parts[:-1]
            rows.append(Row([p.strip() for p in parts], True))
        elif "\t" in s:
            rows.append(Row([p.strip() for p in s.split("\t")], True))
        else:
            rows.append(split_spaced(s))
    return rows
