"""Section 三 (收到和处理政府信息公开申请情况): rows onto the layout's codes, seven applicant columns.

Row labels are matched with tolerance (labels.py); a row whose label is lost or beyond recognition is
placed by the fixed order of the template when exactly one row is missing where it stands. Figures
are taken as printed; runs of digits and rows with a lost cell are read by the arithmetic
(arithmetic.py), and an OCR figure read with low confidence may be filled or corrected only where its
row and its column agree.
"""

from __future__ import annotations

import re

from .arithmetic import Filled, row_candidates, solve_requests
from .labels import distance, match, strip_numbering
from .result import make_cell
from .sections import Record
from .template import Line, Section
from .values import key

__all__ = ["read_requests", "request_order"]

LOW_CONFIDENCE = 0.9  # below it an OCR figure may be filled or corrected by the sums
SURE = 0.6  # from it an OCR figure may serve as a term of those sums
_HEADER_WORDS = ("自然人", "申请人情况", "商业企业")


def _is_header(keys: list[str]) -> bool:
    return any(k in _HEADER_WORDS or "法人或其他组织" in k for k in keys)


def request_order(headers: list[list[str]], sec: Section) -> list[Line]:
    """The applicant columns in the order the header prints them. A grid gives one row with all seven
    (rowspanned labels repeated); text gives "自然人 | 法人或其他组织 | 总计" and, on the next row, the
    five kinds of organisation that 法人或其他组织 stands for. Template order when the header says less."""
    cols = list(sec.cols)
    orgs = [c for c in cols if c.code not in ("natural", "total")]
    candidates = []
    for keys in headers:
        seq: list[Line | str] = []
        for k in keys:
            if "申请人情况" in k or "勾稽" in k:
                continue
            m = None if "法人或其他组织" in k else match(k, cols, fuzzy=len(k) >= 4)
            item = "orgs" if "法人或其他组织" in k else (m.line if m else None)
            if item is not None and (not seq or seq[-1] != item):
                seq.append(item)
        candidates.append(seq)
    sub = next((s for s in candidates if len(s) == 5 and all(x in orgs for x in s)), orgs)
    for seq in candidates:
        flat = [y for x in seq for y in (sub if x == "orgs" else [x])]
        if len(flat) == len(cols) and set(flat) == set(cols):
            return flat
    return cols


def _is_run(values: list[str]) -> bool:
    return any(len(re.sub(r"\D", "", v)) >= 2 for v in values)


def _match_rows(recs: list[Record], sec: Section):
    """Walk the records: headers, group rows, leaf rows; returns what was found and what was not."""
    group: str | None = None
    seen_new = False
    found: dict[str, tuple[Record, str, int]] = {}  # code -> record, label read, distance
    seq: list[tuple[str, object]] = []
    headers: list[list[str]] = []
    pending: str | int | None = None  # the row that figures on the next lines belong to
    plain = [r for r in sec.rows if r.code != "3.result.total"]
    total = sec.row("3.result.total")
    for rec in recs:
        keys = [key(label) for label in rec.labels]
        if _is_header(keys):
            if not rec.values:
                headers.append(keys)
            continue  # header rows (printed again where a table broke over a page: same order)
        leaf = None
        for k in keys:
            # A group is the whole cell ("（三）不予公开"): tolerance only for a label that short.
            g = match(k, sec.groups, fuzzy=len(strip_numbering(k)) <= 8)
            if g is not None:
                group = None if g.line.code == "3.result" else g.line.code
            m = match(k, [r for r in plain if not r.exact or r.item.group == group])
            if m is None and seen_new and total and ("总计" in k or "合计" in k):
                m = match(k, [total])
            if m is not None:
                leaf = (m, k)
        if leaf is not None:
            m, k = leaf
            seen_new = seen_new or m.line.code == "3.new"
            if m.line.item.group is None:
                group = None
            if m.line.code not in found:
                found[m.line.code] = (rec, k, m.distance)
                seq.append(("found", m.line.code))
            pending = m.line.code
        elif not rec.labels and rec.values and pending is not None and not rec.positional:
            if isinstance(pending, int):  # figures of a row whose label matched nothing
                prev = seq[pending][1]
                seq[pending] = (
                    "unmatched",
                    Record(prev.labels, prev.values + rec.values, prev.row),
                )
            else:
                prev = found[pending][0]
                found[pending] = (
                    Record(prev.labels, prev.values + rec.values, prev.row, None),
                    *found[pending][1:],
                )
        elif seen_new and (
            any(v.strip() for v in rec.values) or (keys and g is None and not rec.positional)
        ):
            seq.append(("unmatched", rec))
            pending = len(seq) - 1
        elif keys:
            pending = None
    return found, seq, headers


