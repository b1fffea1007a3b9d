"""HostFairQueue's two memory levers, proven on a real polite crawl of the national sample portals.

- New hosts start at most `NIANBAO_HOST_START_RATE` per second, so that hosts opened together do not keep
  one phase and answer in one wave every delay (bench/national.py: the wave held 4,000 responses at once).
  Each host's first request (its robots.txt) is stamped by the portal: the k-th host to start must not be
  seen before k start gaps after the first, less the queue's catch-up and one request's lateness on a busy
  machine, and all must have started within twice the time the rate asks for.
- Queued requests are kept pickled: the crawl must still archive every report, with the list's title and
  date, which travel in the request's meta.
- A host's delay is counted from its last answer: a worker whose loop is busy between sending a request and
  writing it to the socket (tests/stalling_handler.py) must not make the next request follow it sooner
  than the delay.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from crawler.distributed import local_redis, run
from sample_portals import national

BUREAUS = 12
RATE = 4.0  # hosts started per second
LATENESS = 0.35  # the queue catches up starts up to 0.2 s late (_START_SLACK_S), and one request's lateness


def _crawl(tmp_path, bureaus: int, **settings) -> tuple[dict, dict]:
    """(summary, the portal's per-host stats) of one real polite worker over `bureaus` national portals."""
    portal = national.start_in_thread(bureaus, latency=0.01)
    try:
        registry = portal.write_registry(tmp_path / "national.yml")
        with local_redis() as url:
            summary = run(
                str(registry),
                tmp_path / "archive.db",
                1,
                url,
                polite=True,
                log_dir=tmp_path,
                settings={
                    "DOWNLOAD_DELAY_JITTER": 0,
                    "AUTOTHROTTLE_ENABLED": False,
                    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
                    "NIANBAO_OPEN_HOSTS": bureaus,
                    **settings,
                },
            )
        return summary, portal.stats()
    finally:
        portal.stop()


def test_hosts_start_spread_and_queued_requests_survive_packing(tmp_path):
    summary, stats = _crawl(tmp_path, BUREAUS, DOWNLOAD_DELAY=0.05, NIANBAO_HOST_START_RATE=RATE)
    assert summary["exit_codes"] == [0]
    firsts = sorted(seen["first"] for seen in stats.values())
    assert len(firsts) == BUREAUS
    for k, first in enumerate(firsts):
        assert first - firsts[0] >= k / RATE - LATENESS, (k, first - firsts[0])
    assert firsts[-1] - firsts[0] <= 2 * (BUREAUS - 1) / RATE

    # every page once: robots.txt, the list pages and the details
    assert sum(seen["requests"] for seen in stats.values()) == sum(
        national.pages_of(b) for b in range(BUREAUS)
    )
    conn = sqlite3.connect(tmp_path / "archive.db")
    stored, listed = conn.execute("SELECT count(*), count(list_title) FROM reports").fetchone()
    conn.close()
    assert stored == sum(national.items_of(b) for b in range(BUREAUS))
    assert listed == stored  # the list's title came through the packed meta


DELAY = 0.1
STAMP_SLACK = 0.03  # the portal stamps arrivals in a thread of this process
HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("from_response", [True, False], ids=["delay-from-answer", "from-dispatch"])
def test_a_busy_worker_never_shortens_a_gap(tmp_path, monkeypatch, from_response):
    """tests/stalling_handler.py blocks the worker's loop 0.08 s just after every third request is sent, so
    that request reaches its portal late. Counted from the dispatch (Scrapy's way), the next request
    follows it 0.02 s later; counted from the answer, never sooner than the delay."""
    bureaus = 4
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    summary, stats = _crawl(
        tmp_path,
        bureaus,
        DOWNLOAD_DELAY=DELAY,
        NIANBAO_DELAY_FROM_RESPONSE=from_response,
        DOWNLOAD_HANDLERS=json.dumps({"http": "stalling_handler.StallingHandler"}),
    )
    assert summary["exit_codes"] == [0]
    assert sum(seen["requests"] for seen in stats.values()) == sum(
        national.pages_of(b) for b in range(bureaus)
    )
    shortest = min(seen["min_gap"] for seen in stats.values())
    if from_response:
        assert shortest >= DELAY - STAMP_SLACK, shortest
    else:  # the stall is real: without the answer's clock it does shorten gaps
        assert shortest < DELAY - STAMP_SLACK, shortest


def test_a_request_its_slot_would_hold_waits_in_the_queue(tmp_path):
    """A host's first request reaches its slot just after robots.txt, a whole delay early, and would wait
    there with its whole middleware chain: past NIANBAO_REQUEUE_AFTER it goes back to the queue
    (crawler.politeness.EarlyRequestMiddleware) and comes out when its host is due. Nothing is lost or
    fetched twice for it, and no gap gets shorter."""
    bureaus, delay = 2, 0.25
    summary, stats = _crawl(tmp_path, bureaus, DOWNLOAD_DELAY=delay, NIANBAO_REQUEUE_AFTER=0.05)
    assert summary["exit_codes"] == [0]
    requeued = sum(w.get("nianbao/requeued_early", 0) for w in summary["worker_stats"])
    assert requeued >= bureaus  # at least each host's first request after its robots.txt
    assert sum(seen["requests"] for seen in stats.values()) == sum(
        national.pages_of(b) for b in range(bureaus)
    )
    assert all(seen["robots"] == 1 and seen["max_inflight"] == 1 for seen in stats.values())
    assert min(seen["min_gap"] for seen in stats.values()) >= delay - STAMP_SLACK
    conn = sqlite3.connect(tmp_path / "archive.db")
    (stored,) = conn.execute("SELECT count(*) FROM reports").fetchone()
    conn.close()
    assert stored == sum(national.items_of(b) for b in range(bureaus))


def test_queued_requests_are_kept_small_and_come_back_whole():
    """The queue keeps each request pickled and deflated against the first one it packed: a request of a
    crawl is mostly what the others have too (keys, callbacks, meta, most of its URL)."""
    import pickle

    from scrapy import Request, Spider
    from scrapy.utils.test import get_crawler

    from crawler.politeness import HostFairQueue

    class Portal(Spider):
        name = "portal"

        def parse_detail(self, response):
            return None

        def on_error(self, failure):
            return None

    crawler = get_crawler(Portal)
    spider = crawler.spider = Portal()
    queue = HostFairQueue(crawler)
    requests = [
        Request(
            f"http://127.20.{i // 200}.{i % 200 + 1}:8000/b{i}/zwgk/ndbg/2024{i % 12 + 1:02d}/t2024_{i * 7919}.html",
            callback=spider.parse_detail,
            errback=spider.on_error,
            priority=i % 3,
            meta={
                "bureau_id": f"nat-{i:04d}",
                "list_title": f"交通运输局{2020 + i % 5}年政府信息公开工作年度报告",
                "list_date": f"2024-01-{i % 28 + 1:02d}",
                "state": {"page": i, "cap": 500},
            },
        )  # fmt: skip
        for i in range(60)
    ]
    packed = [queue._packed(r) for r in requests]
    for request, entry in zip(requests, packed, strict=True):
        assert isinstance(entry, bytes)
        back = queue._unpacked(entry)
        assert back.to_dict(spider=spider) == request.to_dict(spider=spider)
    plain = sum(len(pickle.dumps(r.to_dict(spider=spider), protocol=5)) for r in requests[1:])
    assert sum(len(entry) for entry in packed[1:]) < 0.5 * plain
