"""A scanned page's ruled tables from its pixels: skew, rules, cells, and the ink to recognise.

The rules of a table are long thin runs of dark pixels; a morphological opening with a long flat (or
tall thin) kernel keeps them and drops the text. Their segments become the same edges pdfplumber builds
from a PDF's drawn lines, so its own functions turn them into cells and tables (a rowspan is one tall
cell, as in a text-layer PDF). Each cell's ink is cut into lines and handed to the recogniser on its own.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from pdfplumber.table import (
    cells_to_tables,
    edges_to_intersections,
    intersections_to_cells,
    merge_edges,
)

__all__ = ["deskew", "find_cells", "cell_crops", "rows_of_cells", "line_crops"]

INSET = 4  # pixels kept clear of a cell's rules
MIN_INK = 12  # dark pixels below which a cell is empty (scan noise)
# Paper kept around a cell's line of ink (pixels at 200 dpi, down, across): measured on the corpus
# scans, (2, 3) read 147 lone figures at 0.95 mean confidence, (4, 6) at 0.90, (6, 10) at 0.74.
MARGIN = (2, 3)
# Pieces of one rule further apart than this stay apart. A worn or photocopied rule breaks in places;
# only long runs count as rule pieces (_rules), so bridging 15 px gaps joins no text. On a scan with
# broken rules 6 px found 241 of its pages' 286 cells, 15 px 279; on clean scans the same cells.
JOIN = 15


def _binary(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0, robust to uneven paper and JPEG noise."""
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.adaptiveThreshold(
        255 - blur, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 25, -15
    )


