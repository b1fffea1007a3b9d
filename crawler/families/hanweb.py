"""Hanweb (大汉) JCMS column lists.

A JCMS column page carries its records only as XML inside `<script type="text/xml">` of each list unit;
the browser's `jpage` plugin renders them and fetches the records beyond the static ones by POSTing the
unit's `ajaxParam` to `dataproxy.jsp?startrecord=S&endrecord=E&perpage=P`, three pages at a time. The
adapter does the same: parse the datastore XML, read the `jpage({...})` config of each unit, and ask the
proxy for the rest. Portals often repeat a unit for the mobile template; its records are skipped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin

from lxml import etree
from parsel import Selector
from scrapy import FormRequest, Request

from crawler.dates import parse_date
from crawler.families.base import (
    STATE_KEY,
    FamilyAdapter,
    ListEntry,
    bounded,
    canonical_url,
)
from crawler.families.pagerules import BodyRule, FieldRule, Markers, has_class, has_id
from crawler.families.rows import block_date, clean_title, list_blocks, texts_outside

if TYPE_CHECKING:
    from scrapy.http import Response

    from crawler.bureau import Bureau

__all__ = ["HanwebAdapter", "nextgroup_config", "parse_jpage_config"]

# One unit's pager config: matches `$('#3345').jpage({totalRecord:138, perPage:10, proxyUrl:'…',
# ajaxParam:{col:1, webid:'1', columnid:'12', unitid:'3345'}})` (the object body is group 2).
# The same through `jQuery(…)` and the JCMS unit builder: matches `jQuery("#4479311").jpage({perPage: '5'})`
# and `$('#5120081').unitbuild({totalRecord: 15, perPage: 6})`.
_JPAGE_RE = re.compile(
    r"""(?:\$|jQuery)\(\s*['"]#([\w-]+)['"]\s*\)\s*\.(?:jpage|unitbuild)\(\s*\{(.*?)\}\s*\)""", re.S
)
# The nested ajaxParam object: matches `ajaxParam:{col:1, appid:1, webid:'12'}` (body is group 1).
_AJAX_RE = re.compile(r"""ajaxParam\s*:\s*\{(.*?)\}""", re.S)
# One `key: value` of a JS object literal: matches `perPage:10`, `proxyUrl:'/module/web/jpage/dataproxy.jsp'`,
# `webname: "阜阳市交通运输局"` and `permissiontype:0`.
_PAIR_RE = re.compile(r"""(\w+)\s*:\s*(?:'([^']*)'|"([^"]*)"|([^,}\s]+))""")
# An XML declaration at the start of a proxy response: matches `<?xml version="1.0" encoding="UTF-8"?>`.
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>")

_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)

DEFAULT_PAGES_PER_REQUEST = 3
DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"


def _pairs(body: str) -> dict[str, str]:
    out = {}
    for m in _PAIR_RE.finditer(body):
        key = m.group(1)
        value = next(g for g in m.groups()[1:] if g is not None)
        out[key] = value
    return out


def parse_jpage_config(script: str) -> dict[str, dict[str, Any]]:
    """Every `jpage({...})` call in the page's scripts, keyed by unit id."""
    configs = {}
    for m in _JPAGE_RE.finditer(script):
        unit, body = m.group(1), m.group(2)
        ajax_m = _AJAX_RE.search(body)
        ajax = _pairs(ajax_m.group(1)) if ajax_m else {}
        top = _pairs(_AJAX_RE.sub("", body))
        configs[unit] = {**top, "ajaxParam": ajax}
    return configs


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def parse_datastore(xml: str) -> list[str]:
    """The record HTML fragments of one `<datastore>` document, in order."""
    xml = _XML_DECL_RE.sub("", xml).strip()
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"), _XML_PARSER)
    if root is None:
        return []
    return [rec.text or "" for rec in root.iter("record")]


def nextgroup_config(xml: str) -> dict[str, Any] | None:
    """A unit's paging when the page has no `jpage({...})` call: the datastore's next-group link names the
    proxy, `totalRecord` and `perpage`, and the unit's parameters in its query."""
    m = _NEXTGROUP_RE.search(xml)
    if not m:
        return None
    link = m.group(1).replace("&amp;", "&")
    path, _, query = link.partition("?")
    params = dict(parse_qsl(query))
    lower = {k.lower(): v for k, v in params.items()}
    if not (lower.get("totalrecord") and lower.get("perpage")):
        return None
    return {
        "totalRecord": lower["totalrecord"],
        "perPage": lower["perpage"],
        "proxyUrl": path,
        "ajaxParam": {k: v for k, v in params.items() if k.lower() not in _PAGING_KEYS},
    }


