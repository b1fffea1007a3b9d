"""Tables set without borders in a text-layer PDF, read from the words' positions.

With no rules there is no grid, and the page's text gives a row as "2.重复申请 1 1": which of the seven
columns the two figures stand in, and which cells were left blank, is lost. The words still sit under
their column headings, so the headings printed above the figures give the columns: each figure is put
in the column whose heading it stands under, a blank column stays an empty cell, and the row is
positional as a ruled table's row is (method pdf-words).

A header block is a run of lines of two or more words with no figure; its lowest line names the
columns, and a word of a line above that spans none of the lower words (自然人 and 总计 over the two
header lines of 三) names one too, while one that spans several (法人或其他组织, 申请人情况) names none.
A heading that starts where the row labels start (信息内容) is the label column, not a figure column.
"""

from __future__ import annotations

from .rows import Row, split_spaced
from .values import parse_value

__all__ = ["word_rows"]

LINE_TOLERANCE = 3  # points: words whose tops differ less sit on one line


def _lines(words: list[dict]) -> list[list[dict]]:
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) < LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _is_figure(word: dict) -> bool:
    return parse_value(word["text"]) is not None


def _overlap(a: dict, b: dict) -> float:
    return min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])


def _columns(header: list[list[dict]]) -> list[dict]:
    """The column headings of a header block, left to right."""
    cols = list(header[-1])
    for line in reversed(header[:-1]):
        for w in line:
            if not any(_overlap(w, c) > 0 for c in cols):
                cols.append(w)
    return sorted(cols, key=lambda w: w["x0"])


def _slots(line: list[dict], cols: list[dict]) -> list[str] | None:
    """The line as label cells then one cell per column (blank where no figure stands), or None when
    its figures do not fall one to a column."""
    labels = [w for w in line if not _is_figure(w)]
    figures = [w for w in line if _is_figure(w)]
    if labels and figures and max(w["x1"] for w in labels) > min(w["x0"] for w in figures):
        return None  # a figure left of a label: not a table row as its headings say
    edge = max((w["x1"] for w in labels), default=float("-inf"))
    cols = [c for c in cols if c["x0"] >= edge - 1]
    if not cols:
        return None
    cells = [""] * len(cols)
    for f in figures:
        best = max(range(len(cols)), key=lambda i: _overlap(f, cols[i]))
        if _overlap(f, cols[best]) <= 0:
            mid = (f["x0"] + f["x1"]) / 2
            best = min(
                range(len(cols)), key=lambda i: abs((cols[i]["x0"] + cols[i]["x1"]) / 2 - mid)
            )
        if cells[best]:
            return None
        cells[best] = f["text"]
    return [w["text"] for w in labels] + cells


def word_rows(page, number: int) -> list[Row]:
    """One unruled page as rows: a table's rows positional under their headings, every other line
    as the text reader cuts it."""
    words = page.extract_words(keep_blank_chars=False, use_text_flow=False)
    rows: list[Row] = []
    header: list[list[dict]] = []
    cols: list[dict] | None = None
    for line in _lines(words):
        text = " ".join(w["text"] for w in line)
        has_figure = any(_is_figure(w) for w in line)
        # a row whose cells were all left blank prints its labels only, left of every column
        label_only = cols and max(w["x1"] for w in line) <= min(c["x0"] for c in cols) + 2
        if len(line) >= 2 and not has_figure and not label_only:
            header.append(line)
            cols = None
            rows.append(split_spaced(text, "pdf-words", number))
            continue
        if header:
            cols, header = _columns(header), []
        cells = _slots(line, cols) if cols and has_figure else None
        if cells is None:
            rows.append(split_spaced(text, "pdf-words", number))
        else:
            rows.append(Row(cells, True, "pdf-words", number))
    return rows
