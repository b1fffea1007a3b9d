"""What every CMS family adapter provides to the spider.

The spider knows nothing about any CMS: it asks the bureau's adapter for the first list requests of a
column, hands every list response back to it, and gets item entries plus further list requests. Adapters
return requests without callbacks; the spider attaches its own callbacks and bureau meta, so adapters stay
pure functions of HTML that tests can drive with a hand-written page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, ClassVar

from archive.urls import canonical_url
from crawler.bounds import DEFAULT_MAX_PAGES_PER_COLUMN
from crawler.dates import parse_date
from crawler.families.blocks import block_key, choose_group
from crawler.families.paging import is_first_page, option_urls, script_page_url

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

    from crawler.bureau import Bureau
    from crawler.families.pagerules import BodyRule, FieldRule

__all__ = [
    "STATE_KEY",
    "FamilyAdapter",
    "ListEntry",
    "bounded",
    "canonical_url",
]

# Request meta key under which an adapter keeps its own paging state between list pages.
STATE_KEY = "nianbao_list"
# The state key holding the column's page cap (the spider sets it; crawler/bounds.py), and its value when
# an adapter is driven without the spider.
CAP_KEY = "cap"
DEFAULT_CAP = DEFAULT_MAX_PAGES_PER_COLUMN


@dataclass(frozen=True)
class ListEntry:
    """One item of a column list: the detail page it links to, its full title and list date."""

    url: str
    title: str
    date: str | None  # YYYY-MM-DD


def bounded(requests: Iterable[Request], state: dict[str, Any]) -> list[Request]:
    """At most `cap` follow-up requests of one list page, drawn lazily from `requests`.

    Pagers announce what they like (`共 999999 页`); the adapters describe their pages as generators and
    this takes no more than the column could ever be granted, so a counter costs at most `cap` requests
    built, and the spider's budget (crawler/bounds.py) tells whether any were left over.
    """
    return list(islice(requests, int(state.get(CAP_KEY) or DEFAULT_CAP)))


class FamilyAdapter:
    """Base of the family adapters.

    A family provides: the requests that open a column (`column_requests`), the parsing of any list
    response it asked for (`parse_list`), and how its detail pages hold their body (`body_rules`) and
    fields (`field_rules`), as data that `crawler.extract` reads (`crawler/families/pagerules.py`).
    """

    family: ClassVar[str] = ""
    body_rules: ClassVar[tuple[BodyRule, ...]] = ()
    field_rules: ClassVar[tuple[FieldRule, ...]] = ()

    @classmethod
    def detect(cls, body: str, url: str) -> float:
        """How sure the family is that a list page (or API answer) is its own, from 0 (not at all) to
        1, from the page's markup and address; the highest score reads the page."""
        return 0.0

    def saved_state(self, body: str, url: str) -> dict[str, Any]:
        """The paging state under which a saved page of this family is read alone (`nianbao eval`), as
        if it were the first page of its column."""
        return {"family": self.family, "first": True}

    def column_requests(self, bureau: Bureau, column_url: str) -> list[Request]:
        raise NotImplementedError

    def parse_list(self, response: Response) -> tuple[list[ListEntry], list[Request]]:
        raise NotImplementedError

    @staticmethod
    def state(response: Response) -> dict[str, Any]:
        return dict(response.meta.get(STATE_KEY) or {})

    @staticmethod
    def dedupe(entries: list[ListEntry]) -> list[ListEntry]:
        """Keep the first entry per canonical URL (the same item can sit in two units or groups)."""
        seen: set[str] = set()
        out = []
        for entry in entries:
            if entry.url not in seen:
                seen.add(entry.url)
                out.append(entry)
        return out


# -- shared by the families whose lists are plain HTML tables (gkml, legacy static portals) ---------------

# The page number of a script pager link: matches "3" in "javascript:goPage(3)".
_JS_NUMBER_RE = re.compile(r"\(\s*['\"]?(\d+)")
# A pager counter: matches "共 3 页 / 共 12 条", "共3页", "共12条记录 共3页" (the page count is group 1).
_PAGES_RE = re.compile(r"共\s*(\d+)\s*页")
# Pager link labels: matches "下一页", "尾页", "[2]", "3", "末页", "首页".
_PAGER_TEXT_RE = re.compile(
    r"^\[?\s*(?:\d+|首页|上一页|下一页|尾页|末页|最后一页|下页|上页)\s*\]?$"
)


