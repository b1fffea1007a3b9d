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
