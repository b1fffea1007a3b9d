"""The statutory tables of an annual report as data: sections 二, 三 and 四 of the 2019 and 2021 templates.

Every report since 2019 carries the same three tables, but they reach us in many shapes: HTML tables with
rowspans and colspans (Word exports), our archive text (one table row per line, cells joined by " | "), a
naive scrape with one cell per line, text pulled out of a PDF with the figures separated by spaces. All of
them are turned into one sequence of rows of cells, and one template-aware reader per section maps those
rows onto canonical item codes, so that 2019 and 2021 reports, and bureau and bureau, are compared by one
query. A cell nobody filled in stays None; only a printed 0 is 0.

`parse_text`, `parse_html` and `parse_pdf` return a `TableResult`; `checks` says whether its numbers add up.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "APPEAL_COLUMNS",
    "APPEAL_ROWS",
    "REQUEST_COLUMNS",
    "STAT_ITEMS",
    "StatItem",
    "TableResult",
    "checks",
    "detect_template",
    "parse_file",
    "parse_html",
    "parse_pdf",
    "parse_text",
]


@dataclass(frozen=True)
class StatItem:
    """One canonical row or column of the statutory tables and how each template spells it.

    `keys` are fragments of the label with whitespace removed; a label matches when it contains one, which
    is what makes 商业 企业, 规 章 and the typo 结果维护 map correctly.
    """

    code: str
    section: str  # 二, 三, 四
    axis: str  # row | col
    label: str  # canonical label (the 2021 spelling where both exist)
    label_2019: str | None
    label_2021: str | None
    keys: tuple[str, ...]
    group: str | None = None  # for section 三 sub-rows: the code of the group row that spans them
    note: str = ""


def _row(code, section, label, l19, l21, keys, group=None, note=""):
    return StatItem(code, section, "row", label, l19, l21, tuple(keys), group, note)


def _col(code, section, label, l19, l21, keys, note=""):
    return StatItem(code, section, "col", label, l19, l21, tuple(keys), None, note)


_NOT_OPEN = "3.result.not_open"
_CANNOT = "3.result.cannot"
_NOT_HANDLED = "3.result.not_handled"
_OTHER = "3.result.other"

STAT_ITEMS: list[StatItem] = [
    # Section 二, rows.
    _row("2.rules", "二", "规章", "规章", "规章", ["规章"]),
    _row("2.normative", "二", "行政规范性文件", "规范性文件", "行政规范性文件", ["规范性文件"]),
    _row("2.permit", "二", "行政许可", "行政许可", "行政许可", ["行政许可"]),
    _row(
        "2.other_services",
        "二",
        "其他对外管理服务事项",
        "其他对外管理服务事项",
        None,
        ["对外管理服务"],
    ),
    _row("2.penalty", "二", "行政处罚", "行政处罚", "行政处罚", ["行政处罚"]),
    _row("2.enforcement", "二", "行政强制", "行政强制", "行政强制", ["行政强制"]),
    _row("2.fees", "二", "行政事业性收费", "行政事业性收费", "行政事业性收费", ["事业性收费"]),
    _row("2.procurement", "二", "政府集中采购", "政府集中采购", None, ["集中采购"]),
    # Section 二, columns. The 2019 and 2021 headers measure nearly the same things under other names.
    _col("issued", "二", "本年制发件数", "本年新制作数量", "本年制发件数", ["新制作", "制发"]),
    _col("published", "二", "本年新公开数量", "本年新公开数量", None, ["新公开"]),
    _col("repealed", "二", "本年废止件数", None, "本年废止件数", ["废止"]),
    _col(
        "in_force",
        "二",
        "现行有效件数",
        "对外公开总数量",
        "现行有效件数",
        ["现行有效", "对外公开总"],
        "2019 counted all documents published to date; 2021 counts those in force",
    ),
    _col("prev_items", "二", "上一年项目数量", "上一年项目数量", None, ["上一年项目"]),
    _col("change", "二", "本年增/减", "本年增/减", None, ["增/减", "增减", "增(减)"]),
    _col("decisions", "二", "处理决定数量", "处理决定数量", "本年处理决定数量", ["处理决定"]),
    _col(
        "fee_amount",
        "二",
        "本年收费金额(万元)",
        None,
        "本年收费金额（单位：万元）",
        ["收费金额"],
    ),
    _col("purchases", "二", "采购项目数量", "采购项目数量", None, ["采购项目"]),
    _col("purchase_amount", "二", "采购总金额", "采购总金额", None, ["采购总金额", "采购金额"]),
    # Section 三, rows in template order.
    _row("3.new", "三", "本年新收政府信息公开申请数量", "本年新收", "本年新收", ["本年新收"]),
    _row("3.carried", "三", "上年结转政府信息公开申请数量", "上年结转", "上年结转", ["上年结转"]),
    _row("3.result.open", "三", "予以公开", "予以公开", "予以公开", ["予以公开"]),
    _row("3.result.partial", "三", "部分公开", "部分公开", "部分公开", ["部分公开"]),
    _row(
        f"{_NOT_OPEN}.secret",
        "三",
        "属于国家秘密",
        "属于国家秘密",
        "属于国家秘密",
        ["国家秘密"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.law",
        "三",
        "其他法律行政法规禁止公开",
        "其他法律行政法规禁止公开",
        "其他法律行政法规禁止公开",
        ["法规禁止公开", "法律行政法规禁止"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.safety",
        "三",
        "危及“三安全一稳定”",
        "危及“三安全一稳定”",
        "危及“三安全一稳定”",
        ["三安全一稳定"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.third_party",
        "三",
        "保护第三方合法权益",
        "保护第三方合法权益",
        "保护第三方合法权益",
        ["第三方合法权益"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.internal",
        "三",
        "属于三类内部事务信息",
        "属于三类内部事务信息",
        "属于三类内部事务信息",
        ["内部事务"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.process",
        "三",
        "属于四类过程性信息",
        "属于四类过程性信息",
        "属于四类过程性信息",
        ["过程性信息"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.case_file",
        "三",
        "属于行政执法案卷",
        "属于行政执法案卷",
        "属于行政执法案卷",
        ["执法案卷"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_NOT_OPEN}.query",
        "三",
        "属于行政查询事项",
        "属于行政查询事项",
        "属于行政查询事项",
        ["行政查询"],
        _NOT_OPEN,
    ),  # fmt: skip
    _row(
        f"{_CANNOT}.not_held",
        "三",
        "本机关不掌握相关政府信息",
        "本机关不掌握相关政府信息",
        "本机关不掌握相关政府信息",
        ["不掌握"],
        _CANNOT,
    ),  # fmt: skip
    _row(
        f"{_CANNOT}.must_create",
        "三",
        "没有现成信息需要另行制作",
        "没有现成信息需要另行制作",
        "没有现成信息需要另行制作",
        ["另行制作"],
        _CANNOT,
    ),  # fmt: skip
    _row(
        f"{_CANNOT}.unclear",
        "三",
        "补正后申请内容仍不明确",
        "补正后申请内容仍不明确",
        "补正后申请内容仍不明确",
        ["仍不明确"],
        _CANNOT,
    ),  # fmt: skip
    _row(
        f"{_NOT_HANDLED}.petition",
        "三",
        "信访举报投诉类申请",
        "信访投诉举报类申请",
        "信访举报投诉类申请",
        ["信访"],
        _NOT_HANDLED,
    ),  # fmt: skip
    _row(
        f"{_NOT_HANDLED}.repeat",
        "三",
        "重复申请",
        "重复申请",
        "重复申请",
        ["重复申请"],
        _NOT_HANDLED,
    ),  # fmt: skip
    _row(
        f"{_NOT_HANDLED}.publication",
        "三",
        "要求提供公开出版物",
        "要求提供公开出版物",
        "要求提供公开出版物",
        ["出版物"],
        _NOT_HANDLED,
    ),  # fmt: skip
    _row(
        f"{_NOT_HANDLED}.mass",
        "三",
        "无正当理由大量反复申请",
        "无正当理由大量反复申请",
        "无正当理由大量反复申请",
        ["大量反复"],
        _NOT_HANDLED,
    ),  # fmt: skip
    _row(
        f"{_NOT_HANDLED}.confirm",
        "三",
        "要求行政机关确认或重新出具已获取信息",
        "要求行政机关确认或重新出具已获取信息",
        "要求行政机关确认或重新出具已获取信息",
        ["重新出具", "确认或重新"],
        _NOT_HANDLED,
    ),  # fmt: skip
    _row(
        _OTHER,
        "三",
        "其他处理",
        "其他处理",
        None,
        ["其他处理"],
        note="2019 has one row; 2021 splits it into the three 3.result.other.* rows",
    ),  # fmt: skip
    _row(
        f"{_OTHER}.no_correction",
        "三",
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        None,
        "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ["逾期不补正"],
        _OTHER,
    ),  # fmt: skip
    _row(
        f"{_OTHER}.no_fee",
        "三",
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        None,
        "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ["缴纳费用", "收费通知"],
        _OTHER,
    ),  # fmt: skip
    _row(f"{_OTHER}.other", "三", "其他", None, "其他", [], _OTHER),
    _row("3.result.total", "三", "总计", "总计", "总计", ["总计", "合计"]),
    _row(
        "3.next_year",
        "三",
        "结转下年度继续办理",
        "结转下年度继续办理",
        "结转下年度继续办理",
        ["结转下年"],
    ),  # fmt: skip
    # Section 三, columns in template order.
    _col("natural", "三", "自然人", "自然人", "自然人", ["自然人"]),
    _col("business", "三", "商业企业", "商业企业", "商业企业", ["商业企业"]),
    _col("research", "三", "科研机构", "科研机构", "科研机构", ["科研机构"]),
    _col("welfare", "三", "社会公益组织", "社会公益组织", "社会公益组织", ["公益组织"]),
    _col("legal", "三", "法律服务机构", "法律服务机构", "法律服务机构", ["法律服务"]),
    _col("other_org", "三", "其他", "其他", "其他", ["其他"]),
    _col("total", "三", "总计", "总计", "总计", ["总计", "合计"]),
    # Section 四: three rows (review, suit without review, suit after review) of five outcomes.
    _row("4.review", "四", "行政复议", "行政复议", "行政复议", ["行政复议"]),
    _row(
        "4.suit_direct",
        "四",
        "行政诉讼·未经复议直接起诉",
        "未经复议直接起诉",
        "未经复议直接起诉",
        ["未经复议"],
    ),  # fmt: skip
    _row(
        "4.suit_after_review",
        "四",
        "行政诉讼·复议后起诉",
        "复议后起诉",
        "复议后起诉",
        ["复议后起诉"],
    ),  # fmt: skip
    _col("upheld", "四", "结果维持", "结果维持", "结果维持", ["维持", "维护"]),
    _col("corrected", "四", "结果纠正", "结果纠正", "结果纠正", ["纠正"]),
    _col("other_result", "四", "其他结果", "其他结果", "其他结果", ["其他结果"]),
    _col("pending", "四", "尚未审结", "尚未审结", "尚未审结", ["未审结"]),
    _col("total", "四", "总计", "总计", "总计", ["总计", "合计"]),
]

_BY = {(i.section, i.axis, i.code): i for i in STAT_ITEMS}
REQUEST_ROWS = [i for i in STAT_ITEMS if i.section == "三" and i.axis == "row"]
REQUEST_COLUMNS = [i for i in STAT_ITEMS if i.section == "三" and i.axis == "col"]
APPEAL_ROWS = [i for i in STAT_ITEMS if i.section == "四" and i.axis == "row"]
APPEAL_COLUMNS = [i for i in STAT_ITEMS if i.section == "四" and i.axis == "col"]
ACTIVE_ROWS = [i for i in STAT_ITEMS if i.section == "二" and i.axis == "row"]
ACTIVE_COLUMNS = [i for i in STAT_ITEMS if i.section == "二" and i.axis == "col"]

# The section 二 grid each template prints: row code -> column codes.
ACTIVE_GRID = {
    "2019": {
        "2.rules": ["issued", "published", "in_force"],
        "2.normative": ["issued", "published", "in_force"],
        "2.permit": ["prev_items", "change", "decisions"],
        "2.other_services": ["prev_items", "change", "decisions"],
        "2.penalty": ["prev_items", "change", "decisions"],
        "2.enforcement": ["prev_items", "change", "decisions"],
        "2.fees": ["prev_items", "change"],
        "2.procurement": ["purchases", "purchase_amount"],
    },
    "2021": {
        "2.rules": ["issued", "repealed", "in_force"],
        "2.normative": ["issued", "repealed", "in_force"],
        "2.permit": ["decisions"],
        "2.penalty": ["decisions"],
        "2.enforcement": ["decisions"],
        "2.fees": ["fee_amount"],
    },
}

# Labels that only the 2021 template prints, and those only the 2019 one does.
_MARKERS = {
    "2021": [
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "逾期不补正",
        "缴纳费用",
        "信访举报投诉",
    ],  # fmt: skip
    "2019": [
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "采购项目数量",
        "采购总金额",
        "信访投诉举报",
        "其他对外管理服务事项",
    ],  # fmt: skip
}


def _key(text: str) -> str:
    """Compare labels as a reader does: full-width forms folded (（一） → (一)), every space removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def detect_template(text: str, year: int | None = None) -> str | None:
    """Which statutory template a report follows, from the labels only one of them prints; the report
    year decides when the tables carry no telling label (2021 reports onwards use the 2021 template)."""
    flat = _key(text)
    score = {t: sum(1 for m in marks if _key(m) in flat) for t, marks in _MARKERS.items()}
    if score["2021"] != score["2019"]:
        return max(score, key=score.get)
    if "本年新收" not in flat and "行政复议" not in flat:
        return None
    if year is not None and year >= 2021:
        return "2021"
    if year is not None and year >= 2019:
        return "2019"
    return "2021" if score["2021"] else ("2019" if score["2019"] else None)


