"""The archive file: its shape, idempotent saves, the search index kept in sync, runs and errors."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import datetime

import pytest

from archive.db import open_db
from archive.ingest import Archive
from archive.schema import canonical_url, ensure_db_shape, report_id
from archive.tokenizer import register_tokenizer


def schema_of(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def record(**overrides) -> dict:
    base = {
        "bureau_id": "fuyang-jtj",
        "url": "http://jtj.fy.example.gov.cn/xxgk/t20190131_1.html",
        "column_url": "http://jtj.fy.example.gov.cn/xxgk/ndbg/",
        "title": "阜阳市交通运输局2018年政府信息公开工作年度报告",
        "year": 2018,
        "kind": "annual_report",
        "published": "2019-01-31",
        "text": "一、概述\n2018年，我局積極響應(yīng)市政府要求，做好政府信息公开工作。",
        "attachments": [
            {"name": "附件1.pdf", "url": "http://jtj.fy.example.gov.cn/xxgk/P1.pdf"},
            {"name": "附件2", "url": "http://jtj.fy.example.gov.cn/xxgk/P2.xlsx"},
        ],
        "index_no": "11341200003192356Q/2019-00012",
        "site_name": "阜阳市交通运输局",
        "site_id_code": "3412000019",
        "publisher": "阜阳市交通运输局",
        "fetched_at": "2025-11-23T09:00:00+00:00",
        "run_id": None,
    }
    base.update(overrides)
    return base


@pytest.fixture
def archive(tmp_path):
    a = Archive(tmp_path / "archive.db")
    a.upsert_bureaus(
        [{"id": "fuyang-jtj", "name": "阜阳市交通运输局", "level": "city", "province": "安徽省"}]
    )
    yield a
    a.close()


def test_ensure_db_shape_is_idempotent(tmp_path):
    path = tmp_path / "archive.db"
    db = open_db(path)
    first = schema_of(path)
    assert ensure_db_shape(db) == []
    db.conn.close()
    db = open_db(path)
    assert ensure_db_shape(db) == []
    db.conn.close()
    assert schema_of(path) == first
    names = {row[1] for row in first}
    assert {
        "bureaus",
        "reports",
        "attachments",
        "crawl_errors",
        "crawl_runs",
        "reports_fts",
    } <= names
    assert {"annual_reports", "bureau_years", "bureau_summary", "_migrations"} <= names
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT id, name FROM _migrations").fetchall()[0] == (1, "initial shape")
    fks = {(r[2], r[3], r[4]) for r in conn.execute("PRAGMA foreign_key_list(reports)")}
    assert ("bureaus", "bureau_id", "id") in fks
    fks = {(r[2], r[3], r[4]) for r in conn.execute("PRAGMA foreign_key_list(attachments)")}
    assert ("reports", "report_id", "id") in fks
    indexed = {r[1] for r in conn.execute("PRAGMA index_list(reports)")}
    assert {"idx_reports_bureau_id", "idx_reports_year", "idx_reports_kind"} <= indexed
    conn.close()


def test_fts_table_is_external_content_with_our_tokenizer(tmp_path):
    path = tmp_path / "archive.db"
    open_db(path).conn.close()
    (sql,) = (
        sqlite3.connect(path)
        .execute("SELECT sql FROM sqlite_master WHERE name='reports_fts'")
        .fetchone()
    )
    # titles are searched with the text (migration 9): one index over both columns
    assert 'content="report_search"' in sql and 'tokenize="nianbao_cjk2"' in sql
    assert "title, text_normalized," in sql


def test_report_id_is_stable_over_url_spellings():
    a = report_id("HTTP://JTJ.Example.gov.cn:80/xxgk/t1.html#top")
    b = report_id("http://jtj.example.gov.cn/xxgk/t1.html")
    assert a == b and len(a) == 16 and int(a, 16) >= 0
    assert canonical_url("https://A.cn:443") == "https://a.cn/"
    assert canonical_url("https://a.cn:8443/X?Y=1") == "https://a.cn:8443/X?Y=1"
    assert report_id("http://a.cn/x") != report_id("http://a.cn/X")


def fts_count(conn, query: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH ?", ['"' + query + '"']
    ).fetchone()[0]


def test_save_new_unchanged_changed(archive):
    conn = archive.conn
    rec = record()
    assert archive.save_report(rec) == "new"
    row = conn.execute("SELECT * FROM reports_with_text").fetchone()
    first = dict(
        zip(
            [d[0] for d in conn.execute("SELECT * FROM reports_with_text").description],
            row,
            strict=True,
        )
    )
    assert first["id"] == report_id(rec["url"])
    assert "(yīng)" not in first["text_normalized"] and "积极响应市政府" in first["text_normalized"]
    assert first["chars"] == len(rec["text"])
    assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 2
    assert conn.execute("SELECT ext FROM attachments ORDER BY position").fetchall() == [
        ("pdf",),
        ("xlsx",),
    ]

    changes_before = conn.total_changes
    assert archive.save_report(record()) == "unchanged"
    # Only last_seen may be written.
    assert conn.total_changes - changes_before <= 1
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 2
    again = conn.execute("SELECT first_seen, content_hash, changed_at FROM reports").fetchone()
    assert again == (first["first_seen"], first["content_hash"], None)

    changed = record(text=rec["text"] + "\n二、主动公开情况", attachments=rec["attachments"][:1])
    assert archive.save_report(changed) == "changed"
    assert conn.execute("SELECT count(*) FROM reports").fetchone()[0] == 1
    row = conn.execute("SELECT first_seen, content_hash, changed_at FROM reports").fetchone()
    assert row[0] == first["first_seen"]
    assert row[1] != first["content_hash"] and row[2] is not None
    assert conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1
    # A second URL spelling is the same report.
    other_spelling = "HTTP://JTJ.FY.EXAMPLE.GOV.CN:80/xxgk/t20190131_1.html#top"
    assert archive.save_report(changed | {"url": other_spelling}) == "unchanged"
    assert conn.execute("SELECT count(*), url FROM reports").fetchone() == (1, rec["url"])


def test_fts_stays_in_sync(archive):
    conn = archive.conn
    archive.save_report(record())
    assert fts_count(conn, "积极响应") == 1
    assert fts_count(conn, "積極響應") == 1
    assert fts_count(conn, "主动公开情况") == 0
    archive.save_report(record(text="二、主动公开情况"))
    assert fts_count(conn, "积极响应") == 0
    assert fts_count(conn, "主动公开情况") == 1
    assert fts_count(conn, "阜阳市交通运输局2018") == 1  # the title is searched with the text
    archive.save_report(record(title="新标题", text="二、主动公开情况"))
    assert fts_count(conn, "阜阳市交通运输局2018") == 0 and fts_count(conn, "新标题") == 1
    archive.save_report(record(text="二、主动公开情况。另一个标题"))
    assert fts_count(conn, "主动公开情况") == 1
    assert fts_count(conn, "另一个标题") == 1
    # The integrity check compares the index with the content table token by token.
    conn.execute("INSERT INTO reports_fts(reports_fts, rank) VALUES ('integrity-check', 1)")
    archive.save_report(record(url="http://jtj.fy.example.gov.cn/xxgk/t2.html", text="积极响应"))
    assert fts_count(conn, "积极响应") == 1
    assert fts_count(conn, "主动公开") == 1
    conn.execute("INSERT INTO reports_fts(reports_fts, rank) VALUES ('integrity-check', 1)")


def test_unknown_bureau_gets_placeholder(archive):
    archive.save_report(record(bureau_id="nowhere-jtj", url="http://x.example.cn/1.html"))
    assert archive.conn.execute("SELECT name FROM bureaus WHERE id='nowhere-jtj'").fetchone() == (
        "nowhere-jtj",
    )
    archive.upsert_bureaus(
        [{"id": "nowhere-jtj", "name": "某县交通运输局", "columns": ["http://x/1"]}]
    )
    row = archive.conn.execute(
        "SELECT name, columns, verified FROM bureaus WHERE id='nowhere-jtj'"
    ).fetchone()
    assert row == ("某县交通运输局", '["http://x/1"]', 0)
    assert (
        archive.upsert_bureaus(
            [{"id": "nowhere-jtj", "name": "某县交通运输局", "columns": ["http://x/1"]}]
        )
        == 0
    )


def test_runs_and_errors(archive):
    run = archive.start_run("sample")
    archive.save_report(record(run_id=run))
    archive.record_error("http://x.example.cn/404.html", "http 404", 404, "fuyang-jtj", run)
    archive.record_error("http://x.example.cn/404.html", "http 404", 404, "fuyang-jtj", run)
    stats = {
        "downloader/response_bytes": 12345,
        "item_scraped_count": 1,
        "start_time": datetime(2025, 11, 23, 9, 0, 0),
        "elapsed_time_seconds": 1.5,
    }
    archive.finish_run(run, stats)
    conn = archive.conn
    assert conn.execute("SELECT count(*) FROM crawl_errors").fetchone()[0] == 1
    row = conn.execute(
        'SELECT registry, "end" IS NOT NULL, new_reports, errors, stats FROM crawl_runs WHERE id=?',
        [run],
    ).fetchone()
    assert row[:4] == ("sample", 1, 1, 2)
    saved = json.loads(row[4])
    assert saved["downloader/response_bytes"] == 12345
    assert saved["start_time"].startswith("2025-11-23T09:00:00")
    assert conn.execute("SELECT run_id FROM reports").fetchone()[0] == run


def test_runs_started_within_one_second_keep_their_order(archive):
    # Small re-crawls start about a second apart; "the latest run" must follow the clock, not the random
    # suffix of the id (a crawl takes far longer than the millisecond both are stamped to).
    runs = []
    for _ in range(5):
        runs.append(archive.start_run("sample"))
        time.sleep(0.003)
    by_start = [r for (r,) in archive.conn.execute("SELECT id FROM crawl_runs ORDER BY start")]
    assert by_start == runs == sorted(runs)
    assert len({r.split("-")[0] for r in runs}) == 5


def test_writes_need_the_tokenizer(tmp_path):
    """A connection without nianbao_cjk cannot touch the index: the failure is loud, not a silent drift."""
    path = tmp_path / "archive.db"
    Archive(path).close()
    conn = sqlite3.connect(path)
    with pytest.raises(sqlite3.OperationalError):
        conn.execute("SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"a\"'").fetchone()
    register_tokenizer(conn)
    register_tokenizer(conn)  # twice is harmless
    assert conn.execute(
        "SELECT count(*) FROM reports_fts WHERE reports_fts MATCH '\"a\"'"
    ).fetchone() == (0,)
    conn.close()
