"""Rows from an HTML page's tables, rowspans and colspans expanded to the grid a reader sees."""

from __future__ import annotations

import re

from .rows import Row
from .values import is_value_cell

__all__ = ["html_grid", "rows_from_grid", "rows_from_html"]


def _cell_text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def html_grid(table) -> list[list[tuple[str, str]]]:
    """Expand one <table> to a full grid: each slot is (text, how) with how = "cell" for the cell's own
    slot, "down" for a slot a rowspan covers and "right" for a slot a colspan covers."""
    grid: dict[tuple[int, int], tuple[str, str]] = {}
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None]
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            try:
                rs = max(1, int(td.get("rowspan") or 1))
                cs = max(1, int(td.get("colspan") or 1))
            except ValueError:
                rs, cs = 1, 1
            rs = min(rs, len(rows) - r)
            text = _cell_text(td)
            for dr in range(rs):
                for dc in range(cs):
                    how = "cell" if dr == 0 and dc == 0 else ("right" if dc else "down")
                    grid[(r + dr, c + dc)] = (text, how)
            c += cs
            width = max(width, c)
    return [[grid.get((r, c), ("", "cell")) for c in range(width)] for r in range(len(rows))]


def rows_from_grid(grid: list[list[tuple[str, str]]], method: str = "html") -> list[Row]:
    """Rows for the section readers: a colspan counts once (its value belongs to one column), a label a
    rowspan covers is repeated on every row it spans (it names their group), a spanned figure is not."""
    rows = []
    for grid_row in grid:
        cells = []
        for text, how in grid_row:
            if how == "right":
                continue
            if how == "down" and is_value_cell(text):
                text = ""
            cells.append(text)
        if any(c for c in cells):
            rows.append(Row(cells, True, method))
    return rows


def rows_from_html(html: str) -> list[Row]:
    """Rows of every table on the page, in page order, with the headings between tables as one-cell
    rows (they say which section a table belongs to)."""
    import lxml.html

    doc = lxml.html.fromstring(html)
    rows: list[Row] = []
    for table in doc.iter("table"):
        if any(anc.tag == "table" for anc in table.iterancestors()):
            continue  # nested layout tables are read as part of their outer table's cells
        rows.extend(rows_from_grid(html_grid(table)))
    return rows
