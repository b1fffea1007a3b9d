"""Scrapy settings of the nianbao crawler.

Politeness is the default because the real targets are government portals. The sample portals are our own
servers on 127.0.0.1, so a run against them may switch politeness off: set the environment variable
`NIANBAO_POLITE=0` (what `nianbao build-archive` and the tests do). Single settings can still be changed
with `-s NAME=VALUE` as usual.
"""

from __future__ import annotations

import os

from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS_BASE

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify ourselves: portal operators should be able to see who crawls and why.
USER_AGENT = (
    "nianbao/0.1 (+https://github.com/nianbao/nianbao; "
    "archive of government information disclosure annual reports)"
)

# robots.txt is obeyed; a registry row's `overrides.obey_robots: false` lifts it for that bureau only
# (the spider sets `dont_obey_robotstxt` on that bureau's requests).
ROBOTSTXT_OBEY = True

AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around DOWNLOAD_DELAY

# Portals on shared government clouds stumble often; retry with Scrapy's exponential backoff.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# Scrapy retries at once; our middleware waits NIANBAO_RETRY_BACKOFF_BASE × 2^(n-1) s (capped) first.
NIANBAO_RETRY_BACKOFF_BASE = 2.0
NIANBAO_RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # Safe fetching (crawler/safety.py): registry hosts only, no private addresses, http(s) only.
    "crawler.safety.SafetyMiddleware": 40,
    "crawler.safety.RedirectGuard": 650,
    # A host that resolved to a refused address (crawler/resolver.py) fails with that reason, unretried.
    "crawler.resolver.RefusedAddressMiddleware": 700,
}
# A Retry-After header is honoured up to this many seconds; a portal asking for more is retried sooner.
NIANBAO_RETRY_AFTER_MAX = 120.0
# Pages are ~100 KB and attachments at most crawler.attachments.MAX_BYTES (30 MB): a response above 32 MB is
# cut off while streaming (Scrapy aborts as soon as Content-Length or the bytes received pass it).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# Resumable crawls (crawler/resume.py): with -s JOBDIR=… a killed crawl picks up where it stopped.
DUPEFILTER_CLASS = "crawler.resume.ResumableDupeFilter"
SCHEDULER = (
    "crawler.resume.ResumableScheduler"  # frontier in memory: disk queues do not survive kill -9
)
DOWNLOAD_TIMEOUT = 30

# Error pages are not reports: HttpErrorMiddleware drops them and the spider's errback records them.
HTTPERROR_ALLOW_ALL = False

ITEM_PIPELINES = {
    # crawler/record.py: extract → attachments → their errors → classify → images of a 图片版 report
    "crawler.pipelines.RecordPipeline": 300,
    "crawler.pipelines.ArchivePipeline": 900,
    "crawler.resume.DoneLogPipeline": 950,
}

# The archive file; the spider argument `-a db=PATH` wins over it.
NIANBAO_DB = "data/archive.db"

# Incremental re-crawls, version history and WARC provenance (crawler/incremental.py, crawler/warc.py):
# the WARC writer next to the downloader sees raw responses; the list-failure note sits below retries.
DOWNLOADER_MIDDLEWARES.update(
    {
        "crawler.warc.WarcMiddleware": 950,
        "crawler.incremental.ListFailureMiddleware": 540,
    }
)
SPIDER_MIDDLEWARES = {
    "crawler.incremental.IncrementalSpiderMiddleware": 600,
    # the last to see a callback's output (below Scrapy's HttpErrorMiddleware, 50): a response handled
    # lets go of its selector, a reference cycle that kept every parsed page until a full collection
    "crawler.gcpolicy.ReleaseSelectorMiddleware": 10,
}
EXTENSIONS = {
    "crawler.incremental.RunSummary": 600,
    # SIGTERM / Ctrl-C end the crawl within NIANBAO_SHUTDOWN_GRACE + 2 s (crawler/shutdown.py)
    "crawler.shutdown.BoundedShutdown": 100,
}
# No remote control: the telnet console and the remote-control HTTP server (Scrapy 2.19+, runs any Python
# code it is sent, and writes a job file with its token to the user's profile directory) are off twice, by
# setting and by extension. They leave Scrapy's base list rather than sit in EXTENSIONS as None: Scrapy
# imports every key of EXTENSIONS to compare it with the base's, and the remote control brings aiohttp with
# it, ≈ 10 MB in every crawl process (each worker of a national crawl) for an extension that never runs.
_SERVERS = (
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
)
EXTENSIONS_BASE = {k: v for k, v in _SCRAPY_EXTENSIONS_BASE.items() if k not in _SERVERS}
REMOTE_CONTROL_ENABLED = False
NIANBAO_SHUTDOWN_GRACE = 5.0
# Page caps (crawler/bounds.py): list requests per column and pages per bureau; a registry row's
# overrides max_pages_per_column / max_pages_per_bureau win for that bureau. No real column comes close.
NIANBAO_MAX_PAGES_PER_COLUMN = 500
NIANBAO_MAX_PAGES_PER_BUREAU = 5000
NIANBAO_INCREMENTAL = True  # False: refetch every listed page, as a first crawl does
NIANBAO_WARC_ENABLED = True  # WARC files under NIANBAO_WARC_DIR (default: warc/ beside the archive)

