"""JSON-fed column lists: Hanweb JPaaS and the portals built like it.

The column page is a shell without items: a script holds the unit's query (webId, columnId, pageSize …)
and fetches the items from an API, either a POST to the JPaaS publish server with pageNo added, or a GET of
a `…/data.json?page=N` feed. The adapter reads the query and the API address from the shell's scripts (or
the registry's `jpaas_api_url`), asks for page 1, and for the rest once the first answer gives the total.
JPaaS articles sit at `/col/col<id>/art/YYYY/art_<32 hex>.html`.
"""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy import Request

from crawler.dates import parse_date
from crawler.families.base import (
    STATE_KEY,
    FamilyAdapter,
    ListEntry,
    bounded,
    canonical_url,
)
from crawler.families.pagerules import BodyRule, has_class, has_id

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.bureau import Bureau

__all__ = ["JpaasAdapter", "find_api", "find_query", "items_of"]

# The query object in the shell: matches `var queryData = {"webId": "2754", "columnId": "1229"};` and
# `queryData={webId:'1',columnId:'12'}` (the object literal is group 1).
_QUERY_RE = re.compile(r"queryData\s*=\s*(\{.*?\})\s*;", re.S)
# Bare or single-quoted JS keys and values: matches `webId:'1'` in `{webId:'1',pageSize:15}`.
_JS_KEY_RE = re.compile(r"""([{,]\s*)([A-Za-z_]\w*)\s*:""")
# The API address in a script: matches "/api-gateway/jpaas-publish-server/front/page/build/unit" and
# "/col/col1229/data.json".
_API_RE = re.compile(
    r"""["']((?:https?://[^"'\s/]+)?/api-gateway/[^"'\s]+|[^"'\s]*data\.json)["']"""
)
# A JPaaS article address: matches "/col/col1229/art/2024/art_0f6c1b7e2d8a4c3b9e5f1a2b3c4d5e6f.html".
ARTICLE_RE = re.compile(r"/col/col\d+/art/\d{4}/art_[0-9a-f]{32}\.html$")

TITLE_KEYS = ("title", "name", "articleTitle", "vc_title")
URL_KEYS = ("url", "link", "linkurl", "href", "articleUrl", "vc_url")
DATE_KEYS = ("date", "pubDate", "publishTime", "pubtime", "time", "createTime")
LIST_KEYS = ("list", "records", "items", "rows", "data", "docs")
DEFAULT_PAGE_SIZE = 15


def find_query(script: str) -> dict[str, Any]:
    m = _QUERY_RE.search(script)
    if not m:
        return {}
    body = m.group(1)
    for attempt in (body, _JS_KEY_RE.sub(r'\1"\2":', body.replace("'", '"'))):
        try:
            data = json.loads(attempt)
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return {}


def find_api(script: str) -> str | None:
    m = _API_RE.search(script)
    return m.group(1) if m else None


def _first(d: dict, keys: tuple[str, ...]) -> Any:
    for k in keys:
        if d.get(k) not in (None, ""):
            return d[k]
    return None


def items_of(payload: Any) -> tuple[list[dict], int | None]:
    """The item dicts and the total count of an API answer, wherever the platform nests them."""
    total = None
    node = payload
    for _ in range(3):
        if isinstance(node, dict):
            for key in ("total", "totalRecord", "totalCount", "count"):
                if isinstance(node.get(key), int):
                    total = node[key]
            nxt = _first(node, LIST_KEYS)
            if nxt is None:
                break
            node = nxt
        if isinstance(node, list):
            return [x for x in node if isinstance(x, dict)], total
    return [], total


class JpaasAdapter(FamilyAdapter):
    family = "jpaas"
    body_rules = (
        BodyRule(
            "bt-content",
            "container",
            '<div class="bt-content"><p>一、总体情况</p></div>',
            xpath=has_class("bt-content"),
        ),
        BodyRule(
            "zoom",
            "container",
            '<div class="article-conter" id="zoom"><p>一、总体情况</p></div>',
            xpath=f"{has_id('zoom', 'Zoom')} or {has_class('zoom')}",
        ),
    )

    @classmethod
    def detect(cls, body: str, url: str) -> float:
        """An API answer (JSON) is certainly ours; a shell naming the API is, unless a pager says else."""
        if body.lstrip()[:1] in ("{", "["):
            return 1.0
        return 0.6 if find_api(body) else 0.0

    def saved_state(self, body: str, url: str) -> dict[str, Any]:
        # A saved JSON answer is the API stage of a column, whose links resolve against the column.
        return {"family": self.family, "stage": "api", "column_url": url}

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        state = {
            "family": self.family,
            "stage": "shell",
            "api": bureau.override("jpaas_api_url"),
            "per_page": bureau.override("per_page"),
            "max_pages": bureau.override("max_pages"),
        }
        return [Request(column_url, meta={STATE_KEY: state})]

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        state = self.state(response)
        if state.get("stage") == "shell":
            script = " ".join(response.xpath("//script/text()").getall())
            api = state.get("api") or find_api(script)
            if not api:
                return [], []
            query = find_query(script)
            size = int(query.get("pageSize") or state.get("per_page") or DEFAULT_PAGE_SIZE)
            state = {**state, "stage": "api", "api": response.urljoin(api), "query": query,
                     "size": size, "column_url": response.url, "first": True}  # fmt: skip
            return [], [self._page(state, 1)]
        try:
            payload = json.loads(response.text)
        except ValueError:
            return [], []
        records, total = items_of(payload)
        base = state.get("column_url") or response.url
        entries = []
        for rec in records:
            url, title = _first(rec, URL_KEYS), _first(rec, TITLE_KEYS)
            if not url or not title:
                continue
            date = parse_date(str(_first(rec, DATE_KEYS) or ""))
            full = canonical_url(urljoin(base, str(url).strip()))
            entries.append(ListEntry(full, " ".join(str(title).split()), date))
        follow = []
        if state.get("first") and total:
            pages = math.ceil(total / state["size"])
            if state.get("max_pages"):
                pages = min(pages, int(state["max_pages"]))
            later = {**state, "first": False}
            # lazily: the total is the API's claim and may be 99,999,999 items
            follow = bounded((self._page(later, n) for n in range(2, pages + 1)), state)
        return self.dedupe(entries), follow

    def _page(self, state: dict, page_no: int) -> Request:
        api = state["api"]
        meta = {STATE_KEY: state}
        if api.split("?")[0].endswith(".json"):
            sep = "&" if "?" in api else "?"
            return Request(f"{api}{sep}page={page_no}", meta=meta)
        body = {**state.get("query", {}), "pageNo": page_no, "pageSize": state["size"]}
        return Request(api, method="POST", body=json.dumps(body, ensure_ascii=False),
                       headers={"Content-Type": "application/json;charset=UTF-8"}, meta=meta)  # fmt: skip
