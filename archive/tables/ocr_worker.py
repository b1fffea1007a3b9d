"""The OCR child process: `python -m archive.tables.ocr_worker FILE PAGES DPI` prints JSON, and so does
`python -m archive.tables.ocr_worker --images FILE...` for page images.

Runs under the limits ocr.py sets; reads nothing but the PDF or images it is given and the models inside the
rapidocr-onnxruntime wheel.
"""

from __future__ import annotations

import json
import re
import sys
import time

from .ocr_grid import cell_crops, deskew, find_cells, line_crops, rows_of_cells

# What OCR reads for a figure in a table cell, letters that look like digits folded: "O" → 0,
# "l"/"I"/"|" → 1, "S" → 5, e.g. "1O" → "10", "l2" → "12", "-S" → "-5"; only for cells that are
# otherwise digits, or a sign and such a letter.
_DIGITISH = re.compile(r"^[-−]?[\dOoDlI|S,，.]+$")
_FOLD = str.maketrans(
    {"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "，": ","}
)
# Specks read as punctuation around a figure: "0.", "1。", "：3", "·0".
_SPECKS = re.compile(r"^[.。：:·'`，,、]+|[.。：:·'`，,、]+$")


# A lone small 0 in a cell, as the recogniser reads it: "。", "o", "O", "○", "〇", "°", "θ".
_ZERO_ALONE = {"。", "o", "O", "○", "〇", "°", "D", "θ", "Θ"}


def _clean(text: str) -> str:
    text = text.strip()
    if text in _ZERO_ALONE:
        return "0"
    bare = _SPECKS.sub("", text)
    if bare and _DIGITISH.match(bare) and (any(ch.isdigit() for ch in bare) or bare[0] in "-−"):
        return bare.translate(_FOLD)
    return text


UPRIGHT = 0.85  # mean confidence of the sample from which a page is taken to be the right way up
SAMPLE = 8  # crops the orientation is judged on


def _sample_score(engine, gray) -> tuple[float, tuple]:
    """Mean confidence on a sample of the page's crops, and the page's grid (found on the way)."""
    import numpy as np

    cells, tables = grid = find_cells(gray)
    crops, _ = cell_crops(gray, [cells[i] for t in tables for i in t["cells"]])
    if len(crops) < 3:
        crops, _ = line_crops(gray, [])
    # a few words each (a label, a heading): long lines cost time, lone figures say little
    crops = [c for c in crops if 2 <= c.shape[1] / max(1, c.shape[0]) <= 12]
    crops = sorted(crops, key=lambda c: -c.shape[1])[:SAMPLE]
    if not crops:
        return 0.0, grid
    texts = engine.text_rec([np.dstack([c] * 3) for c in crops])[0]
    return sum(float(score) for _, score in texts) / len(texts), grid


def upright(engine, gray):
    """The page the right way up, the quarter turns (counter-clockwise) that took, and its grid
    (cells, tables) that way up. A landscape table scanned sideways, or a sheet fed upside down, has
    its rules where a table's are but text the recogniser cannot read, so the whole table would be
    lost. Judged on a sample of crops; a page that already reads well is not turned."""
    import numpy as np

    first, grid = _sample_score(engine, gray)
    if first >= UPRIGHT:
        return gray, 0, grid
    best = (first, 0, gray, grid)
    for k in (2, 1, 3):
        turned = np.ascontiguousarray(np.rot90(gray, k))
        score, grid = _sample_score(engine, turned)
        if score > best[0]:
            best = (score, k, turned, grid)
        if score >= UPRIGHT:
            break
    return best[2], best[1], best[3]


def read_page(engine, gray) -> dict:
    import cv2
    import numpy as np

    start = time.perf_counter()
    gray = cv2.medianBlur(gray, 3)  # salt-and-pepper specks of a scan, before anything is measured
    gray, angle = deskew(gray)  # the rules lie flat whichever way up the sheet is
    gray, turns, (cells, tables) = upright(engine, gray)
    crops, where = cell_crops(gray, cells)
    texts = engine.text_rec([np.dstack([c] * 3) for c in crops])[0] if crops else []
    read: dict[int, list[tuple[str, float]]] = {}
    for (cell_no, _), (text, score) in zip(where, texts, strict=True):
        read.setdefault(cell_no, []).append((text, float(score)))
    placed = []  # (top, order, row dict)
    for n, table in enumerate(tables):
        for i, row in enumerate(rows_of_cells(table, cells)):
            cells_text, conf = [], []
            for cell_no in row:
                parts = read.get(cell_no, [])
                text = _clean("".join(t for t, _ in parts))
                # ink the recogniser could not read is not an empty cell: "?" keeps it unread
                cells_text.append(text if text or not parts else "?")
                conf.append(min((s for _, s in parts), default=1.0))
            if any(cells_text):
                top = cells[row[0]][1]
                placed.append((top, n * 100000 + i, {"cells": cells_text, "positional": True,
                                                     "conf": [round(c, 3) for c in conf]}))  # fmt: skip
    lines, tops = line_crops(gray, [t["bbox"] for t in tables])
    line_texts = engine.text_rec([np.dstack([c] * 3) for c in lines])[0] if lines else []
    for top, (text, score) in zip(tops, line_texts, strict=True):
        if text.strip():
            placed.append((top, -1, {"cells": [text.strip()], "positional": False,
                                     "conf": [round(float(score), 3)]}))  # fmt: skip
    placed.sort(key=lambda p: (p[0], p[1]))
    rows = [r for _, _, r in placed]
    text = "\n".join(" | ".join(c for c in r["cells"]) for r in rows)
    return {
        "rows": rows,
        "text": text,
        "angle": round(angle, 3),
        "turned": 90 * turns,
        "seconds": round(time.perf_counter() - start, 3),
    }


# The most pixels an image may have: a 图片版 page scanned at 300 dpi is ~10 million; a 30,000 × 30,000
# "image" is a decompression bomb, refused before it is decoded.
MAX_PIXELS = 40_000_000


def _image_size(path: str) -> tuple[int, int]:
    from PIL import Image

    with Image.open(path) as im:  # reads the header only
        return im.size


def read_images(engine, paths: list[str]) -> dict:
    """{position from 1: page} for image files (a 图片版 report's pages); an image that cannot be read
    is {"error": why}, the others are still read."""
    import cv2

    out = {}
    for number, path in enumerate(paths, 1):
        start = time.perf_counter()
        try:
            width, height = _image_size(path)
            if width * height > MAX_PIXELS:
                raise ValueError(f"{width}x{height} pixels > {MAX_PIXELS}")
            gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
            if gray is None:
                raise ValueError("not an image OpenCV can decode")
            page = read_page(engine, gray)
        except Exception as exc:  # one broken image is that image's error, not the report's
            out[number] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            continue
        page["seconds"] = round(time.perf_counter() - start, 3)
        out[number] = page
    return out


def main(argv: list[str]) -> int:
    import pypdfium2
    from rapidocr_onnxruntime import RapidOCR

    # Recognition batches of 2 crops, not the default 6: a batch is padded to its widest crop, and on a
    # page of many wide line crops 6 at a time took the process to 394 MB (2: 220 MB, same text, no
    # slower), which counts against the crawl's memory budget (bench/hostile.py).
    engine = RapidOCR(rec_batch_num=2)
    if argv[0] == "--images":
        sys.stdout.write(json.dumps(read_images(engine, argv[1:]), ensure_ascii=False))
        return 0
    path, pages, dpi = argv[0], [int(p) for p in argv[1].split(",") if p], int(argv[2])
    pdf = pypdfium2.PdfDocument(path)
    out = {}
    for number in pages:
        start = time.perf_counter()
        image = pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_numpy()
        gray = image if image.ndim == 2 else image[..., 0]
        page = read_page(engine, gray.copy())
        page["seconds"] = round(time.perf_counter() - start, 3)
        out[number] = page
    pdf.close()
    sys.stdout.write(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
