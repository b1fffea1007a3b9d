"""Hanweb JCMS portals: list records inside an XML data island, later pages only through the dataproxy POST.

The column page is rendered with both the desktop unit and the mobile-template unit, which repeats every
record, because that is what adapters meet on real JCMS sites and must deduplicate.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

from sample_portals import render_common as rc
from sample_portals.model import Bureau, Item

STATIC_PAGES = 3  # JCMS puts the first three list pages' records into the column page itself
LIST_TITLE_MAX = 30

# Template quirks per bureau.
STYLES: dict[str, dict] = {
    "fuyang-jtj": {"meta": "normal", "footer": "fuyang", "qr": True},
    "liaoyuan-jtj": {"meta": "sloppy", "footer": "plain", "qr": True},
    "linquan-jtj": {"meta": "nospace", "footer": "plain", "qr": False},
}
DEFAULT_STYLE = STYLES["liaoyuan-jtj"]

# Seed 000 was captured with the 繁体 toggle on: the toggle's script rewrites the page into traditional
# characters and leaves pinyin ruby after some of them. These are the chrome phrases as that page shows them.
RUBY_CHROME = {
    "当前位置": "當(dāng)前位置",
    "首页": "首頁(yè)",
    "政务公开": "政務(wù)公開(kāi)",
    "发布时间": "發(fā)布時(shí)間",
    "信息来源：": "信息來源：",  # with the colon, so the <!--<$[信息来源]> marker comment stays as it is
    "政府信息公开年报": "政府信息公開(kāi)年報(bào)",
    "浏览次数": "瀏覽次數(shù)",
    "字体": "字體(tǐ)",
    "打印本页": "打印本頁(yè)",
    "关闭窗口": "關(guān)閉窗口",
    "扫一扫在手机打开当前页": "掃一掃在手機(jī)打開(kāi)當(dāng)前頁(yè)",
    "分享到": "分享到",
    "没有了": "沒有了",
    "索引号": "索引號(hào)",
    "文号": "文號(hào)",
    "组配分类": "組配分類",
    "发布机构": "發(fā)布機(jī)構(gòu)",
    "成文日期": "成文日期",
    "公开方式": "公開(kāi)方式",
    "主动公开": "主動(dòng)公開(kāi)",
    "有效性": "有效性",
    "无障碍": "無障礙",
    "长者模式": "長者模式",
    "繁体": "簡體",
    "办事服务": "辦事服務(wù)",
    "互动交流": "互動(dòng)交流",
    "机构职能": "機(jī)構(gòu)職能",
    "新闻中心": "新聞中心",
    "欢迎访问": "歡迎訪問",
    "附件": "附件",
}

# The footer of seed 000 as the traditional toggle left it, line for line.
RUBY_FOOTER = [
    "站點(diǎn)地圖 | 聯(lián)系我們 | OA登錄",
    "主辦:阜陽市交通運(yùn)輸局 承辦:阜陽市交通運(yùn)輸指揮調(diào)度中心",
    "服務(wù)監(jiān)督熱線:0558-12328 網(wǎng)站運(yùn)維電話:0558-2560290",
    "地址:安徽省阜陽市阜南路9號(hào)",
    "皖I(lǐng)CP備19012406號(hào)-1 皖公網(wǎng)安備34120202000184號(hào) 網(wǎng)站標(biāo)識(shí)碼:3412000012"
    "(建議您使用IE9及以上版本瀏覽器訪問本網(wǎng)站) 本站已支持IPv6訪問",
]


def ids(bureau: Bureau) -> dict[str, int]:
    """Site, column and list-unit ids of one bureau, stable across builds."""
    return {
        "webid": rc.stable_int(bureau.id, "webid", digits=2),
        "colid": rc.stable_int(bureau.id, "colid", digits=7),
        "zwgk_colid": rc.stable_int(bureau.id, "zwgk", digits=7),
        "unitid": rc.stable_int(bureau.id, "unit", digits=6),
        "m_unitid": rc.stable_int(bureau.id, "munit", digits=6),
    }


def column_path(bureau: Bureau) -> str:
    return f"/col/col{ids(bureau)['colid']}/index.html"


def column_url(bureau: Bureau) -> str:
    return rc.base_url(bureau) + column_path(bureau)


def item_path(bureau: Bureau, item: Item, same_day_index: int) -> str:
    """`/art/2021/1/25/art_1234_567890.html`: JCMS names details by unpadded date, column and article id."""
    y, m, d = rc.date_parts(item.published)
    artid = rc.stable_int(bureau.id, rc.day(item.published), same_day_index, digits=7)
    return f"/art/{y}/{m}/{d}/art_{ids(bureau)['colid']}_{artid}.html"


def record(item: Item, path: str, mobile: bool) -> str:
    """One list record as the JCMS template emits it; the mobile template shows a shorter date."""
    title = rc.esc(item.title)
    short = rc.esc(rc.truncate(item.title, LIST_TITLE_MAX))
    date = rc.day(item.published)
    if mobile:
        return (
            f'<li class="m-li"><a href="{path}" title="{title}">{short}</a><em>{date[5:]}</em></li>'
        )
    return (
        f'<li><a href="{path}" title="{title}" target="_blank">{short}</a><span>{date}</span></li>'
    )


def datastore(records: list[str], nextgroup: str = "", total: int | None = None) -> str:
    parts = ["<datastore>"]
    if nextgroup:
        parts.append(f"<nextgroup><![CDATA[{nextgroup}]]></nextgroup>")
    if total is not None:
        parts.append(f"<totalrecord>{total}</totalrecord>")
    parts.append("<recordset>")
    parts.extend(f"<record><![CDATA[\n{r}]]></record>" for r in records)
    parts.append("</recordset>")
    parts.append("</datastore>")
    return "\n".join(parts)


def unit_html(bureau: Bureau, unitid: int, records: list[str], total: int, cls: str) -> str:
    i = ids(bureau)
    webname = bureau.site_name
    nextgroup = (
        f'<a href="/module/web/jpage/dataproxy.jsp?page=1&webid={i["webid"]}&path=/&columnid={i["colid"]}'
        f'&unitid={unitid}&webname={quote(webname)}&permissiontype=0">下一页</a>'
    )
    static = records[: STATIC_PAGES * bureau.per_page]
    return f"""<div class="{cls}">
