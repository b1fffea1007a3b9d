"""Provenance: the session crawl's WARC files hold every response, archive rows point at their records,
and `nianbao reextract` rebuilds the archive from them alone (no portal is running for it to ask)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.reextract import WarcIndex
from crawler.warc import read_record

ROOT = Path(__file__).resolve().parents[1]
FIELDS = "id, url, title, kind, year, text, content_hash, text_normalized, published, bureau_id"


def q(db: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def reextract(db: Path, warc_dir: Path, *options: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "nianbao"), "reextract", "--db", str(db)]
        + ["--warc-dir", str(warc_dir), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_every_response_is_in_the_run_warc(crawled_archive):
    warc_dir = crawled_archive.parent / "warc"
    (run_id, warc_file, requests) = q(
        crawled_archive, "SELECT id, warc_file, requests FROM crawl_runs"
    )[0]
    assert warc_file == f"{run_id}.warc.gz" and (warc_dir / warc_file).is_file()
    index = WarcIndex(warc_dir)
    assert len(index.entries) == requests  # one response record per downloaded response
    roles = {e.context.get("role") for e in index.entries}
    assert {"list", "detail", "attachment"} <= roles
    assert all(e.context.get("run_id") == run_id for e in index.entries)


def test_rows_point_at_their_records(crawled_archive):
    warc_dir = crawled_archive.parent / "warc"
    rows = q(crawled_archive, "SELECT url, warc_file, warc_offset, warc_record_id FROM reports")
    assert rows and all(r[1] for r in rows)
    for url, file, offset, record_id in rows[:20]:
        summary, body = read_record(warc_dir, file, offset)
        assert (summary["type"], summary["record_id"], summary["status"]) == (
            "response",
            record_id,
            200,
        )
        assert summary["uri"].split("#")[0] == url and body
    atts = q(
        crawled_archive,
        "SELECT url, warc_file, warc_offset, sha256 FROM attachments WHERE sha256 IS NOT NULL",
    )
    assert atts
    import hashlib

    for url, file, offset, sha in atts:
        summary, body = read_record(warc_dir, file, offset)
        assert summary["uri"] == url and hashlib.sha256(body).hexdigest() == sha


def test_reextract_into_fresh_archive_equals_crawl(crawled_archive, tmp_path):
    fresh = tmp_path / "fresh" / "archive.db"
    fresh.parent.mkdir()
    out = reextract(fresh, crawled_archive.parent / "warc")
    n = q(crawled_archive, "SELECT count(*) FROM reports")[0][0]
    assert f"new {n}" in out
    sql = f"SELECT {FIELDS} FROM reports_with_text ORDER BY id"
    assert q(fresh, sql) == q(crawled_archive, sql)
    att = "SELECT id, url, sha256, text FROM attachments ORDER BY id"
    assert q(fresh, att) == q(crawled_archive, att)
    stats = "SELECT report_id, section, item_code, col_label, value FROM disclosure_stats ORDER BY 1,2,3,4"
    assert q(fresh, stats) == q(crawled_archive, stats)
    assert q(fresh, "SELECT count(*) FROM report_versions")[0][0] == n
    from archive.db import open_db

    # the search index describes exactly the archived texts (FTS5 raises if not)
    open_db(fresh).execute(
        "INSERT INTO reports_fts(reports_fts, rank) VALUES ('integrity-check', 1)"
    )


def test_reextract_restores_deleted_texts_and_index(crawled_archive, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(crawled_archive, db)
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM disclosure_stats")
    conn.execute("UPDATE report_texts SET text = '', text_normalized = ''")
    conn.execute("UPDATE reports SET content_hash = ''")
    conn.commit()
    conn.close()
    versions_before = q(db, "SELECT count(*) FROM report_versions")[0][0]
    reextract(db, crawled_archive.parent / "warc")
    sql = f"SELECT {FIELDS} FROM reports_with_text ORDER BY id"
    assert q(db, sql) == q(crawled_archive, sql)
    stats = "SELECT count(*), round(sum(value), 4) FROM disclosure_stats"
    assert q(db, stats) == q(crawled_archive, stats)
    # the same texts as before: no new version
    assert q(db, "SELECT count(*) FROM report_versions")[0][0] == versions_before
    from archive.db import open_db

    fts = (
        open_db(db)
        .execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH ?", ['"交通"'])
        .fetchone()[0]
    )
    assert (
        fts
        == q(
            db,
            "SELECT count(*) FROM reports_with_text WHERE instr(text_normalized, '交通') "
            "OR instr(title, '交通')",
        )[0][0]
        > 0
    )


# -- worker processes --------------------------------------------------------------------------------

# The run's own bookkeeping: when and by which run a row was written (a crawl error's id is made from its
# run id), the only columns two runs differ in.
RUN_COLUMNS = {"first_seen", "last_seen", "changed_at", "run_id", "run", "time"}
RUN_COLUMNS_OF = {"crawl_errors": {"id"}}


def _every_row(db: Path) -> dict[str, list[tuple]]:
    """Each table's rows in rowid order (the search index's own tables too), without RUN_COLUMNS."""
    conn = sqlite3.connect(db)
    try:
        names = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('_migrations', 'crawl_runs', 'reports_fts')"
        ).fetchall()
        out = {}
        for (table,) in names:
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            skip = RUN_COLUMNS | RUN_COLUMNS_OF.get(table, set())
            cols = ", ".join(c[1] for c in info if c[1] not in skip)
            try:
                out[table] = conn.execute(
                    f"SELECT rowid, {cols} FROM {table} ORDER BY rowid"
                ).fetchall()
            except sqlite3.OperationalError:  # WITHOUT ROWID: ordered by every column
                out[table] = conn.execute(f"SELECT {cols} FROM {table} ORDER BY {cols}").fetchall()
        return out
    finally:
        conn.close()


def test_worker_processes_give_the_single_process_archive(crawled_archive, tmp_path):
    """Rebuilt by two worker processes and by one over an archive whose texts and tables were partly
    edited away (changed and unchanged reports, tables parsed again): the same rows in every table, rowids
    and the search index included. (A fresh file is rebuilt by the workers in the tests above.)"""
    got = {}
    for jobs in ("1", "2"):
        db = tmp_path / jobs / "archive.db"
        db.parent.mkdir()
        shutil.copy(crawled_archive, db)
        conn = sqlite3.connect(db)
        conn.execute("DELETE FROM disclosure_stats WHERE rowid % 3 = 0")
        conn.execute("UPDATE report_texts SET text = '' WHERE rowid % 2 = 0")
        conn.execute("UPDATE reports SET content_hash = '' WHERE rowid % 2 = 0")
        conn.commit()
        conn.close()
        out = reextract(db, crawled_archive.parent / "warc", "--jobs", jobs)
        got[jobs] = (out.splitlines()[0], _every_row(db))
    assert got["1"][0] == got["2"][0]  # the counts
    assert "changed 0" not in got["1"][0] and "unchanged 0" not in got["1"][0]
    one, two = got["1"][1], got["2"][1]
    assert one.keys() == two.keys() and one["reports"] and one["attachments"]
    assert one["disclosure_stats"] and one["report_images"] and one["reports_fts_docsize"]
    for table in one:
        assert one[table] == two[table], f"{table} differs"


# -- damaged and missing WARC files ------------------------------------------------------------------

SNAPSHOT = {
    "reports": f"SELECT {FIELDS} FROM reports_with_text ORDER BY id",
    "attachments": "SELECT id, url, sha256, size, type, path, text, error FROM attachments ORDER BY id",
    "versions": "SELECT report_id, version, content_hash FROM report_versions ORDER BY 1, 2",
}


def _damaged_copy(crawled_archive: Path, tmp_path: Path, with_files: bool) -> tuple[Path, Path]:
    """A private archive, WARC directory (and stored files) to damage: (archive file, WARC file)."""
    db = tmp_path / "archive.db"
    shutil.copy(crawled_archive, db)
    shutil.copytree(crawled_archive.parent / "warc", tmp_path / "warc")
    if with_files:
        shutil.copytree(crawled_archive.parent / "files", tmp_path / "files")
    (warc_file,) = q(db, "SELECT warc_file FROM crawl_runs")[0]
    return db, tmp_path / "warc" / warc_file


def _unchanged(db: Path, crawled_archive: Path) -> None:
    for name, sql in SNAPSHOT.items():
        assert q(db, sql) == q(crawled_archive, sql), f"{name} changed"


def _middle_attachment_offset(db: Path) -> int:
    offsets = sorted(
        o for (o,) in q(db, "SELECT warc_offset FROM attachments WHERE warc_offset IS NOT NULL")
    )
    return offsets[len(offsets) // 2]


def test_truncated_warc_named_with_offset_and_nothing_lost(crawled_archive, tmp_path):
    db, warc = _damaged_copy(crawled_archive, tmp_path, with_files=False)
    cut = _middle_attachment_offset(db)
    with open(warc, "r+b") as fh:
        fh.truncate(cut + 200)  # inside the gzip member of an attachment's response record
    out = reextract(db, warc.parent)
    assert f"{warc.name} at offset {cut}: truncated gzip member" in out
    assert "not rebuilt:" in out and "kept as archived" in out
    _unchanged(db, crawled_archive)


@pytest.mark.parametrize("cut_at", ["min", "max"])
def test_image_records_lost_keep_the_ocr_text_as_archived(crawled_archive, tmp_path, cut_at):
    """A 图片版 report whose page record is intact but whose image records are cut off (all of them, or
    only the last), with no stored files to fall back on: OCR of what is left would archive less text,
    so the archived OCR text stands."""
    db, warc = _damaged_copy(crawled_archive, tmp_path, with_files=False)
    ((rid, text),) = q(
        db, "SELECT id, text FROM reports_with_text WHERE image_only = 1 AND text_source = 'ocr'"
    )
    assert text.strip()
    ((cut,),) = q(db, f"SELECT {cut_at}(warc_offset) FROM report_images WHERE report_id = ?", [rid])
    ((page,),) = q(db, "SELECT warc_offset FROM reports WHERE id = ?", [rid])
    assert page < cut  # the page is fetched before its images, so its record survives the cut
    with open(warc, "r+b") as fh:
        fh.truncate(cut + 200)
    out = reextract(db, warc.parent)
    assert "OCR text kept as archived" in out
    assert q(db, "SELECT text, text_source FROM reports_with_text WHERE id = ?", [rid]) == [
        (text, "ocr")
    ]


def test_garbage_in_and_after_a_warc_named_and_the_rest_read(crawled_archive, tmp_path):
    db, warc = _damaged_copy(crawled_archive, tmp_path, with_files=True)
    hit = _middle_attachment_offset(db)
    data = bytearray(warc.read_bytes())
    data[hit + 40 : hit + 240] = b"\xff" * 200  # inside one member: its CRC no longer holds
    end = len(data)
    warc.write_bytes(bytes(data) + b"\x00garbage appended by a broken copy\xff" * 50)
    out = reextract(db, warc.parent)
    assert f"{warc.name} at offset {hit}: corrupt gzip data" in out
    assert f"{warc.name} at offset {end}: not a gzip member" in out
    assert "read again from the stored file" in out  # the attachment whose record was hit
    n = q(db, "SELECT count(*) FROM reports")[0][0]
    assert "unchanged" in out and f"unchanged {n}" in out  # every report rebuilt, none changed
    _unchanged(db, crawled_archive)


def test_missing_warc_named_and_archive_kept(crawled_archive, tmp_path):
    db, warc = _damaged_copy(crawled_archive, tmp_path, with_files=True)
    warc.unlink()
    out = reextract(db, warc.parent)
    n = q(db, "SELECT count(*) FROM reports")[0][0]
    assert f"missing WARC file {warc.name}" in out and f"kept {n}" in out
    _unchanged(db, crawled_archive)
