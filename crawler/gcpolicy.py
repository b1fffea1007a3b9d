"""Garbage collection tuned for a crawl that holds thousands of portals open: short pauses, seldom.

Python's cyclic collector runs a young collection every 700 net new container objects and a full one
after ten middle ones, whenever a quarter of the heap is new since the last. A crawl of thousands of
hosts allocates hundreds of thousands of short-lived objects a second (a request's Deferreds, asyncio
handles, timers, contexts), and with a young generation of 700 many of them are still alive when it is
collected, so they are promoted and make the heap look new: at 3,300 hosts full collections came every
1–3 s and back to back, 400–600 ms each (a heap of 330,000–530,000 objects spread over 250 MB), 13 of the
first 72 s of the crawl (bench/national.py, measured with a gc callback). Every pause stalls the reactor;
a request dispatched just before one reaches its portal's socket late and the gap to the next request
shrinks by the pause: 2,121 gaps of 20 s came 0.5–1.5 s short, in clusters, and at the real delay of
1 s a 0.5 s pause halves a gap.

`GcPolicy` sets `NIANBAO_GC_THRESHOLDS` (default 5000, 20, 50) when the engine starts and freezes what
is alive then (modules, settings, the registry: never garbage, no longer scanned). A young generation of
5,000 lets a request's objects die young; full collections come after 50 middle ones. Same 72 s: one full
collection of 290 ms, 2.8 s of collecting in all. Cyclic garbage waits longer for its collection, but a
young generation is 5,000 objects at most and the old one is still collected. `NIANBAO_GC_THRESHOLDS =
""` keeps Python's own.
"""

from __future__ import annotations

import gc
import logging
import time

from scrapy import signals
from scrapy.exceptions import NotConfigured

__all__ = ["GcPolicy", "ReleaseSelectorMiddleware", "parse_thresholds", "release_selector"]

logger = logging.getLogger(__name__)


def parse_thresholds(value) -> tuple[int, int, int] | None:
    """`"5000,20,50"` (or a list of three) → (5000, 20, 50); `""` or None → None (Python's own)."""
    if value is None or value == "" or value == []:
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    try:
        numbers = tuple(int(str(p).strip()) for p in parts)
    except ValueError:
        raise ValueError(f"NIANBAO_GC_THRESHOLDS: three integers, got {value!r}") from None
    if len(numbers) != 3 or min(numbers) < 1:
        raise ValueError(f"NIANBAO_GC_THRESHOLDS: three integers ≥ 1, got {value!r}")
    return numbers


class GcPolicy:
    """Sets the thresholds for the crawl and keeps, in the crawl's stats as it goes, how often the collector
    ran and its longest pause (`nianbao/gc/…`): the figure to look at when a portal reports short gaps.
    Kept as it goes, not at the end: a worker hands its stats on when its spider closes, before any
    extension's own spider_closed could add to them."""

    def __init__(self, thresholds: tuple[int, int, int], stats):
        self.thresholds = thresholds
        self.stats = stats
        self.before: tuple[int, int, int] | None = None
        self._started = 0.0

    @classmethod
    def from_crawler(cls, crawler):
        thresholds = parse_thresholds(crawler.settings.get("NIANBAO_GC_THRESHOLDS"))
        if thresholds is None:
            raise NotConfigured("NIANBAO_GC_THRESHOLDS empty: Python's own collector settings")
        ext = cls(thresholds, crawler.stats)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        self.before = gc.get_threshold()
        gc.collect()
        gc.freeze()
        gc.set_threshold(*self.thresholds)
        gc.callbacks.append(self._timed)
        logger.debug("gc thresholds %s, %d objects frozen", self.thresholds, gc.get_freeze_count())

    def engine_stopped(self) -> None:
        # the process may run another crawl (tests, `nianbao crawl` then serve): leave it as we found it
        if self.before is not None:
            gc.set_threshold(*self.before)
            gc.unfreeze()
            self.before = None
        if self._timed in gc.callbacks:
            gc.callbacks.remove(self._timed)

    def _timed(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        self.stats.inc_value(f"nianbao/gc/collections/{info['generation']}")
        self.stats.inc_value("nianbao/gc/seconds", pause)
        self.stats.max_value("nianbao/gc/longest_pause_ms", round(pause * 1000, 3))


class ReleaseSelectorMiddleware:
    """Spider middleware: when a callback is done with a response, the response lets go of its selector.

    Scrapy's text response keeps the Selector `response.css` and `response.xpath` made, and the Selector
    keeps the response: a reference cycle, so the page (its body, its decoded text and its lxml tree, C
    memory of several times the page) outlived its callback until the collector's next full pass. With
    the young generation above, full passes are rare, and a worker of a 3,300-host crawl held 120–300
    parsed pages so at any time (bench/national.py, the collector's garbage counted). Without the cache
    the page is freed when the last reference to it goes; anything that asks for its selector later gets
    a new one.
    """

    def process_spider_output(self, response, result):
        try:
            yield from result
        finally:
            release_selector(response)

    async def process_spider_output_async(self, response, result):
        try:
            async for output in result:
                yield output
        finally:
            release_selector(response)


def release_selector(response) -> None:
    # TextResponse.selector's cache (Scrapy's attribute; a binary response has none)
    if getattr(response, "_cached_selector", None) is not None:
        response._cached_selector = None
