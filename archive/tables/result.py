"""What one report's tables say, every cell with the evidence it was read from.

A cell is a dict: section, item_code, row_label, col_label (canonical), value, raw (as printed),
template, and the evidence: method (html / pdf-words / pdf-lines / text / ocr), page, label (the row
label as printed), label_distance (edits from the statutory spelling), confidence (0-1), arithmetic
(None, "split", "filled", "corrected" or "ambiguous"). `missing` lists every cell of the detected layout
that was not read as printed, so a gap is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .identities import checks
from .template import Line
from .values import parse_value

__all__ = ["TableResult", "make_cell", "EVIDENCE"]

EVIDENCE = ("method", "page", "label", "label_distance", "confidence", "arithmetic")


def make_cell(
    section: str,
    row: Line,
    col: Line,
    raw: str | None,
    *,
    template: str | None = None,
    method: str | None = None,
    page: int | None = None,
    label: str | None = None,
    label_distance: int | None = None,
    confidence: float | None = None,
    arithmetic: str | None = None,
    read: bool = True,
) -> dict:
    raw = raw if raw else None
    return {
        "section": section,
        "item_code": row.code,
        "row_label": row.item.label,
        "col_label": col.item.label,
        "value": parse_value(raw) if arithmetic != "ambiguous" else None,
        "raw": raw,
        "template": template,
        "method": method,
        "page": page,
        "label": label,
        "label_distance": label_distance,
        "confidence": confidence,
        "arithmetic": arithmetic,
        "read": read,  # False: the row (or the whole table) was not found
    }


def _why(cell: dict) -> str | None:
    if not cell["read"]:
        return "not found"
    if cell["arithmetic"] in ("ambiguous", "filled", "corrected"):
        return cell["arithmetic"]
    if cell["arithmetic"] == "split" and cell["section"] == "二":
        # 二 has no sums: a run of figures cut into its columns is the only cut, not a checked one
        # ("1210" in three columns may be 1 | 2 | 10 or 12 | 10 and a blank cell)
        return "split unchecked"
    if cell["raw"] is not None and cell["value"] is None and cell["method"] == "ocr":
        return "unreadable"
    return None


@dataclass
class TableResult:
    """Template, cells in canonical codes, why a table is missing, and whether anything was lost."""

    template: str | None
    cells: list[dict] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # section -> reason it yielded no cells
    annual_report: bool = False  # the text reads as an annual report (so no tables is a loss)
    text: str = ""  # the text the tables were read from (OCR text for a scan)
    method: str | None = None

    @property
    def missing(self) -> list[dict]:
        out = []
        for c in self.cells:
            why = _why(c)
            if why:
                out.append(
                    {k: c[k] for k in ("section", "item_code", "col_label", "raw")} | {"why": why}
                )
        for section, reason in self.problems.items():
            if self.template is not None or self.annual_report:
                out.append(
                    {"section": section, "item_code": None, "col_label": None, "why": reason}
                )
        return out

    @property
    def complete(self) -> bool:
        if self.template is None:
            return not self.annual_report
        return not self.missing

    def to_json(self) -> dict:
        return {
            "template": self.template,
            "complete": self.complete,
            "missing": self.missing,
            "cells": [{k: v for k, v in c.items() if k != "read"} for c in self.cells],
            "checks": checks(self),
        }
