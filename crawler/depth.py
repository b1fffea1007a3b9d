"""Pages nested deeper than the HTML parser goes: flattened, so their text survives.

libxml2 (under lxml) stops at 256 levels of nesting unless given XML_PARSE_HUGE, and what it returns then
is the document up to that point, without the text below it: a report inside 100,000 `<div>`s came out
as an empty body, and nothing said so. `huge_tree` only moves the limit (to 2048) and hands the
recursive tree walks of crawler/extract/ a stack they cannot descend, so a page that hits the limit is
rewritten instead, as little as it takes: first the empty middle of long chains of wrappers is removed
(a report inside 100,000 `<div>`s keeps all its own markup, tables included); if that is not enough,
elements nested deeper than `MAX_DEPTH` lose their tags but keep their text, a dropped block element
leaving a `<br>` so its lines stay lines; if even that is too deep (markup that defeats the simple
nesting model below), every tag goes. Only when that fails too, `TooDeeplyNested` says so — a page
never comes out silently empty.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

__all__ = ["MAX_DEPTH", "TooDeeplyNested", "flatten", "parse_within_depth"]

# Nesting kept when a page must be flattened: far below libxml2's 256, which also counts html and body
# and nests some elements our simple model below closes implicitly.
MAX_DEPTH = 128
# Of a chain of nested elements with nothing between them, the outer and inner elements kept.
RUN_KEEP = 16

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


def flatten(html: str, max_depth: int = MAX_DEPTH, run_keep: int | None = RUN_KEEP) -> str:
    """`html` with the tags of elements nested deeper than `max_depth` removed, their text kept.

    With `run_keep`, a chain of more than 2 × run_keep elements opened one inside the other with nothing
    between them — wrappers holding wrappers, the shape of a 100,000-`<div>` page — keeps only its
    outer and inner `run_keep`: the outer ones may carry the body's class, the inner ones hold the text,
    and the middle holds nothing.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag name, tag kept)
    open_count: dict[str, int] = {}
    run: list[tuple[str, str]] = []  # start tags opened one inside the other, not yet written
    kept = 0
    pending_break = False

    def emit(token: str) -> None:
        nonlocal pending_break
        if pending_break:
            out.append("<br>")
            pending_break = False
        out.append(token)

    def open_tag(name: str, token: str, keep: bool) -> None:
        nonlocal kept, pending_break
        closes = _SELF_CLOSING_SIBLINGS.get(name)
        if closes and stack and stack[-1][0] in closes:
            pop_to(len(stack) - 1)  # the parser closes it here as well, without an end tag
        keep = keep and kept < max_depth
        stack.append((name, keep))
        open_count[name] = open_count.get(name, 0) + 1
        kept += keep
        if keep:
            emit(token)
        elif name in _BLOCK:
            pending_break = True

    def flush_run() -> None:
        n = len(run)
        for i, (name, token) in enumerate(run):
            middle = run_keep is not None and n > 2 * run_keep and run_keep <= i < n - run_keep
            open_tag(name, token, not middle)
        run.clear()

    def pop_to(index: int) -> bool:
        """Close stack[index:]; whether the outermost of them kept its tag."""
        nonlocal kept
        closed = stack[index:]
        del stack[index:]
        for name, keep in closed:
            open_count[name] -= 1
            kept -= keep
        return closed[0][1]

    pos = 0
    for m in _TOKEN_RE.finditer(html):
        text = html[pos : m.start()]
        pos = m.end()
        name = (m.group("name") or "").lower()
        opens = name and not m.group("end") and name not in _VOID
        if opens and not m.group("attrs").rstrip().endswith("/") and not text.strip():
            run.append((name, m.group(0)))  # whitespace between nested start tags is dropped
            continue
        flush_run()
        if text.strip():
            emit(text)
        elif text:
            out.append(text)
        if not name:
            if not (kept >= max_depth and m.group("raw")):  # a deep script shows nothing anyway
                emit(m.group(0))
        elif opens and not m.group("attrs").rstrip().endswith("/"):
            open_tag(name, m.group(0), True)
        elif not m.group("end"):
            emit(m.group(0))  # a void or self-closed leaf adds no nesting below it
        elif open_count.get(name):
            # the innermost open element of that name; what lies above it is closed with it
            index = next(i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name)
            if pop_to(index):
                emit(m.group(0))
            elif name in _BLOCK:
                pending_break = True
        # else: an end tag nothing opened; parsers ignore it, so can we
    flush_run()
    emit(html[pos:])
    return "".join(out)


def parse_within_depth(html: str, parse) -> tuple[str, lxml.html.HtmlElement]:
    """(html, root) of a page parsed by `parse(html, parser)`; a page too deep for the parser is
    flattened first and the flattened html returned, so every later parse of the page (fragments,
    trafilatura) reads the same text."""
    # first only the empty middle of wrapper chains goes, then everything below MAX_DEPTH, then all
    for limit, run_keep in ((None, None), (10**9, RUN_KEEP), (MAX_DEPTH, RUN_KEEP), (0, None)):
        text = html if limit is None else flatten(html, limit, run_keep)
        parser = lxml.html.HTMLParser()
        root = parse(text, parser)
        if not _hit_depth_limit(parser):
            return text, root
    raise TooDeeplyNested(
        f"too deeply nested: the parser stops at depth 256 even with every tag removed "
        f"({len(html)} characters)"
    )
