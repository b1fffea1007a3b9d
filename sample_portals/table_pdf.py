"""A report as a PDF with its statutory tables drawn as ruled grids, the way Word prints them.

The attachment writer in sample_portals/attachment_items.py only lays out lines of text; a real report PDF
draws every table cell as a box, merged cells as one box over several slots, long labels wrapped inside
their box. pdfplumber finds tables from exactly those rules, so the parser of nianbao's statutory tables
can only be tested on a PDF that has them. Text is written with the standard CID font STSong-Light (no
font file embedded), like the attachment writer does.
"""

from __future__ import annotations

import io
import zlib

from sample_portals.attachment_items import _pdf_hex
from sample_portals.model import Block, Item

__all__ = ["report_pdf"]

PAGE_W, PAGE_H = 595, 842
MARGIN = 25
BODY_SIZE = 10
CELL_SIZE = 7
PAD = 2

_FONT = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
    b"/FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
    b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 "
    b"/StemV 93 >> /DW 1000 /W [1 95 500] >>] >>"
)


def _spans(rows) -> list[tuple[int, int, int, int, str]]:
    """Block rows as (row, col, rowspan, colspan, text) boxes on the expanded grid."""
    taken: set[tuple[int, int]] = set()
    boxes = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            text, rs, cs = (cell, 1, 1) if isinstance(cell, str) else cell
            while (r, c) in taken:
                c += 1
            taken.update((r + dr, c + dc) for dr in range(rs) for dc in range(cs))
            boxes.append((r, c, rs, cs, text))
            c += cs
    return boxes


def _width(text: str, size: float) -> float:
    # CIDs 1-95 (ASCII) are half width (/W above), everything else a full em.
    return sum(size * (0.5 if ord(ch) < 127 else 1.0) for ch in text)


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, cur = [], ""
    for ch in text:
        if cur and _width(cur + ch, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    return lines + [cur] if cur else lines or [""]


def _table_ops(rows, top: float) -> tuple[list[str], float]:
    """Drawing operators for one table whose top edge is at `top`; returns them and the bottom edge."""
    boxes = _spans(rows)
    ncols = max(c + cs for _, c, _, cs, _ in boxes)
    nrows = max(r + rs for r, _, rs, _, _ in boxes)
    # Column widths follow the longest single-column text, then are scaled to the page.
    want = [28.0] * ncols
    for _, c, _, cs, text in boxes:
        if cs == 1:
            want[c] = max(want[c], min(_width(text, CELL_SIZE) + 2 * PAD, 150))
    scale = (PAGE_W - 2 * MARGIN) / sum(want)
    widths = [w * scale for w in want]
    xs = [MARGIN + sum(widths[:i]) for i in range(ncols + 1)]
    heights = [CELL_SIZE + 2 * PAD + 2] * nrows
    for r, c, rs, cs, text in boxes:
        if rs == 1:
            n = len(_wrap(text, xs[c + cs] - xs[c] - 2 * PAD, CELL_SIZE))
            heights[r] = max(heights[r], n * (CELL_SIZE + 1) + 2 * PAD + 2)
    ys = [top - sum(heights[:i]) for i in range(nrows + 1)]
    ops = ["0.5 w"]
    text_ops = []
    for r, c, rs, cs, text in boxes:
        x0, x1, y0, y1 = xs[c], xs[c + cs], ys[r + rs], ys[r]
        ops.append(f"{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f} re S")
        y = y1 - PAD - CELL_SIZE
        for line in _wrap(text, x1 - x0 - 2 * PAD, CELL_SIZE):
            if line:
                text_ops.append(f"1 0 0 1 {x0 + PAD:.2f} {y:.2f} Tm <{_pdf_hex(line)}> Tj")
            y -= CELL_SIZE + 1
    ops += ["BT", f"/F1 {CELL_SIZE} Tf", *text_ops, "ET"]
    return ops, ys[-1]


def _table_height(rows) -> float:
    return _table_ops(rows, PAGE_H)[1] * -1 + PAGE_H


def report_pdf(item: Item | list[Block], title: str | None = None) -> bytes:
    """The report's blocks on A4 pages: paragraphs as wrapped lines, tables as ruled grids. A table that
    does not fit on what is left of a page starts a new one, as Word does with "keep rows together"."""
    blocks = item.blocks if isinstance(item, Item) else item
    if title is None and isinstance(item, Item):
        title = item.title
    pages: list[list[str]] = [[]]
    y = PAGE_H - MARGIN

    def text_line(line: str) -> None:
        nonlocal y
        if y - BODY_SIZE < MARGIN:
            pages.append([])
            y = PAGE_H - MARGIN
        y -= BODY_SIZE + 4
        pages[-1] += [
            "BT",
            f"/F1 {BODY_SIZE} Tf",
            f"1 0 0 1 {MARGIN} {y:.2f} Tm <{_pdf_hex(line)}> Tj",
            "ET",
        ]

    if title:
        text_line(title)
    for block in blocks:
        if block.kind != "table":
            for line in _wrap(block.text, PAGE_W - 2 * MARGIN, BODY_SIZE):
                text_line(line)
            continue
        if y - _table_height(block.rows) - 6 < MARGIN:
            pages.append([])
            y = PAGE_H - MARGIN
        ops, bottom = _table_ops(block.rows, y - 6)
        pages[-1] += ops
        y = bottom - 4
    return _assemble(pages)


def _assemble(pages: list[list[str]]) -> bytes:
    """The PDF file around the pages' content streams: catalog, page tree, one shared font."""
    objs: list[bytes] = [b"", b"", _FONT]  # catalog and page tree filled in below
    kids = []
    for ops in pages:
        stream = zlib.compress("\n".join(ops).encode("ascii"))
        objs.append(
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
            + stream
            + b"\nendstream"
        )
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>"
            % (PAGE_W, PAGE_H, len(objs))
        )
        kids.append(len(objs))
    objs[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objs[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    )
    return out.getvalue()
