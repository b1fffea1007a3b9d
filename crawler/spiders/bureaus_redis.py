"""Spider `bureaus_redis`: the `bureaus` spider as one of N workers sharing a scrapy-redis frontier.

What changes against `bureaus`, and why:

- The frontier (scheduler queue) and the dupefilter live in Redis (scrapy-redis `Scheduler` and
  `RFPDupeFilter`), so a URL one worker has scheduled is never fetched by another.
- Seeds come from Redis, not from the registry: the coordinator (`crawler.distributed`) pushes one
  `{"bureau": ID}` entry per bureau once; a worker pops one at a time and turns it into that bureau's
  column (or discovery) requests, which go into the shared queue like every other request.
- Workers never open the archive. Items leave through scrapy-redis `RedisPipeline` into one Redis list
  that the single archive writer drains; the run id comes from the coordinator (`-a run_id=`).
- Column discovery keeps its per-bureau state (pages pending, candidates found) in Redis, because the
  homepage and its hubs may be parsed by different workers.
- A worker stops only after its engine and the shared queue have both been empty for `idle_close`
  seconds: an idle worker must keep polling, since a busy one may still push new list or detail pages.

Usage (normally through `python -m crawler.distributed`, which also seeds and writes):
    scrapy crawl bureaus_redis -a registry=sample -a run_id=RUN -s REDIS_URL=redis://127.0.0.1:6390
"""

from __future__ import annotations

import json
import time
from typing import Any

from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.exceptions import DontCloseSpider
from scrapy.http import TextResponse
from scrapy_redis.spiders import RedisMixin

from crawler.families.discover import Candidate
from crawler.items import DiscoveryItem

# the Redis keys live in a leaf module the coordinator shares without importing Scrapy
from crawler.redis_keys import (
    DISCOVERY_KEY,
    DUPEFILTER_KEY,
    ITEMS_KEY,
    QUEUE_KEY,
    SEEDED_KEY,
    SEEDS_KEY,
    SPIDER_NAME,
    WORKER_STATS_KEY,
)
from crawler.spiders.bureaus import NOT_DISCOVERED, BureausSpider

# Scrapy polls an idle scheduler only every 5 s; a worker waiting for the others' pushes would sit idle
# that long each time its local work runs out. Polling Redis 5 times a second costs next to nothing.
HEARTBEAT_S = 0.2


