"""政府信息公开目录 (gkml) platforms: a table list with 索引号 / 名称 / 生成日期, static pages index_N.html.

The pager is plain HTML with a "共 N 页 / 共 M 条" counter, and each detail page opens with the xxgk meta
table (索引号, 发布机构, 生成日期, 文号 …) above the title, as the directory platforms print it.
"""

from __future__ import annotations

from pathlib import Path

from sample_portals import render_common as rc
from sample_portals.model import Bureau, Item

COLUMN_DIR = "/xxgk/gkml/ndbg/"


def column_url(bureau: Bureau) -> str:
    return rc.base_url(bureau) + COLUMN_DIR + "index.html"


def list_name(page: int) -> str:
    return "index.html" if page == 0 else f"index_{page}.html"


def item_path(bureau: Bureau, item: Item, same_day_index: int) -> str:
    """`/xxgk/gkml/ndbg/202301/c1234567.html`: month folder and a document number."""
    y, m, _ = rc.date_parts(item.published)
    docid = rc.stable_int(bureau.id, rc.day(item.published), same_day_index, digits=7)
    return f"{COLUMN_DIR}{y:04d}{m:02d}/c{docid}.html"


def index_no(bureau: Bureau, item: Item, n: int) -> str:
    """索引号 as gkml platforms build it: site code / year - sequence, e.g. 4210000020/2024-00012."""
    return item.index_no or f"{bureau.site_id_code}/{item.published[:4]}-{n:05d}"


def head(bureau: Bureau, title: str, metas: str = "") -> str:
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{rc.esc(title)}</title>
{metas}
</head>"""


def pager(page: int, pages: int, total: int) -> str:
    parts = [f"<span>共 {pages} 页 / 共 {total} 条</span>"]
    if page > 0:
        parts.append(f'<a href="{list_name(0)}">首页</a>')
        parts.append(f'<a href="{list_name(page - 1)}">上一页</a>')
    if page + 1 < pages:
        parts.append(f'<a href="{list_name(page + 1)}">下一页</a>')
        parts.append(f'<a href="{list_name(pages - 1)}">尾页</a>')
    return '<div class="gkml_page">' + " ".join(parts) + "</div>"


def list_page(
    bureau: Bureau, rows: list[tuple[Item, str, str]], page: int, pages: int, total: int
) -> str:
    header, _ = rc.header_html(bureau, "/zwgk/index.html")
    foot, _ = rc.footer_html(bureau)
    trs = "\n".join(
        f'<tr><td class="syh">{rc.esc(no)}</td><td class="mc"><a href="{path}" title="{rc.esc(it.title)}"'
        f' target="_blank">{rc.esc(rc.truncate(it.title))}</a></td><td class="rq">{rc.day(it.published)}</td></tr>'
        for it, path, no in rows
    )
    return f"""{head(bureau, f"{bureau.column_name}_{bureau.site_name}")}
<body>
{header}
<div class="gkml w1200">
<div class="gkml_left"><ul class="gkml_tree">
<li><a href="/zwgk/index.html">政府信息公开</a></li>
<li><a href="/zwgk/xxgkzn/index.html">政府信息公开指南</a></li>
<li><a href="/zwgk/xxgkzd/index.html">政府信息公开制度</a></li>
<li class="on"><a href="{COLUMN_DIR}index.html">{rc.esc(bureau.column_name)}</a></li>
</ul></div>
<div class="gkml_right">
<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政府信息公开</a> &gt; {rc.esc(bureau.column_name)}</div>
<table class="gkml_list" width="100%" cellspacing="0" cellpadding="0">
<tr class="gkml_head"><th>索引号</th><th>名称</th><th>生成日期</th></tr>
{trs}
</table>
{pager(page, pages, total)}
</div>
</div>
{foot}
</body>
</html>
"""


def detail_page(bureau: Bureau, page: rc.Page, prev, nxt) -> str:
    item = page.item
    chrome: list[str] = []

    def take(piece: tuple[str, list[str]]) -> str:
        chrome.extend(piece[1])
        return piece[0]

    url = page.url(bureau)
    metas = rc.meta_tags(bureau, item, bureau.column_name, url, "normal")
    header = take(rc.header_html(bureau, "/zwgk/index.html"))
    foot = take(rc.footer_html(bureau))
    crumb = take(
        (
            f'<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">'
            f'政府信息公开</a> &gt; <a href="{COLUMN_DIR}index.html">{rc.esc(bureau.column_name)}</a></div>',
            ["当前位置"],
        )
    )
    doc_no = item.doc_no
    meta_table = take(
        (
            f"""<table class="xxgk_table" width="100%" cellspacing="0" cellpadding="0">
<tr><td class="t1">索 引 号：</td><td>{rc.esc(page.index_no)}</td><td class="t1">主题分类：</td><td>政务公开</td></tr>
<tr><td class="t1">发布机构：</td><td>{rc.esc(item.source)}</td><td class="t1">生成日期：</td><td>{rc.day(item.published)}</td></tr>
<tr><td class="t1">名　　称：</td><td colspan="3">{rc.esc(item.title)}</td></tr>
<tr><td class="t1">文　　号：</td><td>{rc.esc(doc_no)}</td><td class="t1">主 题 词：</td><td></td></tr>
</table>""",
            ["索 引 号", "主题分类", "发布机构", "生成日期", "主 题 词", page.index_no],
        )
    )
    share = take(rc.share_print_html())
    sxp = take(rc.neighbours_html(prev, nxt))
    body = rc.body_html(item.blocks, word=False)
    page.chrome = chrome
    return f"""{head(bureau, f"{item.title}_{bureau.site_name}", metas)}
<body>
{header}
<div class="gkml_detail w1200">
{crumb}
{meta_table}
<div class="gkml_title"><h1>{rc.esc(item.title)}</h1></div>
<div class="gkml_content" id="zoom">
{body}
</div>
{share}
{sxp}
</div>
{foot}
</body>
</html>
"""


def render(
    bureau: Bureau, items: list[Item], root: Path, mobile_from: dict[str, str]
) -> list[rc.Page]:
    ordered = rc.order_items(items)
    numbers = {id(it): n for n, (it, _) in enumerate(reversed(ordered), start=1)}
    entries = [(it, item_path(bureau, it, k)) for it, k in ordered]
    rows = [(it, path, index_no(bureau, it, numbers[id(it)])) for it, path in entries]
    per = bureau.per_page
    pages = max(1, -(-len(rows) // per))
    for p in range(pages):
        html = list_page(bureau, rows[p * per : (p + 1) * per], p, pages, len(rows))
        rc.write_text(root, COLUMN_DIR + list_name(p), html)
    out = []
    for n, (item, path, no) in enumerate(rows):
        page = rc.Page(item, path, index_no=no)
        prev = (rows[n - 1][0].title, rows[n - 1][1]) if n else None
        nxt = (rows[n + 1][0].title, rows[n + 1][1]) if n + 1 < len(rows) else None
        rc.write_text(root, path, detail_page(bureau, page, prev, nxt))
        out.append(page)
    return out
