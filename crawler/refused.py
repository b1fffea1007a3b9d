"""The exception of a request refused on purpose: a leaf, raised by the host guards (crawler/safety.py)
and the resolver (crawler/resolver.py) alike, so neither imports the other to share it."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

__all__ = ["RefusedRequest"]


class RefusedRequest(IgnoreRequest):
    """A request the crawler refused on purpose; the message is the reason recorded in crawl_errors."""