class BureausRedisSpider(RedisMixin, BureausSpider):
    name = SPIDER_NAME
    redis_key = SEEDS_KEY
    # one bureau per pop, so the seeds spread over the workers instead of all going to the first one
    redis_batch_size = 1

    def __init__(self, *args: Any, run_id: str | None = None, idle_close: str = "3", **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not run_id:
            raise ValueError("bureaus_redis needs -a run_id=… (the coordinator opens the run)")
        self.run_id = run_id
        self.idle_close = float(idle_close)
        self._last_busy = time.monotonic()

    @classmethod
    def update_settings(cls, settings) -> None:
        """Swap the archive pipeline for the Redis item list and the local frontier for the shared one.

        Done here rather than in custom_settings so other pipelines added to settings.py (WARC, …) stay.
        """
        super().update_settings(settings)
        pipelines = dict(settings.getdict("ITEM_PIPELINES"))
        order = pipelines.pop("crawler.pipelines.ArchivePipeline", 900)
        pipelines["scrapy_redis.pipelines.RedisPipeline"] = order
        settings.set("ITEM_PIPELINES", pipelines, priority="spider")
        for name, value in {
            # each host's requests to one worker, so a portal sees one slot (crawler/affinity.py)
            "SCHEDULER": "crawler.affinity.AffinityScheduler",
            "DUPEFILTER_CLASS": "crawler.affinity.CompactDupeFilter",
            # never flush on close: the other workers still use the queue and the fingerprints;
            # the coordinator clears them before and after a run
            "SCHEDULER_PERSIST": True,
            "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
            "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
            "REDIS_ITEMS_KEY": ITEMS_KEY,
            "REDIS_ITEMS_SERIALIZER": "crawler.redis_items.serialize_item",
        }.items():
            settings.set(name, value, priority="spider")

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        ExecutionEngine._SLOT_HEARTBEAT_INTERVAL = HEARTBEAT_S
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup_redis(crawler)
        for signal in (signals.request_reached_downloader, signals.response_received):
            crawler.signals.connect(spider._busy, signal=signal)
        crawler.signals.connect(spider._save_worker_stats, signal=signals.spider_closed)
        crawler.signals.connect(spider._start_feed, signal=signals.spider_opened)
        return spider

    def _start_feed(self, spider) -> None:
        """Open bureaus while the local queue has room for more hosts, not only when the worker is idle.

        scrapy-redis pops seeds only on `spider_idle`, which crawls one bureau at a time; a bounded feed
        keeps `NIANBAO_OPEN_HOSTS` portals open side by side without loading every bureau at once.
        """
        from twisted.internet import task

        self._feed_loop = task.LoopingCall(self._feed)
        self._feed_loop.start(HEARTBEAT_S, now=False)

    def _feed(self, limit: int = 50) -> None:
        """A few seeds per tick, more as more hosts are open (×1.25 per tick): workers that start a moment
        apart still share a small registry, and a national one is open in seconds."""
        scheduler = getattr(self, "affinity_scheduler", None)
        if scheduler is None or not self.crawler.engine.running:
            return
        for _ in range(min(limit, 1 + scheduler.open_hosts() // 4)):
            if not scheduler.wants_hosts():
                return
            requests = list(self.next_requests())
            if not requests:
                return
            for request in requests:
                self.crawler.engine.crawl(request)

    @property
    def open_archive(self):
        """Absent on a worker: it may run on a machine without the archive, and SQLite has one writer.

        Raising AttributeError makes `hasattr(spider, "open_archive")` false, which is how the archive-
        reading middlewares (incremental state, attachment error records) know to stand aside.
        """
        raise AttributeError("a bureaus_redis worker has no archive; the writer owns it")

    async def start(self):
        for request in self.next_requests():
            yield request

    # -- seeds and shutdown --------------------------------------------------------------------------

    def make_request_from_data(self, data: bytes) -> list:
        """A seed is one bureau: its column requests, or the homepage when it has to be discovered."""
        seed = json.loads(data)
        bureau = self.by_id.get(seed["bureau"])
        if bureau is None:
            self.logger.error("seed for bureau %s, which is not in this worker's registry", seed)
            return []
        self.logger.info("seed: bureau %s", bureau.id)
        if not bureau.columns:
            self.server.hset(DISCOVERY_KEY % bureau.id, "pending", 1)
            return [self._discovery_request(bureau, bureau.homepage, 0)]
        return [r for column in bureau.columns for r in self._open_column(bureau, column)]

    def _busy(self, *args: Any, **kwargs: Any) -> None:
        self._last_busy = time.monotonic()

    def spider_idle(self) -> None:
        """Close only when this worker, the shared queue and the seed list have been quiet a while."""
        scheduler = getattr(self, "affinity_scheduler", None)
        pending = scheduler.redis_pending() if scheduler is not None else 0
        waiting = not self.server.exists(SEEDED_KEY)  # the coordinator waits for every worker first
        if waiting or self.server.llen(self.redis_key) or self.server.zcard(QUEUE_KEY) or pending:
            self._last_busy = time.monotonic()
        self.schedule_next_requests()
        if time.monotonic() - self._last_busy < self.idle_close:
            raise DontCloseSpider

    def _save_worker_stats(self, spider, reason: str) -> None:
        """Each worker's Scrapy stats under its own field, for the writer to add up into crawl_runs."""
        from crawler.pipelines import _json_safe

        stats = _json_safe(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        field = f"{self.run_id}:{id(self)}:{time.time_ns()}"
        self.server.hset(WORKER_STATS_KEY, field, json.dumps(stats, ensure_ascii=False))

    # -- column discovery with its state in Redis ----------------------------------------------------

    def parse_discovery(self, response):
        bureau = self.by_id[response.meta["bureau_id"]]
        key = DISCOVERY_KEY % bureau.id
        hop = response.meta["discovery_hop"]
        follow = []
        from crawler.families.charset import with_right_charset
        from crawler.families.discover import column_candidates, hub_links

        self.server.rpush(f"{key}:pages", response.url)
        if isinstance(response, TextResponse):
            response = with_right_charset(response)
            found = column_candidates(response.text, response.url)
            for c in found:
                entry = {"hop": hop, "url": c.url, "text": c.text, "score": c.score}
                self.server.rpush(f"{key}:found", json.dumps({**entry, "page": response.url}))
            if not found and hop == 0:
                follow = list(hub_links(response.text, response.url))
        if follow:
            # count the hubs before this page is counted done, so `pending` never touches 0 early
            self.server.hincrby(key, "pending", len(follow))
        for url in follow:
            yield self._discovery_request(bureau, url, 1)
        yield from self._discovery_step(bureau)

    def on_discovery_error(self, failure):
        yield from self.on_error(failure)
        yield from self._discovery_step(self.by_id[failure.request.meta["bureau_id"]])

    def _discovery_step(self, bureau):
        """One discovery page done; the worker that brings `pending` to 0 picks the column."""
        key = DISCOVERY_KEY % bureau.id
        if self.server.hincrby(key, "pending", -1) > 0:
            return
        pages = [p.decode() for p in self.server.lrange(f"{key}:pages", 0, -1)]
        found = [json.loads(f) for f in self.server.lrange(f"{key}:found", 0, -1)]
        if not found:
            self.crawler.stats.inc_value("nianbao/columns_not_discovered")
            looked = ", ".join(pages) or bureau.homepage
            yield self.error(
                bureau.homepage, f"{NOT_DISCOVERED} (looked at: {looked})", None, bureau.id
            )
            return
        # the homepage's own link wins over a hub's; among hubs, the better link text (as in `bureaus`)
        best = max(found, key=lambda f: (-f["hop"], f["score"]))
        self.crawler.stats.inc_value("nianbao/columns_discovered")
        candidate = Candidate(best["url"], best["text"], best["score"])
        # kept on the bureau's row (bureaus.discovered_column, migration 7), as `bureaus` does
        yield DiscoveryItem(
            bureau_id=bureau.id,
            column_url=candidate.url,
            link_text=candidate.text,
            page=best["page"],
        )
        yield from self._open_column(bureau, candidate.url)
