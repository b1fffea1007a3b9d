"""What a printed cell holds: a figure, a placeholder for "nothing", a leftover unit, or a label.

A cell nobody filled in stays None; only a printed 0 is 0.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_value_cell", "key", "parse_value", "UNIT_ONLY", "FIGURE", "digit_run"]

# A figure as reports print it: "1448", "-3", "23.1", "1,550", "123.45万元", "2 件", "−1".
_NUMBER = re.compile(r"^([-−+]?\d+(?:\.\d+)?)(万元|元|件|条|个|项|人次|次)?$")
# A cell that says "nothing here": "", "-", "—", "/", "／", "无", "——".
_PLACEHOLDER = re.compile(r"^(?:[-—–/／\\]+|无)?$")
# A cell that is only a unit left over from a spanned header: "元", "万元", "(万元)".
UNIT_ONLY = re.compile(r"^[(（]?(?:单位[:：])?(?:万元|元|件|条|个|项)[)）]?$")
# One figure in running text, thousands separators allowed: "1448", "1,550", "１，４４８", "-3", "48.0万元".
FIGURE = r"[-−]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?(?:万元|元)?"
# Figures run together with no separator, spaces at most: "12048305", "150 000015"; a lone amount
# glued to its label ends in its decimals: "23.1".
_DIGIT_RUN = re.compile(r"^\d+(?: \d+)*(?:\.\d+)?$")


def key(text: str) -> str:
    """Compare labels as a reader does: full-width forms folded (（一） → (一)), every space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def parse_value(raw: str | None) -> int | float | None:
    """The number a cell holds, or None when it is empty or a placeholder (never 0 for an empty cell)."""
    if raw is None:
        return None
    text = key(raw).replace(",", "").replace("，", "")
    m = _NUMBER.match(text)
    if not m:
        return None
    num = m.group(1).replace("−", "-")
    return float(num) if "." in num else int(num)


def is_value_cell(cell: str) -> bool:
    """A figure's slot: a figure, a placeholder, a leftover unit, or "?" (ink OCR could not read)."""
    text = key(cell).replace(",", "")
    return bool(
        _NUMBER.match(text) or _PLACEHOLDER.match(text) or UNIT_ONLY.match(text) or text == "?"
    )


def digit_run(text: str) -> bool:
    """True for a string of bare digits (spaces allowed) that may hold several cells run together."""
    return bool(_DIGIT_RUN.match(unicodedata.normalize("NFKC", text).strip()))
