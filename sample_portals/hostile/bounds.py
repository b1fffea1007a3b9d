"""Hostile case module: paging that never ends, and a column slow enough to need a hard stop.

Each bureau answers any page number it is asked for, so only the crawler's page caps end its crawl:

- `bounds-counter` (gkml): a `共 999999 页` counter over `index_N.html` pages;
- `bounds-query` (gkml): the same counter over `list.jsp?columnId=7&page=N`;
- `bounds-trs` (TRS): `createPageHTML(99999, 0, "index", "html")`;
- `bounds-chain` (legacy): an endless 下一页 chain, every page linking one more;
- `bounds-hanweb` (Hanweb): a jpage unit claiming 999,999,999 records, one per page;
- `bounds-jpaas` (JPaaS): a `data.json` feed whose total is 99,999,999 items;
- `bounds-sprawl` (legacy): a chain whose every page lists five new reports, capped per bureau by its
  registry row (`max_pages_per_bureau: 12`);
- `bounds-slow` (legacy): two slow list pages whose reports trickle one byte every half second for 15 s,
  so a graceful shutdown would wait that long for them; the SIGTERM test crawls it.

The list pages of the paging bureaus all list the same real report, as a portal repeating its one page
does, so a capped crawl fetches one detail page per bureau and its request count is its list pages.
"""

from __future__ import annotations

import json
import re
import time

__all__ = ["BUREAUS", "REPORT_TITLE", "handle"]

PREFIX = "/bounds/"
# What the hostile pages claim: far above any cap, and every page number answers.
CLAIMED_PAGES = 999_999
TRS_PAGES = 99_999
HANWEB_RECORDS = 999_999_999
JPAAS_TOTAL = 99_999_999
SPRAWL_PER_PAGE = 5
# How long a slow list page waits before answering, and the gap between trickled report bytes.
SLOW_LIST_SECONDS = 0.3
TRICKLE_GAP = 0.5
# A trickled report is complete after this long: longer than a SIGTERM may take to end a crawl (10 s),
# short enough that a crawl of the whole hostile portal is not held up for long.
TRICKLE_SECONDS = 15.0
SLOW_PAGES = 2

REPORT_TITLE = "无界市交通运输局2024年政府信息公开工作年度报告"


def _row(bid: str, name: str, family: str, column: str, code: str, **overrides) -> dict:
    row = {
        "id": bid,
        "name": name,
        "level": "city",
        "province": "无界省",
        "region_code": code,
        "family": family,
        "columns": [column],
    }
    if overrides:
        row["overrides"] = overrides
    return row


BUREAUS = [
    _row("bounds-counter", "无界市交通运输局", "gkml", "/bounds/counter/index.html", "990101"),
    _row("bounds-query", "无尽县交通运输局", "gkml", "/bounds/query/list.jsp?columnId=7", "990102"),
    _row("bounds-trs", "万页市交通运输局", "trs", "/bounds/trs/index.html", "990103"),
    _row("bounds-chain", "长链县交通局", "legacy", "/bounds/chain/list.htm", "990104"),
    _row(
        "bounds-hanweb",
        "大数市交通运输局",
        "hanweb",
        "/bounds/hanweb/col/col88/index.html",
        "990105",
    ),
    _row(
        "bounds-jpaas", "亿条市交通运输局", "jpaas", "/bounds/jpaas/col/col99/index.html", "990106"
    ),
    _row(
        "bounds-sprawl",
        "蔓延县交通运输局",
        "legacy",
        "/bounds/sprawl/list.htm",
        "990107",
        max_pages_per_bureau=12,
    ),
    _row("bounds-slow", "迟缓县交通运输局", "legacy", "/bounds/slow/list.htm", "990108"),
]

# A static list page number: matches "index_17.html", "list_3.htm" (the number is group 1).
_PAGE_NO_RE = re.compile(r"_(\d+)\.html?$")
# A sprawl or slow report: matches "/bounds/sprawl/art/3_4.html" (page 3, item 4) and
# "/bounds/slow/art/1_0.html".
_ART_RE = re.compile(r"^/bounds/(sprawl|slow)/art/(\d+)_(\d+)\.html$")


