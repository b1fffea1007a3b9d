"""`nianbao reextract` re-parses every annual report's statutory tables; a report whose page prints only
the prose and whose tables are in its DOCX attachment (sample_portals/hostile/tables_attached.py) keeps
the tables read from the attachment, as the crawl archived them, instead of the page's fewer."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sample_portals.hostile import tables_attached as case

ROOT = Path(__file__).resolve().parents[1]
STATS = {
    "disclosure_stats": "SELECT section, item_code, col_label, value FROM disclosure_stats",
    "stats_status": "SELECT template, method, complete, cells, missing FROM stats_status",
}


def _rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    try:
        return {name: sorted(conn.execute(sql).fetchall()) for name, sql in STATS.items()}
    finally:
        conn.close()


def test_tables_from_the_attachment_survive_a_reextract(tmp_path):
    from nianbao.cli import run_crawl
    from sample_portals import hostile

    portal = hostile.start_in_thread(port=0)
    db = tmp_path / "data" / "archive.db"
    try:
        registry = portal.write_registry(tmp_path / "hostile.yml")
        code = run_crawl(
            registry=str(registry),
            db=db,
            bureau=case.BUREAU_ID,
            polite=False,
            extra=["-s", "LOG_LEVEL=WARNING"],
        )
    finally:
        portal.stop()
    assert code == 0
    conn = sqlite3.connect(db)
    ((kind, text),) = conn.execute("SELECT kind, text FROM reports_with_text").fetchall()
    ((att_text,),) = conn.execute("SELECT text FROM attachments").fetchall()
    conn.close()
    # the page is the report's own prose; the tables' figures are only in the attachment
    assert kind == "annual_report" and "主动公开" in text and "行政复议" in att_text
    crawled = _rows(db)
    assert len(crawled["disclosure_stats"]) > 30 and crawled["stats_status"][0][3] > 30
    shutil.copytree(db.parent / "warc", tmp_path / "copy" / "warc")
    copy = tmp_path / "copy" / "archive.db"
    shutil.copy(db, copy)
    done = subprocess.run(
        [str(Path(sys.executable).parent / "nianbao"), "reextract", "--db", str(copy)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "unchanged 1" in done.stdout
    assert _rows(copy) == crawled
