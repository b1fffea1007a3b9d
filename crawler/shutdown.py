"""SIGTERM and Ctrl-C end a crawl within seconds, and its crawl_runs row says it was interrupted.

Scrapy's first SIGTERM starts a graceful stop that waits for every request in flight: a portal that
trickles a body a byte at a time holds it for the whole download timeout, and a blocked pipeline for
longer. An operator (or systemd, or a CI runner) who asks a crawl to stop must not wait for that.

`BoundedShutdown` watches from a thread of its own, so a busy reactor cannot hide the stop from it. Once
the crawler stops crawling without its spider having closed (Scrapy's signal handler sets
`crawler.crawling` to False first), the graceful close gets `NIANBAO_SHUTDOWN_GRACE` seconds (default 5).
A close that finishes in time is an ordinary close with reason "shutdown": ArchivePipeline writes the run
as interrupted, with its stats. Otherwise the run is closed as interrupted from the reactor and the
reactor stopped; if even that has not ended the process 2 s later, the thread closes the row over its own
SQLite connection and ends the process. What was in flight is lost as with `kill -9`, which a JOBDIR
resume (crawler/resume.py) already makes good.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

__all__ = ["BoundedShutdown"]

logger = logging.getLogger(__name__)

POLL_S = 0.1
# After the reactor was told to stop, how long before the process is ended from the watch thread.
HARD_S = 2.0


class BoundedShutdown:
    def __init__(self, crawler, grace: float):
        self.crawler = crawler
        self.grace = grace
        self._closed = threading.Event()
        self._marked = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_crawler(cls, crawler):
        grace = crawler.settings.getfloat("NIANBAO_SHUTDOWN_GRACE", 5.0)
        if grace <= 0:
            raise NotConfigured("NIANBAO_SHUTDOWN_GRACE <= 0: Scrapy's own unbounded shutdown")
        ext = cls(crawler, grace)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider) -> None:
        self._thread = threading.Thread(target=self._watch, name="nianbao-shutdown", daemon=True)
        self._thread.start()

    def spider_closed(self, spider, reason) -> None:
        self._closed.set()

    # -- the watch thread ----------------------------------------------------------------------------

    def _watch(self) -> None:
        while not self._closed.wait(POLL_S):
            if not self.crawler.crawling:
                break
        else:
            return  # closed by itself
        if self._closed.wait(self.grace):
            return
        from twisted.internet import reactor

        reactor.callFromThread(self._force)
        time.sleep(HARD_S)  # the process normally ends in this time, and this thread with it
        self._mark_here()
        sys.stderr.write("nianbao: the reactor did not stop; ending the crawl process\n")
        os._exit(1)

    def _run(self) -> tuple[str | None, str | None]:
        spider = self.crawler.spider
        if spider is None or not hasattr(spider, "open_archive"):
            return None, None  # a bureaus_redis worker: the coordinator owns the run
        return getattr(spider, "run_id", None), getattr(spider, "db", None)

    def _mark_here(self) -> None:
        """Close the run over a connection of this thread: the reactor thread may be blocked."""
        if self._marked.is_set():
            return
        run_id, db = self._run()
        if not run_id or not db:
            return
        # imported here: archive.runs brings sqlite-utils (and through it numpy, ≈ 16 MB), which a
        # bureaus_redis worker, whose coordinator owns the run, never needs
        from archive.runs import mark_interrupted

        mark_interrupted(db, run_id)
        self._marked.set()

    # -- in the reactor ------------------------------------------------------------------------------

    def _force(self) -> None:
        """The graceful close overran: write the run as interrupted with its stats, stop the reactor."""
        from twisted.internet import reactor

        logger.warning(
            "graceful shutdown still waiting after %.0f s (requests in flight): stopping now",
            self.grace,
        )
        run_id, _ = self._run()
        if run_id and not self._closed.is_set():
            from crawler.pipelines import _json_safe

            stats = _json_safe(self.crawler.stats.get_stats())
            stats["finish_reason"] = f"shutdown (forced after {self.grace:g} s)"
            try:
                self.crawler.spider.open_archive().finish_run(run_id, stats, status="interrupted")
                self._marked.set()
            except Exception:  # the thread's own connection will try again
                logger.exception("could not close run %s", run_id)
            print(
                f"── nianbao run {run_id} · interrupted: stopped by force "
                f"{self.grace:g} s after the stop request",
                flush=True,
            )
        with contextlib.suppress(RuntimeError):  # already stopping
            reactor.stop()
