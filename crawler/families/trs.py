"""TRS WCM (拓尔思) column lists.

TRS renders each list page to a static file (`index.html`, `index_1.html`, …) and writes the pager only
as a `createPageHTML(total, current, base, ext)` call into a shared script, so the page links never
appear in the HTML: the adapter reads the call and computes the file names itself.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from scrapy import Request

from crawler.dates import parse_date
from crawler.families.base import (
    STATE_KEY,
    FamilyAdapter,
    ListEntry,
    bounded,
    canonical_url,
)
from crawler.families.blocks import block_key, choose_group
from crawler.families.pagerules import BodyRule, Markers, has_class
from crawler.families.paging import ScriptPaging, script_paging, static_page_names
from crawler.families.rows import block_groups, list_blocks

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.bureau import Bureau

__all__ = ["TrsAdapter"]

# The pager call: matches `createPageHTML(20, 0, "index", "html")`, `createPageHTML(3,1,'index','shtml')`
# and `createPageHTML(5, 0, "list", "htm");`.
_PAGER_RE = re.compile(
    r"""createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*["']([\w.-]+)["']\s*,\s*["'](\w+)["']\s*\)"""
)
# Any form of the pager call: matches `createPageHTML(4, 0, "index", "shtml")`,
# `createPageHTML('page_div',12,1,'index','html',120)` and `createPageHTML(countPage, currentPage, …)`.
_ANY_CALL_RE = re.compile(r"createPageHTML\s*\(")
# A TRS detail page: matches "./202301/t20230130_1234567.html" and "../202212/t20221230_99.shtml".
_DETAIL_RE = re.compile(r"(?:^|/)\d{6}/t\d{8}_\d+\.s?html?$")

# A list row's item link: the first titled link that is not part of a 相关解读 pop-up box.
_NOT_IN_POPBOX = "not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' popbox ')])"
_ITEM_LINK_XPATH = f".//a[@title][@href][{_NOT_IN_POPBOX}]"
_ANY_LINK_XPATH = f".//a[@href][{_NOT_IN_POPBOX}]"
_DATE_XPATH = f".//span[{_NOT_IN_POPBOX}]//text()"
_ROWS_XPATH = f"//ul/li[{_NOT_IN_POPBOX}]"


# A TRS detail link in the page: matches 'href="./202401/t20240120_4410239.html"'.
_DETAIL_LINK_RE = re.compile(r"""href\s*=\s*["']?[^"'\s>]*\d{6}/t\d{8}_\d+\.s?html?""", re.I)


