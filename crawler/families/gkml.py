"""政府信息公开目录 (gkml) platforms: the list is a table of 索引号 / 名称 / 生成日期 rows.

The pager is plain HTML under a "共 N 页 / 共 M 条" counter; pages are `index_N.html` files or the same
address with `?page=N`. The adapter reads rows with a link and a date cell, follows the pager's links, and
when the counter says more pages exist than the pager shows (pagers often show five numbers), fills in the
missing ones in the naming the pager uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy import Request

from crawler.families.base import (
    STATE_KEY,
    FamilyAdapter,
    ListEntry,
    bounded,
    page_count,
    pager_urls,
)
from crawler.families.pagerules import BodyRule, has_class, has_id
from crawler.families.paging import is_first_page
from crawler.families.rows import page_rows

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.bureau import Bureau

__all__ = ["GkmlAdapter"]

# A static list page name: matches "index_2.html" and "list_3.shtml" (base, number, extension).
_STATIC_PAGE_RE = re.compile(r"/([A-Za-z]+)_(\d+)\.(s?html?)$")


# A gkml list header: matches '<th>索引号</th>' and '<td class="th">索 引 号</td>'.
_DETECT_RE = re.compile(r">\s*索\s*引\s*号\s*<")


class GkmlAdapter(FamilyAdapter):
    family = "gkml"
    body_rules = (
        BodyRule(
            "UCAP-CONTENT",
            "container",
            '<div id="UCAP-CONTENT"><p>一、总体情况</p></div>',
            xpath=has_id("UCAP-CONTENT", "ucap-content"),
        ),
        BodyRule(
            "zoom",
            "container",
            '<div class="gkml_content" id="zoom"><p>一、总体情况</p></div>',
            xpath=f"{has_id('zoom', 'Zoom')} or {has_class('zoom')}",
        ),
    )

    @classmethod
    def detect(cls, body: str, url: str) -> float:
        return 0.7 if _DETECT_RE.search(body) else 0.0

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        state = {"family": self.family, "first": True, "max_pages": bureau.override("max_pages")}
        return [Request(column_url, meta={STATE_KEY: state})]

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        state = self.state(response)
        entries = self.dedupe(page_rows(response))
        shown = pager_urls(response)
        urls: Iterator[str] = iter(shown)
        if state.get("first"):
            urls = chain(urls, self._from_counter(response, shown))
        limit = state.get("max_pages")
        later = {**state, "first": False}
        urls = (u for u in urls if not is_first_page(u, response.url))
        follow = bounded((Request(u, meta={STATE_KEY: later}) for u in _unique(urls)), state)
        if limit:
            follow = follow[: max(int(limit) - 1, 0)]
        return entries, follow

    def _from_counter(self, response: Response, seen: list[str]) -> Iterator[str]:
        """Every page the counter announces, named like the pager's own links, lazily: the counter is
        the portal's claim (`共 999999 页`)."""
        total = page_count(response)
        if not total or total <= 1:
            return
        for url in seen:
            parts = urlsplit(url)
            query = dict(parse_qsl(parts.query))
            if "page" in query:
                for n in range(1, total + 1):
                    yield urlunsplit(parts._replace(query=urlencode({**query, "page": n})))
                return
            m = _STATIC_PAGE_RE.search(parts.path)
            if m:
                base, ext = m.group(1), m.group(3)
                # index.html is page 1; its followers are index_1 … index_{N-1}
                for n in range(1, total):
                    yield response.urljoin(f"{base}_{n}.{ext}")
                return


def _unique(urls: Iterator[str]) -> Iterator[str]:
    seen: set[str] = set()
    for url in urls:
        if url not in seen:
            seen.add(url)
            yield url
