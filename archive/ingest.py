"""Writing into the archive: the only code that inserts or updates rows, so that re-crawls are idempotent,
`first_seen` survives, and the search index never drifts from the reports it points at.

A crawl of unchanged portals must leave the file as it was (apart from `last_seen` and the run log): people
diff and publish this file, and a row rewritten with identical content would still churn its rowid-ordered
pages and the FTS segments.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from archive import runs, shape, versions
from archive.db import open_db
from archive.runlog import RunLog
from archive.runlog import now as _now
from archive.safeurl import refusal, refused_link, screen_links
from archive.schema import FTS_TABLE, canonical_url, report_id, stable_id, transaction
from archive.textnorm import normalize

__all__ = ["Archive", "REPORT_FIELDS"]

# The field lists below come from the declared shape (archive/shape/), so a column added there is written
# and compared without another list to update.
# Fields copied from the item into reports or report_texts (or derived from it on save); a difference in any
# of them makes a save "changed".
REPORT_FIELDS = (
    *shape.column_names("reports", shape.ITEM, shape.DERIVED),
    *shape.column_names("report_texts", shape.ITEM),
)
# Attachment columns compared and written on every save (the WARC pointer is archive/versions.py's).
ATTACHMENT_FIELDS = shape.column_names("attachments", shape.ITEM, shape.DERIVED)
# Bookkeeping written with every new or changed row, never compared.
_TRACKING_FIELDS = shape.column_names("reports", shape.TRACKING)
# Kept in report_texts since migration 9, so that reports rows stay narrow.
TEXT_FIELDS = shape.column_names("report_texts", shape.ITEM)
_ROW_FIELDS = tuple(f for f in REPORT_FIELDS if f not in TEXT_FIELDS)
_OLD_ROW_SQL = (
    "SELECT r.rowid, "
    + ", ".join(f"t.{f}" if f in TEXT_FIELDS else f"r.{f}" for f in REPORT_FIELDS)
    + " FROM reports r LEFT JOIN report_texts t ON t.report_id = r.id WHERE r.id = ?"
)
# What upsert_bureaus writes from a registry row; discovery fills the rest (record_discovery).
BUREAU_FIELDS = shape.column_names("bureaus", shape.ITEM)
# Copied from the item as they are; _report_row computes or defaults the others.
_PLAIN_FIELDS = tuple(
    f
    for f in (*REPORT_FIELDS, *_TRACKING_FIELDS)
    if f
    not in {"kind", "title", "published", "url", "chars", "content_hash", "image_only", "images"}
    and f not in TEXT_FIELDS
)


def _ext(url: str) -> str | None:
    tail = url.split("?", 1)[0].split("#", 1)[0].rsplit("/", 1)[-1]
    if "." not in tail:
        return None
    ext = tail.rsplit(".", 1)[1].lower()
    return ext if 0 < len(ext) <= 5 and ext.isalnum() else None


class Archive(RunLog):
    """One archive file opened for writing; the crawl pipeline keeps one for the whole crawl."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = open_db(self.path)
        self.conn = self.db.conn
        # Datasette or a second crawl may hold the file; wait for them instead of failing at once.
        self.conn.execute("PRAGMA busy_timeout=10000")
        self._run_counts: dict[str | None, Counter] = {}
        self._stat_items_synced = False
        self.locks = runs.RunLocks(self.path)  # one lock per open run (see start_run)

    def close(self) -> None:
        self.locks.release_all()
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- bureaus -------------------------------------------------------------------------------------

    def upsert_bureaus(self, rows: list[dict]) -> int:
        """Insert or update bureaus from the registry; returns how many rows were written.

        Rows that did not change are not rewritten, so loading the registry at every crawl is free.
        """
        written = 0
        cols = ", ".join(BUREAU_FIELDS)
        marks = ", ".join("?" for _ in BUREAU_FIELDS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in BUREAU_FIELDS[1:])
        differs = " OR ".join(f"{c} IS NOT excluded.{c}" for c in BUREAU_FIELDS[1:])
        sql = (
            f"INSERT INTO bureaus ({cols}) VALUES ({marks}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE {differs}"
        )
        with transaction(self.conn):
            for row in rows:
                values = self._bureau_values(row)
                changed = self.conn.execute(sql, values).rowcount
                written += changed
                if (
                    changed
                ):  # the reports table's copy of the level (migration 9) follows the bureau
                    level = values[BUREAU_FIELDS.index("level")]
                    self.conn.execute(
                        "UPDATE reports SET level = ? WHERE bureau_id = ? AND level IS NOT ?",
                        [level, row["id"], level],
                    )
        return written

    @staticmethod
    def _bureau_values(row: dict) -> list:
        """The registry row's values in BUREAU_FIELDS order, with the defaults a registry row may leave out."""
        columns = row.get("columns")
        if columns is not None and not isinstance(columns, str):
            columns = json.dumps(list(columns), ensure_ascii=False)
        values = {f: row.get(f) for f in BUREAU_FIELDS}
        values.update(
            id=row["id"],
            name=row.get("name") or row["id"],
            columns=columns,
            verified=1 if row.get("verified") else 0,
        )
        return [values[f] for f in BUREAU_FIELDS]

    def _ensure_bureau(self, bureau_id: str | None) -> None:
        """Keep a report whose bureau is not (yet) in the table: a placeholder row, named by its id,
        satisfies the foreign key and is filled in by the next upsert_bureaus."""
        if bureau_id:
            self.conn.execute(
                "INSERT INTO bureaus (id, name) VALUES (?, ?) ON CONFLICT(id) DO NOTHING",
                [bureau_id, bureau_id],
            )

    # -- reports -------------------------------------------------------------------------------------

    def _report_row(self, record: dict) -> dict:
        text = record.get("text") or ""
        text_normalized = record.get("text_normalized")
        if text_normalized is None:
            text_normalized = normalize(text)
        title = record.get("title") or record.get("list_title") or ""
        row = {f: record.get(f) for f in _PLAIN_FIELDS}
        row.update(
            bureau_id=record["bureau_id"],
            kind=record.get("kind") or "other",
            title=title,
            published=record.get("published") or record.get("list_date"),
            # Stored canonical, so that url stays unique when a portal links one page two ways.
            url=canonical_url(record["url"]),
            text=text,
            text_normalized=text_normalized,
            chars=len(text),
            content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            image_only=1 if record.get("image_only") else 0,
            images=json.dumps(record["images"], ensure_ascii=False)
            if record.get("images")
            else None,
        )
        return row

    @staticmethod
    def _attachment_rows(rid: str, attachments: list[dict] | None) -> list[dict]:
        rows, seen = [], set()
        for a in attachments or []:
            url = a.get("url")
            if not url or url in seen:
                continue
            seen.add(url)
            rows.append(
                {
                    "id": stable_id(rid, url),
                    "report_id": rid,
                    "position": len(rows),
                    "name": a.get("name"),
                    "url": url,
                    "ext": _ext(url),
                    **{k: a.get(k) for k in ATTACHMENT_FIELDS[6:]},
                }
            )
        return rows

    def save_report(self, record: dict) -> str:
        """Store one report item; returns "new", "changed", "unchanged" or "refused".

        The search index row is replaced in the same transaction as the report row, so a reader never
        sees a report whose search index describes an older text. Links that are not http(s) are left out
        and recorded in crawl_errors (archive/safeurl.py); a report whose own URL is one is not stored
        ("refused").
        """
        record, refused = screen_links(record)
        why = refusal(record["url"])
        if why:
            refused.append(refused_link(str(record["url"]), why))
        # refused links, and the images of a 图片版 report OCR could not read (crawler/images.py)
        for r in [*refused, *(record.get("ocr_errors") or [])]:
            self.record_error(
                r["url"], r["reason"], None, record.get("bureau_id"), record.get("run_id")
            )
        if why:
            return "refused"
        rid = report_id(record["url"])
        row = self._report_row(record)
        attachments = self._attachment_rows(rid, record.get("attachments"))
        now = _now()
        conn = self.conn
        with transaction(conn):
            old = conn.execute(_OLD_ROW_SQL, [rid]).fetchone()
            old_attachments = [
                tuple(r)
                for r in conn.execute(
                    f"SELECT {', '.join(ATTACHMENT_FIELDS)} FROM attachments "
                    "WHERE report_id = ? ORDER BY position",
                    [rid],
                )
            ]
            new_attachments = [tuple(a.values()) for a in attachments]
            if old is not None:
                old_row = dict(zip(("rowid", *REPORT_FIELDS), old, strict=True))
                same = all(old_row[f] == row[f] for f in REPORT_FIELDS)
                if same and old_attachments == new_attachments:
                    conn.execute("UPDATE reports SET last_seen = ? WHERE id = ?", [now, rid])
                    self._save_images(rid, record)
                    versions.after_save(conn, rid, record, row)  # fetch state, WARC pointer
                    result = "unchanged"
                    self._count(record.get("run_id"), result)
                    return result
            self._ensure_bureau(row["bureau_id"])
            fields = (*_ROW_FIELDS, *_TRACKING_FIELDS)
            if old is None:
                cols = ("id", *fields, "first_seen", "last_seen")
                conn.execute(
                    f"INSERT INTO reports ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                    [rid, *(row[f] for f in fields), now, now],
                )
                rowid = conn.execute("SELECT rowid FROM reports WHERE id = ?", [rid]).fetchone()[0]
                self._save_text(rid, row)
                self._fts_insert(rowid, row)
                result = "new"
            else:
                rowid = old_row["rowid"]
                sets = ", ".join(f"{f} = ?" for f in fields)
                changed_at = now if old_row["content_hash"] != row["content_hash"] else None
                conn.execute(
                    f"UPDATE reports SET {sets}, last_seen = ?, "
                    "changed_at = coalesce(?, changed_at) WHERE id = ?",
                    [*(row[f] for f in fields), now, changed_at, rid],
                )
                indexed = (old_row["title"], old_row["text_normalized"])
                if indexed != (row["title"], row["text_normalized"]):
                    if old_row["text_normalized"] is not None:
                        # FTS5 deletes an external-content row by the values it indexed
                        conn.execute(
                            f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, title, text_normalized) "
                            "VALUES ('delete', ?, ?, ?)",
                            [rowid, *indexed],
                        )
                    self._fts_insert(rowid, row)
                self._save_text(rid, row)
                result = "changed"
            if (
                old is None
                or any(old_row[f] != row[f] for f in ("text", "kind", "year", "text_source"))
                or old_attachments != new_attachments
            ):
                self._save_stats(rid, row, attachments)
            if old_attachments != new_attachments:
                keep = [a["id"] for a in attachments]
                conn.execute(
                    "DELETE FROM attachments WHERE report_id = ? AND id NOT IN "
                    f"({', '.join('?' for _ in keep)})",
                    [rid, *keep],
                )
                for a in attachments:
                    conn.execute(
                        f"INSERT INTO attachments ({', '.join(ATTACHMENT_FIELDS)}) "
                        f"VALUES ({', '.join(':' + f for f in ATTACHMENT_FIELDS)}) "
                        "ON CONFLICT(id) DO UPDATE SET "
                        + ", ".join(f"{f} = excluded.{f}" for f in ATTACHMENT_FIELDS[2:]),
                        a,
                    )
            self._save_images(rid, record)
            # version history, validators, list line, WARC pointers (archive/versions.py)
            versions.after_save(conn, rid, record, row)
        # An attachment that failed (size limit, zip bomb, broken file, HTTP error) is a gap in the archive:
        # kept on its row and listed in crawl_errors with the run when the report is new or changed (an
        # unchanged re-crawl adds no row).
        for a in attachments:
            if a.get("error"):
                self.record_error(
                    a["url"],
                    f"attachment: {a['error']}",
                    None,
                    row["bureau_id"],
                    record.get("run_id"),
                )
        self._count(record.get("run_id"), result)
        return result

    def mark_seen(self, url: str, run_id: str | None) -> bool:
        """A report a re-crawl did not refetch (304 Not Modified, or an unchanged list line): it is still
        on the portal, so last_seen moves and removed_at clears; counted as unchanged. False if unknown."""
        rid = report_id(url)
        with transaction(self.conn):
            found = self.conn.execute(
                "UPDATE reports SET last_seen = ?, removed_at = NULL WHERE id = ?", [_now(), rid]
            ).rowcount
        if found:
            self._count(run_id, "unchanged")
        return bool(found)

    def _save_stats(self, rid: str, row: dict, attachments: list[dict] | None = None) -> None:
        """The statutory tables of an annual report as rows of disclosure_stats and stats_checks; a
        report that is (no longer) an annual report keeps none. Runs in save_report's transaction."""
        from archive import tables

        if not self._stat_items_synced:
            tables.sync_stat_items(self.conn)
            self._stat_items_synced = True
        if row["kind"] == "annual_report":
            # A page without tables may have them in its PDF or Word attachment (archive/tables.py).
            # (text, text_source): the cells of a scanned attachment read by OCR are marked ocr.
            texts = [(a["text"], a.get("text_source")) for a in attachments or [] if a.get("text")]
            tables.store_report_stats(
                self.conn, rid, row["text"], row["year"], texts, method=row.get("text_source")
            )
        else:
            tables.clear_report_stats(self.conn, rid)

    def _save_text(self, rid: str, row: dict) -> None:
        self.conn.execute(
            "INSERT INTO report_texts (report_id, text, text_normalized) VALUES (?, ?, ?) "
            "ON CONFLICT(report_id) DO UPDATE SET text = excluded.text, "
            "text_normalized = excluded.text_normalized",
            [rid, row["text"], row["text_normalized"]],
        )
        # the bureau's level, for the reports table's level facet
        self.conn.execute(
            "UPDATE reports SET level = (SELECT b.level FROM bureaus b WHERE b.id = reports.bureau_id) "
            "WHERE id = ?",
            [rid],
        )

    def _save_images(self, rid: str, record: dict) -> None:
        """The archived images of a 图片版 report (crawler/images.py): one row per image, replaced as a set."""
        files = record.get("image_files")
        if files is None:
            return
        self.conn.execute("DELETE FROM report_images WHERE report_id = ?", [rid])
        for f in files:
            warc = f.get("warc") or {}
            self.conn.execute(
                "INSERT INTO report_images (report_id, position, url, sha256, path, size, type, error, "
                "warc_file, warc_offset, warc_record_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    rid,
                    f["position"],
                    f["url"],
                    f.get("sha256"),
                    f.get("path"),
                    f.get("size"),
                    f.get("type"),
                    f.get("error"),
                    warc.get("file"),
                    warc.get("offset"),
                    warc.get("record_id"),
                ],
            )

    def _fts_insert(self, rowid: int, row: dict) -> None:
        self.conn.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, title, text_normalized) VALUES (?, ?, ?)",
            [rowid, row["title"], row["text_normalized"]],
        )

    def _count(self, run_id: str | None, key: str) -> None:
        self._run_counts.setdefault(run_id, Counter())[key] += 1
