"""Title, publication date, source, site id and column of a detail page.

Each field is read from the surest place first: the page's own meta tags (ArticleTitle, PubDate,
ContentSource, SiteIDCode, ColumnName), then the family's field markers (`field_rules` of
crawler/families/), then what any page shows (an h1, the <title>, a 发布时间：/来源： line, the crumb).
Dates are read by the project's one parser, `crawler.dates.parse_date`.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from archive.textnorm import remove_ruby, simplify_chars
from crawler.dates import parse_date
from crawler.extract.chrome import chrome_key, drop_rule, squash
from crawler.extract.lines import collapse, html_to_lines
from crawler.extract.rules import RULES
from crawler.families import ADAPTERS

__all__ = ["crumb_column", "family_field", "published", "site_id", "source_line", "title_of"]

# Separators between an article title and the site name in <title>: matches " - ", "_", " | ", "—",
# and "报告-示例省交通运输厅"; not the hyphen in "2019-2020".
_TITLE_SEP_RE = re.compile(r"\s*(?:_|\||｜|—|－|--|(?<!\d)\s*-\s*(?!\d))\s*")
# A labelled publication date: matches "发布时间：2019-04-18 10:24", "发布日期:2018-02-28",
# "日期：2019年4月18日", "时间：2024-01-30 09:45", "发布日期 | 2019-04-18" (a metadata table row),
# "发布于 2024-01-29", "录入时间：2012-03-26", "发布：2024-01-29";
# not "成文日期：…", "生成日期：…" nor "更新时间：…" (a page edit, not the publication).
_PUB_LINE_RE = re.compile(
    r"(?<![成文生新改])(?:发布时间|发布日期|发表时间|发文日期|公开日期|公开时间|信息时间|录入时间|添加时间|"
    r"发稿时间|日期|时间|发布于|发布(?=\s*[:：]))[\s:：|｜]*"
    r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})"
)
# 网站标识码 in a footer when no meta carries it: matches "网站标识码：3412000012" and "网站标识码bm17000001".
_SITE_ID_RE = re.compile(r"网站标识码\s*[:：]?\s*([0-9]{10}|bm[0-9]{8}|[0-9A-Za-z]{10})")
# A source label on the page: matches "来源：益阳市交通运输局", "文章来源:河南省交通运输厅" and "本网" in
# "来源：本网【字体：大 中 小】", "柳湾区交通运输局" in "来源：柳湾区交通运输局浏览量：126" (the next label
# follows unspaced); an empty "来源： 浏览次数：" yields nothing.
_SOURCE_RE = re.compile(
    r"(?:文章来源|信息来源|稿件来源|来源)\s*[:：]\s*(?!作者|浏览|点击|发布|字体|字号|阅读|访问)"
    r"([^\s|：:【】\[\]]{2,40}?)"
    r"(?=(?:浏览|点击|阅读|访问)(?:次数|量|数)?\s*[:：]|(?:作者|发布时间|发布日期|字体|字号|责任编辑|编辑|时间|日期)"
    r"\s*[:：]|[\s|：:【】\[\]]|$)"
)
# Crumb separators: matches " > " in "首页 > 政务公开", ">>", "»", "›", "→", "》", "－>" and the "/" of
# "首页 / 政务公开 / 年度报告" (not the "/" of "2019/2020").
_CRUMB_SEP_RE = re.compile(r"\s*(?:[-－]?>|»|›|→|》|＞|(?<!\d)[/／](?!\d)|\\)\s*")
# Last crumbs that name the page's kind, not its column: matches "正文", "详情", "内容", "文章页".
_CRUMB_NOT_COLUMN_RE = re.compile(
    r"^(?:正文|详情|详细内容|内容|文章|文章页|浏览文章|阅读文章|查看内容)$"
)
# The "当前位置：" label before a crumb trail: matches "当前位置：" in "当前位置：首页 > 年报".
_CRUMB_LABEL_RE = re.compile(r"^[^:：]*[:：]")
# Class/id names of a detail page's title cell: matches "title", "bt", "art_title", "news-title",
# "biaoti", "detail_tit", "title-text"; not "subtitle-bar", "titlebar" nor "bt-content" (a body box).
_TITLE_NAME_RE = re.compile(
    r"(?:\w+[-_])?(?:title|tit|bt|biaoti|timu)(?:[-_](?:name|text|txt|main|h\d|\d))?"
)
# A <title> that names the site, not a page: matches "松溪县交通运输局", "某市人民政府门户网站", "某省交通运输厅".
_SITE_NAME_RE = re.compile(r"(?:局|厅|委员会|委|人民政府|政府|办公室|中心|网站|门户|网)$")
# A year in a title: matches "2020" in "松溪县交通运输局2020年政府信息公开工作年度报告".
_YEAR_RE = re.compile(r"(?:19|20)\d{2}")
# Class/id names of a crumb trail's element: matches "crumb", "breadcrumb", "position", "location",
# "dqwz" (当前位置), "weizhi", "current-path"; not "positive" nor "allocation".
_CRUMB_NAME_RE = re.compile(
    r"crumb|(?<![a-z])position(?![a-z])|(?<![a-z])location|dqwz|weizhi|current-?path|nav-?path"
)
# Markup left in a marked region when lxml cannot parse it: matches "<b>" and "</span>".
_TAG_RE = re.compile(r"<[^>]+>")
_CRUMB = RULES["breadcrumb"]
_TRAIL = RULES["crumb-trail"]
_DATED = RULES["dated-info-line"]


def _strip_markup(fragment: str) -> str:
    if not fragment.strip():
        return ""
    try:
        return collapse(lxml.html.fromstring(f"<div>{fragment}</div>").text_content())
    except (etree.ParserError, ValueError):
        return collapse(_TAG_RE.sub("", fragment))


def _field_rules(field: str, family: str | None) -> list:
    """(family, rule) of every family's markers for a field, the given family's first."""
    order = [family] if family in ADAPTERS else []
    order += [f for f in ADAPTERS if f != family]
    return [(f, r) for f in order for r in ADAPTERS[f].field_rules if r.field == field]


def family_field(html: str, field: str, family: str | None = None) -> tuple[str, str | None]:
    """(value, "family/rule") of the first family field rule that finds a non-empty value."""
    for fam, r in _field_rules(field, family):
        m = r.markers.region_re.search(html)
        if m:
            value = _strip_markup(m.group(1))
            if value:
                return value, f"{fam}/{r.name}"
    return "", None


def _title_from_tag(title_text: str, site_name: str) -> str:
    parts = [p for p in _TITLE_SEP_RE.split(title_text) if p.strip()]
    if not parts:
        return ""
    keep = [p for p in parts if not site_name or squash(p) not in (squash(site_name),)]
    keep = keep or parts
    return max(keep[:2], key=len) if len(keep) > 1 and len(keep[0]) < 6 else keep[0]


def title_of(html: str, root, metas: dict, family: str | None = None) -> str:
    site_name = metas.get("sitename") or None
    found = metas.get("articletitle", "")
    if not found:
        found, _ = family_field(html, "title", family)
    title_tag = root.find(".//title")
    title_tag_text = collapse(title_tag.text_content()) if title_tag is not None else ""
    if not found:
        # An h1 may be the site logo: skip one that repeats the site name or the <title>'s suffix.
        not_titles = {squash(p) for p in _TITLE_SEP_RE.split(title_tag_text)[1:] if p.strip()}
        if site_name:
            not_titles.add(squash(site_name))
        first = squash(_TITLE_SEP_RE.split(title_tag_text)[0]) if title_tag_text else ""
        for h in root.iter("h1"):
            t = collapse(h.text_content())
            if t and not _is_logo(h, squash(t), not_titles, first):
                found = t
                break
    if not found and title_tag_text:
        found = _title_from_tag(title_tag_text, site_name or "")
        if not _TITLE_SEP_RE.search(title_tag_text):
            # A <title> of one part is often the site's name for every page: the page's title cell
            # (class="title", an h2) that says more wins.
            found = _title_cell(root, found) or found
    if not found:
        found = _title_cell(root, "") or ""
    return collapse(found)


def _is_logo(h1, key: str, not_titles: set[str], first: str) -> bool:
    """An h1 that is the site's logo: the site name (or it and a few characters, 门户网站), a link
    home, or a short piece of the <title>'s own title."""
    if key in not_titles or any(nt and nt in key and len(key) <= len(nt) + 6 for nt in not_titles):
        return True
    if any(a.tag == "a" for a in h1.iterancestors()) or (
        (a := h1.find(".//a")) is not None and squash(a.text_content()) == key
    ):
        return True
    return bool(first) and key != first and key in first and len(key) * 5 < len(first) * 3