LOG_LEVEL = "INFO"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
TELNETCONSOLE_ENABLED = False
# Host names are judged again once resolved, before the connection (crawler/resolver.py): a name that
# resolves to a private, metadata or (unless the registry row allows it) loopback address is refused.
TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"

if os.environ.get("NIANBAO_POLITE", "1") == "0":
    # Our own loopback servers: no throttling, no delay, more parallelism, short retry waits.
    AUTOTHROTTLE_ENABLED = False
    DOWNLOAD_DELAY = 0
    DOWNLOAD_DELAY_JITTER = 0
    CONCURRENT_REQUESTS_PER_DOMAIN = 16
    NIANBAO_RETRY_BACKOFF_BASE = 0.2
    NIANBAO_RETRY_BACKOFF_MAX = 2.0
    NIANBAO_RETRY_AFTER_MAX = 2.0
    NIANBAO_AFFINITY_BY = (
        "netloc"  # scrapy-redis workers: one owner per sample portal, not per 127.0.0.1
    )

# Per-bureau progress (crawler/progress.py): pages and items per minute per bureau every
# NIANBAO_PROGRESS_INTERVAL seconds, and the bureaus with no annual report at the end. Added to whatever
# EXTENSIONS the lines above declare.
EXTENSIONS = {**globals().get("EXTENSIONS", {}), "crawler.progress.BureauLogStats": 500}
NIANBAO_PROGRESS_INTERVAL = 60.0
# Python's collector with a young generation of 5,000 and full collections after 50 middle ones, what is
# alive at engine start frozen (crawler/gcpolicy.py): at 3,300 hosts Python's own (700, 10, 10) paused the
# reactor 400–600 ms every 1–3 s, and the requests due meanwhile reached their portals late. "" keeps them.
EXTENSIONS["crawler.gcpolicy.GcPolicy"] = 0
NIANBAO_GC_THRESHOLDS = "5000,20,50"

# Scrapy runs every callback's output through CONCURRENT_ITEMS tasks of its own (default 100), created per
# response whatever it yields: 101 asyncio tasks and 100 queue puts for a detail page's one item, about a third
# of the crawl's CPU with pipelines off (bench/national.py, profiled). Our callbacks yield one item or a list
# page's ten requests, so 8 lose no parallelism.
CONCURRENT_ITEMS = 8

# National scale (crawler/politeness.py): many portals served side by side with a bounded number open at once,
# and a 429/503 pauses the whole host, not only the retried request. Polite crawls only: runs against our own
# sample portals (NIANBAO_POLITE=0) keep Scrapy's own queue order and no pauses.
if os.environ.get("NIANBAO_POLITE", "1") != "0":
    SCHEDULER_PRIORITY_QUEUE = "crawler.politeness.HostFairQueue"
    DOWNLOADER_MIDDLEWARES = {
        **DOWNLOADER_MIDDLEWARES,
        "crawler.politeness.HostPauseMiddleware": 560,
        # after robots.txt (100): a request its slot would hold for a whole delay waits in the queue instead
        # (HostFairQueue holds it until due; with a queue that does not, it would come straight back)
        "crawler.politeness.EarlyRequestMiddleware": 101,
    }
    # Responses the scraper may hold unparsed before the engine stops handing out requests (Scrapy: 5 MB).
    # Thousands of hosts come due side by side, and when the CPU falls behind them every response that
    # arrives meanwhile waits in memory with its tasks and middleware chain (≈ 100 kB each, not its body):
    # 5 MB of 3 kB list pages was ≈ 1,600 of them. 1 MB is still 30 report pages of 30 kB, seconds of work.
    SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
