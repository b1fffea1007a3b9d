"""Migration 10: evidence for every statutory cell, stat_labels, stats_status, OCR text marks.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 10
NAME = "evidence per statutory cell, stat_labels, stats_status, OCR text marks"

# evidence for every statutory-table cell (archive/tables/store.py), the labels each
# template prints in long form, one status row per annual report (complete, or what to review and why),
# and which texts were read by OCR.
STAT_LABELS = """
CREATE TABLE stat_labels (
    template TEXT NOT NULL,          -- template or layout variant id: 2019, 2021, 2021-single-other
    section TEXT NOT NULL,           -- 二, 三, 四
    axis TEXT NOT NULL,              -- row, col or group
    code TEXT NOT NULL,              -- stat_items.code (group rows: their own code, e.g. 3.result.not_open)
    label TEXT NOT NULL,             -- the spelling, e.g. 信访投诉举报类申请
    kind TEXT NOT NULL,              -- printed (what the template prints) or variant (met in reports)
    position INTEGER NOT NULL,       -- order of the row or column in the template, from 0
    source TEXT,                     -- the template file, under archive/tables/templates/
    PRIMARY KEY (template, section, axis, code, label)
)"""
STATS_STATUS = """
CREATE TABLE stats_status (
    report_id TEXT PRIMARY KEY REFERENCES reports(id),
    template TEXT,                   -- the layout the report prints, NULL when no table was found
    method TEXT,                     -- html, pdf-words, pdf-lines, text or ocr
    complete INTEGER NOT NULL,       -- 1 every cell of the layout read as printed; 0 review it
    cells INTEGER NOT NULL,
    unread INTEGER NOT NULL,         -- cells not found, ambiguous, filled or corrected
    reason TEXT,                     -- why it is incomplete, e.g. 'ambiguous; not found'
    missing TEXT                     -- JSON list of those cells (section, item_code, col_label, why)
)"""
STATEMENTS = [
    "ALTER TABLE disclosure_stats ADD COLUMN method TEXT",  # html, pdf-words, pdf-lines, text, ocr
    "ALTER TABLE disclosure_stats ADD COLUMN page INTEGER",  # PDF page, from 1
    "ALTER TABLE disclosure_stats ADD COLUMN label TEXT",  # the row label as printed
    "ALTER TABLE disclosure_stats ADD COLUMN label_distance INTEGER",  # edits from the statute's
    "ALTER TABLE disclosure_stats ADD COLUMN confidence REAL",  # 0-1 (OCR), 1 for text
    "ALTER TABLE disclosure_stats ADD COLUMN arithmetic TEXT",  # split/filled/corrected/ambiguous
    "ALTER TABLE stats_checks ADD COLUMN evidence TEXT",  # where the figures came from
    STAT_LABELS,
    STATS_STATUS,
    "CREATE INDEX idx_stats_status_complete ON stats_status(complete)",
    "ALTER TABLE attachments ADD COLUMN text_source TEXT",  # 'ocr' when read from page images
    "ALTER TABLE reports ADD COLUMN text_source TEXT",  # 'ocr' for an image-only report read so
]
