"""How a worker puts an item on the distributed crawl's Redis list (REDIS_ITEMS_SERIALIZER).

Worker side: it knows Scrapy's Item classes. The coordinator reads the list with
`crawler.distributed.deserialize_item`, which needs neither Scrapy nor these classes.
"""

from __future__ import annotations

from typing import Any

from scrapy.utils.serialize import ScrapyJSONEncoder

from crawler.items import CrawlErrorItem, DiscoveryItem, ReportItem

__all__ = ["serialize_item"]

_ENCODER = ScrapyJSONEncoder(ensure_ascii=False)


def serialize_item(item: Any) -> str:
    """The item's kind and fields as JSON, without the raw HTML.

    The writer needs neither the page (already extracted on the worker) nor Scrapy's Item classes, and
    dropping `html` keeps Redis memory to the clean text. A report carries only ReportItem's fields.
    """
    kind = "error" if isinstance(item, CrawlErrorItem) else "report"
    if isinstance(item, DiscoveryItem):
        kind = "discovery"  # the column chosen for a homepage-only bureau (migration 7)
    fields = {k: v for k, v in dict(item).items() if k != "html"}
    if kind == "report":
        fields = {k: v for k, v in fields.items() if k in ReportItem.fields}
    return _ENCODER.encode({"kind": kind, "fields": fields})
