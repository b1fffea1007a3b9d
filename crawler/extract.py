"""Turn one portal detail page into clean report text and its metadata.

Government portals are built by a handful of CMS families, and each family puts the body in a known
place: TRS WCM in ``div.TRS_Editor`` inside ``.article_con``/``.pages_content`` and print markers, Hanweb
between ``<!--<$[信息内容]>begin-->`` comments or ContentStart/ContentEnd metas in ``#zoom``. Knowing the
container is far more reliable than a generic boilerplate detector on pages whose chrome (breadcrumbs,
date lines, footers with ICP numbers) is dense and whose body may be one big table, so the family rules
go first and trafilatura is the fallback for pages of no known family. Chrome that sneaks inside a
container is removed line by line, with rules that look at the whole line, never at a word inside a
sentence: a report may well say 网站标识码 or ICP 备案 in its prose.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from archive.safeurl import link_scheme, refusal, refused_link
from archive.textnorm import remove_ruby, simplify_chars
from crawler.classify import year_from_title
from crawler.dates import parse_date
from crawler.depth import parse_within_depth

__all__ = ["extract_page", "html_to_lines"]

# ---------------------------------------------------------------------------------------------------
# Parsing

# An XML declaration that lxml refuses on a str: matches '<?xml version="1.0" encoding="utf-8"?>'.
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _parse(html: str, parser=None) -> lxml.html.HtmlElement:
    html = _XML_DECL_RE.sub("", html or "")
    if not html.strip():
        html = "<html><body></body></html>"
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring(
            "<html><body>" + html + "</body></html>", parser=parser
        )


# ---------------------------------------------------------------------------------------------------
# Meta tags, parsed from the source text because real markup breaks HTML parsers' attribute handling.

# One meta tag: matches '<meta name="SiteName" content="河南省交通运输厅">' and '<META content=x name=y>'.
_META_TAG_RE = re.compile(r"<meta\b([^>]*)>", re.I | re.S)
# One attribute, quoted or not; the value may be followed directly by the next attribute name:
# matches 'name="ColumnName"' and then 'content="年报"' in 'name="ColumnName"content="年报"'.
_ATTR_RE = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>/]+)""")


def _meta_tags(html: str) -> dict[str, str]:
    """Lower-cased meta name → content; the first non-empty value wins (mobile templates repeat)."""
    out: dict[str, str] = {}
    for m in _META_TAG_RE.finditer(html):
        attrs = {}
        for a in _ATTR_RE.finditer(m.group(1)):
            v = a.group(2)
            if v[:1] in "\"'":
                v = v[1:-1]
            attrs.setdefault(a.group(1).lower(), lxml.html.fromstring(f"<i>{v}</i>").text_content()
                             if "&" in v else v)  # fmt: skip
        name = (attrs.get("name") or attrs.get("property") or "").strip().lower()
        content = (attrs.get("content") or "").strip()
        if name and content and name not in out:
            out[name] = content
    return out


# ---------------------------------------------------------------------------------------------------
# Cleaning the tree

_DROP_TAGS = ("script", "style", "noscript", "template", "rt", "rp", "iframe", "object", "embed",
              "select", "button", "input", "textarea", "svg", "canvas", "map")  # fmt: skip
# Inline styles that hide an element: matches "display:none", "DISPLAY: none;", "visibility:hidden".
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Class/id names of mobile-template copies: matches "mobile", "m-content", "m-article-con", "wap_con",
# "visible-xs", "hidden-lg", "phone-show" (not "hidden-xs", which hides on phones only, nor "phone",
# which may be a contact number).
_MOBILE_RE = re.compile(
    r"(?:^|[\s_-])(?:mobile|wap|phone-show|show-phone|visible-xs|visible-sm|hidden-lg|hidden-md|show-m|m-show)(?:$|[\s_-])|"
    r"(?:^|\s)m[-_](?:content|con|article|art|detail|main|body|text|zoom)",
    re.I,
)
# Class tokens that mean display:none in common CSS frameworks.
_HIDDEN_CLASSES = frozenset(
    ["hidden", "hide", "d-none", "sr-only", "visually-hidden", "invisible", "none"]
)


def _is_hidden(el, mobile: bool = True) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE_RE.search(el.get("style") or ""):
        return True
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("html", "body"):
        return False
    cls = el.get("class") or ""
    if any(tok.lower() in _HIDDEN_CLASSES for tok in cls.split()):
        return True
    return mobile and bool(_MOBILE_RE.search(f"{cls} {el.get('id') or ''}"))


