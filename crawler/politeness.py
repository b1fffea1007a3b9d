"""Politeness at national scale: many small portals served side by side, none of them pushed harder than allowed.

Scrapy already keeps one download slot per host (its delay, its concurrency), so a host is never hit harder
than `CONCURRENT_REQUESTS_PER_DOMAIN` and `DOWNLOAD_DELAY` allow. What it does not do is keep *many* hosts
busy at once. Its default priority queue hands out requests in priority order whatever their host, so when
one bureau's forty detail pages sit at the head of the queue they all go to the downloader, fill the global
`CONCURRENT_REQUESTS` and wait there, one per delay, while 3,000 other portals sit idle. Scrapy's
`DownloaderAwarePriorityQueue` picks the least busy slot, but it scans every slot on every pop (3,300 hosts ×
100,000 pops) and cannot see requests still inside the downloader middlewares (a host's first request waits
there for robots.txt), so it still piles requests onto a host it believes idle.

`HostFairQueue` (set as `SCHEDULER_PRIORITY_QUEUE`) keeps one heap per host and a ring of hosts that may
take one more request now: a host leaves the ring while it already holds its concurrency plus
`NIANBAO_HOST_QUEUE_AHEAD` (default 0) requests (in its slot or on their way to it) and comes back the moment one of them
leaves the downloader. Every pop is O(log n) for the host's heap plus the busy hosts skipped on the way, and
the downloader holds only about (concurrency + ahead) requests per active host, so a large
`CONCURRENT_REQUESTS` overlaps thousands of hosts instead of queueing behind a few. A host whose delay is not
nearly over is held here too (`NIANBAO_HOLD_UNTIL_DUE`) and woken by a timer when it is, so its next request
does not wait out the delay inside the downloader, where it costs twenty times its size here. New hosts start at most
`NIANBAO_HOST_START_RATE` a second, so their requests do not all come due in the same second of every delay,
and the queued requests are kept pickled: at 3,300 open hosts the frontier is 35,000 requests.

`HostPauseMiddleware` makes a 429 or 503 (with or without Retry-After) pause the whole host, not just the one
request that is retried: the slot's queue is held until the pause is over, so the host sees nothing from us
while it asked us to wait. With scrapy-redis workers, `crawler.affinity` sends each host's requests to one
worker, so this slot, its delay, its robots.txt and its pause are the only ones that host ever sees.
"""

from __future__ import annotations

import heapq
import itertools
import pickle
import time
import zlib
from collections import deque
from typing import Any

from scrapy import Request, signals
from scrapy.utils.asyncio import call_later
from scrapy.utils.request import request_from_dict

from crawler.safety import retry_after_seconds

__all__ = ["EarlyRequestMiddleware", "HostFairQueue", "HostPauseMiddleware"]

# A request handed out but not yet in its slot after this long was dropped on the way (robots.txt refused
# it, the safety middleware did): it no longer counts against its host.
_HANDOUT_TTL_S = 30.0
# How late a host start may be caught up (see HostFairQueue._may_start).
_START_SLACK_S = 0.2
# How long before its delay is over a held host's next request is handed to its slot (HostFairQueue._busy).
_DUE_EARLY_S = 0.25
REQUEUED_KEY = "nianbao_requeued"
# Queued requests are deflated with a window of 2**_ZBITS bytes (HostFairQueue._packed).
_ZBITS = 10
_ZWINDOW = 1 << _ZBITS


def due_at(slot) -> float:
    """When a download slot may send its next request (the downloader's monotonic clock): its last request,
    or answer (NIANBAO_DELAY_FROM_RESPONSE), plus its shortest delay (Scrapy's jitter draws between
    (1 ± jitter) × delay)."""
    return slot.lastseen + slot.delay * (1 - slot.jitter)