# --- values -------------------------------------------------------------------------------------------

# A figure as reports print it: "1448", "-3", "23.1", "1,550", "123.45万元", "2 件", "−1".
_NUMBER = re.compile(r"^([-−+]?\d+(?:\.\d+)?)(万元|元|件|条|个|项|人次|次)?$")
# A cell that says "nothing here": "", "-", "—", "/", "／", "无", "——".
_PLACEHOLDER = re.compile(r"^(?:[-—–/／\\]+|无)?$")
# A cell that is only a unit left over from a spanned header: "元", "万元", "(万元)".
_UNIT_ONLY = re.compile(r"^[(（]?(?:单位[:：])?(?:万元|元|件|条|个|项)[)）]?$")


def parse_value(raw: str | None) -> int | float | None:
    """The number a cell holds, or None when it is empty or a placeholder (never 0 for an empty cell)."""
    if raw is None:
        return None
    text = _key(raw).replace(",", "").replace("，", "")
    m = _NUMBER.match(text)
    if not m:
        return None
    num = m.group(1).replace("−", "-")
    return float(num) if "." in num else int(num)


def _is_value_cell(cell: str) -> bool:
    text = _key(cell).replace(",", "")
    return bool(_NUMBER.match(text) or _PLACEHOLDER.match(text) or _UNIT_ONLY.match(text))


