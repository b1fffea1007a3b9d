"""Whether a report's figures add up: the identities its template states, its own prose, last year's.

Each check is a record {rule, expected, actual, ok, evidence}: ok is True, False, or None when it could
not be checked (a table not read is a record too, so a gap is never silent). The evidence says where the
figures came from (cells, a sentence of the text, last year's report).
"""

from __future__ import annotations

import re

from .result import TableResult
from .template import STAT_ITEMS
from .values import key

__all__ = ["checks", "narrative_checks", "carry_over_checks"]

_REQUEST_COLS = [i.label for i in STAT_ITEMS if i.section == "三" and i.axis == "col"]
_APPEAL_COLS = [i.label for i in STAT_ITEMS if i.section == "四" and i.axis == "col"]
_APPEAL_ROWS = [i for i in STAT_ITEMS if i.section == "四" and i.axis == "row"]
_ROW_LABEL = {i.code: i.label for i in STAT_ITEMS if i.axis == "row"}


def _sum(values: list) -> int | float:
    total = sum(v for v in values if v is not None)
    return round(total, 4) if isinstance(total, float) else total


def _rec(rule, expected, actual, evidence=None) -> dict:
    ok = None if expected is None or actual is None else expected == actual
    return {"rule": rule, "expected": expected, "actual": actual, "ok": ok, "evidence": evidence}


def checks(result: TableResult) -> list[dict]:
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
                _rec(f"三 一+二 = 三(七)总计 + 四 [{col}]", _sum(parts_in), _sum(parts_out),
                     "cells 3.new, 3.carried, 3.result.total, 3.next_year")
            )  # fmt: skip
        for code in rows3:
            total = v.get(("三", code, "总计"))
            parts = [v.get(("三", code, col)) for col in _REQUEST_COLS[:-1]]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                _rec(f"三 总计列 = 各申请人列之和 [{_ROW_LABEL[code]}]", _sum(parts), total,
                     f"cells {code}")
            )  # fmt: skip
        for col in _REQUEST_COLS:
            total = v.get(("三", "3.result.total", col))
            parts = [v.get(("三", code, col)) for code in leaves]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                _rec(f"三 (七)总计 = (一)至(六)之和 [{col}]", _sum(parts), total,
                     "cells 3.result.* of the column")
            )  # fmt: skip
    if "四" not in result.problems:
        for row in _APPEAL_ROWS:
            total = v.get(("四", row.code, "总计"))
            parts = [v.get(("四", row.code, col)) for col in _APPEAL_COLS[:-1]]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                _rec(f"四 总计 = 各结果之和 [{row.label}]", _sum(parts), total, f"cells {row.code}")
            )
    return out


# What the prose of a report says about its own figures, and the cell that must say the same:
# "共收到政府信息公开申请66件", "本年度共受理政府信息公开申请 66 件", "新收政府信息公开申请57件".
_RECEIVED = re.compile(r"(?:共收到|共受理|新收)(?:各类)?(?:政府信息公开)?申请(?:共)?(\d+)件")
# "办结66件", "全部办结，共办结64件", "已办结政府信息公开申请64件".
_CLOSED = re.compile(r"办结(?:政府信息公开申请)?(?:共)?(\d+)件")
# "行政复议4件", "发生政府信息公开行政复议案件2件", "行政复议案件 0 起".
_REVIEW = re.compile(r"行政复议(?:案件)?(?:共)?(\d+)(?:件|起)")
# "行政诉讼1件", "政府信息公开行政诉讼案件 1 起".
_SUIT = re.compile(r"行政诉讼(?:案件)?(?:共)?(\d+)(?:件|起)")


def narrative_checks(result: TableResult, text: str) -> list[dict]:
    """The figures the report's own sentences state against the table's cells."""
    if not result.cells or not text:
        return []
    v = {(c["section"], c["item_code"], c["col_label"]): c["value"] for c in result.cells}
    flat = key(text)
    out = []

    def one(regex, rule, expected, cells):
        m = regex.search(flat)
        if m and expected is not None:
            start = max(0, m.start() - 20)
            out.append(
                _rec(rule, expected, int(m.group(1)), f"text: …{flat[start : m.end()]}; {cells}")
            )

    new = v.get(("三", "3.new", "总计"))
    one(_RECEIVED, "正文 共收到申请 = 三 一、本年新收 [总计]", new, "cell 3.new 总计")
    one(_CLOSED, "正文 办结 = 三 (七)总计 [总计]", v.get(("三", "3.result.total", "总计")),
        "cell 3.result.total 总计")  # fmt: skip
    one(_REVIEW, "正文 行政复议 = 四 行政复议 [总计]", v.get(("四", "4.review", "总计")),
        "cell 4.review 总计")  # fmt: skip
    suits = [v.get(("四", c, "总计")) for c in ("4.suit_direct", "4.suit_after_review")]
    one(_SUIT, "正文 行政诉讼 = 四 行政诉讼 [总计]",
        None if all(s is None for s in suits) else _sum(suits), "cells 4.suit_* 总计")  # fmt: skip
    return out


def carry_over_checks(this_year: dict[str, object], last_year: dict[str, object], last_id: str):
    """This year's 上年结转 against last year's 结转下年度继续办理, per applicant column (same bureau)."""
    out = []

    def whole(x):  # REAL columns give 2.0 for a count of 2
        return int(x) if isinstance(x, float) and x.is_integer() else x

    for col in _REQUEST_COLS:
        now, before = whole(this_year.get(col)), whole(last_year.get(col))
        if now is None and before is None:
            continue
        out.append(
            _rec(f"跨年 二、上年结转 = 上年报告 四、结转下年度 [{col}]",
                 before if before is not None else 0, now if now is not None else 0,
                 f"report {last_id} 3.next_year {col}")
        )  # fmt: skip
    return out