def record_entry(record_html: str, base_url: str) -> ListEntry | None:
    """The link, title and date of one record (`<li><a href title>…</a><span>date</span></li>`)."""
    sel = Selector(text=f"<html><body>{record_html}</body></html>")
    links = [
        a
        for a in sel.css("a[href]")
        if not a.attrib["href"].strip().startswith(("javascript:", "#"))
    ]
    if not links:
        return None
    link = max(
        links, key=lambda a: len(a.attrib.get("title") or a.xpath("normalize-space(.)").get(""))
    )
    url = urljoin(base_url, link.attrib["href"].strip())
    title = clean_title(link.attrib.get("title") or link.xpath("normalize-space(.)").get(""))
    date = parse_date(" ".join(sel.css("span::text, td::text, em::text, i::text").getall()))
    if (
        date is None
    ):  # the date as the row's own text (`<li><a>…</a> 2024-01-20</li>`, `<b>`, `<font>`)
        date = block_date(texts_outside(sel.xpath("//body")[0].root, link.root), url)[1]
    return ListEntry(canonical_url(url), title, date)


# What gives a Hanweb JCMS list away: matches '<script type="text/xml"><datastore><nextgroup>' and the
# unit proxy "/module/jpage/dataproxy.jsp?startrecord=1".
# The JCMS list modules too: matches "/module/web/jpage/dataproxy.jsp", "/module/jslib/jpage/jpage.js",
# "/module/web/jpage/unitbuild.js" and a `.jpage({` or `.unitbuild({` call.
_DETECT_RE = re.compile(
    r"<datastore>|/module/(?:web/|jslib/)?jpage/|\.(?:jpage|unitbuild)\(\s*\{", re.I
)
# A datastore's next-group link that carries its paging: matches
# '<a href="/module/web/jpage/dataproxy.jsp?startrecord=10&endrecord=18&perpage=3&totalRecord=14&…">'.
_NEXTGROUP_RE = re.compile(
    r"""<nextgroup>.*?href\s*=\s*["']([^"']*dataproxy\.jsp\?[^"']*)["']""", re.S | re.I
)
# The proxy's own paging parameters, not the unit's: matches "startrecord", "endrecord", "perpage", "totalRecord".
_PAGING_KEYS = {"startrecord", "endrecord", "perpage", "totalrecord", "page"}