# --- rows from each input form ------------------------------------------------------------------------


@dataclass
class Row:
    """One table row as cells. `positional` is True when empty cells were kept, so position = column."""

    cells: list[str]
    positional: bool


# One figure in running text, thousands separators allowed: "1448", "1,550", "１，４４８", "-3", "48.0万元".
_FIGURE = r"[-−]?(?:\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.\d+)?(?:万元|元)?"
# Figures trailing a label on one line, as PDF text gives them: "行政许可 1448 62 1550", "行政许可 1,448 62 1,550".
_TRAILING_NUMBERS = re.compile(rf"^(.*?\S)?\s*((?:{_FIGURE}\s+)*{_FIGURE})$")
# A markdown separator row: "|---|:---:|".
_MD_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")
# A label that ends in a number that is part of it: "第二十条第（一）项", "1.属于国家秘密", "(七)总计".
_LABEL_ENDS_WITH_DIGIT = re.compile(r"[项条号]$")


def _split_spaced(line: str) -> Row:
    """A line without pipes: a label followed by space-separated figures (PDF text) or a single cell."""
    stripped = line.strip()
    if len(stripped) < 160 and "。" not in stripped and not _LABEL_ENDS_WITH_DIGIT.search(stripped):
        m = _TRAILING_NUMBERS.match(stripped)
        if m and m.group(2):
            label = (m.group(1) or "").strip()
            numbers = m.group(2).split()
            # "2020 年" style prose and "1.属于国家秘密" are not figures: require a separating space.
            if not label or stripped[len(m.group(1) or "") :].startswith((" ", "\t", "\u3000")):
                return Row(([label] if label else []) + numbers, False)
    return Row([stripped], False)


