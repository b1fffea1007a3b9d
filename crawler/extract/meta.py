"""Page metadata: the <meta> tags government sites carry and the xxgk table (索引号, 发布机构, 成文日期…).

Meta tags are read from the source text because real markup breaks HTML parsers' attribute handling;
the xxgk table is read from the tree and then removed, since its labels are chrome to the text.
"""

from __future__ import annotations

import re

import lxml.html

from crawler.extract.chrome import chrome_key
from crawler.extract.lines import collapse, table_rows

__all__ = ["meta_tags", "xxgk_fields", "xxgk_tables"]

# One meta tag: matches '<meta name="SiteName" content="河南省交通运输厅">' and '<META content=x name=y>'.
_META_TAG_RE = re.compile(r"<meta\b([^>]*)>", re.I | re.S)
# One attribute, quoted or not; the value may be followed directly by the next attribute name:
# matches 'name="ColumnName"' and then 'content="年报"' in 'name="ColumnName"content="年报"'.
_ATTR_RE = re.compile(r"""([a-zA-Z_:][-\w:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>/]+)""")


def meta_tags(html: str) -> dict[str, str]:
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
# The label before a value: matches "索引號(hào)：" in "索引號(hào)：11341221MB1234567X/2022-00031".
_UP_TO_COLON_RE = re.compile(r"[:：]")


def _label_of(text: str) -> str | None:
    # Labels may come out of a 繁体 toggle with ruby debris: "索引號(hào)：" is 索引号.
    key = _LABEL_CLEAN_RE.sub("", chrome_key(text)) if len(text) < 60 else ""
    return key if key in _XXGK_LABELS else None


def _value_after_colon(text: str) -> str:
    """The value of "索引号：X" as the page shows it (the label itself may be in 繁体 with ruby)."""
    return _UP_TO_COLON_RE.split(text, maxsplit=1)[-1].strip()


def xxgk_tables(root) -> list:
    """Tables whose own cells (not a nested table's) are mostly 索引号/发布机构/… labels."""
    tables = []
    for t in root.iter("table"):
        cells = [c for tr in table_rows(t) for c in tr if c.tag in ("td", "th")]
        labels = 0
        for c in cells:
            text = collapse(c.text_content())
            if len(text) < 60 and (_label_of(text) or _INLINE_LABEL_RE.match(chrome_key(text))):
                labels += 1
        is_xxgk = "xxgk" in (t.get("class") or "").lower() and t.find(".//table") is None
        if is_xxgk or (labels >= 2 and labels * 4 >= len(cells)):
            tables.append(t)
    return tables


def xxgk_fields(root) -> dict[str, str]:
    out: dict[str, str] = {}

    def put(label: str, value: str) -> None:
        field = _XXGK_LABELS.get(label)
        value = collapse(value)
        if field and value and field not in out:
            out[field] = value

    for t in xxgk_tables(root):
        for tr in t.iter("tr"):
            cells = [c for c in tr if c.tag in ("td", "th")]
            for i, c in enumerate(cells):
                text = collapse(c.text_content())
                label = _label_of(text)
                if label and i + 1 < len(cells) and not _label_of(cells[i + 1].text_content()):
                    put(label, cells[i + 1].text_content())
                m = _INLINE_LABEL_RE.match(chrome_key(text))
                if m:
                    put(m.group(1), _value_after_colon(text))
    # div/ul based xxgk blocks: "<li><span>索引号：</span>xxx</li>" or "<li>索引号：xxx</li>".
    for el in root.iter("li", "p", "span", "div", "dd", "td"):
        text = collapse(el.text_content())
        if len(text) > 80:
            continue
        m = _INLINE_LABEL_RE.match(chrome_key(text))
        if m:
            put(m.group(1), _value_after_colon(text))
    return out
