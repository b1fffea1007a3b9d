"""Kill and resume for real: `kill -9` a `scrapy crawl bureaus` subprocess mid-crawl, run the same command
again with the same JOBDIR, kill that one too, and again: after three kills at random points and three
resumes the archive must equal the one an uninterrupted crawl wrote.

The crawl is slowed down (two requests at a time, a short download delay) only so that there is a "middle"
to kill it in. The kill points are drawn from a seeded random generator (the seed is printed; set
NIANBAO_RESUME_SEED to replay one): for each, a number of reports the archive must hold, then a random
extra wait, so kills land in list pages, detail pages, pipelines and the resumed runs' start-up alike.
"""

from __future__ import annotations

import os
import random
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
KILLS = 3
KILL_AT = 10  # the first kill comes after at least this many reports
GAP = 8  # and each later one after this many more
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
    # since migration 9 the texts sit in report_texts, joined back by the reports_with_text view
    view = "SELECT 1 FROM sqlite_master WHERE name = 'reports_with_text'"
    reports = "reports_with_text" if conn.execute(view).fetchone() else "reports"
    try:
        return {
            "reports": {
                row[0]: row[1:]
                for row in conn.execute(
                    f"SELECT id, url, bureau_id, text, content_hash FROM {reports}"
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


def _kill_points(total: int, seed: int) -> list[tuple[int, float]]:
    """KILLS report counts in [KILL_AT, total - 10], GAP apart at least so that every resumed run archives
    something before its own kill, each with an extra wait of up to 0.4 s."""
    rng = random.Random(seed)
    drawn = sorted(rng.sample(range(KILL_AT, total - 10 - GAP * (KILLS - 1)), KILLS))
    return [(n + i * GAP, round(rng.uniform(0, 0.4), 2)) for i, n in enumerate(drawn)]


def _run_until(db: Path, jobdir: Path, at: int, wait: float) -> tuple[int, bool, int]:
    """One crawl, SIGKILLed once the archive holds `at` reports and `wait` more seconds passed.

    Returns the reports at the kill, whether the crawl ended before it, and its exit code."""
    proc = subprocess.Popen(
        _command(db, jobdir),
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180  # a bound on the wait, not an assertion about speed
        while _count(db) < at and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(wait)
        finished_early = proc.poll() is not None
        at_kill = _count(db)
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    return at_kill, finished_early, proc.returncode


@pytest.fixture(scope="module")
def killed_and_resumed(portals, crawled_archive, tmp_path_factory):
    """A crawl killed with SIGKILL at KILLS random points (each kill in the run resuming the one before),
    then resumed to the end with the same JOBDIR."""
    root = tmp_path_factory.mktemp("resume")
    db, jobdir = root / "archive.db", root / "job"
    seed = int(os.environ.get("NIANBAO_RESUME_SEED") or random.randrange(1_000_000))
    points = _kill_points(len(_snapshot(crawled_archive)["reports"]), seed)
    print(f"resume test: seed {seed}, kills after (reports, extra wait s) {points}")
    kills = []
    for at, wait in points:
        at_kill, finished_early, code = _run_until(db, jobdir, at, wait)
        kills.append(
            {
                "at": at,
                "at_kill": at_kill,
                "early": finished_early,
                "code": code,
                "done": read_done(jobdir),
            }  # fmt: skip
        )
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
        "seed": seed,
        "kills": kills,
        "at_kill": kills[-1]["at_kill"],
        "runs": runs,
    }


def test_the_crawl_was_killed_three_times_and_resumed_to_exit_zero(
    killed_and_resumed, crawled_archive
):
    k = killed_and_resumed
    seed = f"seed {k['seed']} (NIANBAO_RESUME_SEED={k['seed']} replays it)"
    total = len(_snapshot(crawled_archive)["reports"])
    assert len(k["kills"]) == KILLS
    for kill in k["kills"]:
        assert not kill["early"], f"a crawl ended before its kill: slow it down further; {seed}"
        assert kill["code"] == -signal.SIGKILL, seed
        assert kill["at"] <= kill["at_kill"] < total, f"a kill missed the middle; {seed}"
        assert len(kill["done"]) >= kill["at_kill"], (
            f"saved reports missing from the done-log; {seed}"
        )
    assert [r.returncode for r in k["runs"]][-1] == 0, k["runs"][-1].stderr[-3000:]


def test_resumed_archive_equals_an_uninterrupted_crawl(killed_and_resumed, crawled_archive):
    resumed = _snapshot(killed_and_resumed["db"])
    whole = _snapshot(crawled_archive)
    print(f"resume test seed {killed_and_resumed['seed']}")
    assert set(resumed["reports"]) == set(whole["reports"]), killed_and_resumed["seed"]
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
    # pages archived before the last kill are left alone: filtered by the done-log, or (no validators,
    # list line unchanged) not even requested by the incremental layer. A kill can land between a
    # report's commit and its done-log line, so each kill may cost one refetch (idempotent: no version).
    unchanged = re.search(r"'nianbao/incremental/skipped_list_unchanged': (\d+)", log)
    left_alone = int(skipped.group(1)) + (int(unchanged.group(1)) if unchanged else 0)
    assert left_alone >= k["at_kill"] - KILLS, (left_alone, k["at_kill"], k["seed"])
    # the killed runs never closed their crawl_runs rows; the resumed runs did, with their request counts
    closed = [n for n in _snapshot(k["db"])["requests"].values() if n is not None]
    (whole_requests,) = _snapshot(crawled_archive)["requests"].values()
    assert closed and all(n < whole_requests for n in closed)


def test_killed_runs_are_closed_as_interrupted_by_the_runs_after_them(killed_and_resumed):
    conn = sqlite3.connect(killed_and_resumed["db"])
    try:
        rows = conn.execute('SELECT "end", status FROM crawl_runs ORDER BY start').fetchall()
    finally:
        conn.close()
    assert len(rows) == KILLS + len(killed_and_resumed["runs"])
    assert all(end is not None for end, _ in rows), "a run was left with a NULL end"
    assert [status for _, status in rows[:KILLS]] == ["interrupted"] * KILLS
    assert rows[-1][1] == "finished"


def test_job_directory_keeps_only_the_done_log(killed_and_resumed):
    """Scrapy's disk queues do not survive kill -9 (crawler/resume.py): the job must not use them."""
    jobdir = killed_and_resumed["jobdir"]
    assert (jobdir / DONE_FILE).exists()
    assert not (jobdir / "requests.queue").exists()
