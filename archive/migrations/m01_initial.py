"""Migration 1, the shape the first archive files were written with: frozen, as every migration is.

Its statements are the text sqlite_master keeps for these tables, so editing one would give new files a
different shape from the files already published; change the shape by adding a migration instead.
The column comments say what each column held then; archive/shape.py describes the columns as they are now.
"""

from __future__ import annotations

NUMBER = 1
NAME = "initial shape"

# Column order here is the order Datasette shows. Types are SQLite affinities; dates are ISO 8601 text
# (YYYY-MM-DD for dates on the page, YYYY-MM-DDTHH:MM:SS+00:00 for times we observed), because that is what
# sorts and facets correctly in Datasette and reads unambiguously in a CSV export.
TABLES = {
    "bureaus": """
CREATE TABLE bureaus (
    id TEXT PRIMARY KEY,             -- registry slug, e.g. henan-jtt
    name TEXT NOT NULL,              -- 河南省交通运输厅
    level TEXT,                      -- province / city / county
    province TEXT,                   -- 河南省
    region_code TEXT,                -- six-digit administrative division code, e.g. 410000
    homepage TEXT,
    family TEXT,                     -- CMS family adapter: trs, hanweb, ...
    columns TEXT,                    -- JSON list of the disclosure column URLs crawled
    verified INTEGER NOT NULL DEFAULT 0  -- 1 when a person checked the registry row against the portal
)""",
    "crawl_runs": """
CREATE TABLE crawl_runs (
    id TEXT PRIMARY KEY,
    start TEXT NOT NULL,
    "end" TEXT,
    registry TEXT,                   -- sample, bureaus or the YAML path crawled
    new_reports INTEGER,
    changed_reports INTEGER,
    unchanged_reports INTEGER,
    errors INTEGER,
    stats TEXT                       -- Scrapy's stats as JSON, keys as Scrapy names them
)""",
    "reports": """
CREATE TABLE reports (
    id TEXT PRIMARY KEY,             -- sha1(canonical url)[:16]
    bureau_id TEXT NOT NULL REFERENCES bureaus(id),
    kind TEXT NOT NULL,              -- annual_report, work_plan, interpretation, guide, other
    year INTEGER,                    -- the year the report is about (报告年度), not when it was posted
    title TEXT NOT NULL,
    published TEXT,                  -- YYYY-MM-DD as shown on the page
    url TEXT NOT NULL UNIQUE,
    column_url TEXT,
    text TEXT NOT NULL,
    text_normalized TEXT NOT NULL,
    chars INTEGER NOT NULL DEFAULT 0,  -- length of text in characters
    content_hash TEXT NOT NULL,      -- sha256 of text, hex
    site_name TEXT,
    site_id_code TEXT,               -- 网站标识码
    index_no TEXT,                   -- 索引号
    publisher TEXT,                  -- 发布机构
    doc_no TEXT,                     -- 文号
    written_date TEXT,               -- 成文日期, YYYY-MM-DD
    source TEXT,                     -- 来源
    column_name TEXT,
    family TEXT,
    http_status INTEGER,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    changed_at TEXT,                 -- when content_hash last changed; NULL if never
    fetched_at TEXT,
    run_id TEXT                      -- crawl_runs.id of the crawl that last wrote this row
)""",
    "attachments": """
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,             -- sha1(report_id + url)[:16]
    report_id TEXT NOT NULL REFERENCES reports(id),
    position INTEGER NOT NULL DEFAULT 0,  -- order on the page, from 0
    name TEXT,
    url TEXT NOT NULL,
    ext TEXT                         -- file extension, lower case: pdf, doc, xlsx
)""",
    "crawl_errors": """
CREATE TABLE crawl_errors (
    id TEXT PRIMARY KEY,             -- sha1(run + url + reason)[:16]
    run TEXT,
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    status INTEGER,                  -- HTTP status, NULL when no response
    bureau_id TEXT REFERENCES bureaus(id),
    time TEXT NOT NULL
)""",
}

INDEXES = [
    "CREATE INDEX idx_reports_bureau_id ON reports(bureau_id)",
    "CREATE INDEX idx_reports_year ON reports(year)",
    "CREATE INDEX idx_reports_kind ON reports(kind)",
    "CREATE INDEX idx_reports_published ON reports(published)",
    "CREATE INDEX idx_attachments_report_id ON attachments(report_id)",
    "CREATE INDEX idx_crawl_errors_run ON crawl_errors(run)",
    "CREATE INDEX idx_crawl_errors_bureau_id ON crawl_errors(bureau_id)",
]


# External content: the index stores only tokens and points at reports by rowid, so the text is not stored
# twice. Only the normalized text is indexed, so a search returns exactly the reports whose normalized text
# contains the query — the promise users (and our tests) can check with a plain substring count. Titles are
# filtered with Datasette's column filters (title__contains) instead. content="reports" is double-quoted because that is the spelling Datasette's FTS detection looks for.
FTS = """
CREATE VIRTUAL TABLE reports_fts USING fts5(
    text_normalized,
    content="reports", content_rowid="rowid",
    tokenize="nianbao_cjk"
)"""

VIEWS = {
    "annual_reports": """
CREATE VIEW annual_reports AS
SELECT r.id, r.year, b.name AS bureau, b.level, b.province, r.title, r.published, r.chars, r.url,
       r.bureau_id, r.first_seen, r.changed_at
FROM reports r JOIN bureaus b ON b.id = r.bureau_id
WHERE r.kind = 'annual_report'""",
    "bureau_years": """
CREATE VIEW bureau_years AS
SELECT b.id AS bureau_id, b.name AS bureau, b.level, b.province, r.year,
       count(*) AS annual_reports, min(r.published) AS first_published
FROM reports r JOIN bureaus b ON b.id = r.bureau_id
WHERE r.kind = 'annual_report' AND r.year IS NOT NULL
GROUP BY b.id, r.year""",
    "bureau_summary": """
CREATE VIEW bureau_summary AS
SELECT b.id AS bureau_id, b.name AS bureau, b.level, b.province,
       (SELECT count(*) FROM reports r WHERE r.bureau_id = b.id) AS reports,
       (SELECT count(*) FROM reports r WHERE r.bureau_id = b.id AND r.kind = 'annual_report')
           AS annual_reports,
       (SELECT min(year) FROM reports r WHERE r.bureau_id = b.id AND r.kind = 'annual_report')
           AS first_year,
       (SELECT max(year) FROM reports r WHERE r.bureau_id = b.id AND r.kind = 'annual_report')
           AS last_year,
       (SELECT count(*) FROM crawl_errors e WHERE e.bureau_id = b.id) AS crawl_errors
FROM bureaus b""",
}

STATEMENTS = [*TABLES.values(), *INDEXES, FTS, *VIEWS.values()]
