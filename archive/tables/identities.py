"""The identities a template states, checked on one table: the leaf both result.py (a table's JSON
carries its checks) and checks.py (prose and carry-over checks on top) build on, so neither imports the
other.

Each check is a record {rule, expected, actual, ok, evidence}: ok is True, False, or None when it could
not be checked.
"""

from __future__ import annotations

from .template import STAT_ITEMS

__all__ = ["checks", "record", "add_up"]

_REQUEST_COLS = [i.label for i in STAT_ITEMS if i.section == "三" and i.axis == "col"]
_APPEAL_COLS = [i.label for i in STAT_ITEMS if i.section == "四" and i.axis == "col"]
_APPEAL_ROWS = [i for i in STAT_ITEMS if i.section == "四" and i.axis == "row"]
_ROW_LABEL = {i.code: i.label for i in STAT_ITEMS if i.axis == "row"}


def add_up(values: list) -> int | float:
    total = sum(v for v in values if v is not None)
    return round(total, 4) if isinstance(total, float) else total


def record(rule, expected, actual, evidence=None) -> dict:
    ok = None if expected is None or actual is None else expected == actual
    return {"rule": rule, "expected": expected, "actual": actual, "ok": ok, "evidence": evidence}


def checks(result) -> list[dict]:
    """The identities the templates state, one record per column or row checked.

    A check runs only when its figures are there: a row nobody filled in is not an inconsistency, and a
    missing part counts as 0 once some of the figures are given."""
    out: list[dict] = []
    for section, reason in result.problems.items():
        out.append(
            {"rule": f"{section} table readable", "expected": "table", "actual": reason,
             "ok": None, "evidence": None}
        )  # fmt: skip
    v = {(c["section"], c["item_code"], c["col_label"]): c["value"] for c in result.cells}
    rows3 = list(dict.fromkeys(c["item_code"] for c in result.cells if c["section"] == "三"))
    leaves = [r for r in rows3 if r.startswith("3.result.") and r != "3.result.total"]
    if "三" not in result.problems:
        for col in _REQUEST_COLS:
            parts_in = [v.get(("三", "3.new", col)), v.get(("三", "3.carried", col))]
            parts_out = [v.get(("三", "3.result.total", col)), v.get(("三", "3.next_year", col))]
            if all(x is None for x in parts_in + parts_out):
                continue
            out.append(
                record(f"三 一+二 = 三(七)总计 + 四 [{col}]", add_up(parts_in), add_up(parts_out),
                     "cells 3.new, 3.carried, 3.result.total, 3.next_year")
            )  # fmt: skip
        for code in rows3:
            total = v.get(("三", code, "总计"))
            parts = [v.get(("三", code, col)) for col in _REQUEST_COLS[:-1]]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                record(f"三 总计列 = 各申请人列之和 [{_ROW_LABEL[code]}]", add_up(parts), total,
                     f"cells {code}")
            )  # fmt: skip
        for col in _REQUEST_COLS:
            total = v.get(("三", "3.result.total", col))
            parts = [v.get(("三", code, col)) for code in leaves]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                record(f"三 (七)总计 = (一)至(六)之和 [{col}]", add_up(parts), total,
                     "cells 3.result.* of the column")
            )  # fmt: skip
    if "四" not in result.problems:
        for row in _APPEAL_ROWS:
            total = v.get(("四", row.code, "总计"))
            parts = [v.get(("四", row.code, col)) for col in _APPEAL_COLS[:-1]]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                record(
                    f"四 总计 = 各结果之和 [{row.label}]", add_up(parts), total, f"cells {row.code}"
                )
            )
    return out
