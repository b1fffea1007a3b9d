"""The one place where the archive's tables, keys, indexes, full-text index and views are declared.

Every writer (the crawl pipeline, tests, benchmarks) goes through `ensure_db_shape`, so an archive file built
by any of them has the same shape and Datasette's metadata.yml can describe it once. The shape changes only by
appending a numbered migration: old archive files then catch up the next time they are opened, and the
`_migrations` table says which steps a file has seen.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

from archive.tokenizer import FTS_TABLE, TOKENIZER, register_tokenizer
from archive.urls import canonical_url

__all__ = [
    "MIGRATIONS",
    "TABLES",
    "VIEWS",
    "FTS_TABLE",
    "TOKENIZER",
    "canonical_url",
    "ensure_db_shape",
    "rebuild_fts",
    "report_id",
    "stable_id",
    "transaction",
]


def stable_id(*parts: str) -> str:
    """A short id that is the same on every machine and every re-crawl, so links into the archive last."""
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()[:16]


def report_id(url: str) -> str:
    """Reports are identified by where they live; the canonical URL makes trivially different links agree."""
    return stable_id(canonical_url(url))


# Column order here is the order Datasette shows. Types are SQLite affinities; dates are ISO 8601 text
# (YYYY-MM-DD for dates on the page, YYYY-MM-DDTHH:MM:SS+00:00 for times we observed), because that is what
# sorts and facets correctly in Datasette and reads unambiguously in a CSV export.
TABLES: dict[str, str] = {
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
FTS = f"""
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    text_normalized,
    content="reports", content_rowid="rowid",
    tokenize="{TOKENIZER}"
)"""

VIEWS: dict[str, str] = {
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

# The statutory tables as one long table (archive/tables.py fills it). One row per cell: an empty cell is
# a row with value NULL, a printed 0 is 0. item_code and col_label are canonical for both templates, so one
# query compares 2019 with 2021 reports; stat_items says how each template spells them.
STATS_TABLES: dict[str, str] = {
    "stat_items": """
CREATE TABLE stat_items (
    section TEXT NOT NULL,           -- 二, 三, 四
    axis TEXT NOT NULL,              -- row or col
    code TEXT NOT NULL,              -- e.g. 2.permit, 3.result.not_open.secret, natural
    label TEXT NOT NULL,             -- canonical label, as disclosure_stats shows it
    label_2019 TEXT,                 -- how the 2019 template prints it (NULL: not in that template)
    label_2021 TEXT,                 -- how the 2021 template prints it
    parent TEXT,                     -- section 三: the group row spanning this one (不予公开, ...)
    note TEXT,
    PRIMARY KEY (section, axis, code)
)""",
    "disclosure_stats": """
CREATE TABLE disclosure_stats (
    report_id TEXT NOT NULL REFERENCES reports(id),
    section TEXT NOT NULL,           -- 二, 三, 四
    item_code TEXT NOT NULL,         -- stat_items.code of the row
    row_label TEXT NOT NULL,         -- canonical row label
    col_label TEXT NOT NULL,         -- canonical column label
    value REAL,                      -- NULL when the report left the cell empty
    raw TEXT,                        -- the cell as printed, e.g. 123.45万元
    template TEXT,                   -- 2019 or 2021
    PRIMARY KEY (report_id, section, item_code, col_label)
)""",
    "stats_checks": """
CREATE TABLE stats_checks (
    report_id TEXT NOT NULL REFERENCES reports(id),
    rule TEXT NOT NULL,              -- e.g. 三 一+二 = 三(七)总计 + 四 [自然人]
    expected,                        -- a number, or what was looked for
    actual,                          -- a number, or why the table could not be read
    ok INTEGER,                      -- 1 adds up, 0 does not, NULL could not be checked
    PRIMARY KEY (report_id, rule)
)""",
}
STATS_INDEXES = [
    "CREATE INDEX idx_disclosure_stats_item ON disclosure_stats(item_code, col_label)",
    "CREATE INDEX idx_stats_checks_ok ON stats_checks(ok)",
]
STATS_VIEWS: dict[str, str] = {
    "report_stats": """
