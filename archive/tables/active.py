"""Section 二 (主动公开政府信息情况): each "信息内容" header names the columns of the item rows under it.

The columns a row is read into come from the header printed above it (any template's column labels are
recognised, so a report mixing spellings is still read); a row printed without a usable header takes
the columns its layout prints for it. Section 二 has no arithmetic: figures run together are split only
when a single reading exists, else the cells are ambiguous.
"""

from __future__ import annotations

import functools

from .arithmetic import row_candidates
from .labels import match
from .result import make_cell
from .sections import Record
from .template import Line, Section, templates
from .values import key, parse_value

__all__ = ["read_active"]


@functools.cache
def _all_columns() -> tuple[Line, ...]:
    """Every template's section 二 columns, one line per code with all their spellings."""
    by_code: dict[str, Line] = {}
    for t in templates():
        for col in t.sections["二"].cols:
            old = by_code.get(col.code)
            spellings = tuple(dict.fromkeys((*(old.labels if old else ()), *col.labels)))
            by_code[col.code] = Line(col.item, spellings[0], spellings[1:])
    return tuple(by_code.values())


def _header(labels: list[str]) -> list[Line | None]:
    cols = _all_columns()
    if len(labels) == 1:  # a run-together header: every column label it holds, in printed order
        text = key(labels[0])
        hits = []
        for col in cols:
            for spelling in col.labels:
                pos = text.find(key(spelling))
                if pos >= 0:
                    hits.append((pos, -len(spelling), col))
                    break
        hits.sort(key=lambda h: (h[0], h[1]))
        out: list[Line | None] = []
        end = -1
        for pos, neg_len, col in hits:
            if pos >= end:
                out.append(col)
                end = pos - neg_len
        return out
    return [(m.line if (m := match(h, cols)) else None) for h in labels]


def _by_order(values, header, last, sec: Section, found) -> Line | None:
    """The row an OCR grid row stands for when its label could not be read ("?" in the label column,
    figures under the header's columns): the next statutory row after the one read before it, when
    that row is not read yet and prints the columns of this header."""
    cols = [c for c in header if c is not None]
    if len(values) != len(cols) + 1 or parse_value(values[0]) is not None:
        return None
    order = [r.code for r in sec.rows]
    start = order.index(last) + 1 if last in order else 0
    nxt = next((sec.row(c) for c in order[start:] if c not in found), None)
    if nxt is None or set(nxt.columns or (c.code for c in sec.cols)) != {c.code for c in cols}:
        return None
    return nxt


def read_active(recs: list[Record], sec: Section, template: str, quirks: dict) -> list[dict]:
    header: list[Line | None] | None = None
    in_header = False
    found: dict[str, tuple[Record, list[str], str, int]] = {}
    found_cols: dict[str, list[Line | None]] = {}
    pending: str | None = None
    last: str | None = None  # the row matched last, header or not: the statutory order goes on
    all_rows = sec.rows + tuple(
        r for t in templates() for r in t.sections["二"].rows if sec.row(r.code) is None
    )
    for rec in recs:
        labels, values = rec.labels, rec.values
        if labels and key(labels[0]).startswith("信息内容"):
            rest = labels[1:] or [key(labels[0]).removeprefix("信息内容")]
            header = _header([h for h in rest if h])
            in_header, pending = True, None
            continue
        if labels and key(labels[0]).startswith("第二十条"):
            in_header, pending = False, None
            continue
        m = match(labels[-1], all_rows) if labels else None
        if m is None and not labels and rec.positional and header:
            guess = _by_order(values, header, last, sec, found)
            if guess is not None:
                found[guess.code] = (rec, values[1:], values[0], len(key(values[0])))
                found_cols[guess.code] = list(header)
                last = pending = guess.code
                in_header = False
                continue
        if m is None and in_header and labels:
            header = (header or []) + _header(labels)
            continue
        if m is not None:
            in_header = False
            code = m.line.code
            found[code] = (rec, list(values), labels[-1], m.distance)
            found_cols[code] = list(header or [])
            last = pending = code
        elif not labels and values and pending and not rec.positional:
            found[pending][1].extend(values)  # one cell per line: figures follow their label
    cells = []
    for code in [r.code for r in sec.rows] + [c for c in found if sec.row(c) is None]:
        row = sec.row(code) or next(r for r in all_rows if r.code == code)
        expected = [c for c in (sec.col(x) for x in row.columns) if c is not None]
        if code not in found:
            for col in expected:
                cells.append(make_cell("二", row, col, None, template=template, read=False))
            continue
        rec, values, read, dist = found[code]
        cols = [c for c in found_cols.get(code, []) if c is not None] or expected
        arith = None
        if not rec.positional and 0 < len(values) < len(cols):
            cands, _ = row_candidates(values, len(cols), None)
            if len(cands) == 1:
                values, arith = cands[0], "split"
            elif len(cands) > 1:
                values = [
                    vs.pop() if len(vs := {c[i] for c in cands}) == 1 else None
                    for i in range(len(cols))
                ]
                arith = "ambiguous"
        by_col: dict[str, tuple[str | None, str | None]] = {}
        for i, col in enumerate(cols):
            raw = values[i] if i < len(values) else None
            a = arith if (arith != "ambiguous" or raw is None) else "split"
            by_col.setdefault(col.code, (raw, a if arith else None))
        for col in expected + [c for c in cols if c.code not in {e.code for e in expected}]:
            raw, a = by_col.get(col.code, (None, None))
            conf = min(rec.conf) if rec.conf else 1.0
            cells.append(
                make_cell(
                    "二", row, col, raw, template=template, method=rec.row.method,
                    page=rec.row.page, label=read, label_distance=dist,
                    confidence=round(conf, 3), arithmetic=a,
                )
            )  # fmt: skip
    return cells
