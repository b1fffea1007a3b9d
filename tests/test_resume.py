"""Kill and resume for real: `kill -9` a `scrapy crawl bureaus` subprocess mid-crawl, run the same command
again with the same JOBDIR, and the archive must equal the one an uninterrupted crawl wrote.

The crawl is slowed down (two requests at a time, a short download delay) only so that there is a "middle"
to kill it in; the test waits for the archive to hold KILL_AT reports, not for a time.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.resume import DONE_FILE, read_done

ROOT = Path(__file__).resolve().parents[1]
KILL_AT = 20
SLOW = ["-s", "DOWNLOAD_DELAY=0.05", "-s", "CONCURRENT_REQUESTS=2", "-s", "LOG_LEVEL=INFO"]


def _command(db: Path, jobdir: Path) -> list[str]:
    return [
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
        f"JOBDIR={jobdir}",
        "-s",
        "NIANBAO_SUMMARY=False",
        *SLOW,
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "NIANBAO_POLITE": "0"}


def _count(db: Path) -> int:
    """Reports committed so far, read the way any reader of the live archive would (read-only, WAL)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # the schema is not created yet
        return 0


def _snapshot(db: Path) -> dict:
    conn = sqlite3.connect(db)
    try:
        return {
            "reports": {
                row[0]: row[1:]
                for row in conn.execute(
                    "SELECT id, url, bureau_id, text, content_hash FROM reports"
                )
            },
            "urls": [u for (u,) in conn.execute("SELECT url FROM reports")],
            "attachments": sorted(
                conn.execute("SELECT report_id, url, sha256, text FROM attachments").fetchall()
            ),
            "versions": sorted(conn.execute("SELECT report_id FROM report_versions").fetchall()),
            "requests": dict(conn.execute("SELECT id, requests FROM crawl_runs").fetchall()),
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def killed_and_resumed(portals, tmp_path_factory):
    """One crawl killed with SIGKILL after KILL_AT reports, then resumed to the end with the same JOBDIR."""
    root = tmp_path_factory.mktemp("resume")
    db, jobdir = root / "archive.db", root / "job"
    first = subprocess.Popen(
        _command(db, jobdir),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180  # a bound on the wait, not an assertion about speed
        while _count(db) < KILL_AT and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        at_kill = _count(db)
        finished_early = first.poll() is not None
        first.send_signal(signal.SIGKILL)
    finally:
        if first.poll() is None:
            first.kill()
        first.wait()
    assert not finished_early, "the crawl ended before it could be killed: slow it down further"
    assert first.returncode == -signal.SIGKILL
    done_at_kill = read_done(jobdir)
    runs = []
    for _ in range(3):  # "run the same command again until it exits 0"
        proc = subprocess.run(
            _command(db, jobdir), cwd=ROOT, env=_env(), capture_output=True, text=True
        )
        runs.append(proc)
        if proc.returncode == 0:
            break
    return {
        "db": db,
        "jobdir": jobdir,
        "at_kill": at_kill,
        "done_at_kill": done_at_kill,
        "runs": runs,
    }


def test_the_crawl_was_killed_mid_way_and_resumed_to_exit_zero(killed_and_resumed, crawled_archive):
    k = killed_and_resumed
    total = len(_snapshot(crawled_archive)["reports"])
    assert KILL_AT <= k["at_kill"] < total, "the kill did not land in the middle of the crawl"
    assert len(k["done_at_kill"]) >= k["at_kill"], "saved reports are missing from the done-log"
    assert [r.returncode for r in k["runs"]][-1] == 0, k["runs"][-1].stderr[-3000:]


def test_resumed_archive_equals_an_uninterrupted_crawl(killed_and_resumed, crawled_archive):
    resumed = _snapshot(killed_and_resumed["db"])
    whole = _snapshot(crawled_archive)
    assert set(resumed["reports"]) == set(whole["reports"])
    assert resumed["reports"] == whole["reports"]  # same urls, bureaus, texts and content hashes
    assert len(resumed["urls"]) == len(set(resumed["urls"]))
    assert resumed["attachments"] == whole["attachments"]
    # a page saved before the kill and fetched again after it is still one version, not a change
    assert resumed["versions"] == whole["versions"]


def test_resumed_run_does_not_refetch_pages_already_archived(killed_and_resumed, crawled_archive):
    k = killed_and_resumed
    log = k["runs"][-1].stderr
    skipped = re.search(r"'nianbao/resume_skipped_done': (\d+)", log)
    assert skipped, "the resumed run skipped no page of the done-log"
    # every report saved before the kill is a detail page the resumed run left alone
    assert int(skipped.group(1)) >= k["at_kill"]
    # the killed run never closed its crawl_runs row; the resumed run(s) did, with their request counts
    closed = [n for n in _snapshot(k["db"])["requests"].values() if n is not None]
    (whole_requests,) = _snapshot(crawled_archive)["requests"].values()
    assert closed and all(n < whole_requests for n in closed)


def test_job_directory_keeps_only_the_done_log(killed_and_resumed):
    """Scrapy's disk queues do not survive kill -9 (crawler/resume.py): the job must not use them."""
    jobdir = killed_and_resumed["jobdir"]
    assert (jobdir / DONE_FILE).exists()
    assert not (jobdir / "requests.queue").exists()
