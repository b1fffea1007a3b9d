"""Applying the chrome rules of `rules.py` to rendered lines, remembering which rule dropped what.

A line is dropped as soon as one rule applies to it; the rules are tried in the order of
`rules.CHROME_RULES` so the name a trace reports is the first (most specific) rule that applies. The
footer rules act together: a footer line is made of markers, so it is measured with all of them removed.
Besides rule names a trace says `related-list` (a link line under a 相关… heading), `repeated-title`
(the title printed again as the body's first lines); `tree.clean_tree` says `hidden-attribute` (hidden=
or aria-hidden="true"), the page flow `xxgk-table` (the metadata table, read into fields first) and
`dense.drop_link_boxes` `link-box` (a menu inside a body found by a weak name or by density).
"""

from __future__ import annotations

import re

from archive.textnorm import remove_ruby, simplify_chars
from crawler.extract.rules import CHROME_RULES, RULES, ChromeRule

__all__ = ["applies", "chrome_key", "clean_lines", "drop_rule", "squash"]

# A label spaced out before its colon: matches "索 引 号：" in "索 引 号：000014349/2021-00005".
_SPACED_LABEL_RE = re.compile(r"^(?:[\u4e00-\u9fff]\s+){1,5}[\u4e00-\u9fff]\s*(?=[:：])")
# Any whitespace run, including the ideographic space: matches "\u3000\u3000" and " \r\n ".
_WS_RE = re.compile(r"\s+")
# What a footer line keeps besides its markers and is not counted: matches " | ", "：", "（）", "-".
_FOOTER_GLUE_RE = re.compile(r"[\s|｜:：,，;；.。()（）\-—_/]+")

_FOOTER = tuple(r for r in CHROME_RULES if r.applies_to == "footer")
_NAV = tuple(r for r in CHROME_RULES if r.applies_to == "footer-nav")
_CONTACT = tuple(r for r in CHROME_RULES if r.applies_to == "footer-contact")
_LINE_KINDS = ("line-start", "line", "line-of-tokens", "footer", "footer-nav")
_LINE_RULES = tuple(r for r in CHROME_RULES if r.applies_to in _LINE_KINDS)
# Footer markers, links and contacts removed together, in rule order (one alternation, so a marker
# nested in another is removed with it exactly as one search would find it).
_FOOTER_RE = re.compile("|".join(f"(?:{r.pattern})" for r in _FOOTER), re.I)
_NAV_RE = re.compile("|".join(f"(?:{r.pattern})" for r in _NAV))
_CONTACT_RE = re.compile("|".join(f"(?:{r.pattern})" for r in _CONTACT))
_RELATED = RULES["related-heading"]
# One limit for the footer markers together (they measure the same line), one for footer links.
_FOOTER_REST = max(r.max_rest or 0 for r in _FOOTER)
_NAV_REST = max(r.max_rest or 0 for r in _NAV)


def chrome_key(line: str) -> str:
    """The line as rules see it: ruby debris removed, 繁体 simplified, spaced labels closed up."""
    key = simplify_chars(remove_ruby(line)).strip()
    # Labels are often spaced out to align: "索 引 号：" and "文　　号：" are 索引号 and 文号.
    head = _SPACED_LABEL_RE.match(key)
    if head:
        key = _WS_RE.sub("", head.group(0)) + key[head.end() :]
    return key


def squash(s: str) -> str:
    """The line's key without any whitespace: how a title is recognised when repeated or split."""
    return _WS_RE.sub("", chrome_key(s))


def _footer_kind(key: str) -> str | None:
    """ "footer" when the line is a footer made of markers, "footer-nav" when of footer links only."""
    strong = _FOOTER_RE.search(key)
    nav = _NAV_RE.search(key)
    if not (strong or nav):
        return None
    rest = _CONTACT_RE.sub("", _NAV_RE.sub("", _FOOTER_RE.sub("", key)))
    rest = _FOOTER_GLUE_RE.sub("", rest)
    # Footer lines are made of markers; a sentence that mentions one keeps plenty of its own text.
    if strong:
        return "footer" if len(rest) <= _FOOTER_REST else None
    if len(rest) <= _NAV_REST and not _CONTACT_RE.search(key):
        return "footer-nav"
    return None


def _fits(r: ChromeRule, key: str) -> bool:
    return r.max_len is None or len(key) <= r.max_len


def applies(r: ChromeRule, key: str) -> bool:
    """Whether this one rule drops the line (key from `chrome_key`)."""
    kind = r.applies_to
    if kind == "line-start":
        return _fits(r, key) and bool(r.regex.match(key))
    if kind in ("line", "heading"):
        return _fits(r, key) and bool(r.regex.search(key) if kind == "line" else r.regex.match(key))
    if kind == "line-of-tokens":
        return _fits(r, key) and not r.regex.sub("", key)
    if kind in ("footer", "footer-nav", "footer-contact"):
        found = _footer_kind(key)
        return found is not None and bool(r.regex.search(key))
    raise ValueError(f"rule {r.name!r} applies to elements, not lines")


def drop_rule(key: str) -> str | None:
    """The name of the first rule that drops the line, or None when the line is kept."""
    footer_seen = False
    for r in _LINE_RULES:
        if r.applies_to in ("footer", "footer-nav"):
            if footer_seen:
                continue
            footer_seen = True
            kind = _footer_kind(key)
            if kind:
                rules = _FOOTER if kind == "footer" else _NAV
                return next(f.name for f in rules if f.regex.search(key))
            continue
        if r.max_len is not None and len(key) > r.max_len:
            continue
        if applies(r, key):
            return r.name
    return None


def clean_lines(
    lines: list[tuple[str, bool]], title: str = "", trace: list | None = None
) -> list[str]:
    """Drop chrome lines, the lists hanging under 相关… headings and the repeated title; each dropped
    line goes to `trace` as (line, rule name) when a trace is asked for."""

    def dropped(text: str, why: str) -> None:
        if trace is not None:
            trace.append((text, why))

    out: list[str] = []
    in_related = False
    title_key = squash(title) if title else ""
    for text, link_only in lines:
        key = chrome_key(text)
        if applies(_RELATED, key):
            in_related = True
            dropped(text, _RELATED.name)
            continue
        why = drop_rule(key)
        if in_related:
            if link_only or why or len(key) <= 2:
                dropped(text, why or "related-list")
                continue
            in_related = False
        if why:
            dropped(text, why)
            continue
        out.append(text)
    # The title repeated as the body's first line, or broken over its first two or three lines.
    if title_key:
        for k in (1, 2, 3):
            if squash("".join(out[:k])) == title_key:
                for text in out[:k]:
                    dropped(text, "repeated-title")
                return out[k:]
    return out
