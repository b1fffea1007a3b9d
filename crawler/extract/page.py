"""One detail page → clean report text and its metadata (`extract_page`), and how that came about
(`explain_page`, for `nianbao extract --explain`)."""

from __future__ import annotations

from crawler.classify import year_from_title
from crawler.dates import parse_date
from crawler.depth import parse_within_depth
from crawler.extract.body import Found, body_lines, find_body, hidden_markers
from crawler.extract.chrome import chrome_key, clean_lines, drop_rule
from crawler.extract.dense import dense_block, drop_link_boxes
from crawler.extract.fields import crumb_column, published, site_id, source_line, title_of
from crawler.extract.lines import html_to_lines, text_len
from crawler.extract.links import attachments
from crawler.extract.meta import meta_tags, xxgk_fields, xxgk_tables
from crawler.extract.tree import clean_tree, drop, parse

__all__ = ["explain_page", "extract_page"]


def _drop_xxgk(root, trace: dict | None) -> None:
    for t in xxgk_tables(root):
        if trace is not None:
            text = " ".join(t.text_content().split())
            trace["hidden"].append((text[:200], "xxgk-table"))
        drop(t)


def _extract(html: str, url: str, family: str | None, trace: dict | None) -> dict:
    html = html or ""
    metas = meta_tags(html)
    # a page nested deeper than the parser goes is flattened, and read as such from here on
    html, root = parse_within_depth(html, parse)
    hidden = hidden_markers(root)
    clean_tree(root, trace=trace["hidden"] if trace is not None else None)

    title = title_of(html, root, metas, family)
    column = metas.get("columnname") or crumb_column(root, title)  # before any box is dropped
    # Metadata scan text: the page without link text, so another page's date never leaks in.
    page_lines = [
        t for t, _ in html_to_lines(root.body if root.body is not None else root, skip_links=True)
    ]
    page_text = "\n".join(page_lines)
    pub = published(metas, page_text, root)

    xxgk = xxgk_fields(root)
    _drop_xxgk(root, trace)
    body, how = find_body(html, root, hidden, family)
    if body is None:
        # A responsive template may name a visible wrapper like a mobile copy ("mobile-wrap"): before
        # falling back to generic extraction, look for a family container with mobile names kept.
        root2 = parse(html)
        clean_tree(root2, mobile=False)
        _drop_xxgk(root2, None)
        body, how = find_body(html, root2, hidden, family)
        if body is not None:
            root = root2
    if body is None:
        # No family's container: the page's own element that holds its prose, read as lines here.
        body = dense_block(root, title)
        how = Found(None, "dense-block", "generic") if body is not None else None
    elif how.tier == "weak-container":
        # A name common to many sites may sit on a small box (class="view" on a 浏览 counter): when the
        # page's prose lies mostly outside it, the dense block is the body.
        dense = dense_block(root, title)
        if (
            dense is not None
            and dense is not body
            and body not in dense.iterancestors()  # a dense block inside it: the name was right
            and text_len(dense) > 2 * text_len(body)
        ):
            body, how = dense, Found(None, "dense-block", "generic")
    if body is not None and how.tier in ("print-markers", "weak-container", "generic"):
        drop_link_boxes(body, trace["hidden"] if trace is not None else None)
    refused: list[dict[str, str]] = []
    found_links = attachments(root, body, url, refused)
    if body is not None:
        lines = html_to_lines(body)
    else:
        lines, how = body_lines(html, root)
    dropped = trace["dropped"] if trace is not None else None
    text = "\n".join(clean_lines(lines, title, dropped))
    if trace is not None:
        trace["body"] = how
        trace["page_lines"] = html_to_lines(root.body if root.body is not None else root)

    return {
        "title": title,
        "published": pub,
        "year": year_from_title(title),
        "text": text,
        "site_name": metas.get("sitename") or None,
        "site_id_code": site_id(metas, page_text),
        "column_name": column,
        "source": source_line(html, metas, page_text, family),
        "index_no": xxgk.get("index_no"),
        "publisher": xxgk.get("publisher"),
        "written_date": parse_date(xxgk.get("written_date")) or xxgk.get("written_date"),
        "doc_no": xxgk.get("doc_no"),
        "attachments": found_links,
        "refused_links": refused,  # [{url, reason}]: links not stored (archive/safeurl.py)
    }


def extract_page(html: str, url: str, family: str | None = None) -> dict:
    """Title, dates, clean text and metadata of one detail page; the dict is JSON-serialisable.

    `family` (the registry row's CMS family) has its body and field rules tried before every other
    family's; pages of no known family are read by trafilatura."""
    return _extract(html, url, family, None)


def explain_page(html: str, url: str, family: str | None = None) -> dict:
    """What `extract_page` returns (`result`), how the body was found (`body`: family, rule, tier),
    each line dropped from the body with the rule that dropped it (`dropped`: [(line, rule)]) and the
    elements removed before the body was looked for (`hidden`: [(text, rule)]), and the page's other
    lines, outside the body, each with the chrome rule that would drop it or None (`outside`)."""
    trace: dict = {"hidden": [], "dropped": [], "body": None, "page_lines": []}
    result = _extract(html, url, family, trace)
    how = trace["body"]
    seen = set(result["text"].splitlines()) | {t for t, _ in trace["dropped"]}
    outside = []
    for text, _ in trace["page_lines"]:
        if text not in seen:
            seen.add(text)
            outside.append((text, drop_rule(chrome_key(text))))
    return {
        "result": result,
        "body": {"family": how.family, "rule": how.rule, "tier": how.tier},
        "dropped": trace["dropped"],
        "hidden": trace["hidden"],
        "outside": outside,
    }
