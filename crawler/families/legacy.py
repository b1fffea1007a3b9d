"""Legacy static portals (GBK, table layout): lists are table rows "·<a>title</a> [2009-03-15]".

The pages are old static files, often GB2312/GBK while the server claims UTF-8 or nothing; the spider
decides the charset from the bytes before any adapter reads them (see `crawler.families.charset`). Paging
is plain links (`list_2.htm`, "下一页") that the adapter follows from every page.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scrapy import Request

from crawler.families.base import (
    STATE_KEY,
    FamilyAdapter,
    ListEntry,
    bounded,
    pager_urls,
)
from crawler.families.pagerules import BodyRule, has_class, has_id
from crawler.families.rows import page_rows

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.bureau import Bureau

__all__ = ["LegacyAdapter"]


# A table layout with links, all a legacy static list needs: a cell, matches "<td>" and "<TR class=x>",
# and a link, matches "<a href=a.htm>" and "<A HREF='b.htm'>".
_CELL_RE = re.compile(r"<t[dr]\b", re.I)
_LINK_RE = re.compile(r"<a\s", re.I)


class LegacyAdapter(FamilyAdapter):
    family = "legacy"
    body_rules = (
        BodyRule(
            "content",
            "weak-container",
            '<div id="content"><p>一、总体情况</p></div>',
            xpath=f"{has_class('view')} or {has_id('content', 'article', 'art_content')}",
        ),
        BodyRule(
            "layout-cell",
            "layout-cell",
            "<table><tr><td><a href=a.htm>首页</a></td></tr><tr><td><font>一、总体情况"
            + "本局依法公开政府信息。" * 10
            + "</font><br><font>二、主动公开</font><br><font>三、依申请公开</font><br></td></tr></table>",
            layout_cell=True,
        ),
    )

    @classmethod
    def detect(cls, body: str, url: str) -> float:
        """The weakest claim: any table of links, when no CMS marker says more."""
        return 0.1 if _CELL_RE.search(body) and _LINK_RE.search(body) else 0.0

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        state = {"family": self.family, "max_pages": bureau.override("max_pages")}
        return [Request(column_url, meta={STATE_KEY: state})]

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        state = self.state(response)
        entries = self.dedupe(page_rows(response))
        follow = bounded((Request(u, meta={STATE_KEY: state}) for u in pager_urls(response)), state)
        if state.get("max_pages"):
            follow = follow[: max(int(state["max_pages"]) - 1, 0)]
        return entries, follow