CREATE VIEW report_stats AS
SELECT s.report_id, r.year, b.name AS bureau, b.province, b.level, s.template, s.section,
       s.item_code, s.row_label, s.col_label, s.value, s.raw, r.bureau_id, r.title
FROM disclosure_stats s JOIN reports r ON r.id = s.report_id JOIN bureaus b ON b.id = r.bureau_id""",
}

# Migration 6: coverage. Each bureau must publish its report for year Y by 31 January of Y+1. A year counts
# from the bureau's first annual report we hold up to the last year whose deadline has passed today (a report
# published early for a later year is shown too); `published` after the deadline is late, no annual_report is
# missing. The deadline moves with date('now'), so the view is always as of the moment it is read.
COVERAGE_VIEW = """
CREATE VIEW coverage AS
WITH RECURSIVE
asof AS (
    SELECT CAST(strftime('%Y', 'now') AS INTEGER) - 1 - (strftime('%m-%d', 'now') <= '01-31')
        AS last_complete_year
),
got AS (
    -- the earliest-published annual report of each bureau and year (bare columns follow min())
    SELECT bureau_id, year, count(*) AS reports, min(coalesce(published, '9999')) AS sort_key,
           published, id AS report_id, title, url
    FROM reports WHERE kind = 'annual_report' AND year IS NOT NULL
    GROUP BY bureau_id, year
),
bounds AS (SELECT bureau_id, min(year) AS first_year, max(year) AS last_year FROM got GROUP BY bureau_id),
years(bureau_id, year, last_year) AS (
    SELECT b.bureau_id, b.first_year, max(b.last_year, a.last_complete_year) FROM bounds b, asof a
    UNION ALL
    SELECT bureau_id, year + 1, last_year FROM years WHERE year < last_year
)
SELECT y.bureau_id, bu.name AS bureau, bu.province, bu.level, y.year,
       CASE WHEN g.report_id IS NULL THEN 'missing'
            WHEN g.published > (y.year + 1) || '-01-31' THEN 'late'
            ELSE 'published' END AS status,
       (y.year + 1) || '-01-31' AS deadline,
       g.published,
       CASE WHEN g.published > (y.year + 1) || '-01-31'
            THEN CAST(julianday(g.published) - julianday((y.year + 1) || '-01-31') AS INTEGER)
            END AS days_late,
       coalesce(g.reports, 0) AS reports, g.report_id, g.title, g.url
