"""Thin adapters from Scrapy items to the extraction, classification and archive modules.

The logic lives in `crawler.extract`, `crawler.classify` and `archive.ingest`, which are usable (and
tested) without Scrapy; these classes only move fields between items and those functions. A page that
cannot be extracted becomes an error record instead of stopping the crawl.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from scrapy import signals

from crawler.items import CrawlErrorItem, DiscoveryItem, ReportItem


def _is_report(item: Any) -> bool:
    return isinstance(item, ReportItem)


def _silently_empty(fields: dict, html: str, url: str) -> bool:
    """No text, no attachment and no content image, from a page whose body does show text."""
    if fields.get("text") or fields.get("attachments"):
        return False
    import lxml.html

    from crawler.depth import parse_within_depth
    from crawler.metadata import image_only

    if image_only(html, url, ""):
        return False  # a 图片版 report: ClassifyPipeline keeps its images
    try:
        _, root = parse_within_depth(html, lambda h, p: lxml.html.document_fromstring(h, parser=p))
    except ValueError:  # no markup at all (lxml's ParserError), or too deep even flattened
        return bool(html.strip())
    texts = root.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    return any(t.strip() for t in texts)


class ExtractPipeline:
    def process_item(self, item):
        if not _is_report(item):
            return item
        from crawler.extract import extract_page

        try:
            fields = extract_page(item["html"], item["url"])
        except Exception as exc:  # one broken page must not end a crawl of hundreds of portals
            return CrawlErrorItem(
                url=item["url"],
                reason=f"extraction failed: {exc.__class__.__name__}: {exc}",
                status=item.get("http_status"),
                bureau_id=item.get("bureau_id"),
                run_id=item.get("run_id"),
            )
        if _silently_empty(fields, item["html"], item["url"]):
            # Archiving it would replace a report's text with nothing; the error keeps the gap visible.
            return CrawlErrorItem(
                url=item["url"],
                reason="empty body: nothing extracted from a page that has text",
                status=item.get("http_status"),
                bureau_id=item.get("bureau_id"),
                run_id=item.get("run_id"),
            )
        for key, value in fields.items():
            if key in ReportItem.fields:
                item[key] = value
        # The page title can be missing or chrome-only; the list's title attribute is the full title.
        if not item.get("title"):
            item["title"] = item.get("list_title")
        if not item.get("published") and item.get("list_date"):
            item["published"] = item["list_date"]
        return item


class ClassifyPipeline:
    def process_item(self, item):
        if not _is_report(item):
            return item
        from archive.textnorm import search_text
        from crawler.classify import classify, subordinate_unit

        title = item.get("title") or item.get("list_title") or ""
        text = item.get("text") or ""
        kind, year = classify(title, text)
        item["kind"] = kind
        item["subordinate_unit"] = subordinate_unit(title)
        # extract_page reads the year from the title; keep it so the year field and title always agree.
        if item.get("year") is None:
            item["year"] = year
        # Repaired (PDF spaces, width, ruby) then normalized: the stored text stays the faithful extraction.
        # Attachment text is searchable too (crawler.attachments puts it here when the page has a body).
        from crawler.metadata import image_only, region_fields

        item.update(region_fields(item.get("site_id_code")))
        if not item.get("attachments"):
            refused = list(item.get("refused_links") or [])
            images = image_only(item.get("html") or "", item["url"], text, refused)
            item["refused_links"] = refused
            if images:  # 图片版: kept, flagged, images listed
                item["image_only"] = True
                item["images"] = images
        extra = item.get("attachment_text") or ""
        item["text_normalized"] = search_text(f"{text}\n{extra}" if extra else text)
        return item


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
