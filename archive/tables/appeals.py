"""Section 四 (行政复议、行政诉讼): fifteen figures, five outcomes for each of three groups.

The template's header is three rows (复议 | 诉讼; five outcomes, 未经复议直接起诉, 复议后起诉; ten
outcomes); flattened exports print one row of fifteen, each label sometimes naming its group
("行政复议结果维持"). Outcome order comes from the labels; which group a run of five belongs to from its
own label, else from the order the group labels are printed in. Figures run together are split so that
each group's 总计 is the sum of its four outcomes.
"""

from __future__ import annotations

from .arithmetic import row_candidates
from .labels import match
from .result import make_cell
from .sections import Record
from .template import Line, Section
from .values import key

__all__ = ["read_appeals"]


def _group(k: str, sec: Section) -> Line | None:
    """The row of section 四 a header label names, if it names one ("行政诉讼" alone names none)."""
    for code, word in (
        ("4.suit_after_review", "复议后"),
        ("4.suit_direct", "未经复议"),
        ("4.review", "行政复议"),
    ):
        if word in k:
            return sec.row(code)
    return None


def _order(headers: list[list[str]], sec: Section) -> list[tuple[Line, Line]]:
    rows, cols = list(sec.rows), list(sec.cols)
    default = [(r, c) for r in rows for c in cols]
    outcome_rows: list[list[tuple[Line | None, Line]]] = []
    groups: list[Line] = []
    for keys in headers:
        out = []
        for k in keys:
            m = match(k, cols, fuzzy=len(k) <= 8)
            group = _group(k, sec)
            if m is not None:
                out.append((group, m.line))
            elif group is not None and group not in groups:
                groups.append(group)
        outcome_rows.append(out)
    review = sec.row("4.review")
    suits = [g for g in groups if g is not review] or rows[1:]
    order_groups = [review, *suits] if len(suits) == 2 else rows
    longest = max(outcome_rows, key=len, default=[])
    if len(longest) == 15:
        slots = longest
    elif len(longest) == 10:
        first = next((o for o in outcome_rows if len(o) == 5), [(None, c) for c in cols])
        slots = first + longest
    else:
        return default
    order = [(group or order_groups[i // 5], col) for i, (group, col) in enumerate(slots)]
    if len(set(order)) != 15:
        return default
    return order


def read_appeals(recs: list[Record], sec: Section, template: str, quirks: dict) -> list[dict]:
    values: list[str] = []
    confs: list[float] = []
    headers: list[list[str]] = []
    positional = True
    first: Record | None = None
    width = len(sec.rows) * len(sec.cols)
    for rec in recs:
        if rec.labels and len([v for v in rec.values if v is not None]) < width:
            if not rec.values:
                headers.append([key(label) for label in rec.labels])
                continue
            if len(rec.values) < 3 and not any(len(v) > 2 for v in rec.values):
                continue  # a stray figure beside a header, not the table's row
        first = first or rec
        values.extend(rec.values)
        confs.extend(rec.conf or [1.0] * len(rec.values))
        positional = positional and rec.positional
    if positional and len(values) >= width:
        values, confs = values[-width:], confs[-width:]
    if not positional:
        keep = [i for i, v in enumerate(values) if v]
        values, confs = [values[i] for i in keep], [confs[i] for i in keep]
    arith = None
    tokens = [v for v in values if v]
    if (
        0 < len(tokens) < width
        and any(len(t) >= 2 for t in tokens)
        and (not positional or len(tokens) == len(values))
    ):
        values = tokens
        cands, how = row_candidates(values, width, [len(sec.cols)] * len(sec.rows))
        if len(cands) == 1:
            values, arith = cands[0], "split"
        elif cands:
            values = [
                vs.pop() if len(vs := {c[i] for c in cands}) == 1 else None for i in range(width)
            ]
            arith = "ambiguous-some"
        else:
            arith = "ambiguous"
    placed = dict(zip(_order(headers, sec), range(width), strict=True))
    cells = []
    for row in sec.rows:
        for col in sec.cols:
            i = placed[(row, col)]
            raw = values[i] if i < len(values) else None
            a = arith
            if arith == "ambiguous-some":
                a = "split" if raw is not None else "ambiguous"
            elif arith == "ambiguous" or (
                arith is None and i >= len(values) and values and not positional
            ):
                a = "ambiguous"
            cells.append(
                make_cell(
                    "四", row, col, raw, template=template,
                    method=first.row.method if first else None,
                    page=first.row.page if first else None,
                    label=row.label, label_distance=0,
                    confidence=round(confs[i], 3) if i < len(confs) else None,
                    arithmetic=a, read=first is not None,
                )
            )  # fmt: skip
    return cells
