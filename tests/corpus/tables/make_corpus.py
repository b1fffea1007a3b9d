"""`python tests/corpus/tables/make_corpus.py [--scans]`: the hard corpus of statutory tables.

Every document is made here from the sample content model (sample_portals.model Blocks), one per
failure class real reports showed: the 2019-era layout printed in a 2023 report, row labels misprinted
by the report itself, a 三 table split over a PDF page break with a row label cut in two, tables set
without borders (text-layer PDFs read from the words' positions), text dumps of
other tools (PDF→markdown shredded, OCR-style spaced text, a page's text run together), and image-only
scans of the PDFs (150 and 200 dpi, turned, blurred, JPEG noise). goldens.json holds each document's
cells, computed from the Blocks (tests/test_tables.expected_cells), never from the parser.
"""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(HERE)]

from split_pdf import split_report_pdf  # noqa: E402  (tests/corpus/tables/split_pdf.py)
from test_tables import _html, _statutory_reports, expected_cells  # noqa: E402

from sample_portals.model import Item, golden_text  # noqa: E402

# Misprints real reports carry: a character missing, one wrong, one extra (label → as printed).
MISPRINTS = {
    "4.保护第三方合法权益": "4.保护第三方合法权",
    "6.属于四类过程性信息": "6.属于四类过程信息",
    "3.补正后申请内容仍不明确": "3.补正后申请內容仍不明碓",
    "2.重复申请": "2.重复申请件",
    "行政处罚": "行政处伐",
    "7.属于行政执法案卷": "7.属于行政执法案",
}


def _relabel(item: Item, mapping: dict[str, str]) -> Item:
    out = copy.deepcopy(item)
    for block in out.blocks:
        if block.kind != "table":
            continue
        for row in block.rows:
            for i, cell in enumerate(row):
                text = cell if isinstance(cell, str) else cell[0]
                if text in mapping:
                    row[i] = mapping[text] if isinstance(cell, str) else (mapping[text], *cell[1:])
    return out


def _cells(row) -> list[str]:
    return [(c if isinstance(c, str) else c[0]).strip() for c in row]


def markdown_shredded(item: Item, rng: random.Random) -> str:
    """PDF→markdown as other tools leave it: a long label's tail wrapped onto a pipe row of its own,
    the header printed again mid-table, and in one row an empty-looking 0 cell dropped."""
    lines = []
    for block in item.blocks:
        if block.kind != "table":
            lines.append(("## " if block.kind == "h" else "") + block.text)
            continue
        rows = [_cells(r) for r in block.rows]
        width = max(len(r) for r in rows)
        lines.append("| " + " | ".join([""] * width) + " |")
        lines.append("|" + "---|" * width)
        dropped = False
        for n, cells in enumerate(rows):
            label = cells[0]
            if len(label) > 16 and len(cells) > 7:
                head, tail = label[:12], label[12:]
                lines.append("| " + " | ".join([head, *cells[1:]]) + " |")
                lines.append("| " + " | ".join([tail] + [""] * (len(cells) - 1)) + " |")
                continue
            if not dropped and len(cells) >= 8 and cells[-2] == "0" and n > 6:
                cells = cells[:-2] + cells[-1:]  # the converter lost a cell
                dropped = True
            if n == 12 and len(rows) > 20:
                lines.append("| " + " | ".join(rows[2]) + " |")  # header interleaved
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def spaced_ocr_text(item: Item, rng: random.Random) -> str:
    """OCR text of a table: cells separated by spaces, empty cells gone, labels with a slip or two."""
    lines = []
    for block in item.blocks:
        if block.kind != "table":
            lines.append(block.text)
            continue
        for row in block.rows:
            cells = [c for c in _cells(row) if c]
            if cells and len(cells[0]) > 6 and rng.random() < 0.3:
                k = rng.randrange(2, len(cells[0]) - 1)
                cells[0] = cells[0][:k] + cells[0][k + 1 :]  # a character the OCR missed
            lines.append(" ".join(cells))
    return "\n".join(lines)


def run_together(item: Item, rng: random.Random) -> str:
    """A page's text with each table flattened into one line: cells run together with no separator,
    sometimes a space between two figures."""
    out = []
    for block in item.blocks:
        if block.kind != "table":
            out.append(block.text)
            continue
        parts = []
        for row in block.rows:
            cells = [c for c in _cells(row) if c]
            text = ""
            for c in cells:
                sep = (
                    " "
                    if text and text[-1].isdigit() and c[0].isdigit() and rng.random() < 0.2
                    else ""
                )
                text += sep + c
            parts.append(text)
        out.append("".join(parts))
    return "\n".join(out)


