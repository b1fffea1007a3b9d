"""Decide what a report-column item is and which year it reports on.

An annual-report column mixes the reports with their 解读, the year's 工作要点, the 公开指南 and notices
about compiling the reports; only the title tells them apart reliably, so the title decides the kind and
the year. The text is consulted for the year only when the title names none.
"""

from __future__ import annotations

import re

__all__ = ["classify", "subordinate_unit", "year_from_text", "year_from_title"]

KINDS = ("annual_report", "work_plan", "interpretation", "guide", "other")

# Interpretations win over everything: "2019年政府信息公开工作年度报告解读", "一图读懂…年报", "图解：…".
_INTERP_RE = re.compile(r"解读|图解|一图读懂|一图看懂|问答")
# Notices about reports are not reports: "关于做好2019年政府信息公开工作年度报告编制发布工作的通知".
_NOTICE_RE = re.compile(
    r"(的|之)?(通知|通报|函|公告|启事)$|^关于.*(编制|报送|发布|做好|开展).*(通知|函)"
)
# Work plans and self-checks: "2022年政务公开工作要点", "2018年政务公开工作自查报告", "工作总结".
_PLAN_RE = re.compile(r"工作要点|工作计划|工作总结|工作方案|实施方案|自查报告|自查情况|任务分解")
# "政府信息公开指南", "依申请公开指南".
_GUIDE_RE = re.compile(r"指南")
# "2018年政府信息公开工作年度报告", "2020年度信息公开年报", "政务公开年度报告".
_REPORT_RE = re.compile(r"年度报告|年报|年度工作报告|信息公开工作报告|公开工作情况报告")

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "О": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
# Arabic years followed by 年/年度: matches "2018" in "2018年" and "2019年度"; "2019 年" too.
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
# Chinese-numeral years: matches "二〇一九" in "二〇一九年", "二○一九年", "二零一九年度".
_CN_YEAR_RE = re.compile(r"([二][〇○零ＯОO一二三四五六七八九]{3})\s*年")
# The statistics period sentence: matches "统计期限为2023年1月1日至12月31日" and "统计期限自2023年1月1日起".
_PERIOD_RE = re.compile(r"统计期(?:限|间)?(?:为|是|自|从)?\s*((?:19|20)\d{2})\s*年")


def _cn_year(s: str) -> int | None:
    try:
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    except KeyError:
        return None


def year_from_title(title: str) -> int | None:
    """The first year a title names, Arabic or Chinese numerals (二〇一九年 → 2019)."""
    if not title:
        return None
    found: list[tuple[int, int]] = []
    m = _YEAR_RE.search(title)
    if m:
        found.append((m.start(), int(m.group(1))))
    m = _CN_YEAR_RE.search(title)
    if m:
        y = _cn_year(m.group(1))
        if y:
            found.append((m.start(), y))
    if not found:
        return None
    return min(found)[1]


def year_from_text(text: str) -> int | None:
    """When the title names no year: the statistics-period sentence, else the year opening the text
    ("2020年，在市委…"), else the first year in the first few lines."""
    if not text:
        return None
    m = _PERIOD_RE.search(text)
    if m:
        return int(m.group(1))
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    head = "\n".join(lines[:3])
    y = year_from_title(head[:200])
    return y


# A notice that issues a document is that document: matches "关于印发《2021年政务公开工作要点》的通知"
# and "转发《…年度报告》的通知", capturing the title inside 《》.
_ISSUE_RE = re.compile(r"(?:印发|转发|公布|发布)《(.+)》")


def _kind(title: str) -> str:
    t = re.sub(r"\s+", "", title or "")
    if not t:
        return "other"
    m = _ISSUE_RE.search(t)
    if m and not _INTERP_RE.search(t):
        return _kind(m.group(1))
    if _INTERP_RE.search(t):
        return "interpretation"
    if _NOTICE_RE.search(t):
        return "other"
    if _PLAN_RE.search(t):
        return "work_plan"
    if _GUIDE_RE.search(t):
        return "guide"
    if _REPORT_RE.search(t):
        return "annual_report"
    return "other"


def classify(title: str, text: str = "") -> tuple[str, int | None]:
    """(kind, year) for one item; kind is one of KINDS."""
    kind = _kind(title)
    year = year_from_title(title)
    if year is None and kind in ("annual_report", "work_plan", "interpretation"):
        year = year_from_text(text)
    return kind, year


# The body a title names before (or right after) its year: matches "某某市公路事业发展中心" in
# "某某市公路事业发展中心2021年政府信息公开工作年度报告" and in "2021年某某市公路事业发展中心政府信息公开工作年度报告".
_ORG_BEFORE_YEAR_RE = re.compile(
    r"^(?:关于)?《?([\u4e00-\u9fff（）()]{4,40}?)\s*(?:(?:19|20)\d{2}|二[〇○零ＯОO一二三四五六七八九]{3})\s*年"
)
_ORG_AFTER_YEAR_RE = re.compile(
    r"^《?(?:(?:19|20)\d{2}|二[〇○零ＯОO一二三四五六七八九]{3})\s*年度?([\u4e00-\u9fff（）()]{4,40}?)"
    r"(?:政府信息公开|政务公开|信息公开)"
)
# What an issuing body's name ends with: matches "中心" in "公路事业发展中心", "所" in "道路运输管理所",
# "局" in "港航管理局", "支队" in "交通运输综合行政执法支队".
_ORG_TAIL_RE = re.compile(r"(中心|所|站|处|段|支队|大队|队|局|院|公司|委员会|委|厅|办公室)$")
# The bureau (or government) that owns the column, not a unit under it: matches "交通运输局",
# "交通运输厅", "交通局", "交通运输委员会", "人民政府" at the end of the name.
_BUREAU_TAIL_RE = re.compile(r"(交通运输(局|厅|委员会|委)|交通(局|委)|人民政府|政府办公室)$")


def subordinate_unit(title: str) -> str | None:
    """The unit whose report this is, when it is a unit under a transport bureau, not the bureau itself.

    Bureaus publish their 公路中心's, 运管所's or 执法支队's reports in their own column. Such an item is
    still an annual report (kind annual_report: it is one, under the same ordinance), but counting it as
    the bureau's report would give the bureau two reports for one year, so the archive keeps the unit's
    name beside it (reports.subordinate_unit).
    """
    t = re.sub(r"\s+", "", title or "")
    if _kind(t) not in ("annual_report", "interpretation"):
        return None
    for pattern in (_ORG_BEFORE_YEAR_RE, _ORG_AFTER_YEAR_RE):
        m = pattern.search(t)
        if m:
            org = m.group(1).lstrip("《")
            if _ORG_TAIL_RE.search(org) and not _BUREAU_TAIL_RE.search(org):
                return org
            return None
    return None