def rows_from_text(text: str) -> list[Row]:
    """Rows from any of the text forms: " | "-joined rows (our archive), markdown pipes, the naive
    one-cell-per-line scrape with a lone "|" between rows (seed 004), or plain one-cell-per-line text."""
    lines = [line.rstrip() for line in text.splitlines()]
    separators = sum(1 for line in lines if line.strip() == "|")
    rows: list[Row] = []
    if separators >= 3:
        # Seed 004: "|" opens a row, every following line "规 章 |" is one of its cells; empty cells lost.
        current: list[str] | None = None
        for line in lines:
            s = line.strip()
            if s == "|":
                if current:
                    rows.append(Row(current, False))
                current = []
            elif "|" in s and current is not None:
                current.extend(c.strip() for c in s.split("|") if c.strip())
            else:
                if current:
                    rows.append(Row(current, False))
                current = None
                if s:
                    rows.append(_split_spaced(s))
        if current:
            rows.append(Row(current, False))
        return rows
    for line in lines:
        s = line.strip()
        if not s or _MD_RULE.match(s):
            continue
        if "|" in s:
            parts = s.split("|")
            if s.startswith("|"):
                parts = parts[1:]
            if s.endswith("|") and parts:
                parts = parts[:-1]
            rows.append(Row([p.strip() for p in parts], True))
        elif "\t" in s:
            rows.append(Row([p.strip() for p in s.split("\t")], True))
        else:
            rows.append(_split_spaced(s))
    return rows


def _cell_text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def html_grid(table) -> list[list[tuple[str, str]]]:
    """Expand one <table> to a full grid: each slot is (text, how) with how = "cell" for the cell's own
    slot, "down" for a slot a rowspan covers and "right" for a slot a colspan covers."""
    grid: dict[tuple[int, int], tuple[str, str]] = {}
    rows = [tr for tr in table.iter("tr") if tr.getparent() is not None]
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag.lower() not in ("td", "th"):
                continue
            while (r, c) in grid:
                c += 1
            try:
                rs = max(1, int(td.get("rowspan") or 1))
                cs = max(1, int(td.get("colspan") or 1))
            except ValueError:
                rs, cs = 1, 1
            rs = min(rs, len(rows) - r)
            text = _cell_text(td)
            for dr in range(rs):
                for dc in range(cs):
                    how = "cell" if dr == 0 and dc == 0 else ("right" if dc else "down")
                    grid[(r + dr, c + dc)] = (text, how)
            c += cs
            width = max(width, c)
    return [[grid.get((r, c), ("", "cell")) for c in range(width)] for r in range(len(rows))]


def rows_from_grid(grid: list[list[tuple[str, str]]]) -> list[Row]:
    """Rows for the section readers: a colspan counts once (its value belongs to one column), a label a
    rowspan covers is repeated on every row it spans (it names their group), a spanned figure is not."""
    rows = []
    for grid_row in grid:
        cells = []
        for text, how in grid_row:
            if how == "right":
                continue
            if how == "down" and _is_value_cell(text):
                text = ""
            cells.append(text)
        if any(c for c in cells):
            rows.append(Row(cells, True))
    return rows


def rows_from_html(html: str) -> list[Row]:
    """Rows of every table on the page, in page order; text outside tables is not needed to place them."""
    import lxml.html

    doc = lxml.html.fromstring(html)
    rows: list[Row] = []
    for table in doc.iter("table"):
        if any(anc.tag == "table" for anc in table.iterancestors()):
            continue  # nested layout tables are read as part of their outer table's cells
        rows.extend(rows_from_grid(html_grid(table)))
    return rows


# --- section readers ----------------------------------------------------------------------------------


def _split(row: Row) -> tuple[list[str], list[str]]:
    """Labels (the non-figure cells) and the figure cells after the last label, units dropped."""
    cells = row.cells
    last_label = -1
    for i, c in enumerate(cells):
        if c and not _is_value_cell(c):
            last_label = i
    labels = [c for c in cells[: last_label + 1] if c and not _is_value_cell(c)]
    values = [c for c in cells[last_label + 1 :] if not _UNIT_ONLY.match(_key(c))]
    if not row.positional:
        values = [v for v in values if v]
    return labels, values


def _match(label: str, items: list[StatItem]) -> StatItem | None:
    """The item whose key sits furthest right in the label: a line "(六)其他处理 1.申请人…逾期不补正"
    names the group first and the row itself last."""
    k = _key(label)
    best, best_pos = None, -1
    for item in items:
        for x in item.keys:
            pos = k.rfind(_key(x))
            if pos > best_pos:
                best, best_pos = item, pos
    return best


# Section headings and the row labels that tell which table a row belongs to, e.g.
# "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况".
# "(五)不予处理" is a row label, not a heading: headings use 、 (or a full stop) after the numeral.
_HEAD_2 = re.compile(r"^二[、.].*主动公开")
_HEAD_3 = re.compile(r"^三[、.].*(收到|处理).*申请")
_HEAD_4 = re.compile(r"^四[、.].*(复议|诉讼)")
_HEAD_5 = re.compile(r"^[五六][、.]")


def _section_of(row: Row, current: str | None) -> str | None:
    """The section a row switches to, or `current`: headings first, then table-specific labels."""
    first = _key(row.cells[0]) if row.cells else ""
    if len(row.cells) == 1 or not any(row.cells[1:]):
        if _HEAD_2.match(first) and len(first) < 30:
            return "二"
        if _HEAD_3.match(first) and len(first) < 30:
            return "三"
        if _HEAD_4.match(first) and len(first) < 30:
            return "四"
        if _HEAD_5.match(first) and current is not None:
            return None
    joined = _key("".join(row.cells))
    if len(joined) > 200:
        return current
    if first.startswith("第二十条") or first == "信息内容":
        return "二"
    if "本年新收" in joined or "申请人情况" in joined or "勾稽关系" in joined:
        return "三"
    if current in ("二", "三", None) and "行政复议" in joined and len(joined) < 60:
        return "四"
    return current


