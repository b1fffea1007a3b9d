"""Pages nested deeper than the HTML parser goes: flattened, so their text survives.

libxml2 (under lxml) stops at 256 levels of nesting unless given XML_PARSE_HUGE, and what it returns then
is the document up to that point, without the text below it: a report inside 100,000 `<div>`s came out
as an empty body, and nothing said so. `huge_tree` only moves the limit (to 2048) and hands the
recursive tree walks of crawler/extract.py a stack they cannot descend, so a page that hits the limit is
rewritten instead: elements nested deeper than `MAX_DEPTH` lose their tags but keep their text, and a
dropped block element leaves a `<br>`, so its lines stay lines. Should the rewritten page still be too
deep (markup that defeats the simple nesting model below), every tag is dropped; only then, when even
that fails, `TooDeeplyNested` says so — a page never comes out silently empty.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

__all__ = ["MAX_DEPTH", "TooDeeplyNested", "flatten", "parse_within_depth"]

# Nesting kept when a page must be flattened: far below libxml2's 256, which also counts html and body
# and nests some elements our simple model below closes implicitly.
MAX_DEPTH = 128

# fmt: off
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "basefont", "frame",
})
_BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "center", "dd", "details", "dir", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
})
# fmt: on
# Elements a new one of the same kind closes: a second <p> or <li> ends the first.
_SELF_CLOSING_SIBLINGS = {
    "p": {"p"},
    "li": {"li"},
    "option": {"option"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
    "tr": {"tr"},
    "td": {"td", "th"},
    "th": {"td", "th"},
}
# One markup token: a comment ("<!-- x -->"), a script or style element with its raw text
# ('<script type="text/javascript">var a = "<div>";</script>'), a declaration ("<!DOCTYPE html>"), a
# processing instruction ("<?xml version='1.0'?>"), or a start or end tag ('<div class="a>b">',
# "</DIV >", "<br/>"): group "raw" names the raw-text element, "end" is "/" for an end tag, "name" the
# tag name and "attrs" the rest.
_TOKEN_RE = re.compile(
    r"""<!--.*?-->
    |<(?P<raw>script|style)\b[^>]*>.*?</(?P=raw)\s*>
    |<![^>]*>
    |<\?[^>]*>
    |<(?P<end>/?)(?P<name>[a-zA-Z][\w:.-]*)(?P<attrs>(?:"[^"]*"|'[^']*'|[^'">])*)>""",
    re.S | re.I | re.X,
)


class TooDeeplyNested(ValueError):
    """A page the parser could not read even after flattening; the message says how it failed."""


def _hit_depth_limit(parser) -> bool:
    # libxml2's message: "Excessive depth in document: 256, use XML_PARSE_HUGE option"
    return any(
        e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "Excessive depth" in e.message
        for e in parser.error_log
    )


def flatten(html: str, max_depth: int = MAX_DEPTH) -> str:
    """`html` with the tags of elements nested deeper than `max_depth` removed, their text kept."""
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag name, tag kept)
    open_count: dict[str, int] = {}
    kept = 0
    pending_break = False

    def push(name: str, keep: bool) -> None:
        nonlocal kept
        stack.append((name, keep))
        open_count[name] = open_count.get(name, 0) + 1
        kept += keep

    def pop_to(index: int) -> bool:
        """Close stack[index:]; whether the outermost of them kept its tag."""
        nonlocal kept
        closed = stack[index:]
        del stack[index:]
        for name, keep in closed:
            open_count[name] -= 1
            kept -= keep
        return closed[0][1]

    def emit(token: str) -> None:
        nonlocal pending_break
        if pending_break:
            out.append("<br>")
            pending_break = False
        out.append(token)

    pos = 0
    for m in _TOKEN_RE.finditer(html):
        text = html[pos : m.start()]
        if text.strip():
            emit(text)
        elif text:
            out.append(text)
        pos = m.end()
        name = (m.group("name") or "").lower()
        deep = kept >= max_depth
        if not name:
            if not (deep and m.group("raw")):  # a deep script or style shows nothing anyway
                emit(m.group(0))
            continue
        if m.group("end"):
            if not open_count.get(name):
                continue  # an end tag nothing opened: parsers ignore it, so can we
            # the innermost open element of that name; what lies above it is closed with it
            index = next(i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name)
            if pop_to(index):
                emit(m.group(0))
            elif name in _BLOCK:
                pending_break = True
            continue
        closes = _SELF_CLOSING_SIBLINGS.get(name)
        if closes and stack and stack[-1][0] in closes:
            pop_to(len(stack) - 1)  # the parser closes it here as well, without an end tag
        if name in _VOID or m.group("attrs").rstrip().endswith("/"):
            emit(m.group(0))  # a leaf adds no nesting below it
            continue
        keep = kept < max_depth
        push(name, keep)
        if keep:
            emit(m.group(0))
        elif name in _BLOCK:
            pending_break = True
    emit(html[pos:])
    return "".join(out)


def parse_within_depth(html: str, parse) -> tuple[str, lxml.html.HtmlElement]:
    """(html, root) of a page parsed by `parse(html, parser)`; a page too deep for the parser is
    flattened first and the flattened html returned, so every later parse of the page (fragments,
    trafilatura) reads the same text."""
    for limit in (None, MAX_DEPTH, 0):
        text = html if limit is None else flatten(html, limit)
        parser = lxml.html.HTMLParser()
        root = parse(text, parser)
        if not _hit_depth_limit(parser):
            return text, root
    raise TooDeeplyNested(
        f"too deeply nested: the parser stops at depth 256 even with every tag removed "
        f"({len(html)} characters)"
    )
