"""Which section a row belongs to, and the row records a section reader works on.

A record is a row cut into its labels and its figures, with the evidence of the row it came from. The
records also say what the layout prints (a （六）其他处理 row with figures of its own, or one that only
spans sub-rows), which is how the template is decided (detect.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .rows import Row
from .values import UNIT_ONLY, digit_run, is_value_cell, key

__all__ = ["Record", "records", "section_rows", "split_glued"]


@dataclass
class Record:
    labels: list[str]
    values: list[str]
    row: Row
    conf: list[float] | None = None  # one per value (OCR)

    @property
    def positional(self) -> bool:
        return self.row.positional


# A label with its figures glued on, as a run-together page prints it: "行政许可12048305",
# "一、本年新收政府信息公开申请数量150 000015"; the label must end in a character that is not a digit.
_GLUED = re.compile(r"^(.*[^\d\s,.，．、])\s*(\d[\d ]*(?:\.\d+)?)(?:万元)?$")
# ...but not a label whose own numbering or name ends it: "第二十条第（一）项" has no figures.
_NOT_GLUED = re.compile(r"[(（][一二三四五六七八九十]+[)）]项$")


def split_glued(label: str) -> tuple[str, str | None]:
    m = _GLUED.match(label.strip())
    if not m or _NOT_GLUED.search(label):
        return label, None
    return m.group(1), m.group(2)


# Any Chinese character: "规章", "总计". Every statutory label holds some, a figure never does.
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _is_slot(cell: str, ocr: bool) -> bool:
    """A figure's slot. In an OCR grid a short cell with no Chinese in it is a figure the recogniser
    misread ("-S", "[", "：", "To"), not a label: taken for a label it would cut the row in two and
    lose every figure before it. Its raw string is kept, its value is None (unreadable)."""
    return is_value_cell(cell) or (ocr and len(key(cell)) <= 8 and not _CJK.search(cell))


def _split(row: Row) -> Record:
    """Labels (the non-figure cells) and the figure cells after the last label, units dropped."""
    cells = row.cells
    ocr = row.method == "ocr" and row.positional
    last_label = -1
    for i, c in enumerate(cells):
        if c and not _is_slot(c, ocr):
            last_label = i
    labels = [c for c in cells[: last_label + 1] if c and not _is_slot(c, ocr)]
    idx = [i for i in range(last_label + 1, len(cells)) if not UNIT_ONLY.match(key(cells[i]))]
    if not row.positional:
        idx = [i for i in idx if cells[i]]
    values = [cells[i] for i in idx]
    conf = [row.conf[i] for i in idx] if row.conf else None
    if labels and not values:
        label, glued = split_glued(labels[-1])
        if glued and digit_run(glued):
            labels[-1] = label
            values = glued.split()
            conf = [row.conf[last_label]] * len(values) if row.conf else None
    return Record(labels, values, row, conf)


def records(rows: list[Row]) -> list[Record]:
    return [_split(r) for r in rows if r.cells]


# Section headings and the row labels that tell which table a row belongs to, e.g.
# "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况".
# "(五)不予处理" is a row label, not a heading: headings use 、 (or a full stop) after the numeral.
_HEAD_2 = re.compile(r"^二[、.].*主动公开")
_HEAD_3 = re.compile(r"^三[、.].*(收到|处理).*申请")
_HEAD_4 = re.compile(r"^四[、.].*(复议|诉讼)")
_HEAD_5 = re.compile(r"^[五六][、.]")


def _section_of(row: Row, current: str | None) -> str | None:
    """The section a row switches to, or `current`: headings first, then table-specific labels."""
    first = key(row.cells[0]) if row.cells else ""
    if len(row.cells) == 1 or not any(row.cells[1:]):
        if _HEAD_2.match(first) and len(first) < 30:
            return "二"
        if _HEAD_3.match(first) and len(first) < 30:
            return "三"
        if _HEAD_4.match(first) and len(first) < 30:
            return "四"
        if _HEAD_5.match(first) and current is not None:
            return None
    joined = key("".join(row.cells))
    if len(joined) > 200:
        return current
    if first.startswith("第二十条") or first == "信息内容":
        return "二"
    if "本年新收" in joined or "申请人情况" in joined or "勾稽关系" in joined:
        return "三"
    if current in ("二", "三", None) and "行政复议" in joined and len(joined) < 60:
        return "四"
    return current


def section_rows(rows: list[Row]) -> dict[str, list[Row]]:
    by_section: dict[str, list[Row]] = {"二": [], "三": [], "四": []}
    section: str | None = None
    for row in rows:
        if not row.cells:
            continue
        section = _section_of(row, section)
        if section is not None:
            by_section[section].append(row)
    return by_section