# A paging bureau's one report: matches "/bounds/counter/report/2024.html", "/bounds/trs/report/2024.html".
_REPORT_RE = re.compile(r"^/bounds/\w+/report/2024\.html$")


def _page_no(path: str) -> int:
    m = _PAGE_NO_RE.search(path)
    return int(m.group(1)) if m else 0


def _report_page(title: str) -> bytes:
    paragraphs = "".join(
        f"<p>{text}</p>"
        for text in (
            f"根据《中华人民共和国政府信息公开条例》，编制{title}。",
            "本报告所列数据的统计期限自2024年1月1日起至2024年12月31日止。",
            "一、总体情况。本机关坚持以公开为常态、不公开为例外，主动公开政府信息。",
            "二、主动公开政府信息情况。全年主动公开规章、规范性文件及行政许可信息。",
            "三、收到和处理政府信息公开申请情况。全年收到申请，均在法定期限内答复。",
        )
    )
    html = (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<h1>{title}</h1><div id='zoom'>{paragraphs}</div></body></html>"
    )
    return html.encode("utf-8")


def _html(body: str, title: str = "政府信息公开年报") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    ).encode()


def _table(rows: list[tuple[str, str, str]]) -> str:
    """List rows (href, title, date) in the table layout of gkml and legacy portals."""
    cells = "".join(
        f"<tr><td>·<a href='{href}' title='{title}'>{title}</a></td><td>[{date}]</td></tr>"
        for href, title, date in rows
    )
    return f"<table class='list'>{cells}</table>"


def _one_report(kind: str) -> list[tuple[str, str, str]]:
    """The one report a paging bureau lists on every page (each bureau its own address)."""
    return [(f"/bounds/{kind}/report/2024.html", REPORT_TITLE, "2025-01-20")]


def _counter_page(path: str) -> bytes:
    n = _page_no(path)
    nxt = f"index_{n + 1}.html"
    pager = (
        f"<div class='page'><span>共 {CLAIMED_PAGES} 页 / 共 {CLAIMED_PAGES * 10} 条</span> "
        f"<a href='{nxt}'>下一页</a> <a href='index_{CLAIMED_PAGES - 1}.html'>尾页</a></div>"
    )
    return _html(_table(_one_report("counter")) + pager)


def _query_page(query: dict) -> bytes:
    n = int((query.get("page") or ["1"])[0] or 1)
    pager = (
        f"<div class='page'><span>共 {CLAIMED_PAGES} 页</span> "
        f"<a href='list.jsp?columnId=7&amp;page={n + 1}'>下一页</a> "
        f"<a href='list.jsp?columnId=7&amp;page={CLAIMED_PAGES}'>尾页</a></div>"
    )
    return _html(_table(_one_report("query")) + pager)


def _trs_page(path: str) -> bytes:
    n = _page_no(path)
    ((href, title, date),) = _one_report("trs")
    items = f"<ul><li><a href='{href}' title='{title}'>{title}</a><span>{date}</span></li></ul>"
    pager = f'<script>createPageHTML({TRS_PAGES}, {n}, "index", "html");</script>'
    return _html(items + pager)


def _chain_page(path: str, prefix: str, rows: list[tuple[str, str, str]], last=False) -> bytes:
    n = max(_page_no(path), 1)
    nxt = "" if last else f" <a href='{prefix}list_{n + 1}.htm'>下一页</a>"
    pager = f"<table><tr><td>第 {n} 页{nxt}</td></tr></table>"
    return _html(_table(rows) + pager)


def _sprawl_rows(kind: str, n: int, count: int) -> list[tuple[str, str, str]]:
    return [
        (f"/bounds/{kind}/art/{n}_{i}.html", f"蔓延县交通运输局第{n}-{i}号公开信息", "2025-01-20")
        for i in range(count)
    ]


def _hanweb_page() -> bytes:
    ((href, title, date),) = _one_report("hanweb")
    record = f"<li><a href='{href}' title='{title}'>{title}</a><span>{date}</span></li>"
    unit = (
        "<div id='8801'><script type='text/xml'><datastore><recordset>"
        f"<record><![CDATA[{record}]]></record></recordset></datastore></script></div>"
        "<script>$('#8801').jpage({containerid:'8801', "
        f"totalRecord:{HANWEB_RECORDS}, perPage:1, "
        "proxyUrl:'/bounds/hanweb/module/web/jpage/dataproxy.jsp', "
        "ajaxParam:{col:1, webid:'88', columnid:'88', unitid:'8801'}});</script>"
    )
    return _html(unit)