def _drop(el) -> None:
    """Remove an element but keep its tail text, which belongs to the parent's flow."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _clean_tree(root, mobile: bool = True) -> None:
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(el)
    for el in list(root.iter(*_DROP_TAGS)):
        _drop(el)
    for el in list(root.iter()):
        if isinstance(el.tag, str) and el.getparent() is not None and _is_hidden(el, mobile):
            _drop(el)


# ---------------------------------------------------------------------------------------------------
# Rendering: one line per block, one line per table row.

_BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "blockquote",
        "center",
        "hr",
        "pre",
        "form",
        "fieldset",
        "address",
        "figure",
        "figcaption",
        "main",
        "caption",
        "tr",
        "tbody",
        "thead",
        "tfoot",
        "table",
        "legend",
        "details",
        "summary",
    ]
)
# Any whitespace run, including the ideographic space and nbsp: matches "\u3000\u3000" and " \r\n ".
_WS_RE = re.compile(r"\s+")


def _collapse(s: str) -> str:
    return _WS_RE.sub(" ", s).strip()


def _cell_text(cell) -> str:
    return _collapse("".join(t for t in cell.itertext()))


def _table_rows(table) -> list:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


def _is_layout_table(table) -> bool:
    """Old TRS pages wrap the whole body in a one-cell table; rendering it as a data row would fold
    the report into a single line."""
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        blocks = [c for c in cell if isinstance(c.tag, str) and c.tag in ("p", "div", "br")]
        if len(blocks) >= 3 and len(cell.text_content()) > 300:
            return True
    return False


class _Lines:
    """Accumulates rendered lines; each line remembers whether all its text sat inside links, which
    is how 相关解读 lists and 上一篇/下一篇 navigation are told apart from prose."""

    def __init__(self, skip_links: bool = False) -> None:
        self.lines: list[tuple[str, bool]] = []
        self.buf: list[tuple[str, bool]] = []
        self.skip_links = skip_links

    def add(self, text: str | None, in_link: bool) -> None:
        if text and not (self.skip_links and in_link):
            self.buf.append((text, in_link))

    def flush(self) -> None:
        if not self.buf:
            return
        text = _collapse("".join(t for t, _ in self.buf))
        if text:
            link_only = all(link or not t.strip() for t, link in self.buf)
            self.lines.append((text, link_only))
        self.buf = []

    def row(self, text: str) -> None:
        self.flush()
        if text:
            self.lines.append((text, False))


def _walk(el, out: _Lines, in_link: bool = False) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "table" and not _is_layout_table(el):
        out.flush()
        for tr in _table_rows(el):
            cells = [_cell_text(c) for c in tr if c.tag in ("td", "th")]
            if any(cells):
                out.row(" | ".join(cells))
        out.flush()
        return
    if tag == "br":
        out.flush()
        return
    block = tag in _BLOCK_TAGS
    if tag in ("td", "th"):
        block = True  # a layout table's cells are blocks
    link = in_link or tag == "a"
    if block:
        out.flush()
    out.add(el.text, link)
    for child in el:
        _walk(child, out, link)
        out.add(child.tail, link)
    if block:
        out.flush()


def html_to_lines(el, skip_links: bool = False) -> list[tuple[str, bool]]:
    """(line, link_only) pairs for an element: paragraphs and table rows each on one line."""
    out = _Lines(skip_links)
    _walk(el, out)
    out.flush()
    return out.lines


# ---------------------------------------------------------------------------------------------------
# Chrome lines. Detection runs on a simplified, ruby-free copy so 發佈時間 and 當(dāng)前位置 match too.

# Breadcrumbs: matches "当前位置：首页 > 政务公开 > 年报", "您现在的位置: 首页", "当前位置 首页 > 信息公开".
_CRUMB_RE = re.compile(
    r"^(当前位置|您现在的位置|您当前的位置|您的位置|现在的位置|所在位置|位置\s*[:：])"
)
# A bare crumb trail: matches "首页 > 政务公开 > 政府信息公开年报" and "首页»信息公开»年报".
_TRAIL_RE = re.compile(r"^首页\s*(>|»|›|》|→|/|\\)")
# A date/source/author/counter line: matches "发布时间：2019-04-18 10:24 作者： 来源：益阳市交通运输局",
# "发布日期:2018-02-28 13:20 文章来源:河南省交通运输厅", "浏览次数：", "【字体：大 中 小】".
_META_LINE_RE = re.compile(
    r"^[【\[(（]?\s*(发布时间|发布日期|发表时间|发文时间|更新时间|日期|时间|来源|文章来源|信息来源|"
    r"稿件来源|作者|责任编辑|编辑|浏览次数|点击数|点击次数|访问次数|阅读次数|阅读量|浏览量|字体|字号|"
    r"信息提供|发布人|索引号|发布机构|发文机关|成文日期|生成日期|文号|发文字号|主题分类|组配分类|体裁分类|"
    r"公开方式|公开时限|公开范围|有效性)\s*[:：]"
)
# The font-size switch anywhere on a short line: matches "字体：【大】 【中】 【小】" and "【大 中 小】".
_FONT_RE = re.compile(
    r"【\s*大\s*】\s*【\s*中\s*】\s*【\s*小\s*】|[【\[]\s*大\s*中\s*小\s*[】\]]|字[体号]\s*[:：]?\s*[大中小]\s*[大中小]"
)
# Page tools: matches "扫一扫在手机打开当前页", "分享到：", "【打印本页】【关闭窗口】", "打印 | 关闭", "收藏本页".
_TOOLS_RE = re.compile(
    r"扫一扫在手机|在手机打开当前页|手机扫一扫|^扫一扫|^分享到|打印本页|关闭窗口|^[【\[]?\s*打印\s*[】\]]?\s*[|｜]?\s*"
    r"[【\[]?\s*关闭|收藏本页|加入收藏|^返回顶部$|^【?\s*(打印|关闭|返回|顶部|收藏)\s*】?$"
)
# Previous/next navigation: matches "上一篇：关于……" and "下一篇: 没有了".
_PREVNEXT_RE = re.compile(r"^[【\[]?\s*(上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[】\]]?\s*[:：]?")
# Related lists' headings: matches "相关解读：", "相关文件", "【相关链接】", "相关附件:".
_RELATED_RE = re.compile(
    r"^[【\[]?\s*相关(解读|文件|链接|附件|阅读|新闻|信息|稿件|政策|文章|报道)\s*[】\]]?\s*[:：]?"
)
# Attachment download stubs: matches "附件：[点击下载]", "附件:【下载】", "附件下载：".
_ATTACH_STUB_RE = re.compile(
    r"^附件(下载)?\s*[:：]?\s*[\[【]?\s*(点击下载|下载附件|点击查看|下载)?\s*[\]】]?$"
)
# A download line naming files only (the files are recorded as attachments, not text): matches
# "附件：湖南省交通运输厅2011年政府信息公开工作年度报告.doc", "附件1：统计表.xls 附件2：说明.pdf" and
# "附件下载：年报.pdf（326KB）"; not "附件：2023年政府信息公开情况统计表" (a mention in the report's text).
_ATTACH_FILES_RE = re.compile(
    r"^(?:(?:相关)?附件(?:下载)?\s*\d*\s*[:：]\s*[^\n]{0,120}?\.(?:pdf|docx?|wps|ofd|xlsx?|et|zip|rar)"
    r"\s*(?:[(（][^)）]{0,20}[)）])?\s*)+$",
    re.I,
)
# Site footer markers that only a site footer carries: matches "主办：阜阳市交通运输局", "版权所有",
# "皖ICP备19012406号-1", "皖公网安备34120202000184号", "网站标识码：3412000012", "本站已支持IPv6访问",
# "建议您使用IE9及以上版本浏览器", "网站运维电话:0558-2560290", "版权所有：清流县人民政府" (owner
# included), "建议使用1024×768分辨率浏览".
_FOOTER_STRONG_RE = re.compile(
    r"(主办|承办|协办|主办单位|承办单位|协办单位|技术支持|运维单位|维护单位)\s*[:：]\s*\S+|"
    r"版权所有\s*[:：]?\s*[\u4e00-\u9fff]{0,20}|copyright|©|"
    r"(建议|推荐)?\s*(使用)?\s*\d{3,4}\s*[×xX*]\s*\d{3,4}\s*(像素)?\s*(以上)?\s*分辨率[^。]{0,12}|"
    r"[\u4e00-\u9fff]?ICP\s*备\s*\d+号?(-\d+)?|ICP证\s*\d+号?|备案号\s*[:：]?|"
    r"[\u4e00-\u9fff]?公网安备\s*\d+号?|"
    r"网站标识码\s*[:：]?\s*[0-9a-zA-Z]{6,12}|"
    r"(已|全面)?支持\s*IPv6(访问)?|IPv6\s*访问|"
    r"(建议|推荐)[^。]{0,12}(使用|采用)?[^。]{0,20}(IE|浏览器)[^。]{0,30}|IE\s*\d+\s*(\.0)?\s*(及|或)?以上[^。]{0,20}|"
    r"分辨率[^。]{0,20}|"
    r"(网站运维|网站维护|网站纠错|服务监督热线)[^:：]{0,4}\s*[:：]\s*[-\d ]{5,20}",
    re.I,
)
# Footer navigation: matches "网站地图", "站点地图", "联系我们" in "站点地图 | 联系我们 | OA登录".
_FOOTER_NAV_RE = re.compile(
    r"网站地图|站点地图|联系我们|关于我们|网站声明|隐私声明|免责声明|网站纠错|OA登录|帮助中心"
)
# Contact details, footer-ish only next to a strong marker (a report may end with its own contact line):
# matches "地址：安徽省阜阳市阜南路9号", "电话：0558-12328".
_FOOTER_CONTACT_RE = re.compile(
    r"(地址|电话|传真|邮编|邮箱|联系电话)\s*[:：]\s*[-\d\u4e00-\u9fff()（）@.a-zA-Z ]{2,40}"
)


# Accessibility/language toggles: matches "无障碍 | 长者模式 | 繁体", "简体版 繁體版", "关怀版".
_TOGGLE_TOKEN_RE = re.compile(
    r"无障碍(浏览|阅读|模式)?|长者模式|关怀版|关怀模式|适老化|老年模式|繁体(版|中文)?|繁體(版)?|简体(版|中文)?|"
    r"English|EN|手机版|移动版|微信|微博|登录|注册|个人中心|读屏|智能问答|[|｜/·•\s]"
)


# A label spaced out before its colon: matches "索 引 号：" in "索 引 号：000014349/2021-00005".
_SPACED_LABEL_RE = re.compile(r"^(?:[\u4e00-\u9fff]\s+){1,5}[\u4e00-\u9fff]\s*(?=[:：])")


def _chrome_key(line: str) -> str:
    key = simplify_chars(remove_ruby(line)).strip()
    # Labels are often spaced out to align: "索 引 号：" and "文　　号：" are 索引号 and 文号.
    head = _SPACED_LABEL_RE.match(key)
    if head:
        key = _WS_RE.sub("", head.group(0)) + key[head.end() :]
    return key


def _is_footer(key: str) -> bool:
    strong = _FOOTER_STRONG_RE.search(key)
    nav = _FOOTER_NAV_RE.search(key)
    if not (strong or nav):
        return False
    rest = _FOOTER_CONTACT_RE.sub("", _FOOTER_NAV_RE.sub("", _FOOTER_STRONG_RE.sub("", key)))
    rest = re.sub(r"[\s|｜:：,，;；.。()（）\-—_/]+", "", rest)
    # Footer lines are made of markers; a sentence that mentions one keeps plenty of its own text.
    if strong:
        return len(rest) <= 12
    return len(rest) <= 6 and not _FOOTER_CONTACT_RE.search(key)


def _is_toggle(key: str) -> bool:
    return len(key) <= 40 and not _TOGGLE_TOKEN_RE.sub("", key)


def _is_chrome(key: str) -> bool:
    if _CRUMB_RE.match(key) or _PREVNEXT_RE.match(key) or _ATTACH_STUB_RE.match(key):
        return True
    if len(key) < 400 and _ATTACH_FILES_RE.match(key):
        return True
    if _TRAIL_RE.match(key) and len(key) < 120:
        return True
    if _META_LINE_RE.match(key) and len(key) < 160:
        return True
    if len(key) < 80 and (_FONT_RE.search(key) or _TOOLS_RE.search(key)):
        return True
    return _is_footer(key) or _is_toggle(key)


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", _chrome_key(s))


def clean_lines(lines: list[tuple[str, bool]], title: str = "") -> list[str]:
    """Drop chrome lines, the lists hanging under 相关… headings and the repeated title."""
    out: list[str] = []
    in_related = False
    title_key = _squash(title) if title else ""
    for text, link_only in lines:
        key = _chrome_key(text)
        if _RELATED_RE.match(key):
            in_related = True
            continue
        if in_related:
            if link_only or _is_chrome(key) or len(key) <= 2:
                continue
            in_related = False
        if _is_chrome(key):
            continue
        out.append(text)
    # The title repeated as the body's first line, or broken over its first two or three lines.
    if title_key:
        for k in (1, 2, 3):
            if _squash("".join(out[:k])) == title_key:
                return out[k:]
    return out


# ---------------------------------------------------------------------------------------------------
# Body location

_STRONG_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' TRS_EDITOR ')"
    " or @id='zoom' or @id='Zoom' or @id='UCAP-CONTENT' or @id='ucap-content'"
    " or contains(concat(' ', normalize-space(@class), ' '), ' zoom ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' bt-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' Custom_UnionStyle ')]"
)
_WEAK_XPATH = (
    "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_con ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' article-content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' article_content ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' view ')"
    " or @id='content' or @id='article' or @id='art_content']"
)
# Hanweb content markers (a 繁体 proxy may convert them): matches "<!--<$[信息内容]>begin-->" …
# "<!--<$[信息内容]>end-->" and "<!--<$[信息內容]>begin-->".
_HANWEB_BODY_RE = re.compile(
    r"<!--\s*<\$\[信息[内內]容\]>\s*begin\s*-->(.*?)<!--\s*<\$\[信息[内內]容\]>\s*end\s*-->", re.S
)
# Hanweb's meta pair around the body: matches '<meta name="ContentStart">…<meta name="ContentEnd">'.
_CONTENT_META_RE = re.compile(
    r"<meta[^>]*name\s*=\s*[\"']?ContentStart[\"']?[^>]*>(.*?)<meta[^>]*name\s*=\s*[\"']?ContentEnd[\"']?[^>]*>",
    re.S | re.I,
)
# TRS print markers: matches "<!--startprint-->…<!--endprint-->".
_PRINT_RE = re.compile(r"<!--\s*startprint\s*-->(.*?)<!--\s*endprint\s*-->", re.S | re.I)
# Hanweb title markers: matches "<!--<$[标题名称(html)]>begin-->…<!--<$[标题名称(html)]>end-->".
_HANWEB_TITLE_RE = re.compile(
    r"<!--\s*<\$\[[标標][题題]名[称稱](?:\(html\))?\]>\s*begin\s*-->(.*?)<!--\s*<\$\[[标標][题題]名[称稱](?:\(html\))?\]>\s*end\s*-->",
    re.S,
)
# Hanweb source markers: matches "<!--<$[信息来源]>begin-->市交通局<!--<$[信息来源]>end-->".
_HANWEB_SOURCE_RE = re.compile(
    r"<!--\s*<\$\[信息[来來]源\]>\s*begin\s*-->(.*?)<!--\s*<\$\[信息[来來]源\]>\s*end\s*-->", re.S
)


def _outermost(els: list) -> list:
    chosen = set(els)
    out = []
    for el in els:
        if not any(a in chosen for a in el.iterancestors()):
            out.append(el)
    return out


def _text_len(el) -> int:
    return len(_WS_RE.sub("", el.text_content()))


def _fragment(html_part: str):
    root = _parse("<html><body><div>" + html_part + "</div></body></html>")
    _clean_tree(root)
    return root.body


def _hidden_region(root, marker: str) -> list[bool]:
    """For each occurrence of a comment marker, whether it sits in a hidden subtree (a mobile copy)."""
    flags = []
    for c in root.iter(etree.Comment):
        if marker in simplify_chars(c.text or ""):
            flags.append(any(_is_hidden(a) for a in c.iterancestors()))
    return flags


def _marked_regions(html: str, hidden: dict[str, list[bool]]) -> list:
    regions = []
    for rx, marker in ((_HANWEB_BODY_RE, "信息内容"), (_PRINT_RE, "startprint")):
        # 信息内容 markers come in begin/end comment pairs, print markers are counted by startprint.
        step = 2 if marker == "信息内容" else 1
        flags = hidden.get(marker, [])
        for i, m in enumerate(rx.finditer(html)):
            if step * i < len(flags) and flags[step * i]:
                continue  # the copy inside a hidden mobile template
            regions.append((marker, _fragment(m.group(1))))
    for m in _CONTENT_META_RE.finditer(html):
        regions.append(("ContentStart", _fragment(m.group(1))))
    return regions


def _find_body(html: str, root, hidden: dict[str, list[bool]]):
    """The body element and the family rule that found it, or (None, "generic")."""
    strong = _outermost(
        [el for el in root.xpath(_STRONG_XPATH) if _text_len(el) or el.find(".//img") is not None]
    )
    if strong:
        return max(strong, key=_text_len), "container"
    regions = _marked_regions(html, hidden)
    hanweb = [r for kind, r in regions if kind in ("信息内容", "ContentStart")]
    if hanweb:
        return max(hanweb, key=_text_len), "hanweb-markers"
    printed = [r for kind, r in regions if kind == "startprint"]
    if printed:
        return max(printed, key=_text_len), "print-markers"
    weak = _outermost(root.xpath(_WEAK_XPATH))
    weak = [el for el in weak if _text_len(el)]
    if weak:
        return max(weak, key=_text_len), "weak-container"
    cell = _layout_cell(root)
    if cell is not None:
        return cell, "layout-cell"
    return None, "generic"


def _layout_cell(root):
    """Table-layout pages (static sites of the 2000s) keep the body in one `<td>` among menu, crumb
    and footer cells, as `<font>` runs split by `<br>`. The body is the innermost cell that holds no
    layout table (data tables of the report may sit inside it) and has the most text, provided it reads
    as paragraphs (several `<br>` or `<p>`); generic extraction would keep the menus around it."""
    best, best_len = None, 0
    for td in root.iter("td"):
        if any(_is_layout_table(t) for t in td.iter("table")):
            continue
        breaks = sum(1 for _ in td.iter("br", "p"))
        n = _text_len(td)
        if breaks >= 3 and n > best_len:
            best, best_len = td, n
    return best if best_len >= 100 else None


# ---------------------------------------------------------------------------------------------------
# xxgk metadata table

_XXGK_LABELS = {
    "索引号": "index_no",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "发布单位": "publisher",
    "公开单位": "publisher",
    "信息来源": None,
    "成文日期": "written_date",
    "生成日期": "written_date",
    "文号": "doc_no",
    "发文字号": "doc_no",
    "文件编号": "doc_no",
    "主题分类": None,
    "组配分类": None,
    "体裁分类": None,
    "公开方式": None,
    "公开时限": None,
    "公开范围": None,
    "有效性": None,
    "发布日期": None,
    "名称": None,
    "标题": None,
    "关键词": None,
}
# A label cell, possibly with colon and spaces: matches "索引号：", "文 号:", "成文日期".
_LABEL_CLEAN_RE = re.compile(r"[\s:：\u3000]+")
# Label and value inside one cell or span: matches "索引号：11410000MB1957591D/2019-00012".
_INLINE_LABEL_RE = re.compile(
    r"^(索引号|发布机构|发文机关|发布单位|成文日期|生成日期|文号|发文字号)\s*[:：]\s*(.+)$"
)


def _label_of(text: str) -> str | None:
    # Labels may come out of a 繁体 toggle with ruby debris: "索引號(hào)：" is 索引号.
    key = _LABEL_CLEAN_RE.sub("", _chrome_key(text)) if len(text) < 60 else ""
    return key if key in _XXGK_LABELS else None


def _value_after_colon(text: str) -> str:
    """The value of "索引号：X" as the page shows it (the label itself may be in 繁体 with ruby)."""
    return re.split(r"[:：]", text, maxsplit=1)[-1].strip()


def _xxgk_tables(root) -> list:
    """Tables whose own cells (not a nested table's) are mostly 索引号/发布机构/… labels."""
    tables = []
    for t in root.iter("table"):
        cells = [c for tr in _table_rows(t) for c in tr if c.tag in ("td", "th")]
        labels = 0
        for c in cells:
            text = _collapse(c.text_content())
            if len(text) < 60 and (_label_of(text) or _INLINE_LABEL_RE.match(_chrome_key(text))):
                labels += 1
        is_xxgk = "xxgk" in (t.get("class") or "").lower() and t.find(".//table") is None
        if is_xxgk or (labels >= 2 and labels * 4 >= len(cells)):
            tables.append(t)
    return tables


def _xxgk_fields(root) -> dict[str, str]:
    out: dict[str, str] = {}

    def put(label: str, value: str) -> None:
        field = _XXGK_LABELS.get(label) or {"发布机构": "publisher"}.get(label)
        value = _collapse(value)
        if field and value and field not in out:
            out[field] = value

    for t in _xxgk_tables(root):
        for tr in t.iter("tr"):
            cells = [c for c in tr if c.tag in ("td", "th")]
            for i, c in enumerate(cells):
                text = _collapse(c.text_content())
                label = _label_of(text)
                if label and i + 1 < len(cells) and not _label_of(cells[i + 1].text_content()):
                    put(label, cells[i + 1].text_content())
                m = _INLINE_LABEL_RE.match(_chrome_key(text))
                if m:
                    put(m.group(1), _value_after_colon(text))
    # div/ul based xxgk blocks: "<li><span>索引号：</span>xxx</li>" or "<li>索引号：xxx</li>".
    for el in root.iter("li", "p", "span", "div", "dd", "td"):
        text = _collapse(el.text_content())
        if len(text) > 80:
            continue
        m = _INLINE_LABEL_RE.match(_chrome_key(text))
        if m:
            put(m.group(1), _value_after_colon(text))
    return out


# ---------------------------------------------------------------------------------------------------
# Dates, titles, attachments

# A labelled publication date: matches "发布时间：2019-04-18 10:24", "发布日期:2018-02-28",
# "日期：2019年4月18日", "时间：2024-01-30 09:45", "发布日期 | 2019-04-18" (a metadata table row);
# not "成文日期：…", "生成日期：…" nor "更新时间：…" (a page edit, not the publication).
_PUB_LINE_RE = re.compile(
    r"(?<![成文生新改])(?:发布时间|发布日期|发表时间|发文日期|公开日期|信息时间|日期|时间)[\s:：|｜]*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)


def _norm_date(s: str | None) -> str | None:
    return parse_date(s)  # the project's one date reader (crawler/dates.py)


# Separators between an article title and the site name in <title>: matches " - ", "_", " | ", "—",
# and "报告-示例省交通运输厅"; not the hyphen in "2019-2020".
_TITLE_SEP_RE = re.compile(r"\s*(?:_|\||｜|—|－|--|(?<!\d)\s*-\s*(?!\d))\s*")


def _title_from_tag(title_text: str, site_name: str) -> str:
    parts = [p for p in _TITLE_SEP_RE.split(title_text) if p.strip()]
    if not parts:
        return ""
    keep = [p for p in parts if not site_name or _squash(p) not in (_squash(site_name),)]
    keep = keep or parts
    return max(keep[:2], key=len) if len(keep) > 1 and len(keep[0]) < 6 else keep[0]


def _strip_markup(fragment: str) -> str:
    if not fragment.strip():
        return ""
    try:
        return _collapse(lxml.html.fromstring(f"<div>{fragment}</div>").text_content())
    except (etree.ParserError, ValueError):
        return _collapse(re.sub(r"<[^>]+>", "", fragment))


# File-like attachment links: matches "/uploadfiles/2019/报告.pdf", "a.DOCX?v=1", "x.wps", "y.ofd#page=1".
_ATTACH_EXT_RE = re.compile(
    r"\.(pdf|docx?|xlsx?|wps|ofd|zip|rar|7z|et|dps|pptx?|txt|csv)(?:$|[?#])", re.I
)
# Download endpoints of Hanweb and JPaaS: matches "/module/download/downfile.jsp?classid=0&filename=…"
# and "/api-gateway/jpaas-web-server/front/document/download?fileUrl=…".
_DOWNLOAD_RE = re.compile(
    r"/module/download/downfile\.jsp|/front/document/download|/download\.(jsp|do)\?", re.I
)


def _is_attachment_href(href: str) -> bool:
    path = href.split("#")[0]
    return bool(
        _ATTACH_EXT_RE.search(path.split("?")[0] + "$")
        or _ATTACH_EXT_RE.search(path)
        or _DOWNLOAD_RE.search(path)
    )


def _attachments(root, body, url: str, refused: list | None = None) -> list[dict[str, str]]:
    """Attachment links from the body and from a 附件 area next to it, never from 相关… lists.

    A file-like link that is not http(s) once read as a browser reads it (`JavaScript:alert(1)//a.pdf`,
    `java&#9;script:…pdf`, archive/safeurl.py) is never an attachment: it goes to `refused` instead, for
    crawl_errors, and is never fetched."""
    candidates = []
    if body is not None:
        candidates.extend(body.iter("a"))
    for a in root.iter("a"):
        if a in candidates:
            continue
        near = False
        for anc in list(a.iterancestors())[:4]:
            key = _chrome_key(_collapse(anc.text_content()))[:30]
            if _RELATED_RE.match(key):
                near = False
                break
            if (
                key.startswith("附件")
                or "fj" in (anc.get("class") or "").lower().split("_")
                or (anc.get("class") or "").lower() in ("fj", "attach", "attachment", "files")
            ):
                near = True
                break
        if near:
            candidates.append(a)
    seen: set[str] = set()
    out = []
    for a in candidates:
        href = (a.get("href") or "").strip()
        if not href or href.startswith("#"):
            continue
        if not _is_attachment_href(href):
            continue
        absolute = urljoin(url, href)
        why = refusal(href) if link_scheme(href) else refusal(absolute)
        if why:
            if refused is not None:
                refused.append(refused_link(href, why))
            continue
        if absolute in seen:
            continue
        seen.add(absolute)
        name = _collapse(a.text_content()) or (a.get("title") or "").strip()
        if not name or name in ("点击下载", "下载", "[点击下载]"):
            name = (a.get("title") or "").strip() or absolute.rstrip("/").rsplit("/", 1)[-1].split(
                "?"
            )[0]
        out.append({"name": name, "url": absolute})
    return out


# ---------------------------------------------------------------------------------------------------
# Generic fallback


@lru_cache(maxsize=1)
def _trafilatura():
    try:
        import trafilatura
    except (
        ImportError
    ):  # lxml_html_clean missing in an old environment: our own fallback still works
        return None
    return trafilatura


def _generic_lines(html: str, root) -> list[tuple[str, bool]]:
    traf = _trafilatura()
    if traf is not None:
        out = traf.extract(
            html,
            output_format="html",
            include_tables=True,
            include_comments=False,
            include_images=False,
            favor_recall=True,
            deduplicate=False,
        )
        if out:
            frag = _parse(out)
            lines = []
            for text, link in html_to_lines(frag.body if frag.body is not None else frag):
                # trafilatura pads spanned cells with empty ones; a row does not end in empty cells.
                lines.append((re.sub(r"(?:\s*\|\s*)+$", "", text), link))
            return lines
    body = root.body if root.body is not None else root
    return html_to_lines(body)


# ---------------------------------------------------------------------------------------------------
# Public entry point

# 网站标识码 in a footer when no meta carries it: matches "网站标识码：3412000012" and "网站标识码bm17000001".
_SITE_ID_RE = re.compile(r"网站标识码\s*[:：]?\s*([0-9]{10}|bm[0-9]{8}|[0-9A-Za-z]{10})")
# A source label on the page: matches "来源：益阳市交通运输局", "文章来源:河南省交通运输厅" and "本网" in
# "来源：本网【字体：大 中 小】"; an empty
# "来源： 浏览次数：" yields nothing.
_SOURCE_RE = re.compile(
    r"(?:文章来源|信息来源|稿件来源|来源)\s*[:：]\s*(?!作者|浏览|点击|发布|字体|字号|阅读|访问)([^\s|：:【】\[\]]{2,40})"
)


# Crumb separators: matches " > " in "首页 > 政务公开" and "»", "›", "→".
_CRUMB_SEP_RE = re.compile(r"\s*(?:>|»|›|→|》)\s*")


def _crumb_column(root) -> str | None:
    """The last crumb of the 当前位置 trail: the column when the page has no ColumnName meta."""
    body = root.body if root.body is not None else root
    for text, _ in html_to_lines(body):
        key = _chrome_key(text)
        if (_CRUMB_RE.match(key) or _TRAIL_RE.match(key)) and len(key) < 120:
            parts = [
                p for p in _CRUMB_SEP_RE.split(re.sub(r"^[^:：]*[:：]", "", text)) if p.strip()
            ]
            if len(parts) >= 2:
                return parts[-1].strip()
    return None


def extract_page(html: str, url: str) -> dict:
    """Title, dates, clean text and metadata of one detail page; the dict is JSON-serialisable."""
    html = html or ""
    metas = _meta_tags(html)
    # a page nested deeper than the parser goes is flattened, and read as such from here on
    html, root = parse_within_depth(html, _parse)
    hidden = {m: _hidden_region(root, m) for m in ("信息内容", "startprint")}
    _clean_tree(root)

    site_name = metas.get("sitename") or None

    # Title
    title = metas.get("articletitle", "")
    if not title:
        m = _HANWEB_TITLE_RE.search(html)
        if m:
            title = _strip_markup(m.group(1))
    title_tag = root.find(".//title")
    title_tag_text = _collapse(title_tag.text_content()) if title_tag is not None else ""
    if not title:
        # An h1 may be the site logo: skip one that repeats the site name or the <title>'s suffix.
        not_titles = {_squash(p) for p in _TITLE_SEP_RE.split(title_tag_text)[1:] if p.strip()}
        if site_name:
            not_titles.add(_squash(site_name))
        for h in root.iter("h1"):
            t = _collapse(h.text_content())
            if t and _squash(t) not in not_titles:
                title = t
                break
    if not title and title_tag_text:
        title = _title_from_tag(title_tag_text, site_name or "")
    title = _collapse(title)

    # Metadata scan text: the page without link text, so another page's date never leaks in.
    page_lines = [
        t for t, _ in html_to_lines(root.body if root.body is not None else root, skip_links=True)
    ]
    page_text = "\n".join(page_lines)

    published = _norm_date(metas.get("pubdate")) or _norm_date(metas.get("firstpublishedtime"))
    if not published:
        m = _PUB_LINE_RE.search(simplify_chars(page_text))
        published = _norm_date(m.group(1)) if m else None

    xxgk = _xxgk_fields(root)
    for t in _xxgk_tables(root):
        _drop(t)

    body, _how = _find_body(html, root, hidden)
    if body is None:
        # A responsive template may name a visible wrapper like a mobile copy ("mobile-wrap"): before
        # falling back to generic extraction, look for a family container with mobile names kept.
        root2 = _parse(html)
        _clean_tree(root2, mobile=False)
        for t in _xxgk_tables(root2):
            _drop(t)
        body, _how = _find_body(html, root2, hidden)
        if body is not None:
            root = root2
    refused: list[dict[str, str]] = []
    attachments = _attachments(root, body, url, refused)
    lines = html_to_lines(body) if body is not None else _generic_lines(html, root)
    text = "\n".join(clean_lines(lines, title))

    source = metas.get("contentsource") or ""
    if not source:
        m = _HANWEB_SOURCE_RE.search(html)
        if m:
            source = _strip_markup(m.group(1))
    if not source:
        m = _SOURCE_RE.search(page_text)
        if m:
            source = m.group(1)
    site_id = metas.get("siteidcode") or ""
    if not site_id:
        m = _SITE_ID_RE.search(simplify_chars(remove_ruby(page_text)))
        if m:
            site_id = m.group(1)

    return {
        "title": title,
        "published": published,
        "year": year_from_title(title),
        "text": text,
        "site_name": site_name,
        "site_id_code": site_id or None,
        "column_name": metas.get("columnname") or _crumb_column(root),
        "source": source or None,
        "index_no": xxgk.get("index_no"),
        "publisher": xxgk.get("publisher"),
        "written_date": _norm_date(xxgk.get("written_date")) or xxgk.get("written_date"),
        "doc_no": xxgk.get("doc_no"),
        "attachments": attachments,
        "refused_links": refused,  # [{url, reason}]: links not stored (archive/safeurl.py)
    }