@dataclass
class TableResult:
    """What one report's tables say: template, cells in canonical codes, and why a table is missing."""

    template: str | None
    cells: list[dict] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # section -> reason it yielded no cells

    def to_json(self) -> dict:
        return {
            "template": self.template,
            "cells": [dict(c) for c in self.cells],
            "checks": checks(self),
        }


def _cell(section: str, row: StatItem, col: StatItem, raw: str | None) -> dict:
    raw = raw if raw else None
    return {
        "section": section,
        "item_code": row.code,
        "row_label": row.label,
        "col_label": col.label,
        "value": parse_value(raw),
        "raw": raw,
    }


def _read_active(rows: list[Row], template: str) -> list[dict]:
    """Section 二: each "信息内容" header names the columns of the item rows under it."""
    header: list[StatItem | None] | None = None
    in_header = False
    found: dict[str, list[str]] = {}
    found_cols: dict[str, list[StatItem | None]] = {}
    pending: str | None = None
    for row in rows:
        labels, values = _split(row)
        if labels and _key(labels[0]).startswith("信息内容"):
            header = [_match(h, ACTIVE_COLUMNS) for h in labels[1:]]
            in_header, pending = True, None
            continue
        if labels and _key(labels[0]).startswith("第二十条"):
            in_header, pending = False, None
            continue
        item = _match(labels[-1], ACTIVE_ROWS) if labels else None
        if item is None and in_header and labels:
            header = (header or []) + [_match(h, ACTIVE_COLUMNS) for h in labels]
            continue
        if item is not None:
            in_header = False
            found[item.code] = list(values)
            found_cols[item.code] = list(header or [])
            pending = item.code
        elif not labels and values and pending and not row.positional:
            found[pending].extend(values)  # one cell per line: figures follow their label
    cells = []
    grid = ACTIVE_GRID[template]
    for code in [c for c in grid] + [c for c in found if c not in grid]:
        row_item = _BY[("二", "row", code)]
        expected = [_BY[("二", "col", c)] for c in grid.get(code, [])]
        cols = [c for c in found_cols.get(code, []) if c is not None] or expected
        values = found.get(code, [])
        by_col: dict[str, str] = {}
        for col, raw in zip(cols, values, strict=False):
            by_col.setdefault(col.code, raw)
        for col in expected + [c for c in cols if c not in expected]:
            cells.append(_cell("二", row_item, col, by_col.get(col.code)))
    return cells


def _place(
    values: list[str], width: int, positional: bool, lone_is_total: bool
) -> list[str | None]:
    """Figures onto a row of `width` columns. With positions kept they are taken as they stand (the last
    `width` if a label column leaked in); a lone figure without positions is the row's total."""
    out: list[str | None] = [None] * width
    if positional and len(values) >= width:
        values = values[-width:]
    if not positional and lone_is_total and len(values) == 1:
        out[-1] = values[0]
        return out
    for i, v in enumerate(values[:width]):
        out[i] = v or None
    return out


def _read_requests(rows: list[Row], template: str) -> list[dict]:
    """Section 三: row labels (with the group a rowspan gives them) onto codes, seven applicant columns."""
    group: str | None = None
    seen_new = False
    found: dict[str, tuple[list[str], bool]] = {}
    pending: str | None = None
    groups = {
        "不予公开": _NOT_OPEN,
        "无法提供": _CANNOT,
        "不予处理": _NOT_HANDLED,
    }
    headers: list[list[str]] = []
    for row in rows:
        labels, values = _split(row)
        keys = [_key(label) for label in labels]
        if any(k in ("自然人", "申请人情况", "商业企业") or "法人或其他组织" in k for k in keys):
            if not values:
                headers.append(keys)
            continue  # header rows (printed again where a table broke over a page: same order)
        leaf: StatItem | None = None
        for k in keys:
            for name, code in groups.items():
                if name in k:
                    group = code
            if "其他处理" in k:
                group = _OTHER
            if "三、" in k or k.startswith("三") and "办理结果" in k:
                group = None
            # "3.其他" under 其他处理 (2021): the only label that is nothing but a number and 其他.
            if group == _OTHER and re.fullmatch(r"(?:\d+[.、．]?)?其他", k):
                leaf = _BY[("三", "row", f"{_OTHER}.other")]
                continue
            item = _match(k, [i for i in REQUEST_ROWS if i.code != "3.result.total"])
            if item is None and seen_new and ("总计" in k or "合计" in k):
                item = _BY[("三", "row", "3.result.total")]
            if item is None:
                continue
            if item.code == _OTHER and template == "2021":
                group = _OTHER
                continue  # in 2021 the 其他处理 cell only spans its three sub-rows
            leaf = item
        if leaf is not None:
            seen_new = seen_new or leaf.code == "3.new"
            if leaf.group is None:
                group = None if leaf.code != _OTHER else group
            found[leaf.code] = (list(values), row.positional)
            pending = leaf.code
        elif not labels and values and pending and not row.positional:
            found[pending][0].extend(values)
    order = _request_order(headers)
    cells = []
    wanted = [
        r
        for r in REQUEST_ROWS
        if not (template == "2019" and r.group == _OTHER)
        and not (template == "2021" and r.code == _OTHER)
    ]
    for row_item in wanted:
        values, positional = found.get(row_item.code, ([], False))
        placed = _place(values, len(REQUEST_COLUMNS), positional, lone_is_total=True)
        by_code = {col.code: raw for col, raw in zip(order, placed, strict=True)}
        for col in REQUEST_COLUMNS:
            cells.append(_cell("三", row_item, col, by_code[col.code]))
    return cells