<div id="{unitid}"><script type="text/xml">{datastore(static, nextgroup)}
</script></div>
<script>$('#{unitid}').jpage({{totalRecord:{total}, perPage:{bureau.per_page}, proxyUrl:'/module/web/jpage/dataproxy.jsp', ajaxParam:{{col:1, appid:1, webid:{i["webid"]}, path:'/', columnid:{i["colid"]}, sourceContentType:1, unitid:{unitid}, webname:'{webname}', permissiontype:0}}}})</script>
</div>"""


def page_head(bureau: Bureau, title: str, metas: str = "") -> str:
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{rc.esc(title)}</title>
{metas}
<script type="text/javascript" src="/script/jquery.min.js"></script>
<script type="text/javascript" src="/module/web/jpage/jpage.js"></script>
</head>"""


def footer(bureau: Bureau, style: dict, ruby: bool) -> tuple[str, list[str]]:
    if ruby:
        lines = "\n".join(f"<p>{rc.esc(line)}</p>" for line in RUBY_FOOTER)
        chrome = [
            "站點(diǎn)地圖",
            "聯(lián)系我們",
            "OA登錄",
            "網(wǎng)站標(biāo)識(shí)碼",
            "地址:安徽省阜陽市阜南路9號(hào)",
            "本站已支持IPv6",
            "公網(wǎng)安備",
            "3412000012",
        ]
        return f'<div class="footer">\n{lines}\n</div>', chrome
    if style["footer"] == "fuyang":
        markup = f"""<div class="footer">
<p><a href="/wzdt/index.html">站点地图</a> | <a href="/lxwm/index.html">联系我们</a> | <a href="/oa/">OA登录</a></p>
<p>主办：{rc.esc(bureau.organizer)} 承办：{rc.esc(bureau.undertaker)}</p>
<p>服务监督热线：{bureau.phone} 网站运维电话：0558-2560290</p>
<p>地址：{rc.esc(bureau.address)}</p>
<p>{bureau.icp} {bureau.gongan} 网站标识码：{bureau.site_id_code}（建议您使用IE9及以上版本浏览器访问本网站） 本站已支持IPv6访问</p>
</div>"""
        chrome = [
            "站点地图",
            "联系我们",
            "OA登录",
            "服务监督热线",
            f"地址：{bureau.address}",
            "ICP备",
            "公网安备",
            "网站标识码",
            "建议您使用IE9及以上版本浏览器",
            "本站已支持IPv6",
        ]
        return markup, chrome
    return rc.footer_html(bureau)


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
    i = ids(bureau)
    artid = page.path.rsplit("_", 1)[1].split(".")[0]
    chrome: list[str] = []
    ruby = item.ruby

    def take(piece: tuple[str, list[str]]) -> str:
        markup, strings = piece
        if ruby:
            for simp, trad in RUBY_CHROME.items():
                markup = markup.replace(simp, trad)
                strings = [s.replace(simp, trad) for s in strings]
        chrome.extend(strings)
        return markup

    url = page.url(bureau)
    metas = rc.meta_tags(bureau, item, bureau.column_name, url, style["meta"])
    metas += (
        f'\n<meta name="Maketime" content="{item.published}:00">'
        f'\n<meta name="guid" content="{rc.stable_int(url, digits=9)}">'
    )
    header = take(rc.header_html(bureau, "/zwgk/index.html"))
    foot = footer(bureau, style, ruby)
    chrome.extend(foot[1])
    crumb = take(
        (
            f'<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a>'
            f' &gt; <a href="/col/col{i["colid"]}/index.html">{rc.esc(bureau.column_name)}</a></div>',
            ["当前位置"],
        )
    )
    page.index_no = item.index_no
    xxgk = take(
        (
            f"""<table class="xxgk_article" width="100%" border="0" cellspacing="0" cellpadding="0">
<tr><th>索引号：</th><td>{rc.esc(item.index_no)}</td><th>文号：</th><td>{rc.esc(item.doc_no)}</td></tr>
<tr><th>组配分类：</th><td>{rc.esc(bureau.column_name)}</td><th>发布机构：</th><td>{rc.esc(item.source)}</td></tr>
<tr><th>成文日期：</th><td>{rc.esc(item.written_date)}</td><th>公开方式：</th><td>主动公开</td></tr>
<tr><th>有效性：</th><td>有效</td><th></th><td></td></tr>
</table>""",
            ["索引号", "组配分类", "发布机构", "成文日期", "公开方式", "有效性"]
            + ([item.index_no] if item.index_no else []),
        )
    )
    info = take(
        (
            f'<div class="info">发布时间：{item.published} <span>信息来源：<!--<$[信息来源]>begin-->'
            f"{rc.esc(item.source)}<!--<$[信息来源]>end--></span> 浏览次数：<script "
            f'src="/module/visitcount/articlehits.jsp?colid={i["colid"]}&artid={artid}"></script> '
            f'字体：<a href="javascript:doZoom(20)">【大】</a><a href="javascript:doZoom(16)">【中】</a>'
            f'<a href="javascript:doZoom(12)">【小】</a></div>',
            [f"发布时间：{item.published}", "信息来源：", "浏览次数", "字体"],
        )
    )
    share = take(rc.share_print_html())
    qr = take(rc.qr_html()) if style["qr"] else ""
    sxp = take(rc.neighbours_html(prev, nxt))
    files_html = ""
    if item.attachments:
        links = []
        for k, name in enumerate(item.attachments):
            fname = attachment_name(page.path, name, k)
            href = f"/module/download/downfile.jsp?classid=0&filename={fname}"
            page.attachments.append({"name": name, "url": rc.base_url(bureau) + href})
            links.append(
                f'<a href="{href.replace("&", "&amp;")}" target="_blank">{rc.esc(name)}</a>'
            )
        files_html = take(
            ('<div class="fujian">附件：' + "<br/>".join(links) + "</div>", ["附件："])
        )
    rel_html = ""
    if related:
        lis = "".join(f'<li><a href="{h}">{rc.esc(t)}</a></li>' for t, h in related)
        rel_html = take((f'<div class="xgjd"><h4>相关解读</h4><ul>{lis}</ul></div>', ["相关解读"]))
        chrome.extend(t for t, _ in related)
    body = rc.item_body(bureau, page, word=False)
    dup = rc.mobile_duplicate(item, mobile_from)
    page.chrome = chrome
    return f"""{page_head(bureau, f"{item.title}", metas)}
<body>
{header}
<div class="main">
{crumb}
{xxgk}
<div class="article">
<h1 class="title"><!--<$[标题名称(html)]>begin-->{rc.esc(item.title)}<!--<$[标题名称(html)]>end--></h1>
{info}
<div id="zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><meta name="ContentStart">
{body}
<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>
{dup}
{files_html}
</div>
{rel_html}
{share}
{qr}
{sxp}
</div>
{foot[0]}
</body>
</html>
"""