def _hanweb_proxy() -> bytes:
    ((href, title, date),) = _one_report("hanweb")
    record = f"<li><a href='{href}' title='{title}'>{title}</a><span>{date}</span></li>"
    return (
        "<?xml version='1.0' encoding='UTF-8'?><datastore><recordset>"
        f"<record><![CDATA[{record}]]></record></recordset></datastore>"
    ).encode()


def _jpaas_shell() -> bytes:
    script = (
        "<div id='unit99'></div><script>var queryData = {webId:'99', columnId:'99', pageSize:1};"
        "loadList('/bounds/jpaas/col/col99/data.json', queryData);</script>"
    )
    return _html(script)


def _jpaas_feed() -> bytes:
    ((href, title, date),) = _one_report("jpaas")
    answer = {"total": JPAAS_TOTAL, "list": [{"title": title, "url": href, "date": date}]}
    return json.dumps(answer, ensure_ascii=False).encode()


def _trickle(req, title: str) -> None:
    """A report that takes TRICKLE_SECONDS: its bytes come one every TRICKLE_GAP, the rest at the end."""
    head, tail = b"<html><head><title>", _report_page(title)[len(b"<html><head><title>") :]
    gaps = int(TRICKLE_SECONDS / TRICKLE_GAP)
    req.send_response(200)
    req.send_header("Content-Type", "text/html; charset=utf-8")
    req.send_header("Content-Length", str(len(head) + gaps + len(tail)))
    req.end_headers()
    try:
        req.wfile.write(head)
        req.wfile.flush()
        for _ in range(gaps):
            time.sleep(TRICKLE_GAP)
            req.wfile.write(b" ")
            req.wfile.flush()
        req.wfile.write(tail)
    except OSError:
        req.close_connection = True  # the crawler hung up, as it should once it stops


def handle(req, path: str, query: dict) -> bool:
    if not path.startswith(PREFIX):
        return False
    if req.command == "POST":
        # read the form (Hanweb's proxy) off the kept-alive connection before answering
        req.rfile.read(int(req.headers.get("Content-Length") or 0))
    json_type = "application/json; charset=utf-8"
    if _REPORT_RE.match(path):
        req.send(200, _report_page(REPORT_TITLE))
    elif path.startswith("/bounds/counter/"):
        req.send(200, _counter_page(path))
    elif path == "/bounds/query/list.jsp":
        req.send(200, _query_page(query))
    elif path.startswith("/bounds/trs/"):
        req.send(200, _trs_page(path))
    elif path.startswith("/bounds/chain/"):
        req.send(200, _chain_page(path, "", _one_report("chain")))
    elif path == "/bounds/hanweb/col/col88/index.html":
        req.send(200, _hanweb_page())
    elif path == "/bounds/hanweb/module/web/jpage/dataproxy.jsp":
        req.send(200, _hanweb_proxy(), "text/xml; charset=utf-8")
    elif path == "/bounds/jpaas/col/col99/index.html":
        req.send(200, _jpaas_shell())
    elif path == "/bounds/jpaas/col/col99/data.json":
        req.send(200, _jpaas_feed(), json_type)
    elif m := _ART_RE.match(path):
        title = f"{'迟缓' if m.group(1) == 'slow' else '蔓延'}县交通运输局第{m.group(2)}-{m.group(3)}号公开信息"
        if m.group(1) == "slow":
            _trickle(req, title)
        else:
            req.send(200, _report_page(title))
    elif path.startswith("/bounds/sprawl/"):
        n = max(_page_no(path), 1)
        req.send(200, _chain_page(path, "", _sprawl_rows("sprawl", n, SPRAWL_PER_PAGE)))
    elif path.startswith("/bounds/slow/"):
        time.sleep(SLOW_LIST_SECONDS)
        n = max(_page_no(path), 1)
        req.send(200, _chain_page(path, "", _sprawl_rows("slow", n, 2), last=n >= SLOW_PAGES))
    else:
        req.send(404, _html("404 页面不存在", "404"))
    return True