FROM years y
JOIN bureaus bu ON bu.id = y.bureau_id
LEFT JOIN got g ON g.bureau_id = y.bureau_id AND g.year = y.year
WHERE g.report_id IS NOT NULL OR y.year <= (SELECT last_complete_year FROM asof)"""


# Appended to, never edited: a file records the numbers it has applied and only runs the rest.
MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (1, "initial shape", [*TABLES.values(), *INDEXES, FTS, *VIEWS.values()]),
    (
        2,
        "statutory tables: disclosure_stats, stats_checks, stat_items",
        [*STATS_TABLES.values(), *STATS_INDEXES, *STATS_VIEWS.values()],
    ),
    (
        3,
        "attachment files and text; region and image-only flags on reports",
        [
            # sha256 of the file, also its name under data/files/ (see crawler/attachments.py)
            "ALTER TABLE attachments ADD COLUMN sha256 TEXT",
            "ALTER TABLE attachments ADD COLUMN size INTEGER",  # bytes as downloaded
            "ALTER TABLE attachments ADD COLUMN type TEXT",  # sniffed from the bytes: pdf, docx, doc, ofd
            "ALTER TABLE attachments ADD COLUMN path TEXT",  # relative to data/files/
            "ALTER TABLE attachments ADD COLUMN text TEXT",  # extracted text, NULL when unreadable
            "ALTER TABLE attachments ADD COLUMN error TEXT",  # e.g. 'unsupported format: wps'
            "CREATE INDEX idx_attachments_sha256 ON attachments(sha256)",
            # the region of the site, from the first six digits of SiteIDCode (行政区划代码)
            "ALTER TABLE reports ADD COLUMN region_code TEXT",
            "ALTER TABLE reports ADD COLUMN province TEXT",
            "ALTER TABLE reports ADD COLUMN city TEXT",
            "ALTER TABLE reports ADD COLUMN county TEXT",
            # 1 when the body is only images (图片版); images lists their URLs as JSON
            "ALTER TABLE reports ADD COLUMN image_only INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE reports ADD COLUMN images TEXT",
        ],
    ),
    (
        4,
        "incremental re-crawls, version history, WARC provenance, per-run figures",
        # archive/versions.py writes every column below; crawler/incremental.py reads them back.
        [
            # validators and list line of the last 200 fetch: what decides whether a re-crawl refetches
            "ALTER TABLE reports ADD COLUMN etag TEXT",
            "ALTER TABLE reports ADD COLUMN last_modified TEXT",  # as the server sent it (HTTP date)
            "ALTER TABLE reports ADD COLUMN list_title TEXT",
            "ALTER TABLE reports ADD COLUMN list_date TEXT",
            # set when a complete crawl of its column no longer lists it; NULL again if it comes back
            "ALTER TABLE reports ADD COLUMN removed_at TEXT",
            # the WARC response record the stored text was extracted from (file relative to data/warc/)
            "ALTER TABLE reports ADD COLUMN warc_file TEXT",
            "ALTER TABLE reports ADD COLUMN warc_offset INTEGER",
            "ALTER TABLE reports ADD COLUMN warc_record_id TEXT",
            "ALTER TABLE attachments ADD COLUMN warc_file TEXT",
            "ALTER TABLE attachments ADD COLUMN warc_offset INTEGER",
            "ALTER TABLE attachments ADD COLUMN warc_record_id TEXT",
            """CREATE TABLE report_versions (
    report_id TEXT NOT NULL REFERENCES reports(id),
    version INTEGER NOT NULL,        -- 1 for the first text archived, +1 at every change of the text
    content_hash TEXT NOT NULL,      -- sha256 of text, hex (reports.content_hash when it was current)
    text TEXT NOT NULL,
    fetched_at TEXT,
    run TEXT,                        -- crawl_runs.id (or reextract-…) that first stored this text
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT,
    PRIMARY KEY (report_id, version)
)""",
            "CREATE INDEX idx_reports_removed_at ON reports(removed_at)",
            "ALTER TABLE crawl_runs ADD COLUMN removed_reports INTEGER",
            "ALTER TABLE crawl_runs ADD COLUMN requests INTEGER",  # downloader/request_count
            "ALTER TABLE crawl_runs ADD COLUMN response_bytes INTEGER",  # downloader/response_bytes
            "ALTER TABLE crawl_runs ADD COLUMN errors_by_reason TEXT",  # JSON {reason kind: count}
            "ALTER TABLE crawl_runs ADD COLUMN warc_file TEXT",  # this run's WARC, under data/warc/
        ],
    ),
    (6, "coverage view: bureau x year, published / late / missing", [COVERAGE_VIEW]),
    (
        7,
        "discovered report column on bureaus; subordinate unit of a report",
        [
            # the annual-report column that discovery chose for a homepage-only registry row, the link
            # that led there ("「政府信息公开年报」 on http://…/zwgk/index.html") and when
            "ALTER TABLE bureaus ADD COLUMN discovered_column TEXT",
            "ALTER TABLE bureaus ADD COLUMN discovered_from TEXT",
            "ALTER TABLE bureaus ADD COLUMN discovered_at TEXT",
            # the unit under the bureau whose report this is (某某市公路事业发展中心), NULL for the bureau's own
            "ALTER TABLE reports ADD COLUMN subordinate_unit TEXT",
        ],
    ),
    (
        8,
        "crawl run status: finished or interrupted",
        [
            # finished / interrupted; NULL while the run is alive (archive/ingest.py, start_run and
            # finish_run). Runs closed before this migration keep the reason Scrapy gave them.
            "ALTER TABLE crawl_runs ADD COLUMN status TEXT",
            """UPDATE crawl_runs SET status = CASE
    WHEN coalesce(CASE WHEN json_valid(stats) THEN json_extract(stats, '$.finish_reason') END,
                  'finished') = 'finished' THEN 'finished' ELSE 'interrupted' END
