"""Migration 4: what incremental re-crawls, version history and WARC provenance need.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 4
NAME = "incremental re-crawls, version history, WARC provenance, per-run figures"

# archive/versions.py writes every column below; crawler/incremental.py reads them back.
STATEMENTS = [
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
]