def _title_cell(root, tag_title: str) -> str | None:
    """The first title-named element or h2/h3 outside links and menus whose text extends the <title>
    (contains it, or names a year a <title> that is only the site's name lacks)."""
    tag_key = squash(tag_title)
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower().split()
        if tag not in ("h2", "h3") and not any(_TITLE_NAME_RE.fullmatch(n) for n in names):
            continue
        if any(a.tag in ("a", "nav") for a in el.iterancestors()) or el.find(".//a") is not None:
            continue
        text = collapse(el.text_content())
        key = squash(text)
        if not 6 <= len(key) <= 120 or drop_rule(key) is not None:
            continue
        if not tag_key or (len(key) > len(tag_key) and tag_key in key):
            return text
        if _SITE_NAME_RE.search(tag_key) and not _YEAR_RE.search(tag_key) and _YEAR_RE.search(key):
            return text
    return None


# Meta names a publication date goes by besides TRS's PubDate: Hanweb, Open Graph, Dublin Core.
_PUB_METAS = ("pubdate", "firstpublishedtime", "publishdate", "publish_date", "article:published_time",
              "dc.date", "dcterms.created")  # fmt: skip


def _time_element(root) -> str | None:
    """An HTML5 page's `<time datetime>` (or its text) outside links: links' dates are other pages'."""
    if root is None:
        return None
    for t in root.iter("time"):
        if any(a.tag == "a" for a in t.iterancestors()):
            continue
        if found := parse_date(t.get("datetime")) or parse_date(t.text_content()):
            return found
    return None