def _request_order(headers: list[list[str]]) -> list[StatItem]:
    """The applicant columns in the order the header prints them. A grid gives one row with all seven
    (rowspanned labels repeated); text gives "自然人 | 法人或其他组织 | 总计" and, on the next row, the
    five kinds of organisation that 法人或其他组织 stands for. Template order when the header says less."""
    orgs = [c for c in REQUEST_COLUMNS if c.code not in ("natural", "total")]
    candidates = []
    for keys in headers:
        seq: list[StatItem | str] = []
        for k in keys:
            if "申请人情况" in k or "勾稽" in k:
                continue
            item = "orgs" if "法人或其他组织" in k else _match(k, REQUEST_COLUMNS)
            if item is not None and (not seq or seq[-1] != item):
                seq.append(item)
        candidates.append(seq)
    sub = next((s for s in candidates if len(s) == 5 and all(x in orgs for x in s)), orgs)
    for seq in candidates:
        flat = [y for x in seq for y in (sub if x == "orgs" else [x])]
        if len(flat) == len(REQUEST_COLUMNS) and set(flat) == set(REQUEST_COLUMNS):
            return flat
    return list(REQUEST_COLUMNS)


def _appeal_group(k: str) -> StatItem | None:
    """The row of section 四 a header label names, if it names one ("行政诉讼" alone names none)."""
    for code, key in (
        ("4.suit_after_review", "复议后"),
        ("4.suit_direct", "未经复议"),
        ("4.review", "行政复议"),
    ):
        if key in k:
            return _BY[("四", "row", code)]
    return None


