"""Tree → lines: one line per paragraph-like block, one line per table row (cells joined by " | ").

Each line remembers whether all its text sat inside links, which is how 相关解读 lists and 上一篇/下一篇
navigation are told apart from prose (`chrome.clean_lines`).
"""

from __future__ import annotations

import re

__all__ = [
    "BLOCK_TAGS",
    "WS_RE",
    "collapse",
    "html_to_lines",
    "is_layout_table",
    "table_rows",
    "text_len",
]

BLOCK_TAGS = frozenset(("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "section", "article", "header", "footer", "nav", "aside", "blockquote", "center", "hr", "pre",
    "form", "fieldset", "address", "figure", "figcaption", "main", "caption", "tr", "tbody", "thead",
    "tfoot", "table", "legend", "details", "summary"))  # fmt: skip
# Any whitespace run, including the ideographic space and nbsp: matches "\u3000\u3000" and " \r\n ".
WS_RE = re.compile(r"\s+")


def collapse(s: str) -> str:
    return WS_RE.sub(" ", s).strip()


def text_len(el) -> int:
    return len(WS_RE.sub("", el.text_content()))


def _cell_text(cell) -> str:
    return collapse("".join(t for t in cell.itertext()))


def table_rows(table) -> list:
    rows = []
    for child in table:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows


def is_layout_table(table) -> bool:
    """Old TRS pages wrap the whole body in a one-cell table; rendering it as a data row would fold
    the report into a single line. A cell of three paragraphs or `<br>` runs with more than a couple of
    sentences is a layout cell: the cells of a statutory table hold a label or a number each."""
    if table.find(".//table") is not None:
        return True
    rows = table_rows(table)
    if rows and all(sum(1 for c in tr if c.tag in ("td", "th")) <= 1 for tr in rows):
        return True  # one cell a row: a frame whose cells are read as blocks (a row stays one line)
    for cell in table.iter("td", "th"):
        blocks = [c for c in cell if isinstance(c.tag, str) and c.tag in ("p", "div", "br")]
        if len(blocks) >= 3 and text_len(cell) > 120:
            return True
    return False


class _Lines:
    """Accumulates rendered lines as (text, link_only)."""

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
        text = collapse("".join(t for t, _ in self.buf))
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
    if tag == "table" and not is_layout_table(el):
        out.flush()
        for cap in el.iterchildren("caption"):  # a statutory table's own heading
            out.row(collapse(cap.text_content()))
        for tr in table_rows(el):
            cells = [_cell_text(c) for c in tr if c.tag in ("td", "th")]
            if any(cells):
                out.row(" | ".join(cells))
        out.flush()
        return
    if tag == "br":
        out.flush()
        return
    if (
        tag == "pre"
    ):  # a report printed as preformatted text: its own line breaks are its paragraphs
        out.flush()
        for line in el.text_content().splitlines():
            out.row(collapse(line))
        out.flush()
        return
    block = tag in BLOCK_TAGS
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