class HostFairQueue:
    """Scheduler priority queue: one heap per download slot, hosts served in turn, busy hosts skipped.

    Within a host, higher priority first, then last in first out (Scrapy's default memory order, which keeps
    a column's detail pages ahead of its further list pages and the frontier small).
    """

    def __init__(self, crawler):
        self.crawler = crawler
        # Requests a host may hold beyond its concurrency (in its slot, waiting out the delay). One ahead
        # saves only the engine's hand-off between a response and the next request, a few ms against a
        # delay of a second, and a request waiting in a slot holds ≈ 20–30 kB (its coroutines, Deferreds and
        # middleware chain): one ahead per host of 3,300 was ≈ 50 MB.
        self.ahead = max(0, crawler.settings.getint("NIANBAO_HOST_QUEUE_AHEAD", 0))
        # Hosts started at once: each open host brings its whole column into memory, so 3,300 hosts opened
        # together would hold every detail request of the crawl; a new host waits in `backlog` instead.
        self.open_limit = crawler.settings.getint("NIANBAO_OPEN_HOSTS", 1000)
        # New hosts started per second (0: no limit). Hosts started in the same second keep their phase:
        # each next request is due one delay after the last, so 3,300 hosts opened together answer in one
        # wave every delay, faster than the CPU parses them, and the responses wait in memory (463 MB at
        # 3,300 hosts); started a little apart, their answers come spread over the delay.
        # Started faster than the CPU parses their first list page (the dearest page), hosts leave what
        # waits meanwhile in memory, and the process keeps that high-water mark: 3,300 hosts started 165 a
        # second peaked at 341–366 MB in the first 75 s, 82 a second at 229 MB (bench/national.py, one
        # process on a quiet machine). 50 a second opens 1,000 hosts in 20 s.
        rate = crawler.settings.getfloat("NIANBAO_HOST_START_RATE", 50.0)
        self.start_gap = 1.0 / rate if rate > 0 else 0.0
        self._next_start = 0.0
        self._poke_pending = False
        # A host's next request is handed out only when its delay is nearly over, not a whole delay early:
        # a request waiting in its slot holds ≈ 20–30 kB (its coroutines, Deferreds, middleware chain),
        # one per host of 3,300 ≈ 80 MB. The host is woken by a timer at its due time instead.
        self.hold = crawler.settings.getbool("NIANBAO_HOLD_UNTIL_DUE", True)
        self._due_calls: dict[str, Any] = {}
        self.backlog: deque[str] = deque()
        self.in_backlog: set[str] = set()
        self.started: set[str] = set()
        # started hosts whose first request the engine has not taken yet: about to be busy, not idle
        self.unserved: set[str] = set()
        self.heaps: dict[str, list] = {}
        self.ring: deque[str] = deque()
        self.in_ring: set[str] = set()
        self.waiting: set[str] = set()
        # per host: id(request) -> when it was handed out (dicts keep insertion order, oldest first)
        self.handed: dict[str, dict[int, float]] = {}
        # Queued requests are kept pickled (Request.to_dict) and deflated: a Request object with its meta,
        # headers and the caches keyed on it holds 2–6 kB, its pickle 0.6 kB, deflated 0.1–0.2 kB, and at
        # 3,300 open hosts the frontier is 35,000 requests (≈ 200 MB as objects). Packing and unpacking one
        # costs ≈ 50 µs.
        self.pack = crawler.settings.getbool("NIANBAO_PACK_QUEUED", True)
        self._zdict: bytes | None = None
        self._seq = itertools.count()
        self._len = 0
        self._last_sweep = time.monotonic()
        # A host's delay is counted from the end of its last request, not from its dispatch (Scrapy's
        # `slot.lastseen`). Counted from the dispatch, a request that reaches the socket late (the reactor
        # busy parsing a wave of list pages, or the collector: 0.3–2.5 s at 3,300 hosts) shortens the gap
        # after it by that lag, and at a real delay of 1 s a 0.5 s lag halves it. Counted from the
        # response, the next request cannot reach the portal sooner than a delay after its last answer left,
        # however late anything ran. The cost is one answer time per request (0.05 s in 20 in the bench).
        self.from_response = crawler.settings.getbool("NIANBAO_DELAY_FROM_RESPONSE", True)
        crawler.signals.connect(self._reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(self._left, signal=signals.request_left_downloader)
        if self.from_response:
            # response_downloaded comes before the slot looks at its queue again; request_left_downloader
            # after it, but it is the one a failed download (timeout, refused connection) sends
            crawler.signals.connect(self._answered, signal=signals.response_downloaded)

    @classmethod
    def from_crawler(
        cls, crawler, downstream_queue_cls=None, key="", startprios=None, *, start_queue_cls=None
    ):
        # Memory only: the frontier is rebuilt from the list pages on resume (crawler/resume.py).
        return cls(crawler)

    # -- the priority-queue interface Scrapy's scheduler calls --------------------------------------

    def push(self, request: Request) -> None:
        key = self._key(request)
        # sent back by EarlyRequestMiddleware before it reached its slot: no longer handed out
        if request.meta.pop(REQUEUED_KEY, False) and (handed := self.handed.get(key)):
            handed.pop(id(request), None)
        heap = self.heaps.setdefault(key, [])
        heapq.heappush(heap, (-request.priority, -next(self._seq), self._packed(request)))
        self._len += 1
        if key in self.in_ring or key in self.waiting or key in self.in_backlog:
            return
        if key in self.started or (
            not self.backlog
            and len(self.heaps) - len(self.backlog) <= self.open_limit
            and self._may_start(time.monotonic())
        ):
            self._start(key)
            self._enter_ring(key)
        else:
            self.backlog.append(key)
            self.in_backlog.add(key)

    def pop(self) -> Request | None:
        now = time.monotonic()
        if self.waiting and now - self._last_sweep > 1.0:
            self._sweep(now)
        if self.backlog:
            self._admit(now)
            if self.backlog and self.start_gap:
                self._poke_at(self._next_start - now)
        for _ in range(len(self.ring)):
            key = self.ring.popleft()
            self.in_ring.discard(key)
            heap = self.heaps.get(key)
            if not heap:
                self.heaps.pop(key, None)
                self._admit()
                continue
            if self._busy(key, now):
                self.waiting.add(key)
                continue
            request = self._unpacked(heapq.heappop(heap)[2])
            self.unserved.discard(key)
            self._len -= 1
            self.handed.setdefault(key, {})[id(request)] = now
            if heap:
                self._enter_ring(key)  # to the back: the other hosts go first
            else:
                del self.heaps[key]
                self._admit()
            return request
        return None

    def peek(self) -> Request | None:
        for key in self.ring:
            if heap := self.heaps.get(key):
                return self._unpacked(heap[0][2])
        return None

    def drain(self) -> list[Request]:
        """Every request still queued, whatever its host's state (a stopping worker hands them on)."""
        requests = [
            self._unpacked(entry[2]) for heap in self.heaps.values() for entry in sorted(heap)
        ]
        self.heaps.clear()
        self.ring.clear()
        self.in_ring.clear()
        self.waiting.clear()
        self.backlog.clear()
        self.in_backlog.clear()
        self.unserved.clear()
        self._len = 0
        return requests

    def close(self) -> dict:
        return {}

    def __len__(self) -> int:
        return self._len

    def _packed(self, request: Request) -> Request | bytes:
        if not self.pack:
            return request
        try:
            data = pickle.dumps(request.to_dict(spider=self.crawler.spider), protocol=5)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError):
            # a callback that is no spider method, or meta that does not pickle: kept as it is
            return request
        # Deflated against the first request packed: the requests of a crawl share their keys, callbacks,
        # meta and most of their URLs, so one is stored as little more than what differs (≈ 580 → 120 bytes
        # for a detail page's request; 35,000 queued at 3,300 hosts). A 1 kB window keeps it ≈ 6 µs.
        if self._zdict is None:
            self._zdict = data[-_ZWINDOW:]
        deflate = zlib.compressobj(1, zlib.DEFLATED, -_ZBITS, 1, zdict=self._zdict)
        return deflate.compress(data) + deflate.flush()

    def _unpacked(self, entry: Request | bytes) -> Request:
        if isinstance(entry, Request):
            return entry
        inflate = zlib.decompressobj(-_ZBITS, zdict=self._zdict)
        data = inflate.decompress(entry) + inflate.flush()
        return request_from_dict(pickle.loads(data), spider=self.crawler.spider)

    # -- which hosts may take another request -------------------------------------------------------

    def _key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def open_hosts(self) -> int:
        """Hosts started and not done: queued here or with a request in their download slot.

        A host whose only request is in flight (its first list page, waiting for the page that lists the
        rest) has no heap here but is still open; counting heaps alone kept a national seed feed, which
        opens more hosts the more are open, at one or two new hosts a tick (600 hosts took 66 s to start).
        """
        slots = self.crawler.engine.downloader.slots
        in_flight = {key for key, slot in slots.items() if slot.active}
        return len(in_flight | self.heaps.keys()) - len(self.backlog)

    def wants_hosts(self) -> bool:
        """Room for another host and none of the open ones can take a request now: what a bounded seed
        feed asks before it opens one more bureau (a worker with a host still idle has no use for more).

        A host opened a moment ago whose first request the engine has not taken yet is not idle: the engine
        takes it on its next turn. Counting it as idle let the feed open one bureau per tick (600 hosts over
        2 workers took 60 s to start); hosts enter the ring at its back, so reaching one ends the look.
        """
        if self.backlog or len(self.heaps) >= self.open_limit:
            return False
        if self.start_gap and time.monotonic() < self._next_start:
            return False  # the next host may not start yet (NIANBAO_HOST_START_RATE)
        now = time.monotonic()
        while self.ring:
            key = self.ring[0]
            if key in self.unserved:
                return True
            if key in self.heaps and not self._busy(key, now):
                return False
            self.ring.popleft()
            self.in_ring.discard(key)
            if key in self.heaps:
                self.waiting.add(key)
        return True

    def _admit(self, now: float | None = None) -> None:
        """Start backlogged hosts while the open limit and the start rate allow."""
        now = time.monotonic() if now is None else now
        while self.backlog and len(self.heaps) - len(self.backlog) < self.open_limit:
            key = self.backlog[0]
            if key in self.heaps and not self._may_start(now):
                return
            self.backlog.popleft()
            self.in_backlog.discard(key)
            if key in self.heaps:
                self._start(key)
                self._enter_ring(key)

    def _may_start(self, now: float) -> bool:
        """Whether a new host may start now; takes its turn when it may."""
        if not self.start_gap:
            return True
        if now < self._next_start:
            return False
        # The engine asks for requests when something happens, not on a clock, so a turn can come late:
        # starts missed in the last _START_SLACK_S are caught up, a longer quiet spell earns no burst.
        self._next_start = max(now - _START_SLACK_S, self._next_start) + self.start_gap
        return True

    def _poke_at(self, delay: float) -> None:
        """Have the engine ask again when the next host may start: with few hosts open, nothing else
        happens for seconds (Scrapy's heartbeat is 5 s), and the starts would fall behind the rate."""
        if self._poke_pending:
            return
        self._poke_pending = True
        call_later(max(0.0, delay), self._poke)

    def _poke(self) -> None:
        self._poke_pending = False
        self._ask_engine()

    def _ask_engine(self) -> None:
        # Scrapy's own "look at the scheduler again" (what a finished download does); private, so guarded
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None and hasattr(slot, "nextcall"):
            slot.nextcall.schedule()

    def _start(self, key: str) -> None:
        if key not in self.started:
            self.started.add(key)
            self.unserved.add(key)

    def _enter_ring(self, key: str) -> None:
        self.ring.append(key)
        self.in_ring.add(key)

    def _busy(self, key: str, now: float) -> bool:
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(key)
        concurrency = slot.concurrency if slot else downloader.domain_concurrency
        handed = self.handed.get(key)
        while handed and now - next(iter(handed.values())) > _HANDOUT_TTL_S:
            del handed[next(iter(handed))]
        held = (len(slot.active) if slot else 0) + (len(handed) if handed else 0)
        if held >= concurrency + self.ahead:
            return True
        if self.hold and slot is not None and slot.delay and slot.lastseen:
            due = due_at(slot)
            early = min(_DUE_EARLY_S, 0.1 * slot.delay)  # the hand-off to the slot takes a moment
            if now < due - early:
                self._wake_at(key, due - early - now)
                return True
        return False

    def _wake_at(self, key: str, delay: float) -> None:
        if key not in self._due_calls:
            self._due_calls[key] = call_later(delay, self._due, key)

    def _due(self, key: str) -> None:
        """A held host's delay is nearly over: back in the ring, and the engine asked to look."""
        self._due_calls.pop(key, None)
        self._wake(key)
        self._ask_engine()

    def _reached(self, request: Request, spider=None) -> None:
        """The request is in its slot now, counted by `slot.active`; stop counting it as handed out."""
        # robots.txt requests reach the slot too without passing through this queue: only ours are counted
        handed = self.handed.get(request.meta.get("download_slot", ""))
        if handed:
            handed.pop(id(request), None)

    def _answered(self, response=None, request: Request | None = None, spider=None) -> None:
        """The host's delay starts again now (NIANBAO_DELAY_FROM_RESPONSE)."""
        slot = self.crawler.engine.downloader.slots.get(request.meta.get("download_slot", ""))
        if slot is not None:
            # the downloader's own clock (scrapy.core.downloader compares lastseen with monotonic())
            slot.lastseen = max(slot.lastseen, time.monotonic())

    def _left(self, request: Request, spider=None) -> None:
        if self.from_response:
            self._answered(request=request)
        key = request.meta.get("download_slot")
        if key in self.waiting:
            # The slot drops the request only after this signal: look again on the next loop turn.
            call_later(0, self._wake, key)

    def _wake(self, key: str) -> None:
        if key in self.waiting:
            self.waiting.discard(key)
            if key in self.heaps and key not in self.in_ring:
                self._enter_ring(key)

    def _sweep(self, now: float) -> None:
        """Safety net for a host whose last request left without a signal (dropped in a middleware)."""
        self._last_sweep = now
        for key in [k for k in self.waiting if not self._busy(k, now)]:
            self._wake(key)