def _appeal_order(headers: list[list[str]]) -> list[tuple[StatItem, StatItem]]:
    """(row, outcome) for each of the fifteen figures, in the order the header prints them.

    The template's header is three rows (复议 | 诉讼; five outcomes, 未经复议直接起诉, 复议后起诉; ten
    outcomes); flattened exports print one row of fifteen, each label sometimes naming its group
    ("行政复议结果维持"). Outcome order comes from the labels; which group a run of five belongs to from
    its own label, else from the order the group labels are printed in.
    """
    default = [(r, c) for r in APPEAL_ROWS for c in APPEAL_COLUMNS]
    outcome_rows: list[list[tuple[StatItem | None, StatItem]]] = []
    groups: list[StatItem] = []
    for keys in headers:
        out = []
        for k in keys:
            col = (
                _match(k, APPEAL_COLUMNS)
                if any(x in k for c in APPEAL_COLUMNS for x in c.keys)
                else None
            )
            group = _appeal_group(k)
            if col is not None:
                out.append((group, col))
            elif group is not None and group not in groups:
                groups.append(group)
        outcome_rows.append(out)
    review = _BY[("四", "row", "4.review")]
    suits = [g for g in groups if g is not review] or APPEAL_ROWS[1:]
    order_groups = [review, *suits] if len(suits) == 2 else list(APPEAL_ROWS)
    longest = max(outcome_rows, key=len, default=[])
    if len(longest) == 15:
        slots = longest
    elif len(longest) == 10:
        first = next((o for o in outcome_rows if len(o) == 5), [(None, c) for c in APPEAL_COLUMNS])
        slots = first + longest
        order_groups = [review, *suits] if len(suits) == 2 else list(APPEAL_ROWS)
    else:
        return default
    order = []
    for i, (group, col) in enumerate(slots):
        order.append((group or order_groups[i // 5], col))
    if len(set(order)) != 15:
        return default
    return order


def _read_appeals(rows: list[Row]) -> list[dict]:
    """Section 四: fifteen figures (review, then the two kinds of suit, each 维持/纠正/其他/未审结/总计 in
    the template), placed by the header's order; a row of fifteen figures after a label is read too."""
    values: list[str] = []
    headers: list[list[str]] = []
    positional = True
    for row in rows:
        labels, vals = _split(row)
        if labels and len([v for v in vals if v is not None]) < 15:
            if not vals:
                headers.append([_key(label) for label in labels])
            continue
        values.extend(vals)
        positional = positional and row.positional
    width = len(APPEAL_ROWS) * len(APPEAL_COLUMNS)
    placed = _place(values, width, positional, lone_is_total=False)
    by_slot = dict(zip(_appeal_order(headers), placed, strict=True))
    cells = []
    for row_item in APPEAL_ROWS:
        for col in APPEAL_COLUMNS:
            cells.append(_cell("四", row_item, col, by_slot[(row_item, col)]))
    return cells


def _parse_rows(rows: list[Row], template_text: str, year: int | None) -> TableResult:
    template = detect_template(template_text, year)
    result = TableResult(template)
    if template is None:
        reason = "no statutory tables: none of the 2019/2021 template labels found"
        if year is not None and year < 2019:
            reason = f"no statutory tables: a {year} report predates the 2019 template"
        result.problems = dict.fromkeys(("二", "三", "四"), reason)
        return result
    by_section: dict[str, list[Row]] = {"二": [], "三": [], "四": []}
    section: str | None = None
    for row in rows:
        if not row.cells:
            continue
        section = _section_of(row, section)
        if section is not None:
            by_section[section].append(row)
    readers = {
        "二": lambda rs: _read_active(rs, template),
        "三": lambda rs: _read_requests(rs, template),
        "四": _read_appeals,
    }
    for sec, reader in readers.items():
        sec_rows = by_section[sec]
        if not sec_rows:
            result.problems[sec] = f"section {sec} table not found"
            continue
        cells = reader(sec_rows)
        if not any(c["value"] is not None for c in cells):
            result.problems[sec] = f"section {sec} table has no figures that could be read"
        result.cells.extend(cells)
    return result


def parse_text(text: str, year: int | None = None) -> TableResult:
    """Tables from text: archive text (" | " rows), pipes, one cell per line or PDF text."""
    return _parse_rows(rows_from_text(text), text, year)


def parse_html(html: str, year: int | None = None) -> TableResult:
    """Tables from an HTML page (rowspans and colspans expanded); falls back to the page text."""
    rows = rows_from_html(html)
    text = "\n".join(" | ".join(r.cells) for r in rows)
    result = _parse_rows(rows, text, year)
    if result.template is None or len(result.problems) == 3:
        import lxml.html

        body = lxml.html.fromstring(html).text_content()
        fallback = parse_text(body, year)
        if len(fallback.problems) < len(result.problems):
            return fallback
    return result


def _pdf_rows(page) -> tuple[list[Row], bool]:
    """One page as rows in reading order: each ruled table's rows, and every text line outside the
    tables as a one-cell row, so the section headings between tables still say where a table belongs.
    Returns the rows and whether the page had a ruled table at all."""
    placed: list[tuple[float, int, Row]] = []
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    for n, table in enumerate(tables):
        for i, tr in enumerate(table.extract()):
            # pdfplumber gives None for a slot a merged cell covers: a colspan counts once, and a
            # rowspan's label needs no repeating (the section readers remember the group they are in).
            cells = [re.sub(r"\s+", " ", c).strip() for c in tr if c is not None]
            if any(cells):
                placed.append((table.bbox[1], n * 100000 + i, Row(cells, True)))
    for line in page.extract_text_lines():
        mid_x, mid_y = (line["x0"] + line["x1"]) / 2, (line["top"] + line["bottom"]) / 2
        if any(x0 <= mid_x <= x1 and top <= mid_y <= bottom for x0, top, x1, bottom in boxes):
            continue
        text = line["text"].strip()
        if text:
            placed.append((line["top"], -1, _split_spaced(text)))
    placed.sort(key=lambda p: (p[0], p[1]))
    return [row for _, _, row in placed], bool(tables)


def parse_pdf(path: str | Path, year: int | None = None) -> TableResult:
    """Tables from a PDF. Ruled tables are read as grids by pdfplumber (cell boundaries are exact, so
    empty cells stay empty); a PDF without rules (tables drawn by spacing only) is read from its text
    lines, a label followed by its figures, like any PDF-extracted text."""
    import pdfplumber

    rows: list[Row] = []
    texts: list[str] = []
    ruled = False
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            texts.append(page.extract_text() or "")
            page_rows, page_ruled = _pdf_rows(page)
            rows.extend(page_rows)
            ruled = ruled or page_ruled
    text = "\n".join(texts)
    fallback = parse_text(text, year)
    if not ruled:
        return fallback
    result = _parse_rows(rows, "\n".join(" | ".join(r.cells) for r in rows), year)
    if len(fallback.problems) < len(result.problems):
        return fallback
    return result


def parse_file(path: str | Path, year: int | None = None) -> TableResult:
    """Pick the parser by what the file is: PDF by its magic bytes, HTML by its tags, else text."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:5] == b"%PDF-":
        return parse_pdf(path, year)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    if re.search(r"<(table|html|body|div|p)\b", text[:20000], re.IGNORECASE):
        return parse_html(text, year)
    return parse_text(text, year)


# --- consistency checks -------------------------------------------------------------------------------


def _sum(values: list) -> int | float:
    total = sum(v for v in values if v is not None)
    return round(total, 4) if isinstance(total, float) else total


def checks(result: TableResult) -> list[dict]:
    """The identities the templates state, one record per column or row checked.

    A check runs only when its figures are there: a row nobody filled in is not an inconsistency, and a
    missing part counts as 0 once some of the figures are given. A table that could not be read is a
    record too (ok None), so a gap is never silent.
    """
    out: list[dict] = []
    for section, reason in result.problems.items():
        out.append(
            {"rule": f"{section} table readable", "expected": "table", "actual": reason, "ok": None}
        )
    v = {(c["section"], c["item_code"], c["col_label"]): c["value"] for c in result.cells}
    if "三" not in result.problems:
        for col in REQUEST_COLUMNS:
            parts_in = [v.get(("三", "3.new", col.label)), v.get(("三", "3.carried", col.label))]
            parts_out = [
                v.get(("三", "3.result.total", col.label)),
                v.get(("三", "3.next_year", col.label)),
            ]
            if all(x is None for x in parts_in + parts_out):
                continue
            expected, actual = _sum(parts_in), _sum(parts_out)
            out.append(
                {
                    "rule": f"三 一+二 = 三(七)总计 + 四 [{col.label}]",
                    "expected": expected,
                    "actual": actual,
                    "ok": expected == actual,
                }
            )
        rows = []
        for c in result.cells:
            if c["section"] == "三" and c["item_code"] not in rows:
                rows.append(c["item_code"])
        for code in rows:
            total = v.get(("三", code, "总计"))
            parts = [v.get(("三", code, col.label)) for col in REQUEST_COLUMNS[:-1]]
            if total is None or all(p is None for p in parts):
                continue
            label = _BY[("三", "row", code)].label
            out.append(
                {
                    "rule": f"三 总计列 = 各申请人列之和 [{label}]",
                    "expected": _sum(parts),
                    "actual": total,
                    "ok": _sum(parts) == total,
                }
            )
    if "四" not in result.problems:
        for row in APPEAL_ROWS:
            total = v.get(("四", row.code, "总计"))
            parts = [v.get(("四", row.code, col.label)) for col in APPEAL_COLUMNS[:-1]]
            if total is None or all(p is None for p in parts):
                continue
            out.append(
                {
                    "rule": f"四 总计 = 各结果之和 [{row.label}]",
                    "expected": _sum(parts),
                    "actual": total,
                    "ok": _sum(parts) == total,
                }
            )
    return out


# --- the archive --------------------------------------------------------------------------------------


def _db_value(value):
    if isinstance(value, bool):
        return int(value)
    return value


def sync_stat_items(conn) -> None:
    """Keep the stat_items code table equal to STAT_ITEMS; rows that did not change are not rewritten."""
    for i in STAT_ITEMS:
        conn.execute(
            "INSERT INTO stat_items (section, axis, code, label, label_2019, label_2021, parent, note) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(section, axis, code) DO UPDATE SET "
            "label = excluded.label, label_2019 = excluded.label_2019, "
            "label_2021 = excluded.label_2021, parent = excluded.parent, note = excluded.note "
            "WHERE label IS NOT excluded.label OR label_2019 IS NOT excluded.label_2019 "
            "OR label_2021 IS NOT excluded.label_2021 OR parent IS NOT excluded.parent "
            "OR note IS NOT excluded.note",
            [
                i.section,
                i.axis,
                i.code,
                i.label,
                i.label_2019,
                i.label_2021,
                i.group,
                i.note or None,
            ],
        )


def report_tables(text: str, year: int | None, attachment_texts=()) -> TableResult:
    """The tables of one report: from its page text, or, when the page carries none of them (a short
    page with the tables only in the PDF or Word file under 附件), from the attachment text that has
    the most of them. The page wins any tie, so an attachment never overrides tables the page prints."""
    result = parse_text(text or "", year)
    if len(result.problems) < 3:
        return result
    for extra in attachment_texts:
        if extra:
            candidate = parse_text(extra, year)
            if len(candidate.problems) < len(result.problems):
                result = candidate
    return result


def _stat_rows(result: TableResult) -> tuple[list[tuple], list[tuple]]:
    cells = [
        (c["section"], c["item_code"], c["row_label"], c["col_label"], c["value"], c["raw"],
         result.template)
        for c in result.cells
    ]  # fmt: skip
    found = [
        (k["rule"], _db_value(k["expected"]), _db_value(k["actual"]), _db_value(k["ok"]))
        for k in checks(result)
    ]
    # Duplicate keys (a row printed twice) keep their first reading, as the UNIQUE keys do in the table.
    cells = list({(c[0], c[1], c[3]): c for c in reversed(cells)}.values())[::-1]
    found = list({k[0]: k for k in reversed(found)}.values())[::-1]
    return cells, found


def store_report_stats(
    conn, report_id: str, text: str, year: int | None, attachment_texts=()
) -> TableResult | None:
    """Make one report's cells and checks those its text (or its attachments' text) gives, inside the
    caller's transaction. Rows already equal are left alone, so a re-crawl or a second `restats` writes
    nothing; returns the result when something was written, None when the archive already held it."""
    result = report_tables(text, year, attachment_texts)
    cells, found = _stat_rows(result)
    old_cells = conn.execute(
        "SELECT section, item_code, row_label, col_label, value, raw, template FROM disclosure_stats "
        "WHERE report_id = ?",
        [report_id],
    ).fetchall()
    old_checks = conn.execute(
        "SELECT rule, expected, actual, ok FROM stats_checks WHERE report_id = ?", [report_id]
    ).fetchall()
    if sorted(map(tuple, old_cells), key=repr) == sorted(cells, key=repr) and sorted(
        map(tuple, old_checks), key=repr
    ) == sorted(found, key=repr):
        return None
    conn.execute("DELETE FROM disclosure_stats WHERE report_id = ?", [report_id])
    conn.execute("DELETE FROM stats_checks WHERE report_id = ?", [report_id])
    conn.executemany(
        "INSERT INTO disclosure_stats (report_id, section, item_code, row_label, col_label, value, "
        "raw, template) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(report_id, *c) for c in cells],
    )
    conn.executemany(
        "INSERT INTO stats_checks (report_id, rule, expected, actual, ok) VALUES (?, ?, ?, ?, ?)",
        [(report_id, *k) for k in found],
    )
    return result


def restats(conn) -> dict[str, int]:
    """Recompute disclosure_stats and stats_checks for every report of an archive: for files whose reports
    were saved before migration 2 existed, or after the parser learnt a new form. Reports that are not
    annual reports lose any stats they had. Idempotent: a second run writes nothing."""
    from archive.schema import transaction

    counts = {"annual_reports": 0, "rewritten": 0, "cleared": 0}
    with transaction(conn):
        sync_stat_items(conn)
        attachments: dict[str, list[str]] = {}
        for rid, text in conn.execute(
            "SELECT report_id, text FROM attachments WHERE text IS NOT NULL ORDER BY report_id, position"
        ):
            attachments.setdefault(rid, []).append(text)
        reports = conn.execute(
            "SELECT id, text, year FROM reports WHERE kind = 'annual_report'"
        ).fetchall()
        for rid, text, year in reports:
            counts["annual_reports"] += 1
            if store_report_stats(conn, rid, text, year, attachments.get(rid, ())) is not None:
                counts["rewritten"] += 1
        for table in ("disclosure_stats", "stats_checks"):
            counts["cleared"] += conn.execute(
                f"DELETE FROM {table} WHERE report_id NOT IN "
                "(SELECT id FROM reports WHERE kind = 'annual_report')"
            ).rowcount
    return counts