class HanwebAdapter(FamilyAdapter):
    family = "hanweb"
    body_rules = (
        BodyRule(
            "zoom",
            "container",
            '<div id="zoom"><p>一、总体情况</p></div>',
            xpath=f"{has_id('zoom', 'Zoom')} or {has_class('zoom')}",
        ),
        # Hanweb content markers (a 繁体 proxy may convert them): matches "<!--<$[信息内容]>begin-->" …
        # "<!--<$[信息内容]>end-->" and "<!--<$[信息內容]>begin-->".
        BodyRule(
            "信息内容",
            "markers",
            "<!--<$[信息内容]>begin--><p>一、总体情况</p><!--<$[信息内容]>end-->",
            markers=Markers(
                r"<!--\s*<\$\[信息[内內]容\]>\s*begin\s*-->",
                r"<!--\s*<\$\[信息[内內]容\]>\s*end\s*-->",
                r"<\$\[信息[内內]容\]>\s*begin",
            ),
        ),
        # The meta pair around the body: matches '<meta name="ContentStart">' … '<meta name=ContentEnd>'.
        BodyRule(
            "ContentStart",
            "markers",
            '<meta name="ContentStart"><p>一、总体情况</p><meta name="ContentEnd">',
            markers=Markers(
                r"<meta[^>]*name\s*=\s*[\"']?ContentStart[\"']?[^>]*>",
                r"<meta[^>]*name\s*=\s*[\"']?ContentEnd[\"']?[^>]*>",
            ),
        ),
        # The RSS export markers: matches "<!--ZJEG_RSS.content.begin-->" … "<!--ZJEG_RSS.content.end-->".
        BodyRule(
            "ZJEG_RSS",
            "markers",
            "<!--ZJEG_RSS.content.begin--><p>一、总体情况</p><!--ZJEG_RSS.content.end-->",
            markers=Markers(
                r"<!--\s*ZJEG_RSS\.content\.begin\s*-->",
                r"<!--\s*ZJEG_RSS\.content\.end\s*-->",
                r"ZJEG_RSS\.content\.begin",
            ),
        ),
    )
    field_rules = (
        # Title markers: matches "<!--<$[标题名称(html)]>begin-->…<!--<$[标题名称(html)]>end-->" and
        # "<!--<$[標題名稱]>begin-->".
        FieldRule(
            "标题名称",
            "title",
            Markers(
                r"<!--\s*<\$\[[标標][题題]名[称稱](?:\(html\))?\]>\s*begin\s*-->",
                r"<!--\s*<\$\[[标標][题題]名[称稱](?:\(html\))?\]>\s*end\s*-->",
            ),
            examples=(
                (
                    "<!--<$[标题名称(html)]>begin-->某局<b>2023年</b>年报<!--<$[标题名称(html)]>end-->",
                    "某局2023年年报",
                ),
            ),
        ),
        # Source markers: matches "<!--<$[信息来源]>begin-->市交通局<!--<$[信息来源]>end-->".
        FieldRule(
            "信息来源",
            "source",
            Markers(
                r"<!--\s*<\$\[信息[来來]源\]>\s*begin\s*-->",
                r"<!--\s*<\$\[信息[来來]源\]>\s*end\s*-->",
            ),
            examples=(("<!--<$[信息来源]>begin-->市交通局<!--<$[信息来源]>end-->", "市交通局"),),
        ),
    )

    @classmethod
    def detect(cls, body: str, url: str) -> float:
        return 0.9 if _DETECT_RE.search(body) else 0.0

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        state = {
            "family": self.family,
            "proxy": False,
            "unit_ids": list(bureau.override("hanweb_unit_ids") or []),
            "per_page": bureau.override("per_page"),
            "proxy_url": bureau.override("hanweb_proxy_url"),
            "pages_per_request": bureau.override("pages_per_request") or DEFAULT_PAGES_PER_REQUEST,
            "max_pages": bureau.override("max_pages"),
        }
        return [Request(column_url, meta={STATE_KEY: state})]

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        state = self.state(response)
        if state.get("proxy"):
            # A proxy answer is the bare datastore document; its base is the column page, not the proxy.
            base = state.get("column_url") or response.url
            return self.dedupe(self._records(parse_datastore(response.text), base)), []

        configs = parse_jpage_config(" ".join(response.xpath("//script/text()").getall()))
        wanted = set(state.get("unit_ids") or [])
        entries: list[ListEntry] = []
        follow: list[Request] = []
        seen: set[str] = set()
        read: set[str] = set()
        for script in response.xpath('//script[@type="text/xml" or contains(., "<datastore>")]'):
            unit = script.xpath("ancestor::*[@id][1]/@id").get()
            if wanted and unit not in wanted:
                continue
            xml = script.xpath("string(.)").get("")
            read.add(unit)
            unit_entries = self._records(parse_datastore(xml), response.url)
            if unit not in configs and (config := nextgroup_config(xml)):
                configs[unit] = config
            fresh = [e for e in unit_entries if e.url not in seen]
            if unit_entries and not fresh:
                continue  # the mobile template repeating a unit already read: its later pages are too
            seen.update(e.url for e in unit_entries)
            entries.extend(fresh)
            if unit in configs:
                follow.extend(
                    self._proxy_requests(response, state, configs[unit], len(unit_entries))
                )
        for unit, config in configs.items():  # units the server rendered as HTML (JCMS unitbuild)
            if unit in read or (wanted and unit not in wanted):
                continue
            for element in response.xpath(f'//*[@id="{unit}"]')[:1]:
                unit_entries = list_blocks(element.root, response.url)
                entries.extend(e for e in unit_entries if e.url not in seen)
                seen.update(e.url for e in unit_entries)
                follow.extend(self._proxy_requests(response, state, config, len(unit_entries)))
        return self.dedupe(entries), follow

    def _records(self, records: list[str], base_url: str) -> list[ListEntry]:
        out = []
        for html in records:
            entry = record_entry(html, base_url)
            if entry is not None:
                out.append(entry)
        return out

    def _proxy_requests(
        self, response: Response, state: dict, config: dict, static_count: int
    ) -> list[Request]:
        total = _int(config.get("totalRecord"), 0) or 0
        per_page = _int(config.get("perPage")) or _int(state.get("per_page")) or 0
        if total <= static_count or per_page <= 0:
            return []
        if state.get("max_pages"):
            total = min(total, per_page * int(state["max_pages"]))
        chunk = per_page * int(state.get("pages_per_request") or DEFAULT_PAGES_PER_REQUEST)
        proxy = response.urljoin(state.get("proxy_url") or config.get("proxyUrl") or DEFAULT_PROXY)
        formdata = {k: str(v) for k, v in config.get("ajaxParam", {}).items()}
        later = {**state, "proxy": True, "column_url": response.url}

        def chunks():  # lazily: totalRecord is the portal's claim and may be 999,999,999
            start = static_count + 1
            while start <= total:
                end = min(start + chunk - 1, total)
                sep = "&" if "?" in proxy else "?"
                url = f"{proxy}{sep}startrecord={start}&endrecord={end}&perpage={per_page}"
                yield FormRequest(url, formdata=formdata, meta={STATE_KEY: later})
                start = end + 1

        return bounded(chunks(), state)
