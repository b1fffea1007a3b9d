"""Per-bureau crawl progress, like Scrapy's LogStats but one line per bureau.

Scrapy's LogStats says "crawled 420 pages, scraped 77 items" for the whole crawl; with ten or a thousand
portals that hides the one portal that is stuck or slow. BureauLogStats counts responses (pages) and stored
items per bureau (request.meta / item `bureau_id`) and every NIANBAO_PROGRESS_INTERVAL seconds logs each
active bureau's totals and its rate per minute over the last interval. At the end it logs the bureaus where
no annual report was found and leaves their ids in the stats (`nianbao/bureaus_without_report`) for the
end-of-crawl summary and crawl_runs.stats.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

logger = logging.getLogger(__name__)


class BureauLogStats:
    def __init__(self, crawler, interval: float):
        self.crawler = crawler
        self.interval = interval
        self.pages: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.reports: Counter[str] = Counter()  # annual reports per bureau
        self._last_pages: Counter[str] = Counter()
        self._last_items: Counter[str] = Counter()
        self._task = None

    @classmethod
    def from_crawler(cls, crawler):
        interval = crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def spider_opened(self, spider):
        self._task = task.LoopingCall(self.log_progress, spider)
        self._task.start(self.interval, now=False)

    def response_received(self, response, request, spider):
        bureau = request.meta.get("bureau_id")
        if bureau:
            self.pages[bureau] += 1

    def item_scraped(self, item, response, spider):
        bureau = item.get("bureau_id")
        if not bureau:
            return
        self.items[bureau] += 1
        if item.get("kind") == "annual_report":
            self.reports[bureau] += 1

    def progress_lines(self) -> list[str]:
        """One line per bureau that fetched anything: totals and per-minute rates since the last line."""
        per_min = 60.0 / self.interval
        lines = []
        for bureau in sorted(set(self.pages) | set(self.items)):
            dp = self.pages[bureau] - self._last_pages[bureau]
            di = self.items[bureau] - self._last_items[bureau]
            lines.append(
                f"{bureau}: {self.pages[bureau]} pages ({dp * per_min:.0f} pages/min), "
                f"{self.items[bureau]} items ({di * per_min:.0f} items/min), "
                f"{self.reports[bureau]} annual reports"
            )
        self._last_pages = self.pages.copy()
        self._last_items = self.items.copy()
        return lines

    def log_progress(self, spider):
        for line in self.progress_lines():
            logger.info("progress %s", line, extra={"spider": spider})

    def without_report(self, spider) -> list[str]:
        """Registry bureaus of this crawl where no annual report was stored."""
        ids = [b.id for b in getattr(spider, "bureaus", [])] or sorted(set(self.pages))
        return [b for b in ids if not self.reports[b]]

    def spider_closed(self, spider, reason):
        if self._task and self._task.running:
            self._task.stop()
        self.log_progress(spider)
        missing = self.without_report(spider)
        self.crawler.stats.set_value("nianbao/bureaus_without_report", missing)
        if missing:
            logger.warning(
                "no annual report found for %d bureau(s): %s",
                len(missing),
                ", ".join(missing),
                extra={"spider": spider},
            )
