"""Scale-out: 2 scrapy-redis workers, real Redis, real sample portals, one archive writer.

The distributed archive must equal the single-process crawl's (`crawled_archive`): same report ids and
content hashes, every page fetched once across the workers (shared dupefilter), both workers working
(shared frontier), every item written once.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.distributed import (
    ArchiveWriter,
    clear_crawl_keys,
    local_redis,
    redis_client,
)
from crawler.items import CrawlErrorItem, ReportItem
from crawler.redis_items import serialize_item
from crawler.spiders.bureaus_redis import ITEMS_KEY, QUEUE_KEY

ROOT = Path(__file__).resolve().parents[1]


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def redis_url():
    with local_redis() as url:
        yield url


@pytest.fixture(scope="module")
def distributed_run(portals, redis_url, tmp_path_factory):
    """`python -m crawler.distributed --workers 2` over the sample registry, as `make distributed` runs."""
    out = tmp_path_factory.mktemp("distributed")
    db = out / "archive.db"
    proc = subprocess.run(
        [sys.executable, "-m", "crawler.distributed", "--workers", "2", "--registry", "sample"]
        + ["--db", str(db), "--redis-url", redis_url, "--log-dir", str(out / "logs")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return db, out / "logs", proc.stdout


def test_same_archive_as_single_process(distributed_run, crawled_archive):
    db, _, _ = distributed_run
    query = "select id, content_hash, url from reports order by id"
    assert rows(db, query) == rows(crawled_archive, query)
    # errors the portals really produce (and the discovery notes) are the same set too
    errors = "select url, reason, status from crawl_errors order by url, reason"
    assert rows(db, errors) == rows(crawled_archive, errors)


def test_no_duplicate_no_lost_item(distributed_run, crawled_archive):
    db, _, _ = distributed_run
    assert rows(db, "select count(*) - count(distinct url) from reports") == [(0,)]
    stats = json.loads(rows(db, "select stats from crawl_runs")[0][0])
    single = json.loads(rows(crawled_archive, "select stats from crawl_runs")[0][0])
    reports = rows(db, "select count(*) from reports")[0][0]
    # every report item reached the writer exactly once: all new, none replayed as unchanged
    assert stats["nianbao/reports_new"] == reports
    assert stats.get("nianbao/reports_unchanged", 0) == 0
    assert rows(db, "select new_reports, unchanged_reports from crawl_runs") == [(reports, 0)]

    # the shared dupefilter: the two workers together fetched exactly what one process fetched
    # (a retried request is one more response on either side, so retries are taken out; robots.txt is
    # cached per process, so each worker that reaches a robots-obeying portal fetches it once)
    def fetched(s: dict) -> int:
        return (
            s["downloader/response_count"]
            - s.get("retry/count", 0)
            - s.get("robotstxt/response_count", 0)
        )

    assert fetched(stats) == fetched(single)
    robots = single.get("robotstxt/response_count", 0)
    assert robots <= stats.get("robotstxt/response_count", 0) <= 2 * robots
    assert stats["nianbao/workers"] == 2


def test_both_workers_share_the_frontier(distributed_run):
    db, logs, stdout = distributed_run
    stats = json.loads(rows(db, "select stats from crawl_runs")[0][0])
    per_worker = stats["nianbao/worker_response_counts"]
    assert len(per_worker) == 2 and all(n > 0 for n in per_worker), per_worker
    for log in logs.glob("worker-*.log"):
        assert "Traceback" not in log.read_text(encoding="utf-8")


def test_run_leaves_redis_empty(distributed_run, redis_url):
    server = redis_client(redis_url)
    assert server.llen(ITEMS_KEY) == 0
    assert server.zcard(QUEUE_KEY) == 0
    assert not list(server.scan_iter(match="bureaus_redis:*"))


def test_writer_keeps_a_batch_until_saved_and_replay_is_harmless(redis_url, tmp_path):
    """At-least-once delivery + idempotent saves: a batch whose save failed stays in Redis."""
    from archive.ingest import Archive

    server = redis_client(redis_url)
    clear_crawl_keys(server)
    report = ReportItem(
        bureau_id="b1",
        url="http://127.0.0.1:8711/zwgk/ndbg/202001/t20200101_1.html",
        title="2019年政府信息公开工作年度报告",
        text="本报告由……编制。",
        html="<html>not sent</html>",
        run_id="r1",
    )
    error = CrawlErrorItem(
        url="http://127.0.0.1:8711/x", reason="HTTP 404", status=404, run_id="r1"
    )
    assert "not sent" not in serialize_item(report)
    server.rpush(ITEMS_KEY, serialize_item(error), serialize_item(report))

    class FailingArchive(Archive):
        def save_report(self, record):
            raise OSError("disk full")

    with FailingArchive(tmp_path / "archive.db") as failing:
        with pytest.raises(OSError):
            ArchiveWriter(failing, server).drain_once()
        # the batch is one transaction: the error item written before the failure was rolled back with it
        assert failing.conn.execute("select count(*) from crawl_errors").fetchone()[0] == 0
    assert server.llen(ITEMS_KEY) == 2

    with Archive(tmp_path / "archive.db") as archive:
        writer = ArchiveWriter(archive, server)
        assert writer.drain() == 2
        assert server.llen(ITEMS_KEY) == 0
        server.rpush(ITEMS_KEY, serialize_item(report))  # the same item delivered again
        writer.drain()
        assert writer.counts["reports_new"] == 1 and writer.counts["reports_unchanged"] == 1
        assert archive.conn.execute("select count(*) from reports").fetchone()[0] == 1
        assert archive.conn.execute("select count(*) from crawl_errors").fetchone()[0] == 1
    clear_crawl_keys(server)


def test_the_shared_dupefilter_keeps_digests(redis_url):
    """Each fingerprint is kept in its host's Redis hash as the 20 bytes of its digest: a URL seen by one
    worker is seen by every other (the same fingerprint as scrapy-redis' own), a county portal's pages are
    one small hash (Redis' compact encoding), and clearing the filter leaves no host's hash behind."""
    from scrapy import Request
    from scrapy_redis.dupefilter import RFPDupeFilter

    from crawler.affinity import CompactDupeFilter

    server = redis_client(redis_url)
    key = "nianbao-test:dupefilter"
    one, other = CompactDupeFilter(server, key), CompactDupeFilter(server, key)
    try:
        page = Request("http://127.20.0.1:8000/b0/zwgk/ndbg/t20240120_7.html")
        assert not one.request_seen(page)
        assert other.request_seen(Request(page.url))
        assert not other.request_seen(Request(page.url + "?page=2"))
        assert not one.request_seen(Request("http://127.20.0.2:8000/b1/zwgk/ndbg/index.html"))
        shard = f"{key}:127.20.0.1"
        assert server.hlen(shard) == 2
        assert all(len(field) == 20 for field in server.hkeys(shard))
        assert server.object("encoding", shard) in (b"listpack", b"ziplist")
        assert one.request_fingerprint(page).hex() == RFPDupeFilter(server, key).request_fingerprint(page)
        one.clear()
        assert not list(server.scan_iter(match=key + "*"))
    finally:
        for k in server.scan_iter(match=key + "*"):
            server.delete(k)
