"""Pieces every sample portal shares: stable addresses, body markup, chrome and golden files.

Chrome is what crawlers must learn to drop, so every chrome helper returns both its markup and the strings a
clean extraction must not contain; the renderers collect those strings into the page's golden file.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sample_portals.model import Block, Bureau, Item, golden_text

LIST_TITLE_MAX = (
    24  # real portals cut long list titles and keep the full one in the title attribute
)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def stable_int(*parts: object, digits: int = 6) -> int:
    """A number that depends only on its inputs, so rebuilding the sites never moves an address."""
    h = hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    low = 10 ** (digits - 1)
    return low + int(h[:12], 16) % (9 * low)


def base_url(bureau: Bureau) -> str:
    return f"http://127.0.0.1:{bureau.port}"


def date_parts(published: str) -> tuple[int, int, int]:
    """Year, month and day of a portal date such as "2019-04-18 10:24"."""
    # matches "2019-04-18 10:24" and "2019-04-18"
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if not m:
        raise ValueError(f"item date {published!r} is not YYYY-MM-DD HH:MM")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def day(published: str) -> str:
    y, m, d = date_parts(published)
    return f"{y:04d}-{m:02d}-{d:02d}"


def truncate(title: str, limit: int = LIST_TITLE_MAX) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def order_items(items: list[Item]) -> list[tuple[Item, int]]:
    """Newest first, as columns list them, each with its index among the bureau's items of the same day.

    The same-day index (not the list position) goes into the address, so adding an older item later never
    changes the address of an existing one.
    """
    ordered = sorted(items, key=lambda it: (it.published, it.title), reverse=True)
    seen: dict[str, int] = {}
    out = []
    for it in sorted(ordered, key=lambda it: (it.published, it.title)):
        d = day(it.published)
        out.append((it, seen.get(d, 0)))
        seen[d] = seen.get(d, 0) + 1
    index = {id(it): n for it, n in out}
    return [(it, index[id(it)]) for it in ordered]


@dataclass
class Page:
    """One detail page as rendered: its address, file path and the chrome strings it carries."""

    item: Item
    path: str  # site-relative path starting with "/"
    chrome: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    index_no: str = ""
    encoding: str = "utf-8"  # what the page file is written in (legacy portals: gb18030)
    images: list[str] = field(default_factory=list)  # absolute URLs of a 图片版 body's images
    site_metas: bool = (
        True  # False for pages without the national-standard metas (no SiteName to find)
    )

    def url(self, bureau: Bureau) -> str:
        return base_url(bureau) + self.path


def span_cell(cell) -> tuple[str, int, int]:
    if isinstance(cell, str):
        return cell, 1, 1
    return cell


def table_html(block: Block, word: bool) -> str:
    """A statutory table; Word-pasted ones wrap each cell in MsoNormal paragraphs as TRS editors keep them."""
    cls = (
        ' class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0"'
        if word
        else ' border="1"'
    )
    rows = []
    for row in block.rows:
        cells = []
        for cell in row:
            text, rs, cs = span_cell(cell)
            attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            if word:
                inner = (
                    f'<p class="MsoNormal" align="center" style="text-align:center">'
                    f'<span style="font-size:10.5pt;font-family:宋体">{esc(text)}</span></p>'
                )
            else:
                inner = esc(text)
            cells.append(f"<td{attrs}>{inner}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table{cls}><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def body_html(blocks: list[Block], word: bool) -> str:
    """The body as the CMS editor stored it: Word-pasted MsoNormal markup for TRS, plain paragraphs otherwise."""
    out = []
    for b in blocks:
        if b.kind == "table":
            out.append(table_html(b, word))
        elif word:
            if b.kind == "h":
                out.append(
                    f'<p class="MsoNormal" style="text-indent:32.0pt"><b><span style="font-size:16.0pt;'
                    f'font-family:黑体">{esc(b.text)}</span></b></p>'
                )
            else:
                out.append(
                    f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt"><span '
                    f'style="font-size:16.0pt;font-family:仿宋_GB2312">{esc(b.text)}</span></p>'
                )
        elif b.kind == "h":
            out.append(f"<p><strong>{esc(b.text)}</strong></p>")
        else:
            out.append(f'<p style="text-indent:2em;">{esc(b.text)}</p>')
    return "\n".join(out)


def image_href(page_path: str, name: str) -> str:
    """Site path of a 图片版 page image, beside the detail page as CMS uploads are (W0<id>.png)."""
    folder = page_path.rsplit("/", 1)[0]
    return f"{folder}/W0{stable_int(page_path, name, digits=14)}.png"


def item_body(bureau: Bureau, page: Page, word: bool) -> str:
    """The body markup: nothing for a report published only as an attachment (its 附件 links are the
    page), the scanned pages for a 图片版 report, else the editor's paragraphs and tables."""
    item = page.item
    if item.attachment_only:
        return ""
    if item.images:
        out = []
        for name in item.images:
            href = image_href(page.path, name)
            page.images.append(base_url(bureau) + href)
            out.append(
                f'<p style="text-align:center"><img src="{href}" width="600" border="0"></p>'
            )
        return "\n".join(out)
    return body_html(item.blocks, word)