def blank_zeros(item: Item) -> Item:
    """A report that leaves every other 0 of its tables blank, as many print an empty cell for none."""
    out = copy.deepcopy(item)
    for block in out.blocks:
        if block.kind == "table":
            for row in block.rows:
                for i, cell in enumerate(row):
                    if cell == "0" and i % 2 == 0:
                        row[i] = ""
    return out


def layout_2019_in_2023() -> Item:
    src = next(it for it in _statutory_reports() if it.seed is None and it.year == 2020)
    out = copy.deepcopy(src)
    out.title = out.title.replace("2020", "2023")
    out.year = 2023
    return out


def documents() -> list[tuple[str, Item, int, str, object]]:
    """(name, item, year, shape, content) for every document of the corpus."""
    rng = random.Random(14)
    reports = [it for it in _statutory_reports() if it.seed is None]
    r2021 = [it for it in reports if it.year >= 2021][:3]
    r2019 = [it for it in reports if it.year <= 2020][:2]
    docs = []
    old = layout_2019_in_2023()
    docs += [("layout2019-2023.txt", old, 2023, "text", golden_text(old)),
             ("layout2019-2023.html", old, 2023, "html", _html(old)),
             ("layout2019-2023.pdf", old, 2023, "pdf", split_report_pdf(old, None))]  # fmt: skip
    for n, it in enumerate(r2021[:2] + r2019[:1]):
        bad = _relabel(it, MISPRINTS)
        # the goldens come from the report as it should read: a misprint changes no cell
        docs += [(f"misprint-{n}.html", it, it.year, "html", _html(bad)),
                 (f"misprint-{n}.pdf", it, it.year, "pdf", split_report_pdf(bad, None))]  # fmt: skip
    for n, it in enumerate(r2021[:2] + r2019):
        docs.append((f"split-{n}.pdf", it, it.year, "pdf", split_report_pdf(it, "三")))
    # tables set with spaces, no borders drawn; the second leaves half its zeros blank, so only the
    # words' positions say which column a figure stands in
    for n, it in enumerate((r2021[2], blank_zeros(r2019[1]))):
        docs.append((f"unruled-{n}.pdf", it, it.year, "pdf", split_report_pdf(it, None, False)))
    for n, it in enumerate(r2021 + r2019):
        docs += [(f"markdown-{n}.md", it, it.year, "text", markdown_shredded(it, rng)),
                 (f"ocrtext-{n}.txt", it, it.year, "text", spaced_ocr_text(it, rng)),
                 (f"runtogether-{n}.txt", it, it.year, "text", run_together(it, rng))]  # fmt: skip
    return docs


def golden(item: Item) -> dict:
    """Cells from the Blocks; the layout by what the Blocks print (a 2019 layout has a 其他处理 row
    of figures), which is what expected_cells reads from the year."""
    probe = copy.copy(item)
    if any("信访投诉举报" in str(b.rows) for b in item.blocks if b.kind == "table"):
        probe.year = min(item.year, 2020)
    return {"|".join(k): v for k, v in expected_cells(probe).items()}


# The scans (source PDF, dpi, degrees turned, blur and specks, JPEG quality): both templates, the 2019
# layout in a 2023 report, misprinted labels and a table split over a page break, at 150, 175 and 200 dpi,
# clean and noisy.
SCANS = (
    ("split-0.pdf", 150, 1.2, True, 55),
    ("misprint-1.pdf", 200, -0.8, True, 55),
    ("layout2019-2023.pdf", 175, 2.0, True, 45),
    ("split-2.pdf", 200, 0.3, False, 80),
    ("misprint-0.pdf", 150, -1.6, False, 70),
)


def main(scans: bool) -> None:
    goldens = {}
    for name, item, year, shape, content in documents():
        path = HERE / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        goldens[name] = {"year": year, "shape": shape, "cells": golden(item)}
    if scans:
        from scans import make_scan

        for src, dpi, angle, noise, quality in SCANS:
            name = src.replace(".pdf", f"-scan{dpi}{'' if noise else '-clean'}.pdf")
            scan = make_scan((HERE / src).read_bytes(), dpi, angle, dpi, quality, noise)
            (HERE / name).write_bytes(scan)
            goldens[name] = goldens[src] | {"shape": "scan"}
    lines = [json.dumps(name, ensure_ascii=False) + ": " + json.dumps(g, ensure_ascii=False, sort_keys=True)
             for name, g in sorted(goldens.items())]  # fmt: skip
    (HERE / "goldens.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


if __name__ == "__main__":
    main("--scans" in sys.argv)
