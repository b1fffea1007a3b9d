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

__all__ = ["ScriptPaging", "script_paging", "static_page_names"]

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