def image_text(item: Item) -> str:
    """The text a 图片版 item's images print (sample_portals/page_images.py), one line per line."""
    from sample_portals.attachment_items import IMAGE_PAGES

    return "\n".join(ln for name in item.images for ln in IMAGE_PAGES.get(name, []))


def write_images(root: Path, page: Page) -> None:
    """Writes the image files of a 图片版 page, so the links resolve to real PNGs."""
    from sample_portals.attachment_items import attachment_bytes

    for name in page.item.images:
        dest = root / image_href(page.path, name).lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(attachment_bytes(name))


def mobile_duplicate(item: Item, sentence: str | None) -> str:
    """A hidden mobile-template copy of the body from one sentence on, as some CMS templates leave in the page.

    A naive scraper reads it after "..." and so keeps that part of the body twice.
    """
    if not sentence:
        return ""
    parts = []
    started = False
    for b in item.blocks:
        if b.kind == "table":
            if started:
                parts.append(table_html(b, False))
            continue
        if not started and sentence in b.text:
            started = True
            parts.append(f"<p>{esc(b.text[b.text.index(sentence) :])}</p>")
        elif started:
            parts.append(f"<p>{esc(b.text)}</p>")
    if not started:
        return ""
    return (
        '<div class="m-article-con" style="display:none">\n<p>...</p>\n'
        + "\n".join(parts)
        + "\n</div>"
    )


def meta_tags(bureau: Bureau, item: Item, column_name: str, url: str, style: str) -> str:
    """The national-standard site metas; "sloppy" and "nospace" reproduce the careless markup real CMSs emit."""
    pairs = [
        ("SiteName", bureau.site_name),
        ("SiteDomain", bureau.domain),
        ("SiteIDCode", bureau.site_id_code),
        ("ColumnName", column_name),
        ("ColumnType", "政府信息公开年报"),
        ("ArticleTitle", item.title),
        ("PubDate", item.published),
        ("ContentSource", item.source),
        ("Url", url),
    ]
    out = []
    for i, (name, content) in enumerate(pairs):
        if style == "sloppy" and i % 2 == 0:
            out.append(f'<meta content="{esc(content)}" name="{name}">')
        elif style == "nospace" and name in ("ColumnName", "ArticleTitle"):
            out.append(f'<meta name="{name}"content="{esc(content)}">')
        else:
            out.append(f'<meta name="{name}" content="{esc(content)}">')
    return "\n".join(out)


def charset_meta(http_equiv_only: bool) -> str:
    if http_equiv_only:
        return '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    return '<meta charset="utf-8">\n<meta http-equiv="X-UA-Compatible" content="IE=edge">'


