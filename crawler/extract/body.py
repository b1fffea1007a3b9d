"""Where the report's body sits: the families' body rules, then trafilatura.

Knowing the container a CMS writes the body into is far more reliable than a generic boilerplate
detector on pages whose chrome is dense and whose body may be one big table. The given family's rules
are tried first, then every family's, tier by tier (`crawler.families.pagerules.TIERS`): within a tier
the candidates of all its rules are pooled and the outermost one with the most text wins, so a strong
container of one family is never beaten by another family's weak guess. trafilatura reads pages no rule
knows. `Found` says how the body was found, for `nianbao extract --explain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from archive.textnorm import simplify_chars
from crawler.extract.lines import html_to_lines, is_layout_table, text_len
from crawler.extract.tree import fragment, is_hidden, parse
from crawler.families import ADAPTERS
from crawler.families.pagerules import TIERS, BodyRule

__all__ = ["Found", "body_lines", "find_body", "hidden_markers"]

# Padding cells trafilatura leaves at the end of a row: matches " | | " at the end of "a | b | | ".
_EMPTY_CELLS_RE = re.compile(r"(?:\s*\|\s*)+$")


@dataclass(frozen=True)
class Found:
    """How the body was found: the family and rule, or family None and rule "trafilatura" (or
    "page-body" when trafilatura is missing or finds nothing)."""

    family: str | None
    rule: str
    tier: str


Rules = tuple[tuple[str, BodyRule], ...]


@lru_cache(maxsize=16)
def _rules(family: str | None) -> Rules:
    """(family, rule) of one family, or of every family in `ADAPTERS` order when family is None."""
    names = [family] if family is not None else list(ADAPTERS)
    return tuple((f, r) for f in names for r in ADAPTERS[f].body_rules)


@lru_cache(maxsize=64)
def _xpath(predicates: tuple[str, ...]) -> etree.XPath:
    return etree.XPath("//*[" + " or ".join(dict.fromkeys(predicates)) + "]")


def hidden_markers(root) -> dict[str, list[bool]]:
    """For each marker rule that names its begin comment: whether each such comment sits in a hidden
    subtree (a mobile copy), in page order. Read before the tree is cleaned of comments."""
    comments = [(simplify_chars(c.text or ""), c) for c in root.iter(etree.Comment) if c.text]
    out: dict[str, list[bool]] = {}
    for _, r in _rules(None):
        rx = r.markers.comment_re if r.markers else None
        if rx is not None and r.name not in out:
            out[r.name] = [
                any(is_hidden(a) for a in c.iterancestors())
                for text, c in comments
                if rx.search(text)
            ]
    return out


def _outermost(els: list) -> list:
    chosen = set(els)
    return [el for el in els if not any(a in chosen for a in el.iterancestors())]


def _layout_cell(root):
    """Table-layout pages (static sites of the 2000s) keep the body in one `<td>` among menu, crumb
    and footer cells, as `<font>` runs split by `<br>`. The body is the innermost cell that holds no
    layout table (data tables of the report may sit inside it) and has the most text, provided it reads
    as paragraphs (several `<br>` or `<p>`); generic extraction would keep the menus around it."""
    best, best_len = None, 0
    for td in root.iter("td"):
        if any(is_layout_table(t) for t in td.iter("table")):
            continue
        breaks = sum(1 for _ in td.iter("br", "p"))
        n = text_len(td)
        if breaks >= 3 and n > best_len:
            best, best_len = td, n
    return best if best_len >= 100 else None


def _tier(tier: str, rules: Rules, html: str, root, hidden: dict[str, list[bool]]):
    """(element, family, rule) of the best candidate of one tier's rules, or None."""
    rules = tuple((f, r) for f, r in rules if r.tier == tier)
    if not rules:
        return None
    xpaths = [(f, r) for f, r in rules if r.xpath]
    if xpaths:
        els = _xpath(tuple(r.xpath for _, r in xpaths))(root)
        if tier == "container":  # an editor container may hold only the report's scanned pages
            els = [el for el in els if text_len(el) or el.find(".//img") is not None]
        els = _outermost(els)
        if tier != "container":
            els = [el for el in els if text_len(el)]
        if els:
            best = max(els, key=text_len)
            f, r = next((f, r) for f, r in xpaths if best.xpath(f"self::*[{r.xpath}]"))
            return best, f, r
    regions = []
    for f, r in rules:
        if r.markers is None:
            continue
        flags = hidden.get(r.name, [])
        for i, m in enumerate(r.markers.region_re.finditer(html)):
            if i < len(flags) and flags[i]:
                continue  # the copy inside a hidden mobile template
            regions.append((fragment(m.group(1)), f, r))
    if regions:
        return max(regions, key=lambda x: text_len(x[0]))
    for f, r in rules:
        if r.layout_cell and (cell := _layout_cell(root)) is not None:
            return cell, f, r
    return None


def find_body(html: str, root, hidden: dict[str, list[bool]], family: str | None = None):
    """(body element, Found) by the given family's rules, then every family's; (None, None) when no
    rule finds the body."""
    sets = [_rules(family)] if family in ADAPTERS else []
    sets.append(_rules(None))
    for rules in sets:
        for tier in TIERS:
            hit = _tier(tier, rules, html, root, hidden)
            if hit:
                el, f, r = hit
                return el, Found(f, r.name, tier)
    return None, None


@lru_cache(maxsize=1)
def _trafilatura():
    try:
        import trafilatura
    except (
        ImportError
    ):  # lxml_html_clean missing in an old environment: our own fallback still works
        return None
    return trafilatura


def body_lines(html: str, root) -> tuple[list[tuple[str, bool]], Found]:
    """Lines of a page no family rule knows: trafilatura's body, else the whole page body."""
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
            frag = parse(out)
            lines = []
            for text, link in html_to_lines(frag.body if frag.body is not None else frag):
                # trafilatura pads spanned cells with empty ones; a row does not end in empty cells.
                lines.append((_EMPTY_CELLS_RE.sub("", text), link))
            return lines, Found(None, "trafilatura", "generic")
    body = root.body if root.body is not None else root
    return html_to_lines(body), Found(None, "page-body", "generic")
