"""Whether a report's figures add up: the identities its template states, its own prose, last year's.

Each check is a record {rule, expected, actual, ok, evidence}: ok is True, False, or None when it could
not be checked (a table not read is a record too, so a gap is never silent). The evidence says where the
figures came from (cells, a sentence of the text, last year's report).
"""

from __future__ import annotations

import re

from .identities import add_up, checks, record
from .template import STAT_ITEMS
from .values import key

__all__ = ["checks", "narrative_checks", "carry_over_checks"]

_REQUEST_COLS = [i.label for i in STAT_ITEMS if i.section == "三" and i.axis == "col"]

# What the prose of a report says about its own figures, and the cell that must say the same:
# "共收到政府信息公开申请66件", "本年度共受理政府信息公开申请 66 件", "新收政府信息公开申请57件".
_RECEIVED = re.compile(r"(?:共收到|共受理|新收)(?:各类)?(?:政府信息公开)?申请(?:共)?(\d+)件")
# "办结66件", "全部办结，共办结64件", "已办结政府信息公开申请64件".
_CLOSED = re.compile(r"办结(?:政府信息公开申请)?(?:共)?(\d+)件")
# "行政复议4件", "发生政府信息公开行政复议案件2件", "行政复议案件 0 起".
_REVIEW = re.compile(r"行政复议(?:案件)?(?:共)?(\d+)(?:件|起)")
# "行政诉讼1件", "政府信息公开行政诉讼案件 1 起".
_SUIT = re.compile(r"行政诉讼(?:案件)?(?:共)?(\d+)(?:件|起)")


def narrative_checks(result, text: str) -> list[dict]:
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
                record(rule, expected, int(m.group(1)), f"text: …{flat[start : m.end()]}; {cells}")
            )

    new = v.get(("三", "3.new", "总计"))
    one(_RECEIVED, "正文 共收到申请 = 三 一、本年新收 [总计]", new, "cell 3.new 总计")
    one(_CLOSED, "正文 办结 = 三 (七)总计 [总计]", v.get(("三", "3.result.total", "总计")),
        "cell 3.result.total 总计")  # fmt: skip
    one(_REVIEW, "正文 行政复议 = 四 行政复议 [总计]", v.get(("四", "4.review", "总计")),
        "cell 4.review 总计")  # fmt: skip
    suits = [v.get(("四", c, "总计")) for c in ("4.suit_direct", "4.suit_after_review")]
    one(_SUIT, "正文 行政诉讼 = 四 行政诉讼 [总计]",
        None if all(s is None for s in suits) else add_up(suits), "cells 4.suit_* 总计")  # fmt: skip
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
            record(f"跨年 二、上年结转 = 上年报告 四、结转下年度 [{col}]",
                 before if before is not None else 0, now if now is not None else 0,
                 f"report {last_id} 3.next_year {col}")
        )  # fmt: skip
    return out
