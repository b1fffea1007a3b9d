"""The statutory tables of a report laid out as the 2019/2021 templates print them, from disclosure_stats.

disclosure_stats holds one row per cell under canonical codes, which is what queries need; a reader needs the
printed shape back: section 三 with 申请人情况 over 自然人 / 法人或其他组织 (five kinds) / 总计 and the result rows
grouped under 不予公开, 无法提供, 不予处理, 其他处理; section 四 with 行政复议 and 行政诉讼 (未经复议直接起诉,
复议后起诉) as column groups over the same five result columns; section 二 as one small table per set of
columns. The layout is header rows of cells with colspan/rowspan and body rows, so the template only draws.
"""

from __future__ import annotations

from collections import OrderedDict

# Group rows of section 三 that the archive stores only as their children (labels as the templates print them).
GROUP_LABELS = {
    "3.result.not_open": "（三）不予公开",
    "3.result.cannot": "（四）无法提供",
    "3.result.not_handled": "（五）不予处理",
    "3.result.other": "（六）其他处理",
}
APPLICANT_ORGS = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]


def _cell(text, colspan=1, rowspan=1, header=True, cls="") -> dict:
    return {"text": text, "colspan": colspan, "rowspan": rowspan, "header": header, "cls": cls}


def _value(cell: dict | None) -> str:
    """The figure as printed when it was printed; counts as integers, never "4.0"."""
    if cell is None:
        return ""
    raw, value = cell.get("raw"), cell.get("value")
    if raw not in (None, ""):
        return str(raw)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _section_two(rows: OrderedDict) -> list[dict]:
    """One table per run of rows printed with the same columns (规章/规范性文件; 许可/处罚/强制; 收费)."""
    tables: list[dict] = []
    for code, row in rows.items():
        cols = list(row["cells"])
        if not tables or tables[-1]["cols"] != cols:
            tables.append({"cols": cols, "rows": []})
        tables[-1]["rows"].append((code, row))
    out = []
    for t in tables:
        head = [[_cell("信息内容"), *(_cell(c) for c in t["cols"])]]
        body = [
            [
                _cell(row["label"]),
                *(_cell(_value(row["cells"].get(c)), header=False, cls="num") for c in t["cols"]),
            ]
            for _, row in t["rows"]
        ]
        out.append({"head": head, "body": body})
    return out


def _section_three(
    rows: OrderedDict, cols: list[str], parents: dict[str, str | None]
) -> list[dict]:
    orgs = [c for c in cols if c in APPLICANT_ORGS]
    others = [c for c in cols if c not in orgs]
    ordered = [c for c in others if c != "总计"] + orgs + [c for c in others if c == "总计"]
    head = [[_cell("", colspan=2, rowspan=3), _cell("申请人情况", colspan=len(ordered))], [], []]
    for c in ordered:
        if c in orgs:
            if c == orgs[0]:
                head[1].append(_cell("法人或其他组织", colspan=len(orgs)))
            head[2].append(_cell(c))
        else:
            head[1].append(_cell(c, rowspan=2))
    if not orgs:
        head = [head[0], head[1]]
        for cell in head[1]:
            cell["rowspan"] = 1
        head[0][0]["rowspan"] = 2
    body = []
    codes = list(rows)
    i = 0
    while i < len(codes):
        code = codes[i]
        parent = parents.get(code)
        values = [
            _cell(_value(rows[code]["cells"].get(c)), header=False, cls="num") for c in ordered
        ]
        if parent:
            span = 1
            while i + span < len(codes) and parents.get(codes[i + span]) == parent:
                span += 1
            label = GROUP_LABELS.get(parent, parent)
            body.append([_cell(label, rowspan=span), _cell(rows[code]["label"]), *values])
            for j in range(1, span):
                c2 = codes[i + j]
                body.append(
                    [
                        _cell(rows[c2]["label"]),
                        *(
                            _cell(_value(rows[c2]["cells"].get(c)), header=False, cls="num")
                            for c in ordered
                        ),
                    ]
                )
            i += span
            continue
        body.append([_cell(rows[code]["label"], colspan=2), *values])
        i += 1
    return [{"head": head, "body": body}]


def _section_four(rows: OrderedDict, cols: list[str]) -> list[dict]:
    """Printed transposed: each stored row (行政复议, 行政诉讼·未经复议直接起诉, …) is a column group."""
    groups: OrderedDict[str, list[tuple[str, str]]] = OrderedDict()
    for code, row in rows.items():
        top, _, sub = row["label"].partition("·")
        groups.setdefault(top, []).append((code, sub))
    has_sub = any(sub for subs in groups.values() for _, sub in subs)
    head = [[], [], []] if has_sub else [[], []]
    body_row = []
    for top, subs in groups.items():
        head[0].append(
            _cell(
                top, colspan=len(subs) * len(cols), rowspan=2 if has_sub and not subs[0][1] else 1
            )
        )
        for code, sub in subs:
            if has_sub and sub:
                head[1].append(_cell(sub, colspan=len(cols)))
            for c in cols:
                head[-1].append(_cell(c))
                body_row.append(_cell(_value(rows[code]["cells"].get(c)), header=False, cls="num"))
    return [{"head": [h for h in head if h], "body": [body_row]}]


def layout(cells: list[dict], parents: dict[str, str | None] | None = None) -> list[dict]:
    """disclosure_stats rows of one report (rowid order) → [{section, tables: [{head, body}]}]."""
    parents = parents or {}
    sections: OrderedDict[str, dict] = OrderedDict()
    for c in cells:
        sec = sections.setdefault(c["section"], {"cols": [], "rows": OrderedDict()})
        if c["col_label"] not in sec["cols"]:
            sec["cols"].append(c["col_label"])
        row = sec["rows"].setdefault(
            c["item_code"], {"label": c["row_label"], "cells": OrderedDict()}
        )
        row["cells"][c["col_label"]] = c
    out = []
    for name, sec in sections.items():
        if name == "二":
            tables = _section_two(sec["rows"])
        elif name == "三":
            tables = _section_three(sec["rows"], sec["cols"], parents)
        elif name == "四":
            tables = _section_four(sec["rows"], sec["cols"])
        else:
            tables = _section_two(sec["rows"])
        out.append({"section": name, "tables": tables})
    return out


SECTION_TITLES = {
    "二": "二、主动公开政府信息情况",
    "三": "三、收到和处理政府信息公开申请情况",
    "四": "四、政府信息公开行政复议、行政诉讼情况",
}