WHERE "end" IS NOT NULL""",
        ],
    ),
]


# Migration 9: the texts in a table of their own, titles searched with the text, the level on each report.
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
FTS_TITLE_TEXT = f"""
CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(
    title, text_normalized,
    content="report_search", content_rowid="rid",
    tokenize="{TOKENIZER}"
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
MIGRATIONS.append(
    (
        9,
        "report texts in their own table; search over title and text; level on reports; report images",
        [
            REPORT_TEXTS,
            "INSERT INTO report_texts (report_id, text, text_normalized) "
            "SELECT id, text, text_normalized FROM reports",
            f"DROP TABLE {FTS_TABLE}",
            "ALTER TABLE reports DROP COLUMN text",
            "ALTER TABLE reports DROP COLUMN text_normalized",
            "ALTER TABLE reports ADD COLUMN level TEXT",  # bureaus.level, copied for facets
            "UPDATE reports SET level = (SELECT b.level FROM bureaus b WHERE b.id = reports.bureau_id)",
            "CREATE INDEX idx_reports_level ON reports(level)",
            REPORT_SEARCH_VIEW,
            REPORTS_WITH_TEXT_VIEW,
            FTS_TITLE_TEXT,
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
            REPORT_IMAGES,
        ],
    )
)

# Migration 10: evidence for every statutory-table cell (archive/tables/store.py), the labels each
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
MIGRATIONS.append(
    (
        10,
        "evidence per statutory cell, stat_labels, stats_status, OCR text marks",
        [
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
        ],
    )
)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """An explicit BEGIN/COMMIT: the sqlite3 module only opens transactions implicitly before DML, so
    without it a migration's CREATE statements or an ingest's FTS delete+insert would not be atomic."""
    if conn.in_transaction:
        # Nested use joins the caller's transaction, which commits or rolls back as a whole.
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _connection(db: sqlite_utils.Database | sqlite3.Connection) -> sqlite3.Connection:
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def ensure_db_shape(db: sqlite_utils.Database | sqlite3.Connection) -> list[int]:
    """Bring any archive file, new or old, to the current shape; return the migrations it applied.

    Safe to call on every open: a file already up to date is not written to at all (journal_mode=wal is
    persistent in the file and setting it again is a no-op).
    """
    conn = _connection(db)
    # Creating the FTS table needs the tokenizer on this connection.
    register_tokenizer(conn)
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA foreign_keys=ON")
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_migrations'"
    ).fetchone()
    if not has_table:
        with transaction(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
    done = {row[0] for row in conn.execute("SELECT id FROM _migrations")}
    applied = []
    for number, name, statements in MIGRATIONS:
        if number in done:
            continue
        with transaction(conn):
            for sql in statements:
                conn.execute(sql)
            conn.execute(
                "INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)",
                (number, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(number)
    return applied


def rebuild_fts(db: sqlite_utils.Database | sqlite3.Connection) -> None:
    """Re-derive the whole search index from reports; for files edited by tools that bypass ingest."""
    conn = _connection(db)
    register_tokenizer(conn)
    with transaction(conn):
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