class TrsAdapter(FamilyAdapter):
    family = "trs"
    body_rules = (
        BodyRule(
            "TRS_Editor",
            "container",
            '<div class="TRS_Editor"><p>一、总体情况</p></div>',
            xpath=has_class("TRS_Editor", "TRS_EDITOR"),
        ),
        BodyRule(
            "Custom_UnionStyle",
            "container",
            '<div class="Custom_UnionStyle"><p>一、总体情况</p></div>',
            xpath=has_class("Custom_UnionStyle"),
        ),
        # TRS print markers: matches "<!--startprint-->" … "<!--endprint-->" and "<!-- StartPrint -->".
        BodyRule(
            "startprint",
            "print-markers",
            "<!--startprint--><p>一、总体情况</p><!--endprint-->",
            markers=Markers(r"<!--\s*startprint\s*-->", r"<!--\s*endprint\s*-->", r"startprint"),
        ),
        BodyRule(
            "article_con",
            "weak-container",
            '<div class="article_con"><p>一、总体情况</p></div>',
            xpath=has_class("article_con", "pages_content", "article-content", "article_content"),
        ),
    )

    @classmethod
    def detect(cls, body: str, url: str) -> float:
        """The classic pager call, or a site-group template: TRS detail links (`t20240120_1.html`)
        paged by a script object; below gkml's 索引号, since gkml platforms run on TRS too."""
        if "createPageHTML" in body and _ANY_CALL_RE.search(body):
            return 0.8
        if len(_DETAIL_LINK_RE.findall(body)) >= 3:
            return 0.65
        return 0.0

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        state = {"family": self.family, "first": True, "max_pages": bureau.override("max_pages")}
        return [Request(column_url, meta={STATE_KEY: state})]

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        state = self.state(response)
        entries = self.dedupe(self._group_entries(response) or self._rows(response))
        follow: list[Request] = []
        if state.get("first"):
            follow = self._pages(response, state)
        return entries, follow

    @staticmethod
    def _group_entries(response: Response) -> list[ListEntry]:
        """A site-group template (no `createPageHTML`, paging in a script object) lays its list out as
        it likes, beside sidebars of dated links: its items are the most repeated block of dated links."""
        script = " ".join(response.xpath("//script/text()").getall())
        if _PAGER_RE.search(script) or script_paging(script) is None:
            return []
        return list_blocks(response.selector.root, response.url)

    def _rows(self, response: Response) -> list[ListEntry]:
        """The column's own rows: the `ul > li` rows of the classic template, or whatever block the page
        repeats (table rows, `div`s) — of all groups, the list rather than a dated sidebar beside it."""
        groups = block_groups(response.selector.root, response.url)
        by_key: dict[tuple, list] = {}
        for li, entry in self._entries(response):
            by_key.setdefault(block_key(li.root), []).append((li.root, entry))
        return choose_group([*by_key.values(), *groups], response.url)

    def _entries(self, response: Response) -> list[tuple]:
        """(row, entry) of every `ul > li` row with a titled link and a date or a TRS detail link."""
        entries = []
        for li in response.xpath(_ROWS_XPATH):
            link = li.xpath(_ITEM_LINK_XPATH)
            if not link:
                # Some templates drop the title attribute; a link to a TRS detail page still is an item.
                link = [a for a in li.xpath(_ANY_LINK_XPATH) if _DETAIL_RE.search(a.attrib["href"])]
            if not link:
                continue  # the empty separator rows between groups of five, menus without titles
            href = link[0].attrib["href"].strip()
            if not href or href.startswith(("javascript:", "#")):
                continue
            date = parse_date(" ".join(li.xpath(_DATE_XPATH).getall()))
            # Site menus are `ul > li > a[title]` too; list rows carry a date or a TRS detail link.
            if date is None and not _DETAIL_RE.search(href):
                continue
            # The link text is cut with "…" for long titles; the title attribute holds all of it.
            title = " ".join(link[0].attrib.get("title", "").split()) or " ".join(
                link[0].xpath("normalize-space(.)").get("").split()
            )
            entries.append((li, ListEntry(canonical_url(response.urljoin(href)), title, date)))
        return entries

    def _pages(self, response: Response, state: dict) -> list[Request]:
        script = " ".join(response.xpath("//script/text()").getall())
        m = _PAGER_RE.search(script)
        if not m:
            return self._script_pages(response, state, script)
        total, current, base, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        if state.get("max_pages"):
            total = min(total, int(state["max_pages"]))
        later = {**state, "first": False}

        def pages():  # lazily: the call's total is the portal's claim, createPageHTML(99999, …)
            for page in range(total):
                if page != current:
                    name = f"{base}.{ext}" if page == 0 else f"{base}_{page}.{ext}"
                    yield Request(response.urljoin(name), meta={STATE_KEY: later})

        return bounded(pages(), state)

    def _script_pages(self, response: Response, state: dict, script: str) -> list[Request]:
        """A site-group template's pages, announced only by a script object (`var pageCount = 12`,
        `{"totalCount": 58, "pageSize": 15}`), named `index_N.html` like every TRS list."""
        paging = script_paging(script)
        if paging is None:
            return []
        if state.get("max_pages"):
            paging = ScriptPaging(
                min(paging.pages, int(state["max_pages"])), paging.base, paging.ext
            )
        later = {**state, "first": False}
        names = islice(static_page_names(response.url, paging), 1, None)  # page 0 is this page
        return bounded((Request(u, meta={STATE_KEY: later}) for u in names), state)