def header_html(bureau: Bureau, zwgk_href: str) -> tuple[str, list[str]]:
    """Top bar with the accessibility toggles and the site navigation."""
    markup = f"""<div class="topbar"><div class="w1200">
<span class="welcome">欢迎访问{esc(bureau.site_name)}网站</span>
<a href="javascript:void(0)" id="wza">无障碍</a> | <a href="javascript:void(0)" id="zzms">长者模式</a> | <a href="javascript:void(0)" id="jft">繁体</a>
</div></div>
<div class="header"><div class="logo"><a href="/index.html">{esc(bureau.site_name)}</a></div>
<ul class="nav">
<li><a href="/index.html">首页</a></li>
<li><a href="/jgzn/index.html">机构职能</a></li>
<li><a href="/xwzx/index.html">新闻中心</a></li>
<li><a href="{zwgk_href}">政务公开</a></li>
<li><a href="/bsfw/index.html">办事服务</a></li>
<li><a href="/hdjl/index.html">互动交流</a></li>
</ul></div>"""
    return markup, ["无障碍", "长者模式", "机构职能", "办事服务", "互动交流"]


def footer_html(bureau: Bureau) -> tuple[str, list[str]]:
    markup = f"""<div class="footer"><div class="w1200">
<p><a href="/wzdt/index.html">站点地图</a> | <a href="/lxwm/index.html">联系我们</a></p>
<p>主办：{esc(bureau.organizer)} 承办：{esc(bureau.undertaker)}</p>
<p>地址：{esc(bureau.address)} 电话：{esc(bureau.phone)}</p>
<p><span class="icp">{esc(bureau.icp)}</span> <img src="/images/ga.png" alt="">{esc(bureau.gongan)} 网站标识码：{esc(bureau.site_id_code)}</p>
<p>建议您使用IE9及以上版本浏览器访问本网站 本站已支持IPv6访问</p>
<p><span id="_ideConac"><img src="/images/red.png" alt="党政机关"></span></p>
</div></div>"""
    chrome = [
        "站点地图",
        "联系我们",
        f"地址：{bureau.address}",
        bureau.address,
        bureau.phone,
        bureau.icp,
        bureau.gongan,
        "ICP备",
        "公网安备",
        "网站标识码",
        "建议您使用IE9及以上版本浏览器",
        "本站已支持IPv6",
        f"承办：{bureau.undertaker}",
    ]
    return markup, chrome


def qr_html() -> tuple[str, list[str]]:
    markup = """<div class="ewm"><img src="/images/qrcode.png" alt=""><p>扫一扫在手机打开当前页</p></div>"""
    return markup, ["扫一扫在手机打开当前页"]


def share_print_html() -> tuple[str, list[str]]:
    markup = """<div class="share">分享到：<a href="javascript:void(0)" class="wx">微信</a><a href="javascript:void(0)" class="wb">微博</a></div>
<div class="print"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>"""
    return markup, ["分享到", "打印本页", "关闭窗口"]


def neighbours_html(
    prev: tuple[str, str] | None, nxt: tuple[str, str] | None
) -> tuple[str, list[str]]:
    """上一篇/下一篇 links; the neighbours' titles are chrome here even though they are titles elsewhere."""

    def one(label: str, link: tuple[str, str] | None) -> str:
        if not link:
            return f"<p>{label}：没有了</p>"
        title, href = link
        return f'<p>{label}：<a href="{href}" title="{esc(title)}">{esc(title)}</a></p>'

    markup = '<div class="sxp">' + one("上一篇", prev) + one("下一篇", nxt) + "</div>"
    return markup, ["上一篇", "下一篇"]


