"""Hostile case module: links and text shaped to run script in the archive reader's browser.

One TRS-like bureau, `links-trs` (险链县交通运输局), whose report column lists two pages:

- an annual report with a real report body (seed 003's text) whose title and text carry `<script>` and
  `"><img src=x onerror=…>` payloads, and whose 附件 area links one good PDF next to attachment links that
  are script to a browser: `JavaScript:…//a.pdf`, `java&#9;script:…//b.pdf`, `jav&#x09;ascript:…//c.pdf`,
  `data:text/html,<script>…//d.pdf`, `vbscript:…//e.doc`, `&#1;javascript:…//f.pdf` and
  `JAVASCRIPT&colon;…//g.pdf`. All look like files by their endings; only `report.pdf` is one.
- an image-only report (图片版) showing one real PNG next to `<img src="javascript:…">`,
  `jav&#x09;ascript:…` and `data:text/html,…` sources.

Every payload tries to set `window.__pwned` and call `alert`, so a browser test can tell whether any ran.
`REFUSED_ATTACHMENTS` and `REFUSED_IMAGES` are the hrefs as a parser reads them (entities decoded), for
tests to find in crawl_errors.
"""

from __future__ import annotations

import html
from functools import cache

__all__ = [
    "BUREAUS",
    "GOOD_IMAGE",
    "GOOD_PDF",
    "GOOD_PDF_TEXT",
    "IMAGE_TITLE",
    "PAYLOAD",
    "REFUSED_ATTACHMENTS",
    "REFUSED_IMAGES",
    "REPORT_TITLE",
    "handle",
]

PREFIX = "/links/"
PAYLOAD = "window.__pwned=1;alert(1)"
NAME = "险链县交通运输局"
REPORT_TITLE = f"{NAME}2023年政府信息公开工作年度报告<script>{PAYLOAD}</script>"
IMAGE_TITLE = f'{NAME}2022年政府信息公开工作年度报告（图片版）"><img src=x onerror={PAYLOAD}>'
REPORT_PATH = f"{PREFIX}202401/t20240125_7001.html"
IMAGE_PATH = f"{PREFIX}202301/t20230120_7002.html"
GOOD_PDF = f"{PREFIX}files/report2023.pdf"
GOOD_IMAGE = f"{PREFIX}images/p1.png"
GOOD_PDF_TEXT = [
    "险链县交通运输局2023年政府信息公开工作年度报告（附件）",
    "全年主动公开政府信息 86 条。",
]

# (href as written in the page's HTML, link text, href as an HTML parser hands it over)
_ATTACHMENT_LINKS = [
    (f"JavaScript:{PAYLOAD}//a.pdf", "年度报告正文.pdf", f"JavaScript:{PAYLOAD}//a.pdf"),
    (f"java&#9;script:{PAYLOAD}//b.pdf", "统计表.pdf", f"java\tscript:{PAYLOAD}//b.pdf"),
    (f"jav&#x09;ascript:{PAYLOAD}//c.pdf", "解读.pdf", f"jav\tascript:{PAYLOAD}//c.pdf"),
    (
        f"data:text/html,&lt;script&gt;{PAYLOAD}&lt;/script&gt;//d.pdf",
        "附表.pdf",
        f"data:text/html,<script>{PAYLOAD}</script>//d.pdf",
    ),
    ("vbscript:msgbox(1)//e.doc", "说明.doc", "vbscript:msgbox(1)//e.doc"),
    (f"&#1;javascript:{PAYLOAD}//f.pdf", "目录.pdf", f"\x01javascript:{PAYLOAD}//f.pdf"),
    (f"JAVASCRIPT&colon;{PAYLOAD}//g.pdf", "附录.pdf", f"JAVASCRIPT:{PAYLOAD}//g.pdf"),
]
REFUSED_ATTACHMENTS = [parsed for _, _, parsed in _ATTACHMENT_LINKS]
# (src as written in the page's HTML, the same with entities decoded)
_IMAGE_SOURCES = [
    (f"javascript:{PAYLOAD}", f"javascript:{PAYLOAD}"),
    ("jav&#x09;ascript:alert(1)//p2.png", "jav\tascript:alert(1)//p2.png"),
    (
        "data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;",
        "data:text/html,<script>alert(1)</script>",
    ),
]
REFUSED_IMAGES = [parsed for _, parsed in _IMAGE_SOURCES]
# List entries whose detail "page" is a data: document or a script: a crawler that followed them would
# archive a report whose original URL is script.
DATA_TITLE = f"{NAME}2021年政府信息公开工作年度报告"
DATA_DETAIL = (
    f"data:text/html;charset=utf-8,<h1>{DATA_TITLE}</h1><p>本年度主动公开信息。</p>"
    f"<script>{PAYLOAD}</script>"
)
SCRIPT_TITLE = f"{NAME}2020年政府信息公开工作年度报告"
SCRIPT_DETAIL = f"JavaScript:{PAYLOAD}//t20210115_7004.html"

