"""The statutory tables of an annual report as data: sections 二, 三 and 四, with evidence per cell.

Every report since 2019 carries the same three tables, but they reach us in many shapes: HTML tables
with rowspans and colspans, our archive text (" | " rows), one cell per line, PDF-to-markdown pipes,
a page's text run together, text-layer PDFs, and scans with no text at all. Each shape has a reader that
turns it into rows of cells (rows.py, html.py, pdf.py, ocr.py); the layout the report prints decides its
template (detect.py, templates/*.yml); section readers map the rows onto canonical codes with tolerant
label matching (labels.py) and the statutory arithmetic (arithmetic.py); checks.py says whether the
numbers add up, store.py keeps it all in the archive. A cell nobody filled in stays None; only a printed
0 is 0; a cell that was not read says so (`TableResult.missing`), so no loss is silent.
"""

from __future__ import annotations

from .checks import checks, narrative_checks
from .detect import detect_template
from .files import parse_file
from .parse import parse_html, parse_rows, parse_text
from .pdf import parse_pdf
from .result import TableResult
from .rows import Row, rows_from_text
from .store import (
    clear_report_stats,
    report_tables,
    restats,
    store_report_stats,
    sync_stat_items,
)
from .template import STAT_ITEMS, StatItem, templates
from .values import parse_value

__all__ = [
    "APPEAL_COLUMNS",
    "APPEAL_ROWS",
    "REQUEST_COLUMNS",
    "STAT_ITEMS",
    "Row",
    "StatItem",
    "TableResult",
    "checks",
    "clear_report_stats",
    "detect_template",
    "narrative_checks",
    "parse_file",
    "parse_html",
    "parse_pdf",
    "parse_rows",
    "parse_text",
    "parse_value",
    "report_tables",
    "restats",
    "rows_from_text",
    "store_report_stats",
    "sync_stat_items",
    "templates",
]

REQUEST_COLUMNS = [i for i in STAT_ITEMS if i.section == "三" and i.axis == "col"]
APPEAL_ROWS = [i for i in STAT_ITEMS if i.section == "四" and i.axis == "row"]
APPEAL_COLUMNS = [i for i in STAT_ITEMS if i.section == "四" and i.axis == "col"]
