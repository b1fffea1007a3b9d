"""A report PDF whose 三 table breaks over a page inside a row, the row's label cut in two.

Word lets a row break across pages: the first line of a wrapped label (and the row's figures, which sit
at the top of their cells) stay on one page, the rest of the label starts the next. The layout of
sample_portals/table_pdf.py is reused for the grid (same rules, same STSong-Light CID font); the table
named by `split` starts a page and is cut inside its first row with a label of two lines or more.
"""

from __future__ import annotations

from sample_portals.attachment_items import _pdf_hex
from sample_portals.model import Item
from sample_portals.table_pdf import (
    BODY_SIZE,
    CELL_SIZE,
    MARGIN,
    PAD,
    PAGE_H,
    PAGE_W,
    _assemble,
    _spans,
    _table_height,
    _table_ops,
    _width,
    _wrap,
)

LINE = CELL_SIZE + 1


def _grid(rows):
    boxes = _spans(rows)
    ncols = max(c + cs for _, c, _, cs, _ in boxes)
    nrows = max(r + rs for r, _, rs, _, _ in boxes)
    want = [28.0] * ncols
    for _, c, _, cs, text in boxes:
        if cs == 1:
            want[c] = max(want[c], min(_width(text, CELL_SIZE) + 2 * PAD, 150))
    scale = (PAGE_W - 2 * MARGIN) / sum(want)
    xs = [MARGIN + sum(w * scale for w in want[:i]) for i in range(ncols + 1)]
    heights = [CELL_SIZE + 2 * PAD + 2] * nrows
    wraps = {}
    for r, c, rs, cs, text in boxes:
        lines = _wrap(text, xs[c + cs] - xs[c] - 2 * PAD, CELL_SIZE)
        wraps[(r, c)] = lines
        if rs == 1:
            heights[r] = max(heights[r], len(lines) * LINE + 2 * PAD + 2)
    depth = [sum(heights[:i]) for i in range(nrows + 1)]
    return boxes, xs, depth, wraps


def _split_table(rows, pages: list[list[str]]) -> None:
    """Draw the table from the top of a new page, break it inside the first long-label row after the
    fifth, and go on at the top of the next page."""
    boxes, xs, depth, wraps = _grid(rows)
    cut_row = next(
        (r for r, c, rs, _, _ in boxes if r >= 5 and rs == 1 and c > 0 and len(wraps[(r, c)]) >= 2),
        None,
    )
    cut = depth[cut_row] + PAD + LINE + 1 if cut_row is not None else depth[len(depth) // 2]
    top_a, top_b = PAGE_H - MARGIN, PAGE_H - MARGIN
    pages.append([])
    ops_a, ops_b, text_a, text_b = ["0.5 w"], ["0.5 w"], [], []

    def y_of(d: float) -> tuple[str, float]:
        return ("a", top_a - d) if d <= cut else ("b", top_b - (d - cut))

    for r, c, rs, cs, _text in boxes:
        x0, x1 = xs[c], xs[c + cs]
        d0, d1 = depth[r], depth[r + rs]
        for part, (a, b) in (("a", (d0, min(d1, cut))), ("b", (max(d0, cut), d1))):
            if b <= a:
                continue
            ops = ops_a if part == "a" else ops_b
            y_top = top_a - a if part == "a" else top_b - (a - cut)
            ops.append(f"{x0:.2f} {y_top - (b - a):.2f} {x1 - x0:.2f} {b - a:.2f} re S")
        for i, line in enumerate(wraps[(r, c)]):
            if not line:
                continue
            part, y = y_of(d0 + PAD + (i + 1) * LINE)
            (text_a if part == "a" else text_b).append(
                f"1 0 0 1 {x0 + PAD:.2f} {y:.2f} Tm <{_pdf_hex(line)}> Tj"
            )
    pages[-1] += ops_a + ["BT", f"/F1 {CELL_SIZE} Tf", *text_a, "ET"]
    pages.append(ops_b + ["BT", f"/F1 {CELL_SIZE} Tf", *text_b, "ET"])
    return top_b - (depth[-1] - cut)


def split_report_pdf(item: Item, split: str | None, ruled: bool = True) -> bytes:
    """The report on A4 pages like table_pdf.report_pdf; the table under the heading starting with
    `split` (e.g. "三") is broken over a page inside a row. ruled=False leaves the cell borders out, as
    a report typeset with tabs and spaces prints its tables: only the words' positions remain."""
    pages: list[list[str]] = [[]]
    y = PAGE_H - MARGIN

    def text_line(line: str) -> None:
        nonlocal y
        if y - BODY_SIZE < MARGIN:
            pages.append([])
            y = PAGE_H - MARGIN
        y -= BODY_SIZE + 4
        pages[-1] += ["BT", f"/F1 {BODY_SIZE} Tf",
                      f"1 0 0 1 {MARGIN} {y:.2f} Tm <{_pdf_hex(line)}> Tj", "ET"]  # fmt: skip

    text_line(item.title)
    heading = ""
    for block in item.blocks:
        if block.kind != "table":
            heading = block.text if block.kind == "h" else heading
            for line in _wrap(block.text, PAGE_W - 2 * MARGIN, BODY_SIZE):
                text_line(line)
            continue
        if split and heading.startswith(split):
            y = _split_table(block.rows, pages) - 4
            continue
        if y - _table_height(block.rows) - 6 < MARGIN:
            pages.append([])
            y = PAGE_H - MARGIN
        ops, bottom = _table_ops(block.rows, y - 6)
        pages[-1] += ops
        y = bottom - 4
    if not ruled:  # the borders are the only rectangles stroked: "72.00 700.00 120.00 18.00 re S"
        pages = [[op for op in p if not op.endswith(" re S")] for p in pages]
    return _assemble([p for p in pages if p])
