"""TRS WCM portals: script-only paging, dated detail folders and Word-pasted bodies in div.TRS_Editor.

Each bureau gets its own template quirks (date line, quoting of the editor class, meta sloppiness) because
real TRS sites are each configured by a different integrator, and adapters must not depend on one of them.
"""

from __future__ import annotations

from pathlib import Path

from sample_portals import render_common as rc
from sample_portals.model import Bureau, Item

COLUMN_DIR = "/zwgk/ndbg/"

# Template quirks per bureau: how the date line reads, whether class=TRS_Editor is quoted, meta style, etc.
STYLES: dict[str, dict] = {
    "henan-jtt": {
        "info": "henan",
        "quoted": True,
        "http_equiv_only": True,
        "meta": "normal",
        "line_every": 2,
        "date_sep": "-",
        "download_label": True,
        "qr": False,
        "related_above": False,
    },
    "hunan-jtt": {
        "info": "hunan",
        "quoted": False,
        "http_equiv_only": False,
        "meta": "sloppy",
        "line_every": 0,
        "date_sep": "-",
        "download_label": False,
        "qr": True,
        "related_above": False,
    },
    "yiyang-jtj": {
        "info": "yiyang",
        "quoted": True,
        "http_equiv_only": False,
        "meta": "normal",
        "line_every": 3,
        "date_sep": "/",
        "download_label": False,
        "qr": True,
        "related_above": False,
    },
    "lushan-jtj": {
        "info": "lushan",
        "quoted": False,
        "http_equiv_only": True,
        "meta": "nospace",
        "line_every": 0,
        "date_sep": "-",
        "download_label": False,
        "qr": True,
        "related_above": True,
    },
}
DEFAULT_STYLE = STYLES["hunan-jtt"]

PAGE_SCRIPT_TAG = '<script src="/common/js/page.js"></script>'
PAGE_JS = """/* Paging for TRS WCM list pages: the list files are index.html, index_1.html, ... */
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; }
  function name(i) { return i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt; }
  var html = "<span>共" + _nPageCount + "页</span> ";
  html += _nCurrIndex > 0 ? "<a href=\\"" + name(0) + "\\">首页</a> <a href=\\"" + name(_nCurrIndex - 1) + "\\">上一页</a> " : "<span>首页</span> <span>上一页</span> ";
  for (var i = 0; i < _nPageCount; i++) {
    html += i == _nCurrIndex ? "<span class=\\"current\\">" + (i + 1) + "</span> " : "<a href=\\"" + name(i) + "\\">" + (i + 1) + "</a> ";
  }
  html += _nCurrIndex + 1 < _nPageCount ? "<a href=\\"" + name(_nCurrIndex + 1) + "\\">下一页</a> <a href=\\"" + name(_nPageCount - 1) + "\\">尾页</a>" : "<span>下一页</span> <span>尾页</span>";
  document.write(html);
}
"""


def style_of(bureau: Bureau) -> dict:
    return STYLES.get(bureau.id, DEFAULT_STYLE)


def item_path(bureau: Bureau, item: Item, same_day_index: int) -> str:
    """`/zwgk/ndbg/202102/t20210125_123456.html`: TRS names details by month folder, day and document id."""
    y, m, d = rc.date_parts(item.published)
    docid = rc.stable_int(bureau.id, rc.day(item.published), same_day_index)
    return f"{COLUMN_DIR}{y:04d}{m:02d}/t{y:04d}{m:02d}{d:02d}_{docid}.html"


def attachment_href(page_path: str, name: str, k: int) -> tuple[str, str]:
    """TRS stores attachments beside the detail page as P0<date><id>.<ext>; returns (relative, absolute path)."""
    ext = name.rsplit(".", 1)[1].lower() if "." in name[-6:] else "pdf"
    stem = page_path.rsplit("/", 1)[1].split(".")[0]  # t20210125_123456
    fname = f"P0{stem[1:9]}{stem.split('_')[1]}{k}.{ext}"
    folder = page_path.rsplit("/", 1)[0]
    return "./" + fname, f"{folder}/{fname}"