def _join_cut_labels(found, seq, sec: Section) -> None:
    """A row whose label a converter or a page break cut in two: one part carries the figures and
    matches nothing, the other matches the row but has no figures. They are one row."""
    for i in range(len(seq) - 1):
        (ka, a), (kb, b) = seq[i], seq[i + 1]
        pair = None
        if ka == "unmatched" and kb == "found" and not _has_values(found[b][0]):
            pair = (a, found[b][0], b, i)  # figures with the head, the tail names the row
        elif ka == "found" and kb == "unmatched" and not _has_values(found[a][0]):
            pair = (b, found[a][0], a, i + 1)  # the head names the row, figures with the tail
        if pair is None or not _has_values(pair[0]):
            continue
        figures, named, code, drop = pair
        first, second = (figures, named) if drop == i else (named, figures)
        label = "".join(first.labels[-1:]) + "".join(second.labels[-1:])
        m = match(label, [sec.row(code)])
        found[code] = (figures, label, m.distance if m else found[code][2])
        seq[drop] = ("merged", None)


def _has_values(rec: Record) -> bool:
    return any(v.strip() for v in rec.values)


def _place_by_order(found, seq, sec: Section) -> None:
    """Rows with figures whose labels matched nothing take the template rows missing where they stand
    (between the rows matched before and after them), one for one and in order, when their numbers
    agree; each label's distance is measured against the row it was given."""
    order = [r.code for r in sec.rows]
    i = 0
    while i < len(seq):
        if seq[i][0] != "unmatched":
            i += 1
            continue
        j = i
        while j < len(seq) and seq[j][0] == "unmatched":
            j += 1
        run = [k for k in range(i, j) if any(v.strip() for v in seq[k][1].values)]
        before = next((c for k, c in reversed(seq[:i]) if k == "found"), None)
        after = next((c for k, c in seq[j:] if k == "found"), None)
        lo = order.index(before) + 1 if before in order else 0
        hi = order.index(after) if after in order else len(order)
        gap = [c for c in order[lo:hi] if c not in found]
        if run and len(gap) == len(run):
            for k, code in zip(run, gap, strict=True):
                rec: Record = seq[k][1]
                read = strip_numbering(rec.labels[-1]) if rec.labels else ""
                found[code] = (rec, read, distance(read, key(sec.row(code).label)))
                seq[k] = ("found", code)
        i = j


def _candidates(rec: Record, width: int, lone_is_total: bool) -> tuple[list, str | None]:
    values = list(rec.values)
    if rec.positional and len(values) >= width:
        return [values[-width:]], None
    if not rec.positional:
        values = [v for v in values if v]
    if not values:
        return [[None] * width], None
    digits = re.sub(r"\D", "", "".join(values))
    if len(values) == 1 and lone_is_total and not (len(digits) >= width and _is_run(values)):
        return [[None] * (width - 1) + values], None
    if len(values) == width:
        return [values], None
    if rec.positional and len(values) < width and not _is_run(values):
        cands, how = row_candidates([v for v in values if v], width, [width])
        if cands:
            return cands, how
        return [values + [None] * (width - len(values))], "ambiguous"
    cands, how = row_candidates(values, width, [width])
    return cands or [[None] * width], how if cands else "ambiguous"


