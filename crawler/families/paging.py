"""Paging a list page announces only in its scripts, for the static-file CMSs (TRS and its site-group
templates, the generic list reader).

A template may write no pager links at all: the pager is drawn in the browser from a script that knows
the page count, or the record count and the page size. The shapes differ by template, the meaning does
not, so they are read here once: a count of pages is a count of pages whether it is `var pageCount = 12`,
`countPage = 4//共多少页`, `{"totalPage": 4}` or the first number of a `createPageHTML(…)` call.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = [
    "ScriptPaging",
    "is_first_page",
    "option_urls",
    "page_param",
    "script_page_url",
    "script_paging",
    "static_page_names",
    "with_page",
]

# A pager call: matches `createPageHTML(20, 0, "index", "html")`, `createPage(4, 1, 'index', 'shtml')`,
# `createPageHTML('page_div', 12, 0, 'list', 'htm', 234)` (a target element first, the record count
# last); captures pages, current page, base name, extension.
_CALL_RE = re.compile(
    r"""createPage\w*\(\s*(?:["'][\w-]*["']\s*,\s*)?(\d+)\s*,\s*(\d+)"""
    r"""(?:\s*,\s*["']([\w.-]+)["']\s*,\s*["'](\w+)["'])?"""
)
# Name, then `=` or `:`, then a number, optionally quoted: matches `var pageCount = 12;`,
# `"totalCount": 58`, `countPage = 4//共多少页`, `pageSize:'15'`, `recordCount=234`.
_NUMBER = r"""["']?\s*[:=]\s*["']?(\d+)"""
# Matches `pageCount = 12`, `countPage = 4`, `totalPage: 4`, `"totalPages": 9`, `page_count=3`.
_PAGES_RE = re.compile(
    r"\b(?:pageCount|countPage|totalPages?|pageTotal|page_count|pagecount)" + _NUMBER
)
# Matches `recordCount = 234`, `"totalCount": 58`, `totalRecord: 40`, `recordTotal=7`, `total_count=9`.
_RECORDS_RE = re.compile(
    r"\b(?:recordCount|totalCount|totalRecords?|recordTotal|total_count|totalNum|recordcount)"
    + _NUMBER
)
# Matches `pageSize = 20`, `"pageSize": 15`, `page_size=10`, `perPage: 25`.
_SIZE_RE = re.compile(r"\b(?:pageSize|page_size|perPage|pagesize)" + _NUMBER)


@dataclass(frozen=True)
class ScriptPaging:
    """How many list pages the scripts announce, and the file naming when a pager call gives it."""

    pages: int
    base: str | None = None
    ext: str | None = None


def script_paging(script: str) -> ScriptPaging | None:
    """The paging a page's scripts announce, or None when they announce none (or one page only)."""
    m = _CALL_RE.search(script)
    if m:
        pages = int(m.group(1))
        return ScriptPaging(pages, m.group(3), m.group(4)) if pages > 1 else None
    m = _PAGES_RE.search(script)
    if m:
        pages = int(m.group(1))
        return ScriptPaging(pages) if pages > 1 else None
    records, size = _RECORDS_RE.search(script), _SIZE_RE.search(script)
    if records and size and int(size.group(1)) > 0:
        pages = math.ceil(int(records.group(1)) / int(size.group(1)))
        return ScriptPaging(pages) if pages > 1 else None
    return None


# The column's own file name: matches "index.html", "index_3.shtml", "list.htm" (base, extension).
_FILE_RE = re.compile(r"/([A-Za-z][\w-]*?)(?:_\d+)?\.(s?html?)$")


def static_page_names(url: str, paging: ScriptPaging):
    """The addresses of a static-file column's pages, page 0 first, lazily: `index.html`, `index_1.html`
    … `index_{N-1}.html`, the naming every TRS-built template uses. `url` is the page the script sits
    on; the call's names win over the page's own name, `index.html` is the default for a folder URL."""
    folder, _, name = url.split("?")[0].split("#")[0].rpartition("/")
    m = _FILE_RE.search("/" + name)
    base = paging.base or (m.group(1) if m else "index")
    ext = paging.ext or (m.group(2) if m else "html")
    for page in range(paging.pages):
        yield f"{folder}/{base}.{ext}" if page == 0 else f"{folder}/{base}_{page}.{ext}"


# -- pagers drawn as links a script follows, or as a <select> -------------------------------------------

# The query parameter of a numbered pager: matches "page=3", "pageNo=2", "pageIndex=4", "curPage=2",
# "currentPage=5", "pageNum=3", "p=2" in "list.jsp?cid=1203&page=3".
_PAGE_PARAM_RE = re.compile(
    r"^(?:page|pageno|page_no|pageindex|pagenum|curpage|currentpage|cpage|p|pn)$", re.I
)
# A pager link that calls a script: matches "javascript:goPage(3)", "javascript:turnPage( 2 );",
# "javascript:void(0)" is no page (no number); captures the function name and the page number.
_JS_PAGE_RE = re.compile(r"^\s*javascript\s*:\s*([A-Za-z_$][\w$]*)\s*\(\s*['\"]?(\d+)['\"]?\s*\)")
# The address a page function builds: matches `"index_" + n + ".html"`, `'list_' + (page - 1) + '.shtml'`,
# `"?page=" + p + ""`; captures the prefix, the argument, an offset and the suffix.
_TEMPLATE_RE = re.compile(
    r"""["']([\w./?=&-]*)["']\s*\+\s*\(?\s*([A-Za-z_$][\w$]*)\s*(?:([-+])\s*(\d+))?\s*\)?\s*\+\s*["']([\w./-]*)["']"""
)
# The address of a <select> pager's option: matches "index_1.htm", "list.jsp?cid=3&page=2", "./list_3.shtml".
_OPTION_RE = re.compile(
    r"(?:\.s?html?|\.jsp|\.php|\.aspx?)(?:\?.*)?$|[?&](?:page|pageNo|pageIndex)=\d+", re.I
)


def page_param(url: str) -> str | None:
    """The name of the numbered pager's query parameter in `url` (`page` in `?cid=3&page=2`), or None."""
    for key, _ in parse_qsl(urlsplit(url).query):
        if _PAGE_PARAM_RE.match(key):
            return key
    return None


def with_page(url: str, key: str, n: int) -> str:
    """`url` with its pager parameter `key` set to page `n`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != key] + [(key, str(n))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def is_first_page(url: str, page_url: str) -> bool:
    """Whether `url` is the page at `page_url` itself, or its page 1 by a pager parameter."""
    if url.split("#")[0] == page_url.split("#")[0]:
        return True
    key = page_param(url)
    if key is None or dict(parse_qsl(urlsplit(url).query)).get(key) not in ("0", "1"):
        return False
    parts = urlsplit(url)
    stripped = urlunsplit(
        parts._replace(query=urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != key]))
    )
    return stripped.rstrip("?") == page_url.split("#")[0].rstrip("?")


def script_page_url(href: str, script: str, page_url: str) -> str | None:
    """The page a `javascript:goPage(3)` pager link goes to, built as the page's own `goPage` function
    builds it (`location.href = "index_" + n + ".html"`), or None when the script does not say."""
    m = _JS_PAGE_RE.match(href)
    if not m:
        return None
    name, n = m.group(1), int(m.group(2))
    at = re.search(rf"function\s+{re.escape(name)}\s*\(\s*([A-Za-z_$][\w$]*)", script)
    if at is None:
        return None
    for t in _TEMPLATE_RE.finditer(script[at.end() : at.end() + 600]):
        if t.group(2) != at.group(1):
            continue
        offset = int(t.group(4) or 0) * (-1 if t.group(3) == "-" else 1)
        return urljoin(page_url, f"{t.group(1)}{n + offset}{t.group(5)}")
    return None


def option_urls(options: list[str], page_url: str) -> list[str]:
    """The pages a `<select>` pager offers (`<option value="index_1.htm">第2页</option>`), absolute."""
    return [urljoin(page_url, v.strip()) for v in options if v and _OPTION_RE.search(v.strip())]