def attachment_name(page_path: str, name: str, k: int) -> str:
    """Server-side file name of an attachment, as downfile.jsp takes it in its filename parameter."""
    ext = name.rsplit(".", 1)[1].lower() if "." in name[-6:] else "pdf"
    artid = page_path.rsplit("_", 1)[1].split(".")[0]
    return f"{rc.stable_int(page_path, k, digits=8)}{artid}.{ext}"


def column_page(bureau: Bureau, records: list[str], m_records: list[str]) -> str:
    i = ids(bureau)
    header, _ = rc.header_html(bureau, "/zwgk/index.html")
    foot, _ = footer(bureau, style_of(bureau), False)
    total = len(records)
    return f"""{page_head(bureau, f"{bureau.column_name} {bureau.site_name}")}
<body>
{header}
<div class="main">
<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; <a href="/zwgk/index.html">政务公开</a> &gt; {rc.esc(bureau.column_name)}</div>
<div class="lm-title">{rc.esc(bureau.column_name)}</div>
<div class="default_pgContainer">
{unit_html(bureau, i["unitid"], records, total, "pc-list")}
</div>
<div class="mobile-only" style="display:none">
{unit_html(bureau, i["m_unitid"], m_records, total, "m-list")}
</div>
</div>
{foot}
</body>
</html>
"""


