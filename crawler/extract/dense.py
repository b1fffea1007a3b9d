"""The body of a page no family rule knows: the smallest element that holds nearly all of its prose.

trafilatura, the earlier fallback, reads a page with its own idea of paragraphs: on a plain HTML5 page
(`<article>` with the title, a 发布时间 line and an `<h4>` per section) it folded everything into one
line, and with `<div>` in place of `<article>` it dropped the headings. Here the page's own tree is kept
and rendered by `lines.html_to_lines`, so headings, `<br>` paragraphs, lists and table rows stay lines.

Every block (the nearest paragraph-like element around a text) is weighed by its text outside links,
unless it reads as chrome (a chrome rule drops it, more than half of it is link text, it is the title):
menus, crumbs, tool bars, footers and 上一篇 lines weigh nothing. From the page body down, the walk
enters the heaviest child as long as that child still holds `_SHARE` of the page's weight and more than
one block (a long paragraph is not the body when its heading sits beside it); where no child
does, the prose is spread over that element's children, and that element is the body. A child holding
only half of it is entered too when what it leaves out is box-sized: boxes of a few short blocks under a
heading (a 镇长信箱 notice, office hours), never a table, a loose paragraph or a run of paragraphs.
"""

from __future__ import annotations

from crawler.extract.chrome import chrome_key, drop_rule, squash
from crawler.extract.lines import BLOCK_TAGS, WS_RE
from crawler.extract.links import is_attachment_href
from crawler.extract.tree import drop

__all__ = ["dense_block", "drop_link_boxes"]

# The share of the page's prose the chosen element must hold: a side box of prose (a notice, an
# address card) may take the rest, the report itself never less.
_SHARE = 0.8
# Below this many characters of prose the page has no body of its own to find (a frame, a redirect).
_LEAST = 30
# What a side box may hold and still be left out of a child holding half of the prose: this many
# blocks of at least `_BLOCK` characters, none longer than `_BOX_BLOCK`.
_BOX_BLOCKS, _BLOCK, _BOX_BLOCK = 3, 10, 120
# This many table rows with prose beside the heaviest child make a table of the report, which the body
# keeps however little it weighs (a layout footer's row or two of contacts does not count).
_TABLE_ROWS = 3


def _blocks(el, block, in_link: bool, acc: dict) -> None:
    """Text pieces of the tree, by the block element they render in: block → [(text, in_link)]."""
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag in BLOCK_TAGS or tag in ("td", "th"):
        block = el
    link = in_link or tag == "a"
    if el.text:
        acc.setdefault(block, []).append((el.text, link))
    for child in el:
        _blocks(child, block, link, acc)
        if child.tail:
            acc.setdefault(block, []).append((child.tail, link))


def _weight(pieces: list[tuple[str, bool]], title_key: str) -> int:
    text = "".join(t for t, _ in pieces)
    total = len(WS_RE.sub("", text))
    if not total:
        return 0
    plain = sum(len(WS_RE.sub("", t)) for t, link in pieces if not link)
    if plain * 2 < total:
        return 0  # a menu or a list of links
    line = WS_RE.sub(" ", text).strip()
    if drop_rule(chrome_key(line)) is not None:
        return 0
    if title_key and squash(line) == title_key:
        return 0
    return plain