def published(metas: dict, page_text: str, root=None) -> str | None:
    """The meta tags' date, else a labelled 发布时间 line, else an info line that opens with the date,
    else the page's own `<time>` element."""
    for name in _PUB_METAS:
        if found := parse_date(metas.get(name)):
            return found
    text = simplify_chars(page_text)
    if m := _PUB_LINE_RE.search(text):
        return parse_date(m.group(1))
    # "2023-01-20 来源：县交通运输局办公室": a date that opens the info line, with no label of its own
    for line in text.splitlines():
        if len(line) <= (_DATED.max_len or 0) and _DATED.regex.match(line.strip()):
            return parse_date(line)
    return _time_element(root)


def source_line(html: str, metas: dict, page_text: str, family: str | None = None) -> str | None:
    found = metas.get("contentsource") or ""
    if not found:
        found, _ = family_field(html, "source", family)
    if not found:
        m = _SOURCE_RE.search(page_text)
        if m:
            found = m.group(1)
    return found or None


def site_id(metas: dict, page_text: str) -> str | None:
    found = metas.get("siteidcode") or ""
    if not found:
        m = _SITE_ID_RE.search(simplify_chars(remove_ruby(page_text)))
        if m:
            found = m.group(1)
    return found or None


def _is_title(crumb: str, title_key: str) -> bool:
    """A crumb naming the page itself: the title, or its start cut off with an ellipsis."""
    key = squash(crumb).rstrip("….")
    return bool(title_key) and (key == title_key or (len(key) >= 8 and title_key.startswith(key)))


def crumb_column(root, title: str = "") -> str | None:
    """The last crumb of the 当前位置 trail that is not the page itself (its title, 正文): the column
    when the page has no ColumnName meta."""
    body = root.body if root.body is not None else root
    title_key = squash(title) if title else ""
    for text, _ in html_to_lines(body):
        key = chrome_key(text)
        if (_CRUMB.regex.match(key) or _TRAIL.regex.match(key)) and len(key) < 160:
            parts = [p.strip() for p in _CRUMB_SEP_RE.split(_CRUMB_LABEL_RE.sub("", text))]
            parts = [p for p in parts if p]
            if column := _last_crumb(parts, title_key):
                return column
    return _crumb_element(root, title_key)


def _last_crumb(parts: list[str], title_key: str) -> str | None:
    while len(parts) > 1 and (
        _is_title(parts[-1], title_key) or _CRUMB_NOT_COLUMN_RE.match(parts[-1])
    ):
        parts.pop()
    return parts[-1] if len(parts) >= 2 else None


def _crumb_element(root, title_key: str) -> str | None:
    """A trail whose separators are drawn by CSS (no text between the links): the link and span texts
    of a crumb-named element, or of a short element that starts with the 当前位置 label."""
    for el in root.iter("div", "p", "nav", "ul", "ol", "span", "td"):
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        head = (el.text or "").strip()
        if not (_CRUMB_NAME_RE.search(names) or (head and _CRUMB.regex.match(chrome_key(head)))):
            continue  # (cheap tests first: most elements of a page are no crumb)
        if el.find(".//a") is None or len(collapse(el.text_content())) > 160:
            continue
        parts = []
        for piece in el.iter("a", "span", "li", "em", "strong", "b", "font"):
            if piece.find(".//a") is not None or piece.find(".//span") is not None:
                continue
            t = collapse(piece.text_content()).strip(">»›→/|｜ ")
            if t and not t.endswith((":", "：")):
                parts.append(t)
        if column := _last_crumb(list(dict.fromkeys(parts)), title_key):
            return column
    return None
