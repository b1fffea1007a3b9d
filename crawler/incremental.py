"""Incremental re-crawls: re-read every list page, fetch only detail pages that may have changed.

A bureau's column rarely changes between two crawls, and its detail pages (40–50 KB of chrome around the
report, plus attachments) are most of the bytes. So a re-crawl reads the lists again — they are small and
say what is new or gone — and for each listed detail page the archive already holds:

- if the portal gave an ETag or Last-Modified the last time, the request carries If-None-Match /
  If-Modified-Since; a 304 means "as archived" and costs a few hundred bytes;
- if it gave neither, the page is not requested at all when its list title and list date are those of the
  last fetch (portals re-date an item when they edit it); otherwise it is fetched, and the content hash
  decides whether it changed (archive/ingest.py, archive/versions.py).

A complete crawl of a column (every list page answered and listed something) also proves which reports are
gone: those get `removed_at`, and lose it when they are listed again. `-s NIANBAO_INCREMENTAL=0` fetches
everything as a first crawl would.

Parts: `IncrementalSpiderMiddleware` sees what the spider yields (list entries → seen / skip / conditional
headers; report items ← validators, list line and WARC pointer of their response),
`ListFailureMiddleware` (downloader) notes list pages that failed for good, and `RunSummary` (extension)
closes the run: removals, per-run figures in crawl_runs, and a one-screen summary on stdout.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from scrapy import Request, signals

from archive.urls import canonical_url
from crawler.items import CrawlErrorItem, ReportItem
from crawler.warc import META_KEY

__all__ = [
    "IncrementalSpiderMiddleware",
    "IncrementalState",
    "ListFailureMiddleware",
    "RunSummary",
    "get_state",
]

STATE_ATTR = "_nianbao_incremental"
CONDITIONAL = "nianbao_conditional"


@dataclass(frozen=True)
class Known:
    """What the archive remembers of a detail page's last fetch."""

    etag: str | None
    last_modified: str | None
    list_title: str | None
    list_date: str | None


def is_list_request(meta: dict[str, Any]) -> bool:
    return (
        bool(meta.get("column_url")) and not meta.get("entry_url") and "discovery_hop" not in meta
    )


class IncrementalState:
    """One crawl's view: what was archived before it, what its lists showed, which columns are complete."""

    def __init__(self, archive, run_id: str | None, enabled: bool = True):
        self.archive = archive
        self.run_id = run_id
        self.enabled = enabled
        self.known: dict[str, Known] = {}
        # reports marked removed before this crawl: listed again, they count as come back
        self.removed_before = archive.removed_urls()
        if enabled:
            self.known = {url: Known(*state) for url, state in archive.fetch_state().items()}
        self.seen: set[str] = set()
        self.columns_listed: set[str] = set()
        self.columns_failed: set[str] = set()
        self.entries_by_bureau: Counter[str] = Counter()
        self.not_modified = 0
        self.skipped = 0
        self.removed: list[str] = []
        self.returned: list[str] = []

    def decide(self, url: str, title: str | None, date: str | None) -> str:
        """ "fetch" (new or forced), "conditional" (validators known) or "skip" (list line unchanged)."""
        known = self.known.get(url) if self.enabled else None
        if known is None:
            return "fetch"
        if known.etag or known.last_modified:
            return "conditional"
        if known.list_date and (known.list_title, known.list_date) == (title, date):
            return "skip"
        return "fetch"

    def conditional_headers(self, url: str) -> dict[str, str]:
        known = self.known[url]
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def unchanged(self, url: str, how: str) -> None:
        """A listed page not refetched, or answered 304: still on the portal and as archived."""
        self.archive.mark_seen(url, self.run_id)
        if how == "not_modified":
            self.not_modified += 1
        else:
            self.skipped += 1

    def finish(self, reason: str) -> None:
        """Removals from the complete columns of a finished crawl; reports listed again come back."""
        complete = self.columns_listed - self.columns_failed if reason == "finished" else set()
        self.removed = self.archive.mark_removals(complete, self.seen)
        # saving or marking a report seen already cleared its removed_at; count them here
        self.returned = sorted(self.seen & self.removed_before)


def get_state(crawler) -> IncrementalState | None:
    """The crawl's state, created at first use (after the spider opened the archive and its run)."""
    spider = crawler.spider
    state = getattr(spider, STATE_ATTR, None)
    if state is None and hasattr(spider, "open_archive") and getattr(spider, "run_id", None):
        enabled = crawler.settings.getbool("NIANBAO_INCREMENTAL", True)
        state = IncrementalState(spider.open_archive(), spider.run_id, enabled)
        setattr(spider, STATE_ATTR, state)
    return state


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


