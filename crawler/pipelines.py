"""Thin adapters from Scrapy items to the page→record chain and the archive.

The logic lives in `crawler.record` (extract, attachments, classify, images: the same chain a re-extraction
and a scrapy-redis worker run) and `archive.ingest`, both usable without Scrapy; these classes only give
that chain Scrapy's downloads and thread pools, move fields between items and records, and save. A page
that cannot be extracted becomes an error record instead of stopping the crawl.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from scrapy import signals

from crawler.attachments import FILES_DIR, read_attachment
from crawler.docguard import Limits
from crawler.images import ocr_into_item
from crawler.items import CrawlErrorItem, DiscoveryItem, ReportItem
from crawler.record import Fetched, FetchFailed, PageRejected, page_to_record


def _is_report(item: Any) -> bool:
    return isinstance(item, ReportItem)


class RecordPipeline:
    """The page→record chain of crawler/record.py on each report item, attachments and images fetched
    through Scrapy's engine (downloader middlewares, politeness, robots rules and the WARC record apply).

    Reading files and OCR run in thread pools of their own (one thread per reader process, one for OCR),
    which wait on the reader processes: the reactor goes on downloading while a file is read, and the
    threads Twisted uses for DNS are never all waiting for a slow PDF.
    """

    def __init__(self, crawler, files_dir: Path, limits: Limits | None = None):
        self.crawler = crawler
        self.files_dir = files_dir
        self.limits = limits or Limits()
        self._pools: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler):
        files_dir = crawler.settings.get("NIANBAO_FILES_DIR")
        if not files_dir:
            db = getattr(crawler.spider, "db", None) or crawler.settings.get("NIANBAO_DB")
            files_dir = Path(db).parent / "files" if db else FILES_DIR
        return cls(crawler, Path(files_dir), Limits.from_settings(crawler.settings))

    async def _in_thread(self, pool: str, size: int, function, *args):
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, threads
        from twisted.python.threadpool import ThreadPool

        if pool not in self._pools:
            self._pools[pool] = ThreadPool(0, size, f"nianbao-{pool}")
            self._pools[pool].start()
        deferred = threads.deferToThreadPool(reactor, self._pools[pool], function, *args)
        return await maybe_deferred_to_future(deferred)

    async def _fetch(self, url: str, role: str, bureau_id: str | None) -> Fetched:
        from scrapy import Request

        request = Request(url, meta={"bureau_id": bureau_id, "nianbao_attachment": True})
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            raise FetchFailed(f"download failed: {exc.__class__.__name__}: {exc}") from exc
        ctype = response.headers.get("Content-Type", b"").decode("latin-1")
        # crawler/warc.py: where the bytes are kept
        return Fetched(response.body, response.status, ctype, response.meta.get("nianbao_warc"))

    def _read(self, data: bytes, url: str, ctype: str):
        workers = max(1, int(self.limits.workers))
        args = (data, url, ctype, self.files_dir, self.limits)
        return self._in_thread("readers", workers, read_attachment, *args)

    async def _ocr(self, item: dict, stored: list[dict]) -> str:
        if not stored:
            return ""
        text = await self._in_thread("image-ocr", 1, ocr_into_item, item, stored, self.files_dir)
        self.crawler.stats.inc_value(
            "nianbao/images_ocr_text" if text else "nianbao/images_ocr_none"
        )
        return text

    async def process_item(self, item):
        if not _is_report(item):
            return item
        try:
            record = await page_to_record(
                dict(item),
                lambda url, role: self._fetch(url, role, item.get("bureau_id")),
                files_dir=self.files_dir,
                limits=self.limits,
                read=self._read,
                ocr=self._ocr,
                count=lambda name: self.crawler.stats.inc_value(f"nianbao/{name}"),
            )
        except PageRejected as exc:
            return CrawlErrorItem(
                url=item["url"],
                reason=str(exc),
                status=item.get("http_status"),
                bureau_id=item.get("bureau_id"),
                run_id=item.get("run_id"),
            )
        for key, value in record.items():
            if key in ReportItem.fields:
                item[key] = value
        return item

    def close_spider(self):
        from crawler.docworker import get_pool

        get_pool(self.limits).close()  # a read still running ends with an error at once
        for pool in self._pools.values():
            pool.stop()
        self._pools.clear()


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in stats.items():
        if isinstance(value, datetime | date):
            value = value.isoformat()
        else:
            try:
                json.dumps(value)
            except TypeError:
                value = str(value)
        out[key] = value
    return out


class ArchivePipeline:
    """Saves reports and errors, counts new/changed/unchanged in the stats, closes the run at the end.

    The run is finished on `spider_closed`, after Scrapy's core stats have recorded finish time and
    reason, so the stored stats are the complete ones.
    """

    def __init__(self, crawler, db_path: str):
        self.crawler = crawler
        self.db_path = db_path
        self._own_archive = None

    @classmethod
    def from_crawler(cls, crawler):
        spider = crawler.spider
        db = getattr(spider, "db", None) or crawler.settings.get("NIANBAO_DB", "data/archive.db")
        pipeline = cls(crawler, str(db))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    @property
    def archive(self):
        spider = self.crawler.spider
        if hasattr(spider, "open_archive"):
            return spider.open_archive()
        if self._own_archive is None:
            from archive.ingest import Archive

            self._own_archive = Archive(self.db_path)
        return self._own_archive

    def process_item(self, item):
        stats = self.crawler.stats
        run_id = item.get("run_id") or getattr(self.crawler.spider, "run_id", None)
        if isinstance(item, DiscoveryItem):
            self.archive.record_discovery(
                item["bureau_id"], item["column_url"], item["link_text"], item["page"]
            )
            return item
        if isinstance(item, CrawlErrorItem):
            self.archive.record_error(
                item["url"], item["reason"], item.get("status"), item.get("bureau_id"), run_id
            )
            stats.inc_value("nianbao/errors_recorded")
            return item
        if _is_report(item):
            record = {k: v for k, v in item.items() if k != "html"}
            record["run_id"] = run_id
            outcome = self.archive.save_report(record)
            stats.inc_value(f"nianbao/reports_{outcome}")
        return item

    def spider_closed(self, spider, reason):
        run_id = getattr(spider, "run_id", None)
        if run_id is None:
            return
        stats = _json_safe(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        self.archive.finish_run(run_id, stats)
        close = getattr(self.archive, "close", None)
        if callable(close):
            close()
