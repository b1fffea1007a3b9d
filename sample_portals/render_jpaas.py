"""Hanweb JPaaS portals: the column page is an empty shell; its items come from a JSON API.

The shell carries the unit's query (webId, columnId, pageSize) in a script and the browser POSTs it, with
pageNo, to the publish server; the answer is JSON with title, url and date per item. Articles live at
`/col/col<id>/art/YYYY/art_<32 hex>.html`, with the JPaaS metas (ColId, pagetype) beside the national ones.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sample_portals import render_common as rc
from sample_portals.model import Bureau, Item

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"


def ids(bureau: Bureau) -> dict[str, int]:
    return {
        "webid": rc.stable_int(bureau.id, "jpaas-web", digits=4),
        "colid": rc.stable_int(bureau.id, "jpaas-col", digits=7),
        "unitid": rc.stable_int(bureau.id, "jpaas-unit", digits=7),
        "tplsetid": rc.stable_int(bureau.id, "jpaas-tpl", digits=5),
    }


def column_path(bureau: Bureau) -> str:
    return f"/col/col{ids(bureau)['colid']}/index.html"


def column_url(bureau: Bureau) -> str:
    return rc.base_url(bureau) + column_path(bureau)


def item_path(bureau: Bureau, item: Item, same_day_index: int) -> str:
    y, _, _ = rc.date_parts(item.published)
    key = f"{bureau.id}|{rc.day(item.published)}|{same_day_index}"
    art = hashlib.md5(key.encode("utf-8")).hexdigest()  # noqa: S324 - an address, not a secret
    return f"/col/col{ids(bureau)['colid']}/art/{y}/art_{art}.html"


def head(title: str, metas: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{rc.esc(title)}</title>
{metas}
<script src="/static/jpaas/jquery.min.js"></script>
</head>"""


def column_page(bureau: Bureau) -> str:
    i = ids(bureau)
    header, _ = rc.header_html(bureau, "/col/col1/index.html")
    foot, _ = rc.footer_html(bureau)
    query = {
        "webId": str(i["webid"]),
        "tplSetId": str(i["tplsetid"]),
        "pageType": "column",
        "tagId": "当前栏目list",
        "columnId": str(i["colid"]),
        "unitId": str(i["unitid"]),
        "pageSize": bureau.per_page,
    }
    return f"""{head(f"{bureau.column_name} {bureau.site_name}", f'<meta name="ColId" content="{i["colid"]}">' + chr(10) + '<meta name="pagetype" content="2">')}
<body>
{header}
<div class="main">
<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a> &gt; {rc.esc(bureau.column_name)}</div>
<div class="lm-title">{rc.esc(bureau.column_name)}</div>
<div id="unit{i["unitid"]}" class="list-unit"><ul class="list"></ul><div class="pager"></div></div>
<script>
var queryData = {json.dumps(query, ensure_ascii=False)};
$(function () {{ jpaasUnit("#unit{i["unitid"]}", "{API_PATH}", queryData); }});
</script>
</div>
{foot}
</body>
</html>
"""


def detail_page(bureau: Bureau, page: rc.Page, prev, nxt) -> str:
    item = page.item
    i = ids(bureau)
    chrome: list[str] = []

    def take(piece: tuple[str, list[str]]) -> str:
        chrome.extend(piece[1])
        return piece[0]

    url = page.url(bureau)
    metas = rc.meta_tags(bureau, item, bureau.column_name, url, "sloppy")
    metas += f'\n<meta name="ColId" content="{i["colid"]}">\n<meta name="pagetype" content="1">'
    header = take(rc.header_html(bureau, "/zwgk/index.html"))
    foot = take(rc.footer_html(bureau))
    crumb = take(
        (
            f'<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a>'
            f' &gt; <a href="{column_path(bureau)}">{rc.esc(bureau.column_name)}</a></div>',
            ["当前位置"],
        )
    )
    info = take(
        (
            f'<div class="article-info"><span>发布日期：{item.published}</span> <span>来源：{rc.esc(item.source)}</span>'
            f' <span>浏览次数：<i id="hits">--</i></span></div>',
            [f"发布日期：{item.published}", "浏览次数"],
        )
    )
    qr = take(rc.qr_html())
    share = take(rc.share_print_html())
    sxp = take(rc.neighbours_html(prev, nxt))
    body = rc.body_html(item.blocks, word=False)
    page.chrome = chrome
    return f"""{head(f"{item.title}", metas)}
<body>
{header}
<div class="main">
{crumb}
<div class="article">
<h1 class="article-title">{rc.esc(item.title)}</h1>
{info}
<div class="article-conter" id="zoom">
{body}
</div>
</div>
{share}
{qr}
{sxp}
</div>
{foot}
</body>
</html>
"""


def render(
    bureau: Bureau, items: list[Item], root: Path, mobile_from: dict[str, str]
) -> list[rc.Page]:
    entries = [(it, item_path(bureau, it, n)) for it, n in rc.order_items(items)]
    rc.write_text(root, column_path(bureau), column_page(bureau))
    i = ids(bureau)
    # What the API answers from; kept under a folder the server never serves.
    store = {
        "webId": str(i["webid"]),
        "columnId": str(i["colid"]),
        "items": [
            {"title": it.title, "url": path, "date": rc.day(it.published)} for it, path in entries
        ],
    }
    rc.write_text(
        root, f"/_jpaas/{i['colid']}.json", json.dumps(store, ensure_ascii=False, indent=1) + "\n"
    )
    pages = []
    for n, (item, path) in enumerate(entries):
        page = rc.Page(item, path)
        prev = (entries[n - 1][0].title, entries[n - 1][1]) if n else None
        nxt = (entries[n + 1][0].title, entries[n + 1][1]) if n + 1 < len(entries) else None
        rc.write_text(root, path, detail_page(bureau, page, prev, nxt))
        pages.append(page)
    return pages
