"""The last reader of a column list: no family recognised the page, or the family's reader found nothing.

Whatever the CMS, a list page shows its items as the same block repeated — a `li`, a `tr`, a `div` —
each holding one link to a detail page of the same site and a date (`crawler.families.rows`), and its
own list is told from the dated sidebars beside it (`crawler.families.blocks`). Paging comes from what
the page itself shows: pager links (下一页, 尾页, 2, 3, `index_N.html`, `javascript:goPage(3)`, a
`<select>`), a `共 N 页` counter, or a script object (`crawler.families.paging`); the crawl's page caps
bound it. A column page that only frames its list is followed into the frame.
"""

from __future__ import annotations

import re
from itertools import chain, islice
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import Request

from crawler.families.base import (
    STATE_KEY,
    FamilyAdapter,
    ListEntry,
    bounded,
    page_count,
    pager_urls,
)
from crawler.families.paging import (
    ScriptPaging,
    page_param,
    script_paging,
    static_page_names,
    with_page,
)
from crawler.families.rows import MIN_REPEATS, list_blocks, same_site

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.bureau import Bureau

__all__ = ["MIN_REPEATS", "GenericAdapter"]

NAME = "generic"
# A numbered static list page: matches "index_2.html", "list_13.shtml", "./index_1.htm"; not a TRS
# detail page "t20240120_4410239.html" (letters only before the underscore).
_NUMBERED_RE = re.compile(r"(?:^|/)[A-Za-z][A-Za-z-]*_\d+\.s?html?$")
# The same, read into base, number and extension: matches "/xxgk/list_2.html" ("list", "2", "html").
_NUMBER_RE = re.compile(r"/([A-Za-z][A-Za-z-]*)_(\d+)\.(s?html?)$")


class GenericAdapter(FamilyAdapter):
    """Not a registry family: the reader `crawler.families.read_list` falls back on."""

    family = NAME

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        return [Request(column_url, meta={STATE_KEY: {"reader": NAME, "first": True}})]

    def parse_list(
        self, response: Response, first: bool | None = None
    ) -> tuple[list[ListEntry], list[Request]]:
        """`first`: whether the page is its column's first, whose counters and scripts announce the
        others (a family's page read here in its stead may not say)."""
        state = {**self.state(response), "reader": NAME}
        if first is not None:
            state["first"] = first
        try:
            root = response.selector.root
        except AttributeError:  # not text
            return [], []
        if not hasattr(root, "iter"):
            return [], []
        entries = self.dedupe(list_blocks(root, response.url))
        if not entries:
            return [], self._frames(response, state)
        later = {**state, "first": False}
        shown = list(dict.fromkeys(self._shown(response, entries)))
        urls = chain(shown, self._announced(response, shown) if state.get("first") else ())
        follow = bounded(
            (Request(u, meta={STATE_KEY: later}) for u in dict.fromkeys(urls) if u != response.url),
            state,
        )
        if state.get("max_pages"):
            follow = follow[: max(int(state["max_pages"]) - 1, 0)]
        return entries, follow

    @staticmethod
    def _frames(response: Response, state: dict) -> list[Request]:
        """A column page that is a frame around its list (`<iframe src="list.html">`): the framed page,
        read as the column's first page. Only from the column page itself, and only pages of the site."""
        if not state.get("first") or state.get("framed"):
            return []
        host = urlsplit(response.url).hostname
        out = []
        for src in response.xpath("//iframe/@src | //frame/@src").getall():
            url = response.urljoin(src.strip())
            if src.strip() and same_site(urlsplit(url).hostname, host) and url != response.url:
                out.append(Request(url, meta={STATE_KEY: {**state, "framed": True}}))
        return out[:2]

    @staticmethod
    def _shown(response: Response, entries: list[ListEntry]):
        """Pager links, and links to numbered pages (`index_3.html`) of the same folder."""
        yield from pager_urls(response)
        here = response.url.rsplit("/", 1)[0] + "/"
        items = {e.url for e in entries}
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href.strip())
            if (
                url.startswith(here)
                and _NUMBERED_RE.search(urlsplit(url).path)
                and url not in items
            ):
                yield url

    @staticmethod
    def _announced(response: Response, shown: list[str]):
        """Every page a script object or a counter announces, lazily (the count is the portal's claim).

        A script object comes from a TRS-built template: `index.html`, then `index_1.html` for page 2.
        A counter follows the pager's own numbering: when the pager links `list_2.html` and no
        `list_1.html`, page N is `list_N.html`."""
        script = " ".join(response.xpath("//script/text()").getall())
        paging = script_paging(script)
        if paging is not None:
            # page 0 is the page the script sits on (or its index.html)
            yield from islice(static_page_names(response.url, paging), 1, None)
            return
        pages = page_count(response)
        if not pages or pages <= 1:
            return
        keyed = [(u, key) for u in shown if (key := page_param(u))]
        numbered = [m for u in shown if (m := _NUMBER_RE.search(urlsplit(u).path))]
        if keyed:  # `?page=3`: page N is the pager's address with page=N
            url, key = keyed[0]
            for n in range(2, pages + 1):
                yield with_page(url, key, n)
        elif numbered:
            base, ext = numbered[0].group(1), numbered[0].group(3)
            first = 2 if min(int(m.group(2)) for m in numbered) >= 2 else 1
            folder = response.url.split("?")[0].rsplit("/", 1)[0]
            for n in range(first, pages + first - 1):
                yield f"{folder}/{base}_{n}.{ext}"
        else:
            yield from islice(static_page_names(response.url, ScriptPaging(pages)), 1, None)
