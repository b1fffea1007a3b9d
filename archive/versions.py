"""Version history, fetch state and removals of archived reports (migration 4).

An archive that only keeps the latest text cannot show that a bureau quietly rewrote a report, and one that
deletes rows when a portal drops them loses exactly the reports people come looking for. So:

- every distinct cleaned text a report ever had is a `report_versions` row (version 1 is the first text),
  written in the same transaction as the report row by `after_save`;
- what a re-crawl needs to decide whether to refetch a page (ETag, Last-Modified, the list line) and where
  the page's bytes are kept (the WARC record) sit on the report row;
- a report missing from a complete crawl of its column gets `removed_at`, and loses it when it comes back
  (`mark_removals`); the row itself is never deleted.

Everything here runs on a connection that `archive.ingest.Archive` owns; nothing here opens the file.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable

__all__ = [
    "FETCH_STATE_FIELDS",
    "after_save",
    "error_kind",
    "errors_by_reason",
    "latest_version",
    "mark_removals",
    "record_run_figures",
]

# Written from the record when present; compared before writing so an unchanged re-crawl writes nothing.
FETCH_STATE_FIELDS = ("etag", "last_modified", "list_title", "list_date")
WARC_FIELDS = ("warc_file", "warc_offset", "warc_record_id")


def _warc_values(pointer: dict | None) -> dict:
    if not pointer or not pointer.get("file"):
        return {}
    return {
        "warc_file": pointer["file"],
        "warc_offset": pointer.get("offset"),
        "warc_record_id": pointer.get("record_id"),
    }


def latest_version(conn: sqlite3.Connection, rid: str) -> tuple[int, str] | None:
    """(version, content_hash) of the newest version of a report, None before the first."""
    row = conn.execute(
        "SELECT version, content_hash FROM report_versions WHERE report_id = ? "
        "ORDER BY version DESC LIMIT 1",
        [rid],
    ).fetchone()
    return (row[0], row[1]) if row else None


def after_save(conn: sqlite3.Connection, rid: str, record: dict, row: dict) -> bool:
    """Bring a just-saved report's fetch state, WARC pointers and version history up to date.

    Called by `Archive.save_report` inside its transaction for every outcome, "unchanged" included: a page
    refetched because its list date moved has the same text but a new list line and WARC record. Returns
    True when a new version row was written. Only fields the record carries are written, so callers that
    know nothing of validators (tests, imports) leave them alone.
    """
    values = {f: record[f] for f in FETCH_STATE_FIELDS if f in record}
    values.update(_warc_values(record.get("warc")))
    # A report that is saved was just seen on its portal: it is not removed.
    sets = [f"{f} = ?" for f in values] + ["removed_at = NULL"]
    differs = [f"{f} IS NOT ?" for f in values] + ["removed_at IS NOT NULL"]
    conn.execute(
        f"UPDATE reports SET {', '.join(sets)} WHERE id = ? AND ({' OR '.join(differs)})",
        [*values.values(), rid, *values.values()],
    )
    for att in record.get("attachments") or []:
        pointer = _warc_values(att.get("warc"))
        if pointer and att.get("url"):
            conn.execute(
                "UPDATE attachments SET warc_file = ?, warc_offset = ?, warc_record_id = ? "
                "WHERE report_id = ? AND url = ?",
                [*pointer.values(), rid, att["url"]],
            )
    latest = latest_version(conn, rid)
    if latest is not None and latest[1] == row["content_hash"]:
        return False
    pointer = _warc_values(record.get("warc"))
    conn.execute(
        "INSERT INTO report_versions (report_id, version, content_hash, text, fetched_at, run, "
        "warc_file, warc_offset, warc_record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            rid,
            (latest[0] if latest else 0) + 1,
            row["content_hash"],
            row["text"],
            record.get("fetched_at"),
            record.get("run_id"),
            pointer.get("warc_file"),
            pointer.get("warc_offset"),
            pointer.get("warc_record_id"),
        ],
    )
    return True


def mark_removals(
    conn: sqlite3.Connection,
    complete_columns: Iterable[str],
    seen_urls: set[str],
    now: str,
) -> tuple[list[str], list[str]]:
    """Set `removed_at` on reports of completely crawled columns that no list of this run showed, and
    clear it on every report a list showed again. Returns (ids newly removed, ids that came back).

    Only complete columns count: a list page that failed or came back empty proves nothing about the
    reports it would have shown. A report is looked up by its stored column; it counts as seen if any list
    of the run showed it, because a portal may move an item to another column without deleting it.
    """
    removed: list[str] = []
    returned: list[str] = []
    for column in sorted(set(complete_columns)):
        rows = conn.execute(
            "SELECT id, url FROM reports WHERE column_url = ? AND removed_at IS NULL", [column]
        ).fetchall()
        for rid, url in rows:
            if url not in seen_urls:
                conn.execute("UPDATE reports SET removed_at = ? WHERE id = ?", [now, rid])
                removed.append(rid)
    for rid, url in conn.execute(
        "SELECT id, url FROM reports WHERE removed_at IS NOT NULL"
    ).fetchall():
        if url in seen_urls:
            conn.execute("UPDATE reports SET removed_at = NULL WHERE id = ?", [rid])
            returned.append(rid)
    return removed, returned


# The kind of a crawl error, its reason up to the first detail: matches "connection error: Connection
# was refused" → "connection error", "HTTP 404" → "HTTP 404", "column discovery: no annual-report column
# (…)" → "column discovery", "detail page is not HTML (application/pdf)" → "detail page is not HTML".
_KIND_RE = re.compile(r"^([^:(（：]+)")


def error_kind(reason: str) -> str:
    """One bucket per kind of failure, so a run's errors count by cause, not by URL-specific wording."""
    m = _KIND_RE.match(reason or "")
    return (m.group(1).strip() if m else "") or (reason or "unknown")


def errors_by_reason(conn: sqlite3.Connection, run_id: str) -> dict[str, int]:
    """Errors of one run counted by kind, largest first; notes (reason "note: …") are not errors."""
    counts: Counter[str] = Counter()
    for (reason,) in conn.execute("SELECT reason FROM crawl_errors WHERE run = ?", [run_id]):
        if not reason.startswith("note:"):
            counts[error_kind(reason)] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def record_run_figures(conn: sqlite3.Connection, run_id: str, figures: dict) -> None:
    """Write the migration-4 columns of one crawl_runs row (requests, bytes, removed, errors, WARC)."""
    conn.execute(
        "UPDATE crawl_runs SET removed_reports = ?, requests = ?, response_bytes = ?, "
        "errors_by_reason = ?, warc_file = coalesce(?, warc_file) WHERE id = ?",
        [
            figures.get("removed", 0),
            figures.get("requests", 0),
            figures.get("bytes", 0),
            json.dumps(figures.get("errors_by_reason") or {}, ensure_ascii=False),
            figures.get("warc_file"),
            run_id,
        ],
    )
