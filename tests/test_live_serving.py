"""Serving while crawling: a real Datasette answers on the archive file that a real crawl is writing.

Datasette is started first, on an archive with its schema and no report, then `scrapy crawl bureaus` writes
into the same file (WAL, one transaction per report). Every request during the crawl must answer, the row
count must grow as reports are committed, and nothing may be written through the server: a writable canned
query, the one write path Datasette 0.65 offers over HTTP, is refused twice over: the web guard answers
every write method with 405, and behind it the plugin makes every served connection query_only.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager, suppress
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from ui_server import free_port

ROOT = Path(__file__).resolve().parents[1]
MAX_POLLS = 2000  # bounds the loop; the crawl normally ends well before

# A test-only metadata file: the archive with one writable canned query, to try a write over HTTP.
METADATA = {
    "databases": {"archive": {"queries": {"wipe": {"sql": "DELETE FROM reports", "write": True}}}}
}


@contextmanager
def datasette(db: Path, metadata: Path):
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(db),
            "--metadata",
            str(metadata),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                proc_wait(proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def proc_wait(proc) -> None:
    """A short pause while the server starts; returns at once if it died."""
    with suppress(subprocess.TimeoutExpired):
        proc.wait(0.1)


def reports_count(base: str) -> tuple[int, int | None]:
    try:
        with urllib.request.urlopen(base + "/archive/reports.json?_size=1", timeout=30) as resp:
            return resp.status, json.load(resp)["filtered_table_rows_count"]
    except urllib.error.HTTPError as e:
        return e.code, None


def try_write(base: str) -> dict:
    """POST the writable canned query the way a browser would: form page first (CSRF cookie and token)."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(base + "/archive/wipe", timeout=30) as resp:
        page = resp.read().decode("utf-8")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrftoken": token, "_json": "1"}).encode()
    try:
        with opener.open(base + "/archive/wipe", data=body, timeout=30) as resp:
            return {"status": resp.status, **json.load(resp)}
    except urllib.error.HTTPError as e:
        return {"status": e.code, "ok": False, "message": e.read().decode("utf-8", "replace")}


@pytest.fixture(scope="module")
def served_crawl(portals, tmp_path_factory):
    from archive.ingest import Archive

    root = tmp_path_factory.mktemp("live")
    db = root / "archive.db"
    Archive(db).close()  # schema only: what a server started before the first crawl sees
    metadata = root / "metadata.json"
    metadata.write_text(json.dumps(METADATA), encoding="utf-8")
    with datasette(db, metadata) as base:
        before = reports_count(base)
        crawl = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scrapy",
                "crawl",
                "bureaus",
                "-a",
                "registry=sample",
                "-a",
                f"db={db}",
                "-s",
                "DOWNLOAD_DELAY=0.05",
                "-s",
                "CONCURRENT_REQUESTS=2",
                "-s",
                "LOG_LEVEL=WARNING",
                "-s",
                "NIANBAO_SUMMARY=False",
            ],
            cwd=ROOT,
            env={**os.environ, "NIANBAO_POLITE": "0"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        answers = []
        write = None
        try:
            for _ in range(MAX_POLLS):
                if crawl.poll() is not None:
                    break
                answers.append(reports_count(base))
                if write is None and (answers[-1][1] or 0) > 0:
                    write = try_write(base)  # mid-crawl, while the crawler holds the file
            crawl.wait(300)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        after = reports_count(base)
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    conn.close()
    return {
        "before": before,
        "answers": answers,
        "after": after,
        "write": write,
        "code": crawl.returncode,
        "stored": stored,
    }


def test_crawl_into_a_served_archive_finishes(served_crawl):
    assert served_crawl["code"] == 0
    assert served_crawl["before"] == (200, 0)


def test_every_request_during_the_crawl_answers_and_the_count_grows(served_crawl):
    answers = served_crawl["answers"]
    assert len(answers) >= 5, "too few requests landed during the crawl to prove anything"
    assert all(status == 200 for status, _ in answers), [a for a in answers if a[0] != 200][:5]
    counts = [n for _, n in answers]
    assert counts == sorted(counts), "a reader saw the archive shrink"
    assert len(set(counts)) >= 3, "the served count did not follow the crawl"
    assert served_crawl["after"] == (200, served_crawl["stored"])
    assert served_crawl["stored"] > counts[0]


def test_a_write_through_datasette_is_refused(served_crawl):
    write = served_crawl["write"]
    assert write is not None, "no report was served during the crawl, so no write was tried"
    assert write["ok"] is False
    # the web guard answers any write method with 405 before Datasette sees it; were it let through,
    # the served connection is query_only and SQLite itself refuses the write
    assert write["status"] == 405, write
    assert "read-only" in write["message"]
    assert served_crawl["after"][1] == served_crawl["stored"] > 0


def test_served_connections_are_query_only(tmp_path):
    """The second line of defence on its own: the plugin's prepare_connection on a real connection."""
    from archive import datasette_plugin

    db = tmp_path / "archive.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    datasette_plugin.prepare_connection(conn, "archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("INSERT INTO t VALUES (1)")
    conn.close()