def info_line(style: dict, bureau: Bureau, item: Item) -> tuple[str, list[str]]:
    kind = style["info"]
    src = rc.esc(item.source)
    if kind == "henan":
        markup = (
            f'<div class="info">发布日期：{item.published}&nbsp;&nbsp;&nbsp;文章来源：{src}</div>'
        )
        return markup, [f"发布日期：{item.published}", "发布日期", f"文章来源：{item.source}"]
    if kind == "yiyang":
        markup = (
            f'<div class="info">发布时间：{item.published} 作者： 来源：{src} 浏览次数：'
            f'<span id="hits"></span> 字体：<a href="javascript:doZoom(18)">【大】</a> '
            f'<a href="javascript:doZoom(16)">【中】</a> <a href="javascript:doZoom(14)">【小】</a></div>'
        )
        return markup, [
            f"发布时间：{item.published}",
            "作者：",
            f"来源：{item.source}",
            "浏览次数",
            "字体",
            "【大】",
        ]
    if kind == "lushan":
        markup = (
            f'<div class="info"><span>发布时间：{item.published}</span><span>来源：{src}</span>'
            f'<span>浏览次数：<script>document.write("1024")</script></span>'
            f'<span>字体：<a href="javascript:void(0)">【大】</a><a href="javascript:void(0)">【中】</a>'
            f'<a href="javascript:void(0)">【小】</a></span></div>'
        )
        return markup, [f"发布时间：{item.published}", f"来源：{item.source}", "浏览次数", "字体"]
    markup = (
        f'<div class="info"><span>发布时间：{item.published}</span> <span>来源：{src}</span> '
        f'<span class="font">字体：<a href="javascript:void(0)">【大】</a><a href="javascript:void(0)">'
        f'【中】</a><a href="javascript:void(0)">【小】</a></span></div>'
    )
    return markup, [f"发布时间：{item.published}", f"来源：{item.source}", "字体", "【大】"]


def crumb(bureau: Bureau) -> tuple[str, list[str]]:
    markup = (
        f'<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">'
        f'政务公开</a> &gt; <a href="{COLUMN_DIR}index.html">{rc.esc(bureau.column_name)}</a></div>'
    )
    return markup, ["当前位置", "首页 > 政务公开"]


def page_head(
    title: str, metas: str = "", charset: str = '<meta charset="utf-8">', assets: bool = True
) -> str:
    """The <head> of every TRS page; `assets` adds the site's stylesheet and the paging script."""
    parts = [charset, f"<title>{rc.esc(title)}</title>", metas]
    if assets:
        parts += ['<link rel="stylesheet" href="/common/css/style.css">', PAGE_SCRIPT_TAG]
    return "<!DOCTYPE html>\n<html>\n<head>\n" + "\n".join(parts) + "\n</head>"


def head(bureau: Bureau, style: dict, title: str, metas: str = "") -> str:
    return page_head(title, metas, rc.charset_meta(style["http_equiv_only"]))


def list_row(href: str, title: str, date: str, shown: str | None = None, after: str = "") -> str:
    """One `ul.list` row as TRS prints it: the full title in `title=`, the shown one maybe cut short."""
    shown = rc.esc(title) if shown is None else shown
    return (
        f'<li><a href="{href}" title="{rc.esc(title)}" target="_blank">{shown}</a>'
        f"<span>{date}</span>{after}</li>"
    )


def list_html(
    head_html: str,
    heading: str,
    rows: list[str],
    total: int,
    current: int,
    header: str = "",
    crumb_html: str = "",
    footer: str = "",
) -> str:
    """A TRS column list page: its pager exists only as the `createPageHTML(total, current, …)` call."""
    return f"""{head_html}
<body>
{header}
<div class="main w1200">
{crumb_html}
<div class="column-title"><h2>{rc.esc(heading)}</h2></div>
<ul class="list">
{chr(10).join(rows)}
</ul>
<div class="page"><script>createPageHTML({total}, {current}, "index", "html")</script></div>
</div>
{footer}
</body>
</html>
"""


