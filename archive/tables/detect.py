"""Which layout a report prints, decided from what it prints, not from its year.

Every template file lists markers (labels, or a row shape such as a （六）其他处理 row carrying figures,
that only its layout prints: +1 each) and forbids (what its layout never prints: -2 each). The best
score wins; the year decides only when the tables say nothing either way (a table with no telling
label), and a text with neither 本年新收 nor 行政复议 has no statutory tables at all.
"""

from __future__ import annotations

from .labels import strip_numbering
from .rows import Row
from .sections import records, section_rows
from .template import Template, templates
from .values import key

__all__ = ["detect", "detect_template"]


def _row_with_figures(rows: list[Row], label: str) -> bool:
    """A section 三 row named `label` that carries figures of its own (in the row, or in the value
    lines that follow it in one-cell-per-line text) rather than spanning sub-rows."""
    want = key(label)
    recs = records(section_rows(rows)["三"])
    for i, rec in enumerate(recs):
        if not rec.labels or not strip_numbering(rec.labels[-1]).startswith(want):
            continue
        if len(strip_numbering(rec.labels[-1])) > len(want) + 2:
            continue
        if any(v.strip() for v in rec.values):
            return True
        nxt = recs[i + 1] if i + 1 < len(recs) else None
        if nxt is not None and not nxt.labels and any(v.strip() for v in nxt.values):
            return True
    return False


def _present(marker, flat: str, rows: list[Row]) -> bool:
    if isinstance(marker, dict):
        return _row_with_figures(rows, marker["row_with_figures"])
    return key(marker) in flat


def _score(t: Template, flat: str, rows: list[Row]) -> int:
    return sum(1 for m in t.markers if _present(m, flat, rows)) - 2 * sum(
        1 for f in t.forbids if _present(f, flat, rows)
    )


def detect(rows: list[Row], text: str, year: int | None = None) -> Template | None:
    flat = key(text)
    scored = [(_score(t, flat, rows), t) for t in templates()]
    best = max(s for s, _ in scored)
    top = [t for s, t in scored if s == best]
    if best > 0 and len(top) == 1:
        return top[0]
    if "本年新收" not in flat and "行政复议" not in flat:
        return None
    if year is not None:
        for t in top if best > 0 else [t for _, t in scored]:
            if len(t.years) == 2 and t.years[0] <= year <= t.years[1]:
                return t
    return top[0] if best > 0 else None


def detect_template(text: str, year: int | None = None) -> str | None:
    """The template id of a text (kept for callers that only have text)."""
    from .rows import rows_from_text

    t = detect(rows_from_text(text), text, year)
    return t.id if t else None
