"""One worker per host: how N scrapy-redis workers stay exactly as polite as one process.

A portal's limits live in Scrapy's download slot (delay, concurrency, AutoThrottle's estimate), its
robots.txt cache and the host pause of `crawler.politeness`, all in process memory. With one shared queue,
every worker has its own slot for every host and a portal sees N times the load, N robots.txt fetches and
no common backoff. Sharing the slot through Redis would mean a Redis round trip before every download and
still no shared AutoThrottle; instead `AffinityScheduler` gives every host one owner: the first worker that
schedules a request for a host becomes its owner (an atomic HSETNX-like step in Lua), and every later
request for that host, from any worker, is pushed to the owner's inbox in Redis. The owner runs the host's
requests through its own local `HostFairQueue`, so the host sees one slot, one robots.txt fetch, one pause —
exactly the single-process behaviour — whatever the number of workers.

The dupefilter stays shared (scrapy-redis `RFPDupeFilter`, key `bureaus_redis:dupefilter`), so a URL is
fetched once across workers. Liveness: each worker refreshes its heartbeat in the sorted set `…:live`; an
owner whose heartbeat is older than `NIANBAO_WORKER_TTL` (default 60 s) has lost its hosts — the next
request for one of them makes the sender the owner — and any worker moves a dead worker's inbox to
`…:orphans`, which live workers adopt (re-routing each request). A worker that stops cleanly does the same
for itself in one atomic step, so no push can land in an inbox nobody reads.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from scrapy.core.scheduler import Scheduler
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import load_object
from scrapy.utils.request import request_from_dict
from scrapy_redis import connection, picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter

from crawler.redis_keys import affinity_keys, dupefilter_shards

__all__ = ["AffinityScheduler", "CompactDupeFilter", "affinity_keys"]

# Route one request: keep a live owner, else take the host; push to the owner's inbox unless it is us.
# KEYS: owners hash, live zset. ARGV: host, me, ttl seconds, encoded request, inbox key prefix.
_ROUTE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner then
  local beat = redis.call('ZSCORE', KEYS[2], owner)
  if (not beat) or tonumber(beat) < now - tonumber(ARGV[3]) then owner = false end
end
if not owner then
  owner = ARGV[2]
  redis.call('HSET', KEYS[1], ARGV[1], owner)
end
if owner ~= ARGV[2] then redis.call('RPUSH', ARGV[5] .. owner, ARGV[4]) end
return owner
"""

# Leave (or declare dead): out of the live set, inbox and leftovers to the orphans, hosts released.
# KEYS: owners, live, the worker's inbox, orphans, loads. ARGV: worker id, then encoded leftover requests.
_LEAVE = """
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
for _, data in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do redis.call('RPUSH', KEYS[4], data) end
redis.call('DEL', KEYS[3])
for i = 2, #ARGV do redis.call('RPUSH', KEYS[4], ARGV[i]) end
local owners = redis.call('HGETALL', KEYS[1])
for i = 1, #owners, 2 do
  if owners[i + 1] == ARGV[1] then redis.call('HDEL', KEYS[1], owners[i]) end
end
return 1
"""


class CompactDupeFilter(RFPDupeFilter):
    """scrapy-redis' shared dupefilter (its fingerprint: method, canonical URL, body), kept compact in Redis.

    scrapy-redis keeps one set of 40 hex digits per page: at 96,000 pages 7.5 MB of Redis' 10. Here each
    host has a hash `<key>:<host>` whose fields are the 20 bytes of the digest: Redis packs a hash of up to
    128 short fields into one listpack (≈ 24 bytes a field, against ≈ 64 for a set member), and a county
    portal's column is a few dozen pages. A larger host's hash becomes a table like the set was."""

    def request_fingerprint(self, request) -> bytes:
        return bytes.fromhex(super().request_fingerprint(request))

    def request_seen(self, request) -> bool:
        shard = f"{self.key}:{urlparse_cached(request).hostname or ''}"
        return not self.server.hsetnx(shard, self.request_fingerprint(request), b"")

    def clear(self) -> None:
        for shard in self.server.scan_iter(match=dupefilter_shards(self.key), count=1000):
            self.server.delete(shard)