class EarlyRequestMiddleware:
    """Downloader middleware just after robots.txt: a request that would wait out its host's delay in the
    download slot goes back to the queue, which holds it until the host is due (NIANBAO_HOLD_UNTIL_DUE).

    A host's first request is handed out before its robots.txt is fetched; the middleware fetches it, and the
    request then reaches a slot whose delay has just begun again: it waits there a whole delay, with its
    coroutines, Deferreds and middleware chain (≈ 20–30 kB, against ≈ 0.7 kB pickled in the queue). With
    hosts started 40 a second and a delay of 20 s, 700–800 of them waited so in each worker at the start
    (bench/national.py), and the memory they left behind stayed with the process. Waits shorter than
    `NIANBAO_REQUEUE_AFTER` (default 2 s) are left alone: at a real delay of 1 s the round trip would cost
    more than it saves.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.enabled = crawler.settings.getbool("NIANBAO_HOLD_UNTIL_DUE", True)
        self.after = crawler.settings.getfloat("NIANBAO_REQUEUE_AFTER", 2.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request):
        if not self.enabled:
            return None
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None or not slot.delay or not slot.lastseen:
            return None
        if due_at(slot) - time.monotonic() <= self.after:
            return None
        self.crawler.stats.inc_value("nianbao/requeued_early")
        # the same request, scheduled again: the dupefilter has seen it already, it must not drop it now
        request.dont_filter = True
        request.meta[REQUEUED_KEY] = True
        return request


class HostPauseMiddleware:
    """A 429 or 503 holds the host's whole download slot for Retry-After seconds (else a base pause).

    Settings: `NIANBAO_HOST_PAUSE_CODES` (default [429, 503]), `NIANBAO_HOST_PAUSE_BASE` (seconds without a
    Retry-After, default `NIANBAO_RETRY_BACKOFF_BASE`) and `NIANBAO_RETRY_AFTER_MAX` (the cap, as for retries).
    Sits closer to the downloader than the retry middleware so it sees the response before it is retried.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.codes = set(settings.getlist("NIANBAO_HOST_PAUSE_CODES", [429, 503]))
        self.codes = {int(c) for c in self.codes}
        self.base = settings.getfloat(
            "NIANBAO_HOST_PAUSE_BASE", settings.getfloat("NIANBAO_RETRY_BACKOFF_BASE", 1.0)
        )
        self.cap = settings.getfloat("NIANBAO_RETRY_AFTER_MAX", 120.0)
        self.until: dict[str, float] = {}
        self.timers: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(crawler)
        # `response_downloaded` fires before the slot looks at its queue again; by `process_response` time
        # a transfer slower than the delay has already let the host's next request go.
        crawler.signals.connect(middleware.downloaded, signal=signals.response_downloaded)
        return middleware

    def downloaded(self, response, request, spider=None) -> None:
        if response.status in self.codes:
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            seconds = min(self.cap, asked if asked is not None else self.base)
            if seconds > 0:
                key = request.meta.get("download_slot") or self._key(request)
                self.pause(key, seconds)

    def process_response(self, request, response):
        return response

    def _key(self, request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def pause(self, key: str, seconds: float) -> None:
        """Hold the slot's queue: Scrapy's downloader sends nothing from a slot with a pending latercall."""
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(key)
        until = time.monotonic() + seconds
        if slot is None or until <= self.until.get(key, 0.0):
            return
        self.until[key] = until
        self.crawler.stats.inc_value("nianbao/host_pauses")
        if slot.latercall is not None:
            slot.latercall.cancel()
        # `latercall` and `_latercall` are the downloader's own delay mechanism (DOWNLOAD_DELAY uses them);
        # a longer one set here simply postpones the slot's next transfer.
        slot.latercall = call_later(seconds, downloader._latercall, slot)
