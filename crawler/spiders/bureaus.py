"""Spider `bureaus`: walk every annual-report column of the registry and fetch each listed page once.

It knows no CMS: each bureau's family adapter says how to open a column, read a list page and find the
next ones. The spider keeps what is common to all families: bureau meta on every request, one fetch per
detail URL per run, and an error record for anything that did not become a report, so a run's gaps show up
in the archive instead of only in a log.

Usage: scrapy crawl bureaus -a registry=sample|bureaus|PATH [-a bureau=ID[,ID…]] [-a db=PATH]
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from archive.safeurl import refusal as link_refusal
from crawler.bounds import (
    DEFAULT_MAX_PAGES_PER_BUREAU,
    DEFAULT_MAX_PAGES_PER_COLUMN,
    DUPLICATE,
    PageBudget,
)
from crawler.failures import describe, with_retries
from crawler.families import get_adapter, read_list
from crawler.families.base import CAP_KEY, STATE_KEY, canonical_url
from crawler.families.charset import with_right_charset
from crawler.families.discover import column_candidates, hub_links
from crawler.items import CrawlErrorItem, DiscoveryItem, ReportItem
from crawler.registry import Bureau, load_registry, select_bureaus

NO_COLUMN = "no annual-report column configured"
NOT_DISCOVERED = (
    "column discovery: no annual-report column (政府信息公开年报 / 年度报告 …) linked from the homepage "
    "or its 政府信息公开 / 政务公开 hubs"
)
EMPTY_LIST = "column list yielded no items (no family reader nor the generic list reader found any)"


def _seen_key(url: str) -> bytes:
    """128 bits of the address's BLAKE2 digest: two of a crawl's 10^5 addresses share one with a chance of
    10^-29, and 16 bytes are a seventh of the address."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class BureausSpider(scrapy.Spider):
    name = "bureaus"

    def __init__(
        self,
        registry: str = "sample",
        bureau: str | None = None,
        db: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.registry = registry
        self.db = db
        # Fail before the crawl starts: a typo in the registry or in -a bureau= is not a crawl error.
        self.bureaus = select_bureaus(load_registry(registry), bureau)
        self.by_id = {b.id: b for b in self.bureaus}
        self.run_id: str | None = None
        self.archive = None
        # Detail pages listed so far, by the 128 bits of their address's digest (_seen_key): a national crawl
        # lists 96,000, and the addresses themselves were ≈ 110 bytes each, kept to the end of the crawl.
        self._seen_details: set[bytes] = set()
        # Column discovery per homepage-only bureau: pages pending, candidates found, pages looked at.
        self._discovery: dict[str, dict[str, Any]] = {}
        # Page caps per column and per bureau (crawler/bounds.py); from_crawler reads the settings.
        self.budget = PageBudget(DEFAULT_MAX_PAGES_PER_COLUMN, DEFAULT_MAX_PAGES_PER_BUREAU)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if not spider.db:
            spider.db = crawler.settings.get("NIANBAO_DB", "data/archive.db")
        spider.budget = PageBudget.from_settings(crawler.settings)
        # Per-bureau politeness: a download slot per portal host with the bureau's own delay.
        slots = dict(crawler.settings.getdict("DOWNLOAD_SLOTS"))
        for b in spider.bureaus:
            delay = b.override("download_delay")
            if delay is not None:
                for url in (b.homepage, *b.columns):
                    slots.setdefault(urlsplit(url).netloc, {})["delay"] = float(delay)
        if slots:
            crawler.settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        return spider

    def open_archive(self):
        """The run's archive, shared with ArchivePipeline so one SQLite connection does all writes."""
        if self.archive is None:
            from archive.ingest import Archive

            self.archive = Archive(self.db)
        return self.archive

    async def start(self):
        archive = self.open_archive()
        archive.upsert_bureaus([b.as_row() for b in self.bureaus])
        self.run_id = archive.start_run(self.registry)
        # What was archived before this run (validators, list lines, removed reports) is read now, before
        # the first response, so no save of this run can change what counts as new or come back.
        from crawler.incremental import get_state

        get_state(self.crawler)
        self.logger.info(
            "run %s: %d bureau(s) from %s", self.run_id, len(self.bureaus), self.registry
        )
        for bureau in self.bureaus:
            if not bureau.columns:
                # A homepage-only row: find the column first (homepage, then its hubs).
                self._discovery[bureau.id] = {"pending": 1, "found": [], "pages": []}
                yield self._discovery_request(bureau, bureau.homepage, 0)
                continue
            for column_url in bureau.columns:
                for request in self._open_column(bureau, column_url):
                    yield request

    def _open_column(self, bureau: Bureau, column_url: str):
        adapter = get_adapter(bureau.family)
        requests = adapter.column_requests(bureau, column_url)
        yield from self._admitted(
            bureau, column_url, (self._list_request(r, bureau, column_url) for r in requests)
        )

    def _admitted(self, bureau: Bureau, column_url: str, requests):
        """The requests the page caps let through, then the column's cap error (once), and no more.

        `requests` is consumed lazily and abandoned at the first refusal: every later one would be
        refused too, so a pager's remaining pages are never even built.
        """
        for request in requests:
            if "entry_url" in request.meta:
                refusal = self.budget.admit_page(bureau, column_url)
            else:
                fingerprint = self.crawler.request_fingerprinter.fingerprint(request)
                refusal = self.budget.admit_list(bureau, column_url, fingerprint)
            if refusal is None:
                yield request
                continue
            if refusal is DUPLICATE:
                continue
            if refusal.first:
                self.crawler.stats.inc_value("nianbao/page_caps_reached")
                self.logger.warning("%s (first page not fetched: %s)", refusal.reason, request.url)
                url = request.meta.get("entry_url") or request.url
                yield self.error(url, refusal.reason, None, bureau.id)
            return

    # -- column discovery --------------------------------------------------------------------------

    def _discovery_request(self, bureau: Bureau, url: str, hop: int) -> Request:
        meta = {**self._bureau_meta(bureau, url), "discovery_hop": hop, "discovery_rank": hop}
        return Request(
            url, callback=self.parse_discovery, errback=self.on_discovery_error, meta=meta
        )

    def parse_discovery(self, response: Response):
        bureau = self.by_id[response.meta["bureau_id"]]
        state = self._discovery[bureau.id]
        state["pending"] -= 1
        state["pages"].append(response.url)
        hop = response.meta["discovery_hop"]
        if isinstance(response, TextResponse):
            response = with_right_charset(response)
            found = column_candidates(response.text, response.url)
            # the homepage's own link wins over a hub's; among hubs, the better link text
            state["found"].extend((-hop, c.score, c, response.url) for c in found)
            if not found and hop == 0:
                for url in hub_links(response.text, response.url):
                    state["pending"] += 1
                    yield self._discovery_request(bureau, url, 1)
        yield from self._discovery_done(bureau)

    def on_discovery_error(self, failure: Failure):
        yield from self.on_error(failure)
        bureau = self.by_id[failure.request.meta["bureau_id"]]
        self._discovery[bureau.id]["pending"] -= 1
        yield from self._discovery_done(bureau)

    def _discovery_done(self, bureau: Bureau):
        state = self._discovery[bureau.id]
        if state["pending"] > 0 or state.get("closed"):
            return
        state["closed"] = True
        if not state["found"]:
            self.crawler.stats.inc_value("nianbao/columns_not_discovered")
            looked = ", ".join(state["pages"]) or bureau.homepage
            yield self.error(
                bureau.homepage, f"{NOT_DISCOVERED} (looked at: {looked})", None, bureau.id
            )
            return
        _, _, best, page = max(state["found"], key=lambda f: (f[0], f[1]))
        self.crawler.stats.inc_value("nianbao/columns_discovered")
        self.logger.info("bureau %s: discovered column %s on %s", bureau.id, best.url, page)
        # Kept on the bureau's row (bureaus.discovered_column, migration 7); crawl_errors is for failures.
        yield DiscoveryItem(
            bureau_id=bureau.id, column_url=best.url, link_text=best.text, page=page
        )
        yield from self._open_column(bureau, best.url)

    # -- requests ----------------------------------------------------------------------------------

    def _bureau_meta(self, bureau: Bureau, column_url: str) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "bureau_id": bureau.id,
            "column_url": column_url,
            "family": bureau.family,
        }
        if bureau.override("obey_robots") is False:
            meta["dont_obey_robotstxt"] = True
        return meta

    def _list_request(self, request: Request, bureau: Bureau, column_url: str) -> Request:
        # the adapter builds at most `cap` follow-ups from any page (crawler.families.base.bounded)
        state = {**(request.meta.get(STATE_KEY) or {}), CAP_KEY: self.budget.column_cap_of(bureau)}
        return request.replace(
            callback=self.parse_list,
            errback=self.on_error,
            meta={**request.meta, **self._bureau_meta(bureau, column_url), STATE_KEY: state},
        )

    # -- callbacks ---------------------------------------------------------------------------------

    def parse_list(self, response: Response):
        bureau = self.by_id[response.meta["bureau_id"]]
        column_url = response.meta["column_url"]
        adapter = get_adapter(bureau.family)
        if not isinstance(response, TextResponse):
            yield self.error(response.url, "list page is not text", response.status, bureau.id)
            return
        response = with_right_charset(response)
        # the family's reader, then the generic list reader when the family finds nothing
        _, entries, follow = read_list(adapter, response)
        # A list link that is script to a browser (`JavaScript:…`, archive/safeurl.py) is no report page:
        # recorded, never fetched (Scrapy would raise on it and lose the rest of the page).
        for entry in entries:
            if why := link_refusal(entry.url):
                yield self.error(entry.url, why, None, bureau.id)
        entries = [e for e in entries if link_refusal(e.url) is None]
        if not entries and not follow:
            # a JSON-fed shell page has no entries but asks for the API: that is not an empty list
            self.crawler.stats.inc_value("nianbao/empty_list_pages")
            yield self.error(response.url, EMPTY_LIST, response.status, bureau.id)
        yield from self._admitted(
            bureau, column_url, (self._list_request(r, bureau, column_url) for r in follow)
        )
        yield from self._admitted(
            bureau, column_url, self._detail_requests(bureau, column_url, entries)
        )

    def _detail_requests(self, bureau: Bureau, column_url: str, entries):
        for entry in entries:
            self.crawler.stats.inc_value("nianbao/list_entries")
            seen = _seen_key(entry.url)
            if seen in self._seen_details:
                self.crawler.stats.inc_value("nianbao/list_entries_duplicate")
                continue
            self._seen_details.add(seen)
            yield Request(
                entry.url,
                callback=self.parse_detail,
                errback=self.on_error,
                meta={
                    **self._bureau_meta(bureau, column_url),
                    "list_title": entry.title,
                    "list_date": entry.date,
                    "entry_url": entry.url,
                },
            )

    def parse_detail(self, response: Response):
        meta = response.meta
        if response.status == 304:  # Not Modified: as archived (crawler/incremental.py counted it)
            return
        url = meta.get("entry_url") or canonical_url(response.url)
        if not isinstance(response, TextResponse):
            # An attachment-only item (PDF, DOC, OFD) linked straight from the list: not handled yet.
            ctype = response.headers.get("Content-Type", b"").decode("latin-1") or "unknown type"
            yield self.error(
                url, f"detail page is not HTML ({ctype})", response.status, meta["bureau_id"]
            )
            return
        if not response.body.strip():
            yield self.error(
                url,
                f"empty response body (HTTP {response.status})",
                response.status,
                meta["bureau_id"],
            )
            return
        response = with_right_charset(response)
        yield ReportItem(
            bureau_id=meta["bureau_id"],
            url=url,
            column_url=meta["column_url"],
            list_title=meta.get("list_title"),
            list_date=meta.get("list_date"),
            family=meta["family"],
            html=response.text,
            http_status=response.status,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            run_id=self.run_id,
        )

    def on_error(self, failure: Failure):
        request = failure.request
        status = None
        special = describe(failure)  # refusals and size limits (crawler/failures.py)
        if special:
            reason = special
        elif failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        elif failure.check(CannotResolveHostError, DNSLookupError):
            reason = "DNS lookup failed"
        elif failure.check(DownloadTimeoutError, TimeoutError, TCPTimedOutError):
            reason = "timeout"
        elif failure.check(DownloadConnectionRefusedError):
            reason = "connection refused"
        elif failure.check(
            DownloadFailedError, ResponseDataLossError, ConnectError, ConnectionLost
        ):
            reason = f"connection error: {failure.getErrorMessage()}"
        elif failure.check(IgnoreRequest):
            # RobotsTxtMiddleware's refusal (or another middleware's): not fetched on purpose.
            reason = f"not fetched: {failure.getErrorMessage()}"
        else:
            reason = f"{failure.value.__class__.__name__}: {failure.getErrorMessage()}"
        reason = with_retries(reason, request)
        url = request.meta.get("entry_url") or request.url
        self.logger.warning("crawl error %s: %s", url, reason)
        yield self.error(url, reason, status, request.meta.get("bureau_id"))

    def error(
        self, url: str, reason: str, status: int | None, bureau_id: str | None
    ) -> CrawlErrorItem:
        self.crawler.stats.inc_value("nianbao/crawl_errors")
        return CrawlErrorItem(
            url=url, reason=reason, status=status, bureau_id=bureau_id, run_id=self.run_id
        )
