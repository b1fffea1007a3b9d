"""From rows of any reader to the cells of the layout the report prints."""

from __future__ import annotations

import functools
import re

from .active import read_active
from .appeals import read_appeals
from .detect import detect
from .html import rows_from_html
from .requests import read_requests
from .result import TableResult
from .rows import Row, rows_from_text
from .sections import records, section_rows
from .template import templates
from .values import key

__all__ = ["parse_rows", "parse_text", "parse_html", "looks_like_annual_report"]

_READERS = {"二": read_active, "三": read_requests, "四": read_appeals}


@functools.cache
def flat_labels() -> list[str]:
    """The statutory row labels a run-together line is cut at (whole labels, no short variants)."""
    out: dict[str, None] = {}
    for t in templates():
        for sec in t.sections.values():
            for line in (*sec.rows, *sec.groups):
                if not line.exact and len(line.label) >= 2:
                    out[line.label] = None
    return sorted(out, key=len, reverse=True)


# What an annual report says of itself: "政府信息公开工作年度报告", "政府信息公开年报", "一、总体情况".
_ANNUAL = re.compile(r"信息公开工作年度报告|信息公开年度报告|信息公开年报|一、总体情况")


def looks_like_annual_report(text: str) -> bool:
    return bool(_ANNUAL.search(key(text[:5000])))


def parse_rows(rows: list[Row], template_text: str, year: int | None) -> TableResult:
    tmpl = detect(rows, template_text, year)
    result = TableResult(tmpl.id if tmpl else None)
    result.annual_report = looks_like_annual_report(template_text) and (
        year is None or year >= 2019
    )
    result.method = next((r.method for r in rows if r.positional or len(r.cells) > 1), None)
    if tmpl is None:
        reason = "no statutory tables: none of the 2019/2021 template labels found"
        if year is not None and year < 2019:
            reason = f"no statutory tables: a {year} report predates the 2019 template"
        result.problems = dict.fromkeys(("二", "三", "四"), reason)
        return result
    by_section = section_rows(rows)
    for name, reader in _READERS.items():
        sec_rows = by_section[name]
        if not sec_rows:
            result.problems[name] = f"section {name} table not found"
            continue
        cells = reader(records(sec_rows), tmpl.sections[name], tmpl.id, tmpl.quirks)
        if not any(c["value"] is not None for c in cells):
            result.problems[name] = f"section {name} table has no figures that could be read"
        result.cells.extend(cells)
    return result


def parse_text(text: str, year: int | None = None) -> TableResult:
    """Tables from text: archive text (" | " rows), pipes, one cell per line, PDF text, run-together."""
    result = parse_rows(rows_from_text(text, flat_labels()), text, year)
    result.text = text
    return result


def parse_html(html: str, year: int | None = None) -> TableResult:
    """Tables from an HTML page (rowspans and colspans expanded); falls back to the page text."""
    import lxml.html

    rows = rows_from_html(html)
    text = "\n".join(" | ".join(r.cells) for r in rows)
    body = lxml.html.fromstring(html).text_content()
    result = parse_rows(rows, text, year)
    result.annual_report = result.annual_report or looks_like_annual_report(body)
    if result.template is None or len(result.problems) == 3:
        fallback = parse_text(body, year)
        if len(fallback.problems) < len(result.problems):
            return fallback
    result.text = body
    return result