def dense_block(root, title: str = ""):
    """The element holding the page's prose, or None when the page has too little of its own."""
    body = root.body if root.body is not None else root
    acc: dict = {}
    _blocks(body, body, False, acc)
    title_key = squash(title) if title else ""
    own = {el: _weight(pieces, title_key) for el, pieces in acc.items()}
    said = {el for el, pieces in acc.items() if own[el] and any("。" in t for t, _ in pieces)}
    # Per element: prose weight, blocks of at least _BLOCK characters, the longest block.
    total: dict = {}
    blocks: dict = {}
    parts: dict = {}  # blocks with any prose: a child of one part is a paragraph, not a container
    rows: dict = {}  # table rows with prose
    sentences: dict = {}  # whether any block with prose ends a sentence (a welcome bar never does)
    longest: dict = {}
    for el in reversed(list(body.iter())):  # children before parents
        if isinstance(el.tag, str):
            w = own.get(el, 0)
            kids = [c for c in el if isinstance(c.tag, str)]
            total[el] = w + sum(total[c] for c in kids)
            # a table row counts as a block however short its cells: a table is never box-sized
            row = el.tag == "tr" and total[el] > 0
            blocks[el] = (w >= _BLOCK or row) + sum(blocks[c] for c in kids)
            parts[el] = (w > 0) + sum(parts[c] for c in kids)
            rows[el] = row + sum(rows[c] for c in kids)
            sentences[el] = el in said or any(sentences[c] for c in kids)
            longest[el] = max([w] + [longest[c] for c in kids])
    page = total.get(body, 0)
    if page < _LEAST:
        return None
    node = body
    while True:
        kids = [c for c in node if isinstance(c.tag, str)]
        best = max(kids, key=total.__getitem__, default=None)
        if best is None or not total[best]:
            return node
        rest = [c for c in kids if c is not best]
        if parts[best] < 2 and (own.get(node, 0) or any(total[c] for c in rest)):
            return node  # one paragraph is never the body when its heading sits beside it
        if sum(rows[c] for c in rest) >= _TABLE_ROWS:
            return node  # a table beside the text is the report's own (a statutory table after it)
        if total[best] < _SHARE * page:
            boxed = (
                total[best] * 2 >= total[node]
                and own.get(node, 0) < _BLOCK
                and sum(blocks[c] for c in rest) <= _BOX_BLOCKS
                and all(longest[c] <= _BOX_BLOCK for c in rest)
                # a box has a heading and a body; a loose sentence beside is the report's own
                and all(parts[c] >= 2 or not sentences[c] for c in rest if total[c] >= _BLOCK)
            )
            if not boxed:
                return node
        node = best


# Elements that may be a box of links (a menu, a 最新动态 list) inside a body found by a weak name.
_BOX_TAGS = frozenset(("ul", "ol", "dl", "nav", "menu", "div", "section", "aside", "table", "td"))
# A box has at least this many page links and at most this many characters outside them (its own
# heading, the dates beside the links), and no sentence end outside them.
_BOX_LINKS, _BOX_PLAIN = 3, 30


def _page_link(a) -> bool:
    href = (a.get("href") or "").strip().lower()
    return bool(href) and not href.startswith(("#", "javascript:")) and not is_attachment_href(href)


def _under_files(el, body) -> bool:
    """A list under a 附件 heading (in it, around it, or just before it): the report's linked files."""
    for anc in (el, *el.iterancestors()):
        prev = anc.getprevious()
        if anc.text_content().lstrip().startswith("附件") or (
            prev is not None and prev.text_content().strip().startswith("附件")
        ):
            return True
        if anc is body:
            return False
    return False


def drop_link_boxes(body, trace: list | None = None) -> None:
    """Remove the menus and lists of other pages' links inside a body found by a name common to many
    sites (`id="content"` may wrap the side menu too): outermost elements of at least `_BOX_LINKS` page
    links, no file link, and almost no text of their own. A report's own references sit in sentences,
    its files are attachments: neither is touched."""
    stats: dict = {}  # element → (page links, file links, plain chars, sentence end outside links)
    for el in reversed(list(body.iter())):
        if not isinstance(el.tag, str):
            continue
        links = files = plain = 0
        period = False
        if el.tag == "a":
            links, files = (1, 0) if _page_link(el) else (0, int(bool(el.get("href"))))
        else:
            for t in (el.text, *(c.tail for c in el)):
                if t:
                    plain += len(WS_RE.sub("", t))
                    period = period or "。" in t
            for c in el:
                if isinstance(c.tag, str):
                    cl, cf, cp, cs = stats[c]
                    links, files, plain, period = links + cl, files + cf, plain + cp, period or cs
        stats[el] = (links, files, plain, period)
    boxes = [
        el
        for el in body.iter(*_BOX_TAGS)
        if el is not body
        and (s := stats[el])[0] >= _BOX_LINKS
        and not s[1]
        and s[2] <= _BOX_PLAIN
        and not s[3]
        and not _under_files(el, body)
    ]
    chosen = set(boxes)
    for el in boxes:
        if not any(a in chosen for a in el.iterancestors()):
            if trace is not None:
                trace.append((" ".join(el.text_content().split())[:200], "link-box"))
            drop(el)