class IncrementalSpiderMiddleware:
    """Between the spider and the scheduler: decides per list entry, enriches report items."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_spider_output(self, response, result):
        state = get_state(self.crawler)
        stats = self.crawler.stats
        meta = response.meta
        listing = is_list_request(meta)
        if state is not None and listing:
            state.columns_listed.add(meta["column_url"])
        if state is not None and meta.get(CONDITIONAL) and response.status == 304:
            state.unchanged(canonical_url(meta["entry_url"]), "not_modified")
            stats.inc_value("nianbao/incremental/not_modified")
            stats.inc_value("nianbao/reports_unchanged")
        async for obj in result:
            if state is not None and listing:
                if isinstance(obj, CrawlErrorItem):
                    # an empty or unreadable list page: the column's crawl proves nothing about removals
                    state.columns_failed.add(meta["column_url"])
                elif isinstance(obj, Request) and obj.meta.get("entry_url"):
                    obj = self._entry(state, obj)
                    if obj is None:
                        continue
            if isinstance(obj, ReportItem):
                self._enrich(obj, response)
            yield obj

    def _entry(self, state: IncrementalState, request: Request) -> Request | None:
        meta = request.meta
        url = canonical_url(meta["entry_url"])
        state.seen.add(url)
        state.entries_by_bureau[meta.get("bureau_id") or ""] += 1
        decision = state.decide(url, meta.get("list_title"), meta.get("list_date"))
        if decision == "skip":
            state.unchanged(url, "skipped")
            self.crawler.stats.inc_value("nianbao/incremental/skipped_list_unchanged")
            self.crawler.stats.inc_value("nianbao/reports_unchanged")
            return None
        if decision == "conditional":
            for name, value in state.conditional_headers(url).items():
                request.headers[name] = value
            statuses = list(meta.get("handle_httpstatus_list") or [])
            request.meta["handle_httpstatus_list"] = [*statuses, 304]
            request.meta[CONDITIONAL] = True
            self.crawler.stats.inc_value("nianbao/incremental/conditional_requests")
        return request

    @staticmethod
    def _enrich(item: ReportItem, response) -> None:
        item["etag"] = _header(response, "ETag")
        item["last_modified"] = _header(response, "Last-Modified")
        if response.meta.get(META_KEY):
            item["warc"] = response.meta[META_KEY]


class ListFailureMiddleware:
    """Downloader middleware below the retry middleware: a list page that failed for good (error status
    after retries, or an exception retries gave up on) makes its column incomplete."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _failed(self, request) -> None:
        state = get_state(self.crawler)
        if state is not None and is_list_request(request.meta):
            state.columns_failed.add(request.meta["column_url"])

    def process_response(self, request, response):
        if response.status >= 400:
            self._failed(request)
        return response

    def process_exception(self, request, exception):
        self._failed(request)
        return None


class RunSummary:
    """On spider_closed (before ArchivePipeline closes the run): removals, the migration-4 figures of the
    crawl_runs row, and a summary that fits one screen. `NIANBAO_SUMMARY=False` keeps stdout quiet."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider, reason):
        run_id = getattr(spider, "run_id", None)
        if not run_id or not hasattr(spider, "open_archive"):
            return
        stats = self.crawler.stats
        state = get_state(self.crawler)
        archive = spider.open_archive()
        if state is not None:
            state.finish(reason)
            stats.set_value("nianbao/reports_removed", len(state.removed))
            stats.set_value("nianbao/reports_returned", len(state.returned))
        errors = archive.errors_by_reason(run_id)
        figures = {
            "removed": len(state.removed) if state else 0,
            "requests": stats.get_value("downloader/request_count", 0),
            "bytes": stats.get_value("downloader/response_bytes", 0),
            "errors_by_reason": errors,
            "warc_file": stats.get_value("nianbao/warc_file"),
        }
        archive.record_run_figures(run_id, figures)
        if self.crawler.settings.getbool("NIANBAO_SUMMARY", True):
            print(self.render(spider, reason, state, figures), file=sys.stdout, flush=True)

    def render(self, spider, reason: str, state: IncrementalState | None, figures: dict) -> str:
        stats = self.crawler.stats
        get = stats.get_value
        bureaus = getattr(spider, "bureaus", [])
        lines = [
            f"── nianbao run {spider.run_id} · {getattr(spider, 'registry', '')} · "
            f"{len(bureaus)} bureau(s) · {reason} in {time.monotonic() - self.started:.1f} s",
            f"requests {figures['requests']}  responses {get('downloader/response_count', 0)}  "
            f"bytes {figures['bytes']:,}"
            + (f"  WARC {figures['warc_file']}" if figures.get("warc_file") else ""),
            f"reports  new {get('nianbao/reports_new', 0)}  changed {get('nianbao/reports_changed', 0)}"
            f"  unchanged {get('nianbao/reports_unchanged', 0)}  removed {figures['removed']}"
            + (f"  back {len(state.returned)}" if state and state.returned else ""),
        ]
        if state is not None and (state.not_modified or state.skipped):
            lines.append(
                f"not refetched: {state.not_modified} answered 304 Not Modified, "
                f"{state.skipped} with an unchanged list line"
            )
        budget = getattr(spider, "budget", None)
        capped = budget.summary() if budget is not None else None
        if capped:
            lines.append(capped)
        errors = figures["errors_by_reason"]
        if errors:
            shown = ", ".join(f"{k} ×{v}" for k, v in list(errors.items())[:6])
            more = f", … {len(errors) - 6} more kinds" if len(errors) > 6 else ""
            lines.append(f"errors {sum(errors.values())}: {shown}{more}")
        else:
            lines.append("errors 0")
        if state is not None:
            empty = [b for b in bureaus if state.entries_by_bureau[b.id] == 0]
            if empty:
                names = ", ".join(f"{b.id} {b.name}" for b in empty[:8])
                more = f", … {len(empty) - 8} more" if len(empty) > 8 else ""
                lines.append(f"no report found for {len(empty)} bureau(s): {names}{more}")
            else:
                lines.append("every bureau listed at least one report")
        return "\n".join(lines)
