"""What a rebuild from the WARC files (`nianbao reextract`, crawler/reextract.py) asks of the archive.

The re-extraction lives with the crawl code and never touches the archive's tables itself: it learns here
what the archive held before (the WARC record each report and attachment was built from, the attachment
and image rows, the text), so that what cannot be rebuilt keeps what was archived, and it hands back the
statutory tables and the search index to re-derive.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from archive import tables
from archive.schema import FTS_TABLE, rebuild_fts, transaction
from archive.tokenizer import register_tokenizer

__all__ = [
    "ATTACHMENT_KEPT",
    "Archived",
    "archived_images",
    "archived_text",
    "finish",
    "prepare",
    "reader",
    "reparse_tables",
]

# The attachment fields a rebuild keeps as archived when the file's record is lost.
ATTACHMENT_KEPT = ("sha256", "size", "type", "path", "text", "error", "text_source")


class Archived:
    """What the archive holds before the rebuild: each report's and attachment's WARC pointer, and the
    attachment rows themselves (to keep them when their source is lost)."""

    def __init__(self, conn: sqlite3.Connection):
        cur = conn.cursor()
        cur.row_factory = sqlite3.Row
        self.reports = {
            r["id"]: (r["warc_file"], r["warc_offset"])
            for r in cur.execute("SELECT id, warc_file, warc_offset FROM reports")
        }
        self.attachments = {
            (r["report_id"], r["url"]): dict(r)
            for r in cur.execute(
                f"SELECT report_id, url, {', '.join(ATTACHMENT_KEPT)}, warc_file, warc_offset, "
                "warc_record_id FROM attachments"
            )
        }

    def missing_files(self, present: set[str]) -> dict[str, int]:
        """WARC files the archive points at that are not there, with how many rows point at each."""
        out: dict[str, int] = {}
        pointers = [p[0] for p in self.reports.values()]
        pointers += [a["warc_file"] for a in self.attachments.values()]
        for file in pointers:
            if file and file not in present:
                out[file] = out.get(file, 0) + 1
        return out


def archived_images(conn: sqlite3.Connection, report_id: str) -> dict[str, dict]:
    """The report_images rows of one report, by image URL."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = cur.execute("SELECT * FROM report_images WHERE report_id = ?", [report_id])
    return {r["url"]: dict(r) for r in rows}


def archived_text(conn: sqlite3.Connection, report_id: str) -> tuple[str, str, str] | None:
    """(text, text_normalized, text_source) as archived, None when the report has no text."""
    row = conn.execute(
        "SELECT text, text_normalized, text_source FROM reports_with_text WHERE id = ?", [report_id]
    ).fetchone()
    if not row or not (row[0] or "").strip():
        return None
    return tuple(row)


def prepare(conn: sqlite3.Connection) -> None:
    """Before the first report: the statutory items' table matches the parser about to run."""
    with transaction(conn):
        tables.sync_stat_items(conn)


def reparse_tables(
    conn: sqlite3.Connection,
    report_id: str,
    text: str,
    year: int | None,
    method: str | None,
    attachment_texts: Sequence[str] = (),
) -> None:
    """An annual report's statutory tables parsed again: `save_report` re-parses them only when text,
    kind or year changed, and a rebuild must run a new parser over unchanged texts too. The attachments'
    texts are read as save_report reads them: a page whose tables are only in its PDF keeps them."""
    with transaction(conn):
        tables.store_report_stats(conn, report_id, text, year, attachment_texts, method=method)


def reader(path: str | Path) -> sqlite3.Connection:
    """A read-only connection for a worker process of a parallel rebuild, which looks up the rows of
    the reports it rebuilds while the one writer saves others."""
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def finish(conn: sqlite3.Connection, fresh: bool = False) -> None:
    """After the last report: the search index rebuilt from the texts now archived, since rows edited
    by other tools (or a changed tokenizer) may have left it describing other texts.

    `fresh`: the archive held no report before the rebuild, so every row of the index was written by
    save_report beside the text it describes; tokenizing every text a second time would give the same
    index, and merging its segments into one (FTS5 'optimize') is all that is left to do."""
    if not fresh:
        rebuild_fts(conn)
        return
    register_tokenizer(conn)
    with transaction(conn):
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
