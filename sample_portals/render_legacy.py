"""Legacy static portals in GBK: table layout, `<font>`/`<br>` text, and a server that lies about the charset.

Every file is written in GB18030 and declares gb2312 in its `<meta>`, while the server answers list pages
with a bare `text/html` and detail pages with `text/html; charset=utf-8` (recorded in `_headers.json`, which
the sample server reads): a crawler that trusts the header stores mojibake. Pages are nested layout tables
with the body in a `<td>` between menu and footer cells, paragraphs split by `<br>`, as FrontPage-era
sites were built.
"""

from __future__ import annotations

import json
from pathlib import Path

from sample_portals import render_common as rc
from sample_portals.model import Block, Bureau, Item

COLUMN_DIR = "/zwgk/ndbg/"
ENCODING = "gb18030"
LIST_TYPE = "text/html"  # no charset at all
DETAIL_TYPE = "text/html; charset=utf-8"  # the wrong one


def column_url(bureau: Bureau) -> str:
    return rc.base_url(bureau) + COLUMN_DIR + "list.htm"


def list_name(page: int) -> str:
    return "list.htm" if page == 0 else f"list_{page + 1}.htm"


def item_path(bureau: Bureau, item: Item, same_day_index: int) -> str:
    """`/zwgk/ndbg/200903/20090315123.htm`: month folder and date-based number."""
    y, m, d = rc.date_parts(item.published)
    return f"{COLUMN_DIR}{y:04d}{m:02d}/{y:04d}{m:02d}{d:02d}{rc.stable_int(bureau.id, item.published, same_day_index, digits=3)}.htm"


def head(title: str) -> str:
    return f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{rc.esc(title)}</title>
<link href="/css/style.css" rel="stylesheet" type="text/css">
</head>"""


def top(bureau: Bureau) -> tuple[str, list[str]]:
    markup = f"""<table width="778" border="0" align="center" cellpadding="0" cellspacing="0">
<tr><td><img src="/images/banner.jpg" width="778" height="120" alt="{rc.esc(bureau.site_name)}"></td></tr>
</table>
<table width="778" border="0" align="center" cellpadding="0" cellspacing="0" class="nav">
<tr><td align="center"><a href="/index.htm">网站首页</a> | <a href="/jgzn/index.html">机构职能</a> | <a href="/zwgk/index.htm">政务公开</a> | <a href="/bsfw/index.html">办事服务</a> | <a href="/hdjl/index.html">互动交流</a></td></tr>
</table>"""
    return markup, ["网站首页", "机构职能", "办事服务", "互动交流"]


def left_menu(bureau: Bureau) -> str:
    return f"""<table width="100%" border="0" cellspacing="0" cellpadding="4" class="left">
<tr><td class="lt"><b>政务公开</b></td></tr>
<tr><td>·<a href="/zwgk/xxgkzn/index.html">信息公开指南</a></td></tr>
<tr><td>·<a href="/zwgk/xxgkzd/index.html">信息公开制度</a></td></tr>
<tr><td>·<a href="{COLUMN_DIR}list.htm">{rc.esc(bureau.column_name)}</a></td></tr>
</table>"""


def bottom(bureau: Bureau) -> tuple[str, list[str]]:
    markup = f"""<table width="778" border="0" align="center" cellpadding="6" cellspacing="0" class="foot">
<tr><td align="center"><font color="#666666">版权所有：{rc.esc(bureau.organizer)}<br>
地址：{rc.esc(bureau.address)} 电话：{rc.esc(bureau.phone)}<br>
{rc.esc(bureau.icp)} 网站标识码：{bureau.site_id_code}<br>
建议使用IE6.0以上浏览器 1024*768分辨率浏览</font></td></tr>
</table>"""
    chrome = ["版权所有", f"地址：{bureau.address}", bureau.phone, bureau.icp, "网站标识码",
              "建议使用IE6.0以上浏览器"]  # fmt: skip
    return markup, chrome


def body_font(blocks: list[Block]) -> str:
    """Paragraphs as `<br>`-separated runs inside `<font>`, headings bold, tables as they were pasted."""
    out = ['<font style="font-size:14px;line-height:180%">']
    for b in blocks:
        if b.kind == "table":
            out.append("</font>" + rc.table_html(b, False) + '<font style="font-size:14px">')
        elif b.kind == "h":
            out.append(f"<b>{rc.esc(b.text)}</b><br>")
        else:
            out.append(f"　　{rc.esc(b.text)}<br>")
    out.append("</font>")
    return "\n".join(out)


def page(bureau: Bureau, title: str, inner: str, chrome: list[str]) -> str:
    t, tc = top(bureau)
    b, bc = bottom(bureau)
    chrome.extend(tc + bc)
    return f"""{head(title)}