def golden(bureau: Bureau, page: Page) -> dict:
    item = page.item
    text = golden_text(item)
    seen = []
    for s in page.chrome:
        s = s.strip()
        # a chrome string that the body itself contains cannot be asked to vanish from the clean text
        if s and s not in text and s not in seen:
            seen.append(s)
    return {
        "url": page.url(bureau),
        "bureau_id": bureau.id,
        "title": item.title,
        "published": day(item.published),
        "year": item.year,
        "kind": item.kind,
        "text": text,
        "must_include": list(item.must_survive),
        "must_exclude": seen,
        # the sample pages are drawn from the same blocks as `text`, but table cells and line breaks
        # come out of the extractor in their own layout: the clean text is held to char F1 >= 0.99
        "text_f1": 0.99,
        "site_name": bureau.site_name if page.site_metas else "",
        "site_id_code": bureau.site_id_code,
        "index_no": page.index_no,
        "attachments": page.attachments,
        # Published only as a file: `text` is the report's text (the attachment's, as the archive keeps
        # it); `page_text` is what the HTML page itself says once chrome is gone (nothing).
        **({"page_text": "", "text_from": "attachment"} if item.attachment_only else {}),
        **({"image_only": True, "images": page.images} if item.images else {}),
        # 图片版: the page says nothing in text; `text` is what its images print, as OCR reads them
        **({"page_text": "", "text_from": "ocr", "text": image_text(item)} if item.images else {}),
        # only pages not in UTF-8 say so, so the goldens of UTF-8 portals stay as they were
        **({"encoding": page.encoding} if page.encoding != "utf-8" else {}),
    }


def write_text(root: Path, path: str, text: str, crlf: bool = False) -> None:
    """Writes one site file; CRLF for CMSs whose templates were edited on Windows."""
    dest = root / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    dest.write_bytes(text.encode("utf-8"))


def golden_path(page_path: str) -> str:
    """`/zwgk/ndbg/202101/t20210125_1.expected.json` for the page `…/t20210125_1.html`: the golden
    format of tests/fixtures/README.md, `<name>.expected.json` beside the page `<name>.<ext>`."""
    folder, name = page_path.rsplit("/", 1)
    return f"{folder}/{name.rsplit('.', 1)[0]}.expected.json"


def write_golden(root: Path, bureau: Bureau, page: Page) -> None:
    data = json.dumps(golden(bureau, page), ensure_ascii=False, indent=1, sort_keys=True)
    write_text(root, golden_path(page.path), data + "\n")


def simple_page(bureau: Bureau, title: str, body: str, crlf: bool = False) -> str:
    """A plain page for the columns that only exist so navigation links do not break."""
    head, _ = header_html(bureau, "/zwgk/index.html")
    foot, _ = footer_html(bureau)
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{esc(title)}_{esc(bureau.site_name)}</title>
</head>
<body>
{head}
<div class="main w1200">
<h2>{esc(title)}</h2>
{body}
</div>
{foot}
</body>
</html>
"""


def attachment_file(name: str, item=None) -> bytes:
    """The attachment's bytes: the generated PDF/DOCX/XLSX of an attachment-only report, else the
    downloadable copy of the page's own report that portals attach beside the HTML text.

    The copy is a real file, so a crawl of the sample portals meets only parseable attachments; a `.doc`
    name gets a Word 97 binary file, a `.docx` name (or any other) a DOCX.
    """
    from sample_portals.attachment_items import attachment_bytes, docx_bytes, pdf_bytes
    from sample_portals.doc_writer import doc_bytes

    data = attachment_bytes(name)
    if data is not None:
        return data
    if item is None:
        raise ValueError(f"no content for attachment {name!r}")
    if name.lower().endswith(".pdf"):
        lines = [part for line in golden_text(item).splitlines() for part in _wrap(line, 38)]
        pages = [lines[i : i + 36] for i in range(0, len(lines), 36)]
        return pdf_bytes(pages, header=item.source)
    if name.lower().endswith(".doc"):
        return doc_bytes(item.blocks, compress=False)
    return docx_bytes(item.blocks)


def _wrap(line: str, width: int) -> list[str]:
    """PDF lines do not wrap by themselves; a report line longer than the page is cut into pieces."""
    return [line[i : i + width] for i in range(0, len(line), width)] or [""]
