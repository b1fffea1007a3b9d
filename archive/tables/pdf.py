"""Rows from a PDF: ruled tables as grids (pdfplumber), other text from its lines, scans by OCR.

Ruled tables are read cell by cell from their rules (method pdf-lines), so empty cells stay empty and
a merged cell counts once; text outside them is read line by line from the words' positions (method
pdf-words), which also reads tables laid out by spacing only and keeps the section headings between
tables. A page with no text layer (a scan) goes to OCR (ocr.py) and gives rows of the same shape
(method ocr). A table continuing on the next page simply goes on: the section readers match rows by
label and by their fixed order, so a row whose label the page break cut in two still finds its place.
"""

from __future__ import annotations

import re
from pathlib import Path

from .parse import parse_rows, parse_text
from .pdf_words import word_rows
from .rows import Row, split_spaced

__all__ = ["pdf_rows", "parse_pdf"]

# A page with fewer characters than this in its text layer is taken for a scan (a page number or a
# stamp's text may sit on top of the image).
MIN_TEXT_CHARS = 20


def _page_rows(page, number: int) -> tuple[list[Row], bool]:
    """One page as rows in reading order: each ruled table's rows, and every text line outside the
    tables as a one-cell row, so the section headings between tables still say where a table belongs.
    Returns the rows and whether the page had a ruled table at all."""
    placed: list[tuple[float, int, Row]] = []
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    for n, table in enumerate(tables):
        for i, tr in enumerate(table.extract()):
            # pdfplumber gives None for a slot a merged cell covers: a colspan counts once, and a
            # rowspan's label needs no repeating (the section readers remember the group they are in).
            cells = [re.sub(r"\s+", " ", c).strip() for c in tr if c is not None]
            if any(cells):
                placed.append(
                    (table.bbox[1], n * 100000 + i, Row(cells, True, "pdf-lines", number))
                )
    for line in page.extract_text_lines():
        mid_x, mid_y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        if any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes):
            continue
        text = line["text"].strip()
        if text:
            placed.append((line["top"], -1, split_spaced(text, "pdf-words", number)))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [row for _, _, row in placed], bool(tables)


def pdf_rows(path: str | Path, ocr: bool = True) -> tuple[list[Row], list[str], dict]:
    """Rows of every page, each page's text, and what was done: {"ruled": bool, "ocr_pages": [..],
    "ocr_error": str | None}. Scanned pages are read by OCR when `ocr` is True."""
    import pdfplumber

    rows: list[Row] = []
    texts: list[str] = []
    info: dict = {"ruled": False, "ocr_pages": [], "ocr_error": None, "word_rows": []}
    scans: list[int] = []
    with pdfplumber.open(str(path)) as pdf:
        for n, page in enumerate(pdf.pages, 1):
            text = page.extract_text() or ""
            if len(re.sub(r"\s", "", text)) < MIN_TEXT_CHARS:
                scans.append(n)
                texts.append("")
                rows.append(Row([f"\x00page {n}"], False, "ocr", n))  # where its rows will go
                continue
            texts.append(text)
            page_rows, ruled = _page_rows(page, n)
            if not ruled:
                info["word_rows"] += word_rows(page, n)
            rows.extend(page_rows)
            info["ruled"] = info["ruled"] or ruled
    if scans and ocr:
        from .ocr import ocr_pdf

        try:
            pages = ocr_pdf(path, scans)
        except Exception as exc:  # a failed OCR keeps the text pages and says why
            info["ocr_error"] = f"{type(exc).__name__}: {exc}"
            pages = {}
        out: list[Row] = []
        for row in rows:
            if row.method == "ocr" and row.cells[0].startswith("\x00page"):
                page = pages.get(row.page)
                if page:
                    out.extend(page["rows"])
                    texts[row.page - 1] = page["text"]
                continue
            out.append(row)
        rows = out
        info["ocr_pages"] = sorted(pages)
    else:
        rows = [r for r in rows if not (r.method == "ocr" and r.cells[0].startswith("\x00page"))]
    info["scanned_pages"] = scans
    return rows, texts, info


def _score(result) -> tuple[int, int]:
    """Fewer tables missing, then fewer cells unread: the better of two readings of one PDF."""
    return len(result.problems), len(result.missing)


def parse_pdf(path: str | Path, year: int | None = None, ocr: bool = True):
    """Tables from a PDF. Ruled tables are read as grids; a PDF without rules (tables drawn by spacing
    only) is read from its text lines; scanned pages by OCR. The text-only reading wins when it finds
    more tables (a PDF whose rules pdfplumber misreads)."""
    rows, texts, info = pdf_rows(path, ocr=ocr)
    unruled = info.pop("word_rows")
    text = "\n".join(texts)
    if not info["ruled"] and not info["ocr_pages"]:
        result = parse_text(text, year)
        for c in result.cells:
            c["method"] = "pdf-words" if c["method"] == "text" else c["method"]
        result.method = "pdf-words" if result.method == "text" else result.method
        # tables set without borders: the columns from where the words stand (pdf_words.py), which
        # keeps a blank cell in its place; the plain text reading when that reads no more
        words = parse_rows(
            unruled, "\n".join(" | ".join(r.cells) for r in unruled) + "\n" + text, year
        )
        if _score(words) <= _score(result):
            result = words
    else:
        result = parse_rows(rows, "\n".join(" | ".join(r.cells) for r in rows) + "\n" + text, year)
        if not info["ocr_pages"]:
            fallback = parse_text(text, year)
            if len(fallback.problems) < len(result.problems):
                result = fallback
    result.text = text
    result.annual_report = result.annual_report or bool(info["scanned_pages"])
    result.ocr = info  # type: ignore[attr-defined]
    if info["scanned_pages"] and not info["ocr_pages"]:
        why = info["ocr_error"] or "pages without a text layer were not read (OCR off)"
        for sec in ("二", "三", "四"):
            if result.template is None or sec in result.problems:
                result.problems[sec] = f"scanned pages {info['scanned_pages']}: {why}"
    return result