<body leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
{t}
<table width="778" border="0" align="center" cellpadding="0" cellspacing="0">
<tr>
<td width="180" valign="top" bgcolor="#F2F7FC">{left_menu(bureau)}</td>
<td width="10"></td>
<td width="588" valign="top">
{inner}
</td>
</tr>
</table>
{b}
</body>
</html>
"""


def list_page(bureau: Bureau, rows: list[tuple[Item, str]], n: int, pages: int, total: int) -> str:
    trs = "\n".join(
        f'<tr><td width="85%" height="24">·<a href="{path}" target="_blank" title="{rc.esc(it.title)}">'
        f'{rc.esc(rc.truncate(it.title, 28))}</a></td><td width="15%"><font color="#999999">[{rc.day(it.published)}]</font></td></tr>'
        for it, path in rows
    )
    links = " ".join(
        f"[{k + 1}]" if k == n else f'<a href="{list_name(k)}">[{k + 1}]</a>' for k in range(pages)
    )
    nxt = f' <a href="{list_name(n + 1)}">下一页</a>' if n + 1 < pages else ""
    prv = f'<a href="{list_name(n - 1)}">上一页</a> ' if n else ""
    inner = f"""<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="dqwz">当前位置：<a href="/index.htm">首页</a> &gt;&gt; <a href="/zwgk/index.htm">政务公开</a> &gt;&gt; {rc.esc(bureau.column_name)}</td></tr>
</table>
<table width="100%" border="0" cellspacing="0" cellpadding="0" class="list">
{trs}
</table>
<table width="100%"><tr><td align="center">共{total}条记录 共{pages}页 {prv}{links}{nxt}</td></tr></table>"""
    return page(bureau, f"{bureau.column_name}--{bureau.site_name}", inner, [])


def detail_page(bureau: Bureau, pg: rc.Page) -> str:
    item = pg.item
    chrome = ["当前位置", f"发布时间：{rc.day(item.published)}", "点击数", "打印本页", "关闭窗口"]
    inner = f"""<table width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><td class="dqwz">当前位置：<a href="/index.htm">首页</a> &gt;&gt; <a href="/zwgk/index.htm">政务公开</a> &gt;&gt; <a href="{COLUMN_DIR}list.htm">{rc.esc(bureau.column_name)}</a></td></tr>
</table>
<table width="100%" border="0" cellspacing="0" cellpadding="8">
<tr><td align="center"><font size="4" color="#CC0000"><b>{rc.esc(item.title)}</b></font></td></tr>
<tr><td align="center"><font color="#666666">发布时间：{rc.day(item.published)}　来源：{rc.esc(item.source)}　点击数：<script src="/count.asp?id=1"></script></font></td></tr>
<tr><td><hr size="1" color="#CCCCCC"></td></tr>
<tr><td class="content">
{body_font(item.blocks)}
</td></tr>
<tr><td align="right">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</td></tr>
</table>"""
    html = page(bureau, item.title, inner, chrome)
    pg.chrome = chrome
    return html


def homepage(bureau: Bureau) -> str:
    inner = f"""<table width="100%"><tr><td><b>通知公告</b></td></tr>
<tr><td>·<a href="/zwgk/index.htm">政务公开</a></td></tr>
<tr><td>·<a href="{COLUMN_DIR}list.htm">{rc.esc(bureau.column_name)}</a></td></tr></table>"""
    return page(bureau, bureau.site_name, inner, [])


def write(root: Path, path: str, text: str) -> None:
    dest = root / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(text.replace("\n", "\r\n").encode(ENCODING))


def render(
    bureau: Bureau, items: list[Item], root: Path, mobile_from: dict[str, str]
) -> list[rc.Page]:
    entries = [(it, item_path(bureau, it, n)) for it, n in rc.order_items(items)]
    headers: dict[str, str] = {}
    write(root, "/index.htm", homepage(bureau))
    headers["/index.htm"] = LIST_TYPE
    per = bureau.per_page
    pages = max(1, -(-len(entries) // per))
    for n in range(pages):
        path = COLUMN_DIR + list_name(n)
        write(
            root, path, list_page(bureau, entries[n * per : (n + 1) * per], n, pages, len(entries))
        )
        headers[path] = LIST_TYPE
    out = []
    for item, path in entries:
        pg = rc.Page(item, path, encoding=ENCODING, site_metas=False)
        write(root, path, detail_page(bureau, pg))
        headers[path] = DETAIL_TYPE
        out.append(pg)
    rc.write_text(root, "/_headers.json", json.dumps(headers, indent=1, sort_keys=True) + "\n")
    return out
