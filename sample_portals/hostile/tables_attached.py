"""An annual report whose page prints the prose and whose statutory tables are only in its DOCX attachment.

Bureaus often post the report's text as the page and attach the tables as a Word file (统计表.docx),
because their CMS mangles tables. The page is long enough to be the report's own text (not a 附件 stub
that takes the attachment's text), so the tables can only come from the attachment; the archive must
keep them through a re-extraction that re-parses the tables of every report.

One TRS-like column (`/tables-attached/ndbg/index.html`) lists the one report.
"""

from __future__ import annotations

from functools import cache

__all__ = ["BUREAUS", "DOCX", "PAGE", "TITLE", "handle"]

PREFIX = "/tables-attached"
COLUMN = f"{PREFIX}/ndbg/index.html"
BUREAU_ID = "hostile-tables-attached"
NAME = "附件统计表测试局"
TITLE = f"{NAME}2023年政府信息公开工作年度报告"
DATE = "2024-01-18"
PAGE = f"{PREFIX}/ndbg/202401/t20240118_4001.html"
DOCX = f"{PREFIX}/files/2023年报统计表.docx"
# A sample bureau whose generated 2023 report lends its prose and tables.
SOURCE_BUREAU = "fuyang-jtj"

BUREAUS = [
    {
        "id": BUREAU_ID,
        "name": NAME,
        "level": "county",
        "province": "浙江省",
        "region_code": "339902",
        "family": "trs",
        "columns": [COLUMN],
    }
]


@cache
def _blocks():
    from sample_portals.generate_reports import body_template

    return body_template(SOURCE_BUREAU, 2023, None)[0]


@cache
def docx() -> bytes:
    """The tables, each under its section heading."""
    from sample_portals.attachment_items import docx_bytes

    blocks = _blocks()
    keep = [
        b
        for i, b in enumerate(blocks)
        if b.kind == "table" or blocks[i + 1 : i + 2] and blocks[i + 1].kind == "table"
    ]
    return docx_bytes(keep)


def _page() -> str:
    body = "\n".join(f"<p>{b.text}</p>" for b in _blocks() if b.kind != "table")
    name = DOCX.rsplit("/", 1)[1]
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{TITLE}_{NAME}</title>
<meta name="SiteName" content="{NAME}"><meta name="ArticleTitle" content="{TITLE}">
<meta name="PubDate" content="{DATE} 09:00"><meta name="ColumnName" content="政府信息公开年报">
</head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN}">政府信息公开年报</a></div>
<div class="article"><h1>{TITLE}</h1><div class="info">发布日期：{DATE}</div>
<div class="article_con"><div class="TRS_Editor">
{body}
<p>附件：<a href="{DOCX}">{name}</a></p>
</div></div></div>
<div class="footer"><p>主办：{NAME}</p></div>
</body></html>"""


def _list_page() -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_{NAME}</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开年报</div>
<div class="list"><ul>
<li><a href="{PAGE}" title="{TITLE}" target="_blank">{TITLE}</a><span>{DATE}</span></li>
</ul></div>
<script>createPageHTML(1, 0, "index", "html");</script>
</body></html>"""


def handle(req, path: str, query: dict) -> bool:
    from urllib.parse import unquote

    path = unquote(path)
    if path == COLUMN:
        req.send(200, _list_page().encode("utf-8"))
    elif path == PAGE:
        req.send(200, _page().encode("utf-8"))
    elif path == DOCX:
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        req.send(200, docx(), ctype)
    else:
        return False
    return True
