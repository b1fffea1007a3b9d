"""The one reader of dates for the whole project: list cells, page metadata, 发布时间 lines, xxgk tables
and detail URLs all print dates in the same handful of spellings, so one parser decides what a date is.

A leaf module (standard library only): the families, the extractor and the metadata reader import it.
"""

from __future__ import annotations

import re

__all__ = ["date_in_url", "month_day", "parse_date"]

# Dates with separators: matches "2024-01-20", "2024/1/20", "2024.01.20", "2024年1月20日",
# "2019 年 4 月 18 日", "发布时间：2024-01-20 10:30:00", "[2019.1.8]"; captures year, month, day.
_DATE_RE = re.compile(
    r"((?:19|20)\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?!\d)"
)
# Chinese-numeral dates of signed documents: matches "二〇二四年一月二十日", "二○二三年十二月三十一日",
# "二零一九年四月十八日".
_CN_DATE_RE = re.compile(
    r"([二一][〇○零一二三四五六七八九]{3})\s*年\s*([一二三四五六七八九十]{1,2})\s*月"
    r"\s*([一二三四五六七八九十]{1,3})\s*日"
)
# A compact date in a detail address: matches "t20240120_1.html" in "./202401/t20240120_1234.html",
# "/art/2024/20240120/…" and "P020240120…" is refused by the digit guards (a longer number).
_COMPACT_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
# A month and day without a year, as some lists print them: matches "[01-20]", "01-20", "1月20日",
# "(12/31)"; captures month, day.
_MONTH_DAY_RE = re.compile(r"(?<![\d./-])(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?![\d./-])")

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
# Full-width digits, as in "２０２４年１月２０日", read as ASCII.
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")


def _cn_number(s: str) -> int:
    """十 → 10, 十二 → 12, 二十 → 20, 三十一 → 31, 四 → 4."""
    if "十" not in s:
        return _CN_DIGITS[s]
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _iso(year: int, month: int, day: int) -> str | None:
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def parse_date(text: str | None) -> str | None:
    """The first valid date in text as YYYY-MM-DD, or None.

    Free text never yields a compact 20240120: an eight-digit run in a page is as often a 文号 or an
    index number as a date; only addresses are read that way (`date_in_url`)."""
    if not text:
        return None
    text = text.translate(_FULLWIDTH)
    for m in _DATE_RE.finditer(text):
        if iso := _iso(*(int(g) for g in m.groups())):
            return iso
    for m in _CN_DATE_RE.finditer(text):
        try:
            year = int("".join(str(_CN_DIGITS[c]) for c in m.group(1)))
            month, day = _cn_number(m.group(2)), _cn_number(m.group(3))
        except KeyError:  # "十十" and the like: not a number
            continue
        if iso := _iso(year, month, day):
            return iso
    return None


def date_in_url(url: str | None) -> str | None:
    """The publication date a CMS writes into a detail address (TRS `t20240120_1.html`), or None."""
    for m in _COMPACT_RE.finditer(url or ""):
        if iso := _iso(*(int(g) for g in m.groups())):
            return iso
    return None


def month_day(text: str | None) -> tuple[int, int] | None:
    """(month, day) of a list cell that prints no year (`[01-20]`), or None; the year must come from
    elsewhere (the detail address)."""
    m = _MONTH_DAY_RE.search((text or "").translate(_FULLWIDTH))
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    return (month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None