BUREAUS = [
    {
        "id": "links-trs",
        "name": NAME,
        "level": "county",
        "province": "无界省",
        "region_code": "990201",
        "family": "trs",
        "columns": [f"{PREFIX}index.html"],
    }
]


def _body_paragraphs() -> list[str]:
    """A real report's body: seed 003's paragraphs, with the payloads inside two of them."""
    from sample_portals.seeds import seed_items

    seed = next(i for i in seed_items() if i.seed and i.seed.startswith("003_"))
    lines = [b.text for b in seed.blocks if b.kind in ("p", "h") and b.text]
    lines.insert(1, f"本报告全文公开<script>{PAYLOAD}</script>，欢迎监督。")
    lines.insert(3, f'联系方式见附件"><img src=x onerror={PAYLOAD}>。')
    return lines


def _page(title: str, date: str, path: str, body: str, extra: str = "") -> str:
    t = html.escape(title)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{t}_{NAME}</title>
<meta name="SiteName" content="{NAME}"><meta name="SiteIDCode" content="9902010001">
<meta name="ColumnName" content="政府信息公开年报"><meta name="ArticleTitle" content="{t}">
<meta name="PubDate" content="{date} 09:00">
</head><body>
<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="{PREFIX}index.html">政府信息公开年报</a></div>
<div class="article"><h1>{t}</h1><div class="info">发布日期：{date} 来源：{NAME}</div>
<div class="article_con"><div class="TRS_Editor">
{body}
</div></div>{extra}</div>
<div class="footer"><p>主办：{NAME} 网站标识码：9902010001</p></div>
</body></html>"""


def report_page() -> str:
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in _body_paragraphs())
    links = [(html_href, name) for html_href, name, _ in _ATTACHMENT_LINKS]
    links.append((GOOD_PDF, "年度报告（PDF版）.pdf"))
    items = "\n".join(f'<p><a href="{href}">{html.escape(name)}</a></p>' for href, name in links)
    extra = f'<div class="fj"><p>附件：</p>\n{items}\n</div>'
    return _page(REPORT_TITLE, "2024-01-25", REPORT_PATH, body, extra)


def image_page() -> str:
    sources = [GOOD_IMAGE, *(src for src, _ in _IMAGE_SOURCES)]
    body = "\n".join(f'<p><img src="{src}" alt=""></p>' for src in sources)
    return _page(IMAGE_TITLE, "2023-01-20", IMAGE_PATH, body)


def list_page() -> str:
    rows = [
        (REPORT_PATH, REPORT_TITLE, "2024-01-25"),
        (IMAGE_PATH, IMAGE_TITLE, "2023-01-20"),
        (html.escape(DATA_DETAIL), DATA_TITLE, "2022-01-18"),
        (html.escape(SCRIPT_DETAIL), SCRIPT_TITLE, "2021-01-15"),
    ]
    items = "\n".join(
        f'<li><a href="{path}" title="{html.escape(title)}">{html.escape(title)}</a>'
        f"<span>{date}</span></li>"
        for path, title, date in rows
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_{NAME}</title></head><body>
<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; 政府信息公开年报</div>
<div class="list"><ul>
{items}
</ul></div>
<script>createPageHTML(1, 0, "index", "html");</script>
</body></html>"""


@cache
def pdf() -> bytes:
    from sample_portals.attachment_items import pdf_bytes

    return pdf_bytes([GOOD_PDF_TEXT])


@cache
def png() -> bytes:
    from sample_portals.attachment_items import png_bytes

    return png_bytes(320, 480, 7002)


def handle(req, path: str, query: dict) -> bool:
    if not path.startswith(PREFIX):
        return False
    pages = {f"{PREFIX}index.html": list_page, REPORT_PATH: report_page, IMAGE_PATH: image_page}
    if path in pages:
        req.send(200, pages[path]().encode("utf-8"))
    elif path == GOOD_PDF:
        req.send(200, pdf(), "application/pdf")
    elif path == GOOD_IMAGE:
        req.send(200, png(), "image/png")
    else:
        req.send(404, "<html><body>404 页面不存在</body></html>".encode())
    return True