class AffinityScheduler(Scheduler):
    """Scrapy's scheduler over `HostFairQueue`, fed by the shared dupefilter and the host routing."""

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        server = connection.from_settings(settings)
        server.ping()
        key = settings.get("SCHEDULER_DUPEFILTER_KEY", "%(spider)s:dupefilter")
        spider_name = crawler.spidercls.name
        dupefilter = CompactDupeFilter(
            server, key=key % {"spider": spider_name}, debug=settings.getbool("DUPEFILTER_DEBUG")
        )
        scheduler = cls(
            dupefilter=dupefilter,
            jobdir=None,
            dqclass=load_object(settings["SCHEDULER_DISK_QUEUE"]),
            mqclass=load_object(settings["SCHEDULER_MEMORY_QUEUE"]),
            logunser=settings.getbool("SCHEDULER_DEBUG"),
            stats=crawler.stats,
            pqclass=load_object("crawler.politeness.HostFairQueue"),
            crawler=crawler,
        )
        scheduler.server = server
        scheduler.keys = affinity_keys(spider_name)
        scheduler.ttl = settings.getfloat("NIANBAO_WORKER_TTL", 60.0)
        scheduler.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        scheduler.mine: set[str] = set()
        # "host" (the download slot: what a portal's firewall sees) or "netloc" (host:port), see `_owner_key`
        scheduler.by = settings.get("NIANBAO_AFFINITY_BY", "host")
        scheduler._route = server.register_script(_ROUTE)
        scheduler._leave = server.register_script(_LEAVE)
        scheduler._last_beat = 0.0
        scheduler._last_pull = 0.0
        return scheduler

    # -- life cycle ---------------------------------------------------------------------------------

    def open(self, spider):
        result = super().open(spider)
        spider.affinity_scheduler = self  # the seed feed asks it whether to open more hosts
        self._beat(force=True)
        # The heartbeat must not depend on the engine asking for requests: a worker whose downloader is
        # full, or whose CPU is taken by its neighbours, may not call next_request for a long while.
        from twisted.internet import task

        self._beat_loop = task.LoopingCall(self._beat)
        self._beat_loop.start(1.0, now=False)
        return result

    def close(self, reason: str):
        if getattr(self, "_beat_loop", None) is not None and self._beat_loop.running:
            self._beat_loop.stop()
        leftovers = [self._encode(request) for request in self.mqs.drain()]
        self._leave(keys=self._leave_keys(self.me), args=[self.me, *leftovers])
        return self.df.close(reason)

    # -- scheduling ---------------------------------------------------------------------------------

    def enqueue_request(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self._place(request)
        self.stats.inc_value("scheduler/enqueued")
        return True

    def _place(self, request) -> None:
        """Into the local queue if this worker owns the host, else into the owner's inbox."""
        host = self._owner_key(request)
        if host in self.mine:
            self._mqpush(request)
            return
        owner = self._route(
            keys=[self.keys["owners"], self.keys["live"]],
            args=[host, self.me, self.ttl, self._encode(request), self.keys["inbox"]],
        )
        owner = owner.decode() if isinstance(owner, bytes) else owner
        if owner == self.me:
            self.mine.add(host)
            self._mqpush(request)
            self.stats.inc_value("nianbao/affinity/local")
        else:
            self.stats.inc_value("nianbao/affinity/sent")

    def next_request(self):
        self._beat()
        self._pull()
        request = self.mqs.pop()
        if request is not None:
            self.stats.inc_value("scheduler/dequeued")
        return request

    def has_pending_requests(self) -> bool:
        return len(self.mqs) > 0 or bool(self.server.llen(self._inbox(self.me)))

    def __len__(self) -> int:
        return len(self.mqs)

    def wants_hosts(self) -> bool:
        return self.mqs.wants_hosts()

    def open_hosts(self) -> int:
        return self.mqs.open_hosts()

    def redis_pending(self) -> int:
        """Requests waiting in Redis for any live worker (inboxes, orphans) or held by another live worker
        (its last heartbeat's load): what the idle check reads before it lets this worker stop."""
        workers = [w.decode() for w in self.server.zrange(self.keys["live"], 0, -1)]
        pipe = self.server.pipeline()
        for worker in workers:
            pipe.llen(self._inbox(worker))
        pipe.llen(self.keys["orphans"])
        pipe.hgetall(self.keys["loads"])
        *lengths, loads = pipe.execute()
        others = sum(
            int(v) for k, v in loads.items() if k.decode() != self.me and k.decode() in workers
        )
        return sum(lengths) + others

    def _owner_key(self, request) -> str:
        """What one worker owns. Politeness needs the host (Scrapy's download slot); the sample portals are
        ten bureaus on ports of one loopback address, crawled with politeness off, so those runs route by
        host:port (`NIANBAO_AFFINITY_BY = "netloc"`) to spread the ten over the workers."""
        if self.by == "netloc":
            return urlparse_cached(request).netloc
        return self.crawler.engine.downloader.get_slot_key(request)

    # -- Redis plumbing -----------------------------------------------------------------------------

    def _leave_keys(self, worker: str) -> list[str]:
        keys = self.keys
        return [keys["owners"], keys["live"], self._inbox(worker), keys["orphans"], keys["loads"]]

    def _inbox(self, worker: str) -> str:
        return self.keys["inbox"] + worker

    def _encode(self, request) -> bytes:
        return picklecompat.dumps(request.to_dict(spider=self.spider))

    def _decode(self, data: bytes):
        return request_from_dict(picklecompat.loads(data), spider=self.spider)

    def _beat(self, force: bool = False) -> None:
        """Refresh this worker's heartbeat; now and then, hand dead workers' inboxes to the orphans."""
        now = time.monotonic()
        if not force and now - self._last_beat < 1.0:
            return
        self._last_beat = now
        seconds, micros = self.server.time()
        wall = seconds + micros / 1e6
        if self.mine and self.server.zscore(self.keys["live"], self.me) is None:
            # declared dead by another worker (no heartbeat for NIANBAO_WORKER_TTL): its hosts may have new
            # owners now, so route again instead of trusting the cache
            self.mine.clear()
            self.stats.inc_value("nianbao/affinity/declared_dead")
        pipe = self.server.pipeline()
        pipe.zadd(self.keys["live"], {self.me: wall})
        held = len(self.mqs) + len(self.crawler.engine.downloader.active)
        pipe.hset(self.keys["loads"], self.me, held)
        pipe.execute()
        for dead in self.server.zrangebyscore(self.keys["live"], "-inf", wall - self.ttl):
            dead = dead.decode()
            self._leave(keys=self._leave_keys(dead), args=[dead])
            self.stats.inc_value("nianbao/affinity/dead_workers")

    def _pull(self, batch: int = 200) -> None:
        """Take what other workers sent (and, when idle, orphans), at most every 20 ms."""
        now = time.monotonic()
        if now - self._last_pull < 0.02 and len(self.mqs):
            return
        self._last_pull = now
        pipe = self.server.pipeline()
        pipe.lrange(self._inbox(self.me), 0, batch - 1)
        pipe.ltrim(self._inbox(self.me), batch, -1)
        sent, _ = pipe.execute()
        for data in sent:
            self._mqpush(self._decode(data))
        self.stats.inc_value("nianbao/affinity/received", len(sent))
        if not len(self.mqs):
            pipe = self.server.pipeline()
            pipe.lrange(self.keys["orphans"], 0, batch - 1)
            pipe.ltrim(self.keys["orphans"], batch, -1)
            orphans, _ = pipe.execute()
            for data in orphans:
                self._place(self._decode(data))
            self.stats.inc_value("nianbao/affinity/adopted", len(orphans))