def read_requests(recs: list[Record], sec: Section, template: str, quirks: dict) -> list[dict]:
    found, seq, headers = _match_rows(recs, sec)
    _join_cut_labels(found, seq, sec)
    _place_by_order(found, seq, sec)
    order = request_order(headers, sec)
    width = len(sec.cols)
    cands: dict[str, list] = {}
    hows: dict[str, str | None] = {}
    for code, (rec, _, _) in found.items():
        cands[code], hows[code] = _candidates(rec, width, quirks.get("lone_figure_is_total", False))
    leaves = [
        r.code for r in sec.rows if r.code.startswith("3.result.") and r.code != "3.result.total"
    ]
    chosen = solve_requests(cands, leaves, width)
    cells = []
    for row in sec.rows:
        if row.code not in found:
            for col in sec.cols:
                cells.append(make_cell("三", row, col, None, template=template, read=False))
            continue
        rec, read, dist = found[row.code]
        pick = chosen.get(row.code)
        options = cands[row.code]
        how = hows[row.code]
        by_col = {}
        for i, col in enumerate(order):
            if how == "ambiguous":
                raw, arith = options[0][i], "ambiguous"
            elif pick is not None:
                raw = pick[i]
                arith = "filled" if isinstance(raw, Filled) else how
            else:  # several readings left: a cell they all agree on is still known
                seen = {o[i] for o in options}
                raw = seen.pop() if len(seen) == 1 else None
                arith = "split" if raw is not None else "ambiguous"
            conf = 1.0
            if rec.conf and rec.positional and len(rec.conf) >= width:
                conf = rec.conf[-width:][i]
            elif rec.conf:
                conf = min(rec.conf)
            by_col[col.code] = (raw, arith, conf)
        for col in sec.cols:
            raw, arith, conf = by_col[col.code]
            cells.append(
                make_cell(
                    "三", row, col, raw, template=template, method=rec.row.method,
                    page=rec.row.page, label=read, label_distance=dist,
                    confidence=round(conf, 3), arithmetic=arith,
                )
            )  # fmt: skip
    if any(c["method"] == "ocr" for c in cells):
        fix_low_confidence(cells, sec)
    return cells


def fix_low_confidence(cells: list[dict], sec: Section) -> None:
    """An OCR figure read with low confidence (or not read as a figure) takes the value its row and
    its column both imply — only when both can be computed and agree; marked filled or corrected."""
    grid = {(c["item_code"], c["col_label"]): c for c in cells if c["section"] == "三"}
    cols = [c.item.label for c in sec.cols]
    leaves = [
        r.code for r in sec.rows if r.code.startswith("3.result.") and r.code != "3.result.total"
    ]

    def sure(code, col):
        c = grid.get((code, col))
        if c is None or not c["read"] or c["arithmetic"] == "ambiguous":
            return None
        if c["method"] == "ocr" and (c["confidence"] or 0) < SURE:
            return None
        return c["value"] if c["value"] is not None else (0 if c["raw"] is None else None)

    for cell in cells:
        if cell["method"] != "ocr" or not cell["read"]:
            continue
        if (cell["confidence"] or 0) >= LOW_CONFIDENCE and not (
            cell["raw"] is not None and cell["value"] is None
        ):
            continue
        code, col = cell["item_code"], cell["col_label"]
        others = [sure(code, c) for c in cols if c != col]
        if None in others:
            continue
        by_row = sum(others[:-1]) if col == cols[-1] else others[-1] - sum(others[:-1])
        if code in leaves:
            parts = [sure(x, col) for x in leaves if x != code]
            tot = sure("3.result.total", col)
            by_col = None if None in parts or tot is None else tot - sum(parts)
        elif code == "3.result.total":
            parts = [sure(x, col) for x in leaves]
            by_col = None if None in parts else sum(parts)
        else:
            ins = {x: sure(x, col) for x in ("3.new", "3.carried", "3.result.total", "3.next_year")}
            ins.pop(code)
            if None in ins.values():
                continue
            if code in ("3.new", "3.carried"):
                other_in = ins.get("3.new", ins.get("3.carried"))
                by_col = ins["3.result.total"] + ins["3.next_year"] - other_in
            else:
                other_out = ins.get("3.result.total", ins.get("3.next_year"))
                by_col = ins["3.new"] + ins["3.carried"] - other_out
        if by_col is None or by_col != by_row or by_row < 0:
            continue
        if cell["value"] == by_row:
            continue
        cell["arithmetic"] = "filled" if cell["value"] is None else "corrected"
        cell["value"] = by_row