def _rules(bw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    h, w = bw.shape
    hor = cv2.morphologyEx(
        bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(25, w // 40), 1))
    )
    ver = cv2.morphologyEx(
        bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(12, h // 90)))
    )
    return hor, ver


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """The page turned so that its long rules lie flat; returns it and the angle (degrees) removed.
    A page without long lines (no table) is left as it is."""
    h, w = gray.shape
    small = _binary(cv2.resize(gray, (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    # only long rules vote: the text's strokes are shorter than a quarter of the page
    found = cv2.HoughLinesP(small, 1, math.pi / 1440, 150, minLineLength=w // 8, maxLineGap=4)
    angles = []
    for x1, y1, x2, y2 in found.reshape(-1, 4) if found is not None else []:
        a = math.degrees(math.atan2(y2 - y1, x2 - x1))
        if abs(a) < 8:
            angles.append(a)
    if len(angles) < 3:
        return gray, 0.0
    angle = float(np.median(angles))
    if abs(angle) < 0.05:
        return gray, angle
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    out = cv2.warpAffine(gray, turn, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    return out, angle


def _segments(mask: np.ndarray, orientation: str) -> list[dict]:
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
    out = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        if orientation == "h" and w >= 20:
            mid = y + h / 2
            out.append({"orientation": "h", "x0": x, "x1": x + w, "top": mid, "bottom": mid,
                        "width": w, "height": 0, "object_type": "line"})  # fmt: skip
        elif orientation == "v" and h >= 10:
            mid = x + w / 2
            out.append({"orientation": "v", "x0": mid, "x1": mid, "top": y, "bottom": y + h,
                        "width": 0, "height": h, "object_type": "line"})  # fmt: skip
    return out


def find_cells(gray: np.ndarray) -> tuple[list[tuple], list[dict]]:
    """Cells (x0, top, x1, bottom) and tables [{"bbox", "cells": [cell indices]}] of a page."""
    hor, ver = _rules(_binary(gray))
    edges = merge_edges(_segments(hor, "h") + _segments(ver, "v"), 4, 4, JOIN, JOIN)
    cells = intersections_to_cells(edges_to_intersections(edges, 5, 5))
    index = {c: i for i, c in enumerate(cells)}
    tables = []
    for group in cells_to_tables(cells):
        if len(group) < 4:
            continue  # a boxed heading or a stamp, not a table
        xs0, tops, xs1, bottoms = zip(*group, strict=True)
        tables.append(
            {
                "bbox": (min(xs0), min(tops), max(xs1), max(bottoms)),
                "cells": [index[c] for c in group],
            }
        )
    return cells, tables


def rows_of_cells(table: dict, cells: list[tuple]) -> list[list[int]]:
    """A table's cells grouped into rows by their top edge, left to right (a rowspan counts in the row
    it starts in, as pdfplumber leaves a merged slot out)."""
    rows: list[tuple[float, list[int]]] = []
    for i in sorted(table["cells"], key=lambda i: (cells[i][1], cells[i][0])):
        top = cells[i][1]
        if rows and abs(rows[-1][0] - top) <= 4:
            rows[-1][1].append(i)
        else:
            rows.append((top, [i]))
    return [sorted(r, key=lambda i: cells[i][0]) for _, r in rows]


def _line_bands(ink: np.ndarray, min_gap: int = 2) -> list[tuple[int, int]]:
    """Runs of rows holding ink, split where at least `min_gap` rows are blank."""
    has = ink.sum(axis=1) > 0
    bands, start, blank = [], None, 0
    for y, on in enumerate(has):
        if on:
            if start is None:
                start = y
            blank = 0
        elif start is not None:
            blank += 1
            if blank >= min_gap:
                bands.append((start, y - blank + 1))
                start, blank = None, 0
    if start is not None:
        bands.append((start, len(has)))
    return [(a, b) for a, b in bands if b - a >= 4]


def _ink_span(colink: np.ndarray, height: int) -> tuple[int, int] | None:
    """The columns of a line's ink, leaving out specks that sit apart from it: in a wide cell a speck
    of dust far right of "4535" would stretch the crop into mostly blank paper, which the recogniser
    then reads as "1". Ink runs further apart than 1.5 line heights are separate groups; a group with
    less than a sixth of the biggest group's ink is a speck."""
    cols = np.nonzero(colink)[0]
    if len(cols) == 0:
        return None
    gap = max(12, int(1.5 * height))
    cuts = np.nonzero(np.diff(cols) > gap)[0]
    groups = np.split(cols, cuts + 1)
    inks = [int(colink[g[0] : g[-1] + 1].sum()) for g in groups]
    floor = max(MIN_INK, max(inks) / 6)
    kept = [g for g, ink in zip(groups, inks, strict=True) if ink >= floor]
    if not kept:
        return None
    return int(kept[0][0]), int(kept[-1][-1]) + 1


def without_rules(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The page with its rules painted white, and its ink without them. A crop cut a few pixels wide
    of a digit would otherwise carry the cell's rule along, and the recogniser reads "|0" as "。" or
    nothing at all (at 150 dpi most lone 0s were lost that way)."""
    bw = _binary(gray)
    hor, ver = _rules(bw)
    rules = cv2.dilate(hor | ver, np.ones((5, 5), np.uint8))
    clean = gray.copy()
    clean[rules > 0] = 255
    bw[rules > 0] = 0
    return clean, bw


def cell_crops(gray: np.ndarray, cells: list[tuple]) -> tuple[list[np.ndarray], list[tuple]]:
    """One grey crop per text line of every non-empty cell, and (cell index, line number) for each.
    The crops are tight (MARGIN): with white paper around a small 0 the recogniser takes it for "。"."""
    clean, bw = without_rules(gray)
    crops, where = [], []
    for n, (x0, top, x1, bottom) in enumerate(cells):
        x0, top, x1, bottom = (int(round(v)) for v in (x0, top, x1, bottom))
        sub = bw[top + INSET : bottom - INSET + 1, x0 + INSET : x1 - INSET + 1]
        if sub.size == 0 or int(sub.sum()) // 255 < MIN_INK:
            continue
        for k, (a, b) in enumerate(_line_bands(sub)):
            band = sub[a:b]
            span = _ink_span(band.sum(axis=0) // 255, b - a)
            if span is None or int(band.sum()) // 255 < MIN_INK:
                continue
            y0, y1 = top + INSET + a, top + INSET + b
            xa, xb = x0 + INSET + span[0], x0 + INSET + span[1]
            my, mx = MARGIN
            crops.append(
                np.ascontiguousarray(clean[max(0, y0 - my) : y1 + my, max(0, xa - mx) : xb + mx])
            )
            where.append((n, k))
    return crops, where


def line_crops(gray: np.ndarray, boxes: list[tuple]) -> tuple[list[np.ndarray], list[float]]:
    """The text lines outside the tables (headings, paragraphs), top to bottom, and their tops."""
    bw = _binary(gray)
    for x0, top, x1, bottom in boxes:
        bw[int(top) - 3 : int(bottom) + 4, int(x0) - 3 : int(x1) + 4] = 0
    bw = cv2.morphologyEx(bw, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    crops, tops = [], []
    for a, b in _line_bands(bw, min_gap=3):
        band = bw[a:b]
        cols = np.nonzero(band.sum(axis=0))[0]
        if len(cols) == 0 or int(band.sum()) // 255 < 40:
            continue
        crops.append(
            np.ascontiguousarray(gray[max(0, a - 4) : b + 4, max(0, cols[0] - 6) : cols[-1] + 7])
        )
        tops.append(float(a))
    return crops, tops
