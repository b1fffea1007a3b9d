"""Parsing a page and removing what a reader never sees: scripts, forms, hidden and mobile copies.

Portals ship a second, hidden copy of the article for phones and toggle regions by class names; keeping
them would print the report twice, so hidden elements go before any body rule looks at the tree (the
attribute rules in `rules.py`).
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from crawler.extract.rules import RULES

__all__ = ["clean_tree", "drop", "fragment", "is_hidden", "parse"]

# An XML declaration that lxml refuses on a str: matches '<?xml version="1.0" encoding="utf-8"?>'.
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

_DROP_TAGS = ("script", "style", "noscript", "template", "rt", "rp", "iframe", "object", "embed",
              "select", "button", "input", "textarea", "svg", "canvas", "map")  # fmt: skip
_HIDDEN_STYLE = RULES["hidden-style"]
_HIDDEN_CLASS = RULES["hidden-class"]
_MOBILE = RULES["mobile-copy"]


def parse(html: str, parser=None) -> lxml.html.HtmlElement:
    html = _XML_DECL_RE.sub("", html or "")
    if not html.strip():
        html = "<html><body></body></html>"
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring(
            "<html><body>" + html + "</body></html>", parser=parser
        )


def hidden_by(el, mobile: bool = True) -> str | None:
    """The name of the rule that hides an element, or None when a reader sees it."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return "hidden-attribute"
    if _HIDDEN_STYLE.regex.search(el.get("style") or ""):
        return _HIDDEN_STYLE.name
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in ("html", "body"):
        return None
    cls = el.get("class") or ""
    if any(_HIDDEN_CLASS.regex.fullmatch(tok) for tok in cls.split()):
        return _HIDDEN_CLASS.name
    if mobile and _MOBILE.regex.search(f"{cls} {el.get('id') or ''}"):
        return _MOBILE.name
    return None


def is_hidden(el, mobile: bool = True) -> bool:
    return hidden_by(el, mobile) is not None


def drop(el) -> None:
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


def clean_tree(root, mobile: bool = True, trace: list | None = None) -> None:
    """Drop comments, non-text elements and hidden elements; with `trace`, each hidden element's text
    is recorded as (text, rule name)."""
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction)):
        drop(el)
    for el in list(root.iter(*_DROP_TAGS)):
        drop(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        why = hidden_by(el, mobile)
        if why:
            if trace is not None:
                text = " ".join(el.text_content().split())
                if text:
                    trace.append((text[:200], why))
            drop(el)


def fragment(html_part: str):
    """A cleaned body element parsed from a region of the page source (between markers)."""
    root = parse("<html><body><div>" + html_part + "</div></body></html>")
    clean_tree(root)
    return root.body
