"""Migration 9: report texts in a table of their own, search over title and text, the level on each report,
report images.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 9
NAME = (
    "report texts in their own table; search over title and text; level on reports; report images"
)

# the texts in a table of their own, titles searched with the text, the level on each report.
# Datasette reads every column of every row it shows or filters (the table page, the search box's rowid IN
# probe), so a 20,000-character text in each `reports` row made the table page ~1 MB for 117 reports and the
# search box slow at 100,000; `reports` rows are now narrow and the texts sit in report_texts (one row per
# report). reports_with_text joins them back for code that reads a report with its text. The search index
# covers the title and the normalized text (two columns, one match over both), through the report_search
# view as its external content.
REPORT_TEXTS = """
CREATE TABLE report_texts (
    report_id TEXT PRIMARY KEY REFERENCES reports(id),
    text TEXT NOT NULL,              -- clean text as published (the faithful extraction)
    text_normalized TEXT NOT NULL    -- repaired, ruby removed, simplified: what is searched
)"""
REPORT_SEARCH_VIEW = """
CREATE VIEW report_search AS
SELECT r.rowid AS rid, r.title, t.text_normalized
FROM reports r JOIN report_texts t ON t.report_id = r.id"""
REPORTS_WITH_TEXT_VIEW = """
CREATE VIEW reports_with_text AS
SELECT r.*, t.text, t.text_normalized
FROM reports r LEFT JOIN report_texts t ON t.report_id = r.id"""
FTS_TITLE_TEXT = """
CREATE VIRTUAL TABLE reports_fts USING fts5(
    title, text_normalized,
    content="report_search", content_rowid="rid",
    tokenize="nianbao_cjk"
)"""
REPORT_IMAGES = """
CREATE TABLE report_images (
    report_id TEXT NOT NULL REFERENCES reports(id),
    position INTEGER NOT NULL,       -- order on the page, from 0
    url TEXT NOT NULL,               -- the image as the portal serves it
    sha256 TEXT,                     -- of the bytes; also the file's name under data/files/
    path TEXT,                       -- relative to data/files/, NULL when not downloaded
    size INTEGER,
    type TEXT,                       -- png, jpg, gif, bmp, webp (from the bytes)
    error TEXT,                      -- why it was not kept
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT,
    PRIMARY KEY (report_id, position)
)"""
STATEMENTS = [
    REPORT_TEXTS,
    "INSERT INTO report_texts (report_id, text, text_normalized) "
    "SELECT id, text, text_normalized FROM reports",
    "DROP TABLE reports_fts",
    "ALTER TABLE reports DROP COLUMN text",
    "ALTER TABLE reports DROP COLUMN text_normalized",
    "ALTER TABLE reports ADD COLUMN level TEXT",  # bureaus.level, copied for facets
    "UPDATE reports SET level = (SELECT b.level FROM bureaus b WHERE b.id = reports.bureau_id)",
    "CREATE INDEX idx_reports_level ON reports(level)",
    REPORT_SEARCH_VIEW,
    REPORTS_WITH_TEXT_VIEW,
    FTS_TITLE_TEXT,
    "INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')",
    REPORT_IMAGES,
]
