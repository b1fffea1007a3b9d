"""Hostile case module: column lists no family recognises.

- `lists-group` (registered as legacy, as a wrong guess would be): a TRS site-group template, items in
  `ul.list > li` with a date, a sidebar of three dated news links beside them, and paging announced only
  by `var pageCount = 3; var pageSize = 4; var recordCount = 12;` over `index.html`, `index_1.html`,
  `index_2.html`; every item is a report page;
- `lists-empty` (legacy): a column page of menus and prose, no dated link at all, which must come back
  as a crawl error, never as a silently empty column.
"""

from __future__ import annotations

import re

__all__ = ["BUREAUS", "GROUP_PAGES", "GROUP_PER_PAGE", "handle"]

PREFIX = "/lists/"
GROUP_PAGES = 3
GROUP_PER_PAGE = 4


def _row(bid: str, name: str, column: str, code: str) -> dict:
    return {
        "id": bid,
        "name": name,
        "level": "county",
        "province": "无界省",
        "region_code": code,
        "family": "legacy",
        "columns": [column],
    }


BUREAUS = [
    _row("lists-group", "群站县交通运输局", "/lists/group/index.html", "990131"),
    _row("lists-empty", "空栏县交通运输局", "/lists/empty/index.html", "990132"),
]

# A group list page: matches "/lists/group/index.html" (page 0) and "/lists/group/index_2.html".
_GROUP_PAGE_RE = re.compile(r"^/lists/group/index(?:_(\d+))?\.html$")
# A group report: matches "/lists/group/202403/t20240317_9.html" (month, day, item number).
_GROUP_ITEM_RE = re.compile(r"^/lists/group/2024(\d\d)/t2024\d\d(\d\d)_(\d+)\.html$")
# A sidebar news page: matches "/lists/group/xwdt/t20240201_1.html".
_SIDE_RE = re.compile(r"^/lists/group/xwdt/")


def _title(n: int) -> str:
    return f"群站县交通运输局{2024 - n}年政府信息公开工作年度报告"


def _page(title: str, body: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><ul class='nav'><li><a href='/' title='首页'>首页</a></li>"
        f"<li><a href='/zwgk/' title='政务公开'>政务公开</a></li></ul>{body}"
        f"<div class='footer'>主办：群站县交通运输局</div></body></html>"
    ).encode()


def _group_list(page: int) -> bytes:
    rows = []
    for k in range(GROUP_PER_PAGE):
        n = page * GROUP_PER_PAGE + k
        month, day = 12 - n % 12, 28 - n
        href = f"./2024{month:02d}/t2024{month:02d}{day:02d}_{n}.html"
        rows.append(
            f"<li><a href='{href}' title='{_title(n)}'>{_title(n)[:12]}…</a>"
            f"<span>2024-{month:02d}-{day:02d}</span></li>"
        )
    side = "".join(
        f"<li><a href='./xwdt/t2024020{d}_{d}.html' title='新闻{d}'>新闻{d}</a><span>2024-02-0{d}</span></li>"
        for d in (1, 2, 3)
    )
    body = (
        f"<div class='side'><h3>最新动态</h3><ul>{side}</ul></div>"
        f"<div class='main'><ul class='list'>{''.join(rows)}</ul><div id='page_div'></div>"
        f"<script>var pageCount = {GROUP_PAGES}; var pageSize = {GROUP_PER_PAGE}; "
        f"var recordCount = {GROUP_PAGES * GROUP_PER_PAGE}; var currentPage = {page};</script></div>"
    )
    return _page("政府信息公开年报", body)


def _report(n: int) -> bytes:
    title = _title(n)
    text = "".join(
        f"<p>{t}</p>"
        for t in (
            f"根据《中华人民共和国政府信息公开条例》，编制{title}。",
            "一、总体情况。本机关坚持以公开为常态、不公开为例外。",
            "二、主动公开政府信息情况。全年主动公开规范性文件。",
        )
    )
    return _page(title, f"<h1>{title}</h1><div id='zoom'>{text}</div>")


def handle(req, path: str, query: dict) -> bool:
    if not path.startswith(PREFIX):
        return False
    if m := _GROUP_PAGE_RE.match(path):
        page = int(m.group(1) or 0)
        if page < GROUP_PAGES:
            req.send(200, _group_list(page))
            return True
    elif m := _GROUP_ITEM_RE.match(path):
        req.send(200, _report(int(m.group(3))))
        return True
    elif _SIDE_RE.match(path):
        req.send(200, _page("新闻", "<p>一条新闻，不是年报。</p>"))
        return True
    elif path == "/lists/empty/index.html":
        body = (
            "<div class='main'><h2>政府信息公开年报</h2><p>本栏目暂无内容，请访问"
            "<a href='/zwgk/'>政务公开</a>或<a href='/hdjl/'>互动交流</a>。</p></div>"
        )
        req.send(200, _page("政府信息公开年报", body))
        return True
    req.send(404, b"<html><body>404</body></html>")
    return True
