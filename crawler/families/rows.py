"""Rows of a list page, whatever its CMS: blocks (`li`, `tr`, `div`, `dt`) each holding one link to a
detail page of the same site and a date — beside the link, inside it, on its own line under a summary or
in the element right after it — grouped by where they sit, and the column's own group chosen among them
(`crawler.families.blocks`). The generic reader, TRS site-group templates, Hanweb units rendered as HTML
and the table-minded families read their rows here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from archive.urls import canonical_url
from crawler.dates import date_in_url, month_day, parse_date
from crawler.families.base import _PAGER_TEXT_RE, ListEntry, table_groups
from crawler.families.blocks import MIN_REPEATS, block_key, choose_group, site_key

if TYPE_CHECKING:
    from scrapy.http import Response

__all__ = [
    "MIN_REPEATS",
    "block_date",
    "block_groups",
    "clean_title",
    "list_blocks",
    "page_rows",
    "same_site",
    "texts_outside",
]

# How far above its link a block may sit: li > a, tr > td > a, div > h3 > a, div > div > p > a.
_MAX_UP = 4
# A year and month in a detail address: matches "/2024/1/20/", "/202401/", "/2024-01/20/", "/2024/0120/"
# (year, then the month as two digits, or after a separator alone or before a two-digit day).
_YEAR_MONTH_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})"
    r"(?:(0[1-9]|1[0-2])|[/_-](0?[1-9]|1[0-2])(?!\d)|[/_-](0[1-9]|1[0-2])(?=[0-3]\d(?!\d)))"
)
# The page a script link opens: matches "window.open('/art/2024/1/20/art_1_2.html')",
# "openWin(\"./202401/t20240120_5.html\", 800)", "location.href='../xxgk/2024/88.shtml'".
_SCRIPT_TARGET_RE = re.compile(
    r"""["']((?:https?://|\.{0,2}/)[^"'\s]+\.(?:s?html?|jsp|pdf|docx?|wps))["']"""
)
# A companion link's text is short: "[解读]", "图解", "PDF", "下载附件".
_MINOR_LINK_MAX = 6
# A list page's own file name: matches "/xxgk/ndbg/index.html" ("index"), "/gk/list.shtml" ("list").
_BASE_RE = re.compile(r"/([A-Za-z][A-Za-z-]*)\.s?html?$")
# A year's report, as an undated list titles it: matches "2023年政府信息公开工作年度报告",
# "2019年度信息公开年报", "二〇二〇年政府信息公开年度报告".
_YEAR_REPORT_RE = re.compile(
    r"(?:(?:19|20)\d{2}|[二][〇○零][一二三四五六七八九〇○零]{2})\s*年.*(?:年度报告|年报|公开报告)"
)
# A line that is a date and nothing else (brackets, a 发布日期 label): matches "[2024-01-20]",
# "发布日期：2024-01-18", "(2024-1-20)", "2024年01月20日", "更新时间: 2024/1/20 10:30"; not
# "统计期限自2023年1月1日起".
_DATE_ONLY_RE = re.compile(r"^[\s\d\-/.:：年月日\[\]()（）【】〔〕发布成文生更新时间日期]+$")
# A date line is short: "[2024-01-20]", "发布日期：2024-01-18", "2024年01月20日".
_DATE_LINE_MAX = 40
# List decoration in titles: matches "[置顶]", "【置顶】", "(置顶)", "置顶 " at the start, "[new]", " NEW" at the end.
_MARK_RE = re.compile(
    r"^\s*(?:[\[【(（]\s*(?:置顶|顶|new|NEW|新)\s*[\]】)）]|置顶\s)|(?<![A-Za-z])\s*(?:[\[【(（]\s*)?(?:new|NEW)(?:\s*[\]】)）])?\s*$"
)
# A numbered list page read into base, number and extension: matches "/xxgk/list_2.html" ("list", "2", "html").
_NUMBER_RE = re.compile(r"/([A-Za-z][A-Za-z-]*)_(\d+)\.(s?html?)$")


def same_site(host: str | None, page_host: str | None) -> bool:
    return bool(host and page_host) and site_key(host) == site_key(page_host)


def _link_url(a, page_url: str, page_host: str | None) -> str | None:
    """The detail address an `<a>` points at, or None for script, anchors, pagers and other sites."""
    href = (a.get("href") or "").strip()
    if not href or href.startswith("#") or href.lower().startswith("javascript"):
        # a script link may still name its page: onclick="window.open('/art/2024/1/20/art_1_2.html')"
        m = _SCRIPT_TARGET_RE.search(a.get("onclick") or "") or _SCRIPT_TARGET_RE.search(href)
        href = m.group(1) if m else ""
    if not href or href.startswith("mailto:"):
        return None
    if _PAGER_TEXT_RE.match(" ".join(a.text_content().split())):
        return None
    url = urljoin(page_url, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not same_site(parts.hostname, page_host):
        return None
    numbered = _is_page_of(parts.path, page_url)
    if parts.path.endswith("/") or numbered or url == page_url:
        return None  # a folder is a column, `index_2.html` beside the page a page of this list
    return url


def _is_page_of(path: str, page_url: str) -> bool:
    """Whether `path` is a numbered page of the list at `page_url`: `index_2.html` beside `index.html`
    (or a folder's page), `list_3.shtml` beside `list.shtml` — not `content_880.html`, a detail page
    that sits in the column's folder."""
    m = _NUMBER_RE.search(path)
    if not m:
        return False
    page_path = urlsplit(page_url).path
    if path.rsplit("/", 1)[0] != page_path.rsplit("/", 1)[0]:
        return False
    own = _NUMBER_RE.search(page_path) or _BASE_RE.search(page_path)
    return m.group(1) == (own.group(1) if own else "index")


def _year_for(url: str, month: int, day: int) -> str | None:
    """The date of a `[01-20]` cell from its detail address: a compact `t20240120_1.html`, or a year
    with the same month in the path (`/art/2024/1/20/`, `/202401/`, `/2024-01/20/`)."""
    in_url = date_in_url(url)
    if in_url and (int(in_url[5:7]), int(in_url[8:10])) == (month, day):
        return in_url
    for m in _YEAR_MONTH_RE.finditer(urlsplit(url).path):
        if int(m.group(2) or m.group(3) or m.group(4)) == month:
            return f"{m.group(1)}-{month:02d}-{day:02d}"
    return None


def texts_outside(node, skip) -> list[str]:
    """The text pieces of `node` outside the element `skip` (the item's link) and its scripts.

    Walked with a stack of its own: a nested function that calls itself is a reference cycle (the function
    holds the cell that holds it), and its `skip` kept the list page's whole lxml tree alive until the
    collector's next full pass, once per row read (hundreds of pages' trees at once at 3,300 hosts)."""
    out: list[str] = []
    stack: list = [node]  # elements still to read, and the tails to emit after them
    while stack:
        el = stack.pop()
        if isinstance(el, str):
            out.append(el)
            continue
        if el is skip or not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        if el.text:
            out.append(el.text)
        for child in reversed(el):
            if child.tail:
                stack.append(child.tail)
            stack.append(child)
    return [t for t in (" ".join(p.split()) for p in out) if t]


def block_date(pieces: list[str], url: str) -> tuple[bool, str | None]:
    """(the block prints a date, the date as YYYY-MM-DD). A date on a short line of its own (`[2024-01-20]`,
    `发布日期：2024-01-18`) wins over one inside a summary (`统计期限自2023年1月1日起`); `[01-20]` takes
    its year from the address."""
    pure = [p for p in pieces if _DATE_ONLY_RE.match(p)]
    ordered = [*pure, *(p for p in pieces if len(p) <= _DATE_LINE_MAX), " ".join(pieces)]
    for text in ordered:
        if date := parse_date(text):
            return True, date
    for text in ordered:
        if md := month_day(text):
            return True, _year_for(url, *md)
    return False, None


def _link_text(a) -> str:
    return clean_title(a.get("title") or a.text_content())


def _minor(a, node, urls) -> bool:
    """Whether `a` is a short companion link ([图解], 下载) of a longer item link in the same block."""
    mine = len(_link_text(a))
    return any(
        other is not a and urls.get(other) and len(_link_text(other)) > mine
        for other in node.iter("a")
    )


def _dated_child(a):
    """A short element inside the link that holds the item's date (`<a><span>title</span><span>2024-01-20
    </span></a>`), or None."""
    for el in a.iterdescendants():
        if not isinstance(el.tag, str):
            continue
        text = " ".join(el.text_content().split())
        whole = text == " ".join(a.text_content().split())  # a link that is only a date
        if (
            text
            and not whole
            and len(text) <= _DATE_LINE_MAX
            and (parse_date(text) or month_day(text))
        ):
            return el
    return None


def clean_title(text: str) -> str:
    """A list title without the list's decoration: bullets, 置顶 and "new" marks."""
    text = " ".join(text.split())
    text = _MARK_RE.sub("", text).strip()
    return text.lstrip("·•●◆■▪►» ").strip()


def _title_of(a, without=None) -> str:
    if title := clean_title(a.get("title") or ""):
        return title
    if without is None:
        return clean_title(a.text_content())
    return clean_title(" ".join(texts_outside(a, without)))


# The last page's groups: a family reader and the generic reader after it read the same tree.
_LAST: list = [None, None, None]  # root, (page_url, undated), groups


def block_groups(root, page_url: str, undated: bool = False) -> list[list[tuple]]:
    """Every group of dated-link blocks of a page: lists of `(block, ListEntry)`, in page order; with
    `undated`, the groups of links no date goes with instead (a column that prints no dates)."""
    if _LAST[0] is root and _LAST[1] == (page_url, undated):
        return _LAST[2]
    groups = _block_groups(root, page_url, undated)
    _LAST[:] = [root, (page_url, undated), groups]
    return groups


def _block_groups(root, page_url: str, undated: bool) -> list[list[tuple]]:
    page_host = urlsplit(page_url).hostname
    groups: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    used: set = set()  # the block elements themselves: a proxy's id() is reused once it is freed
    urls = {a: _link_url(a, page_url, page_host) for a in root.iter("a")}

    def alone(node, url) -> bool:  # no other item's link inside, beside a short one ([解读], PDF)
        return not any(
            (u := urls.get(other)) and u != url and len(_link_text(other)) > _MINOR_LINK_MAX
            for other in node.iter("a")
        )

    for a, url in urls.items():
        if url is None:
            continue
        inner = _dated_child(a)
        if inner is not None:  # the date printed inside the link
            _, date = block_date(texts_outside(inner, None), url)
            parent = a.getparent()
            node = parent if parent is not None and alone(parent, url) else a
            if node not in used:
                used.add(node)
                groups[block_key(node)].append(
                    (node, ListEntry(canonical_url(url), _title_of(a, inner), date))
                )
            continue
        node, found = a, None  # found: (block, date, the block prints a date)
        for _ in range(_MAX_UP):
            node = node.getparent()
            if node is None or node.tag in ("body", "html"):
                break
            if not alone(node, url):
                break  # above the block: this element holds other items too (stops at the first)
            dated, date = block_date(texts_outside(node, a), url)
            if dated:
                found = None if _minor(a, node, urls) else (node, date, True)
                break  # a [解读] link beside the item's own makes no entry: the item's link does
        parent = a.getparent()
        if found is None and not _minor(a, parent, urls) and alone(parent, url):
            found = _sibling_date(parent, url)  # <dt><a>…</a></dt><dd>2024-01-20</dd>
            if found is None and undated:
                found = (parent, None, False)
        if found is None or found[2] == undated or found[0] in used:
            continue
        used.add(found[0])
        groups[block_key(found[0])].append(
            (found[0], ListEntry(canonical_url(url), _title_of(a), found[1]))
        )
    return list(groups.values())


def _sibling_date(block, url: str) -> tuple | None:
    """(block, date) when the element right after the link's block is its date line and nothing else
    (`<dt><a>…</a></dt><dd>2024-01-20</dd>`), else None."""
    nxt = block.getnext()
    if nxt is None or not isinstance(nxt.tag, str) or nxt.xpath(".//a"):
        return None
    text = " ".join(nxt.text_content().split())
    if not text or len(text) > _DATE_LINE_MAX:
        return None
    dated, date = block_date([text], url)
    return (block, date, True) if dated else None


def list_blocks(root, page_url: str) -> list[ListEntry]:
    """The items of the page's own list of dated-link blocks (`crawler.families.blocks`), in order."""
    dated = choose_group(block_groups(root, page_url), page_url, MIN_REPEATS)
    if dated:
        return dated
    # A column that prints no dates: only a group whose every title names a year's report is a list
    # (menus name columns, never a year).
    reports = [
        group
        for group in block_groups(root, page_url, undated=True)
        if all(_YEAR_REPORT_RE.search(entry.title) for _, entry in group)
    ]
    return choose_group(reports, page_url, MIN_REPEATS)


def page_rows(response: Response) -> list[ListEntry]:
    """The column's rows for the table-minded families (gkml, legacy): their table rows, or none when the
    page keeps its list in other blocks (`ul > li` beside a dated sidebar table) — then the generic
    reader reads it, with its own paging. Tables win a tie."""
    tables = table_groups(response)
    try:
        root = response.selector.root
    except AttributeError:  # not text
        return []
    blocks = block_groups(root, response.url) if hasattr(root, "iter") else []
    best = choose_group([*tables, *blocks], response.url, MIN_REPEATS)
    return best if any(best == [e for _, e in group] for group in tables) else []