def _date_column(table) -> int | None:
    """The cell index of a table's list date, from its header row: 发布日期 / 生成日期 over 发文日期 or
    成文日期 (a gkml table may print both; the list date is when it was published)."""
    for header in table.xpath("./tr[th] | ./thead/tr | ./tbody/tr[th]")[:1]:
        labels = [
            " ".join(c.xpath(".//text()").getall()).replace(" ", "")
            for c in header.xpath("./th|./td")
        ]
        dated = [i for i, label in enumerate(labels) if _DATE_LABEL_RE.search(label)]
        published = [i for i in dated if _PUBLISHED_RE.search(labels[i])]
        plain = [i for i in dated if not _WRITTEN_RE.search(labels[i])]
        return (published or plain or dated or [None])[0]
    return None


# A date column's header: matches "发布日期", "生成日期", "发文日期", "发布时间", "日期".
_DATE_LABEL_RE = re.compile(r"日期|时间")
# The list date's header: matches "发布日期", "公开日期", "生成日期", "更新时间".
_PUBLISHED_RE = re.compile(r"发布|公开|生成|更新")
# A document's own date, not the list's: matches "发文日期", "成文日期", "印发日期".
_WRITTEN_RE = re.compile(r"发文|成文|印发|签发")


def table_entries(response: Response, href_ok=None) -> list[ListEntry]:
    """Rows of the page's list table: of `table_groups`, the column's own (`crawler.families.blocks`)."""
    return choose_group(table_groups(response, href_ok), response.url)


def table_groups(response: Response, href_ok=None) -> list[list[tuple]]:
    """Rows of list tables as groups of `(row, entry)`: a row with one item link and a date cell is an
    item, each table's rows one group.

    Menu rows have links but no date; header rows have neither; a dated sidebar table beside the list
    is another group. `href_ok` may reject links that are not details (a family's own URL shape).
    """
    groups: dict[tuple, list] = {}
    columns: dict = {}
    for tr in response.xpath("//tr[td]"):
        if tr.xpath(".//tr"):
            continue  # a layout row wrapping whole tables, not a list row
        links = [
            a
            for a in tr.xpath(".//a[@href]")
            if not a.attrib["href"].strip().startswith(("javascript:", "#"))
            and (href_ok is None or href_ok(a.attrib["href"].strip()))
        ]
        if len(links) > 1:  # the item's link beside a [解读] or 下载 link: the long one is the item
            links = [a for a in links if len(a.xpath("normalize-space(.)").get("")) > 6] or links
        if len(links) != 1:
            continue
        table = tr.root.getparent()
        if table not in columns:
            columns[table] = _date_column(tr.xpath("..")[0])
        cells = tr.xpath("./td")
        date = None
        wanted = columns[table]
        if wanted is not None and wanted < len(cells):
            date = parse_date(" ".join(cells[wanted].xpath(".//text()").getall()))
        for cell in cells if date is None else ():
            if cell.xpath(".//a[@href]"):
                continue
            date = parse_date(" ".join(cell.xpath(".//text()").getall()))
            if date:
                break
        if date is None:
            continue
        a = links[0]
        title = " ".join((a.attrib.get("title") or a.xpath("normalize-space(.)").get("")).split())
        title = title.lstrip("·• ")
        entry = ListEntry(canonical_url(response.urljoin(a.attrib["href"].strip())), title, date)
        groups.setdefault(block_key(tr.root), []).append((tr.root, entry))
    return list(groups.values())


def pager_urls(response: Response) -> list[str]:
    """The list pages a pager links to (numbers, 首页/上一页/下一页/尾页, `javascript:goPage(3)` links
    through the page's own function, the options of a `<select>` pager), absolute, this page left out.

    Following them from every list page reaches all pages; the scheduler's duplicate filter keeps each
    page to one fetch. Only links in the same folder count, so a 首页 link to the site root is not a page.
    """
    here = response.url.rsplit("/", 1)[0] + "/"
    script = ""
    found = []
    for a in response.xpath("//a[@href]"):
        text = a.xpath("normalize-space(.)").get("")
        if not _PAGER_TEXT_RE.match(text):
            continue
        href = a.attrib["href"].strip()
        if href.lower().startswith("javascript"):
            script = script or " ".join(response.xpath("//script/text()").getall())
            url = script_page_url(href, script, response.url)
            if url is None or int(_JS_NUMBER_RE.search(href).group(1)) <= 1:
                continue  # page 1 is the column's first page, whatever the function does with it
            found.append(url)
        else:
            found.append(response.urljoin(href))
    for select in response.xpath("//select[count(option) > 1]"):
        found.extend(option_urls(select.xpath("./option/@value").getall(), response.url))
    out = [
        url
        for url in found
        if url.startswith(here)
        and "/" not in url[len(here) :].split("?")[0]
        and not is_first_page(url, response.url)
    ]
    return list(dict.fromkeys(out))


def page_count(response: Response) -> int | None:
    """The "共 N 页" counter of a list page, or None."""
    m = _PAGES_RE.search(" ".join(response.xpath("//body//text()").getall()))
    return int(m.group(1)) if m else None