def detail_html(
    head_html: str,
    title: str,
    body: str,
    *,
    header: str = "",
    crumb_html: str = "",
    above: str = "",
    info: str = "",
    index_html: str = "",
    editor_cls: str = 'class="TRS_Editor"',
    dup: str = "",
    files_html: str = "",
    below: str = "",
    tools: str = "",
    footer: str = "",
) -> str:
    """A TRS detail page: the body in div.TRS_Editor between <!--startprint--> and <!--endprint-->,
    site chrome around it; every piece but title and body may be left out."""
    return f"""{head_html}
<body>
{header}
<div class="main w1200">
{crumb_html}
{above}
<!--startprint-->
<div class="article">
<h1>{rc.esc(title)}</h1>
{info}
{index_html}
<div class="article_con">
<div {editor_cls}><div class="Custom_UnionStyle">
{body}
</div></div>
</div>
{dup}
{files_html}
</div>
<!--endprint-->
{below}
{tools}
</div>
{footer}
</body>
</html>
"""


def column_pages(
    bureau: Bureau, style: dict, entries: list[tuple[Item, str]], by_title: dict
) -> dict:
    """The column list files, per_page items each, linked to each other only through createPageHTML."""
    per = bureau.per_page
    total = max(1, -(-len(entries) // per))
    header, _ = rc.header_html(bureau, "/zwgk/index.html")
    footer, _ = rc.footer_html(bureau)
    crumb_html, _ = crumb(bureau)
    files = {}
    for p in range(total):
        lis = []
        chunk = entries[p * per : (p + 1) * per]
        for n, (item, path) in enumerate(chunk):
            href = "./" + path[len(COLUMN_DIR) :]
            date = rc.day(item.published).replace("-", style["date_sep"])
            pop = ""
            if item.related:
                links = []
                for title, target in item.related:
                    target_path = by_title.get(target)
                    thref = (
                        "./" + target_path[len(COLUMN_DIR) :]
                        if target_path
                        else "/zwgk/zcjd/index.html"
                    )
                    links.append(f'<li><a href="{thref}" target="_blank">{rc.esc(title)}</a></li>')
                pop = '<div class="popbox"><p>相关解读</p><ul>' + "".join(links) + "</ul></div>"
            lis.append(list_row(href, item.title, date, rc.esc(rc.truncate(item.title)), pop))
            every = style["line_every"]
            if every and (n + 1) % every == 0 and n + 1 < len(chunk):
                lis.append('<li class="line"></li>')
        name = "index.html" if p == 0 else f"index_{p}.html"
        files[COLUMN_DIR + name] = list_html(
            head(bureau, style, f"{bureau.column_name}_{bureau.site_name}"),
            bureau.column_name,
            lis,
            total,
            p,
            header,
            crumb_html,
            footer,
        )
    return files


def detail_page(
    bureau: Bureau,
    style: dict,
    page: rc.Page,
    prev: tuple[str, str] | None,
    nxt: tuple[str, str] | None,
    related: list[tuple[str, str]],
    mobile_from: str | None,
) -> str:
    item = page.item
    chrome: list[str] = []

    def take(piece: tuple[str, list[str]]) -> str:
        chrome.extend(piece[1])
        return piece[0]

    url = page.url(bureau)
    metas = rc.meta_tags(bureau, item, bureau.column_name, url, style["meta"])
    header = take(rc.header_html(bureau, "/zwgk/index.html"))
    footer = take(rc.footer_html(bureau))
    crumb_html = take(crumb(bureau))
    info = take(info_line(style, bureau, item))
    share = take(rc.share_print_html())
    qr = take(rc.qr_html()) if style["qr"] else ""
    sxp = take(rc.neighbours_html(prev, nxt))

    rel_items = "".join(f'<li><a href="{h}">{rc.esc(t)}</a></li>' for t, h in related)
    chrome.extend(t for t, _ in related)
    above = ""
    below = ""
    if style["related_above"]:
        # lushan's template prints both related boxes above the article, empty or not (seed 004)
        above = (
            f'<div class="xgjd"><h4>相关解读:</h4><ul>{rel_items}</ul></div>\n'
            f'<div class="xgwj"><h4>相关文件:</h4><ul></ul></div>'
        )
        chrome.extend(["相关解读:", "相关文件:"])
    elif related:
        below = f'<div class="xgjd"><h4>相关解读</h4><ul>{rel_items}</ul></div>'
        chrome.append("相关解读")

    files_html = ""
    if item.attachments:
        links = []
        for k, name in enumerate(item.attachments):
            rel, absolute = attachment_href(page.path, name, k)
            page.attachments.append({"name": name, "url": rc.base_url(bureau) + absolute})
            if style["download_label"]:
                # henan shows only the download label; the file name sits in the title attribute (seed 003)
                links.append(
                    f'<a href="{rel}" title="{rc.esc(name)}" OLDSRC="/protect/{rel[2:]}">[点击下载]</a>'
                )
                chrome.append("[点击下载]")
            else:
                links.append(f'<a href="{rel}">{rc.esc(name)}</a>')
        label = "相关附件：" if style["related_above"] else "附件："
        files_html = f'<div class="fujian">{label}' + "<br>".join(links) + "</div>"
        chrome.append(label)
    elif style["related_above"]:
        files_html = '<div class="fujian">相关附件:</div>'
        chrome.append("相关附件:")

    index_html = ""
    if item.index_no:
        page.index_no = item.index_no
        index_html = (
            f'<table class="xxgk-info"><tr><td>索引号：{rc.esc(item.index_no)}</td>'
            f"<td>发布机构：{rc.esc(item.source)}</td></tr></table>"
        )
        chrome.extend(["索引号", item.index_no])
    editor_cls = 'class="TRS_Editor"' if style["quoted"] else "class=TRS_Editor"
    body = rc.item_body(bureau, page, word=True)
    dup = rc.mobile_duplicate(item, mobile_from)
    page.chrome = chrome
    return detail_html(
        head(bureau, style, f"{item.title}_{bureau.site_name}", metas),
        item.title,
        body,
        header=header,
        crumb_html=crumb_html,
        above=above,
        info=info,
        index_html=index_html,
        editor_cls=editor_cls,
        dup=dup,
        files_html=files_html,
        below=below,
        tools=f"{share}\n{qr}\n{sxp}",
        footer=footer,
    )


def render(
    bureau: Bureau, items: list[Item], root: Path, mobile_from: dict[str, str]
) -> list[rc.Page]:
    """Writes the column and every detail page of one TRS bureau under root; returns the detail pages."""
    style = style_of(bureau)
    ordered = rc.order_items(items)
    entries = [(it, item_path(bureau, it, n)) for it, n in ordered]
    by_title = {it.title: path for it, path in entries}
    for path, text in column_pages(bureau, style, entries, by_title).items():
        rc.write_text(root, path, text)
    rc.write_text(root, "/common/js/page.js", PAGE_JS)
    pages = []
    for i, (item, path) in enumerate(entries):
        page = rc.Page(item, path)
        prev = (
            (entries[i - 1][0].title, "../" + entries[i - 1][1][len(COLUMN_DIR) :]) if i else None
        )
        nxt = (
            (entries[i + 1][0].title, "../" + entries[i + 1][1][len(COLUMN_DIR) :])
            if i + 1 < len(entries)
            else None
        )
        related = []
        for title, target in item.related:
            tp = by_title.get(target)
            related.append(
                (title, "../" + tp[len(COLUMN_DIR) :] if tp else "/zwgk/zcjd/index.html")
            )
        text = detail_page(bureau, style, page, prev, nxt, related, mobile_from.get(item.title))
        rc.write_text(root, path, text)
        rc.write_images(root, page)
        for k, name in enumerate(item.attachments):
            _, absolute = attachment_href(path, name, k)
            dest = root / absolute.lstrip("/")
            dest.write_bytes(rc.attachment_file(name, item))
        pages.append(page)
    return pages


def column_url(bureau: Bureau) -> str:
    return rc.base_url(bureau) + COLUMN_DIR + "index.html"