def style_of(bureau: Bureau) -> dict:
    return STYLES.get(bureau.id, DEFAULT_STYLE)


def render(
    bureau: Bureau, items: list[Item], root: Path, mobile_from: dict[str, str]
) -> list[rc.Page]:
    """Writes the column, its dataproxy records and every detail page of one Hanweb bureau under root."""
    style = style_of(bureau)
    i = ids(bureau)
    entries = [(it, item_path(bureau, it, n)) for it, n in rc.order_items(items)]
    by_title = {it.title: path for it, path in entries}
    records = [record(it, path, False) for it, path in entries]
    m_records = [record(it, path, True) for it, path in entries]
    rc.write_text(root, column_path(bureau), column_page(bureau, records, m_records), crlf=True)
    # What the dataproxy answers from; kept under a folder the server never serves.
    proxy = {
        "webid": i["webid"],
        "columnid": i["colid"],
        "webname": bureau.site_name,
        "units": {str(i["unitid"]): records, str(i["m_unitid"]): m_records},
    }
    rc.write_text(
        root,
        f"/_jpage/{i['colid']}.json",
        json.dumps(proxy, ensure_ascii=False, indent=1) + "\n",
    )
    pages = []
    for n, (item, path) in enumerate(entries):
        page = rc.Page(item, path)
        prev = (entries[n - 1][0].title, entries[n - 1][1]) if n else None
        nxt = (entries[n + 1][0].title, entries[n + 1][1]) if n + 1 < len(entries) else None
        related = [(t, by_title.get(target, "/zwgk/index.html")) for t, target in item.related]
        text = detail_page(bureau, style, page, prev, nxt, related, mobile_from.get(item.title))
        rc.write_text(root, path, text, crlf=True)
        rc.write_images(root, page)
        for k, name in enumerate(item.attachments):
            dest = root / "module/download/files" / attachment_name(path, name, k)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(rc.attachment_file(name, item))
        pages.append(page)
    return pages
