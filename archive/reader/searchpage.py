"""The search page (the search_reports canned query): its form, paging links and export link, and the
passage under each hit, marked for the page and plain for exports."""

from __future__ import annotations

import urllib.parse

from datasette.utils import escape_fts
from markupsafe import Markup, escape

from archive.reader.common import DATABASE
from archive.reader.tablesearch import count_cap
from archive.search import snippet


def passage(text: str | None, query: str | None) -> str:
    """The search page's passage as plain text (exports): the same window, without <mark> tags."""
    return snippet(text, query).replace("<mark>", "").replace("</mark>", "")


def marked(value) -> Markup:
    """A passage from nianbao_snippet: escaped, with only its <mark> tags let through."""
    escaped = str(escape(value or ""))
    return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))


async def search_page_vars(datasette, request) -> dict:
    db = datasette.get_database(DATABASE)
    bureaus = await db.execute("SELECT id, name, province FROM bureaus ORDER BY province, name")
    page = request.args.get("page") or "1"
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    args = [
        (k, v)
        for k, v in urllib.parse.parse_qsl(request.query_string)
        if k != "page" and k[:1] != "_"
    ]
    return {
        "search_bureaus": [dict(r) for r in bureaus.rows],
        "search_provinces": sorted({r["province"] for r in bureaus.rows if r["province"]}),
        "search_page_number": number,
        "search_count_cap": count_cap(datasette),
        # what the query searches for: nothing for a blank query or a lone quote (escape_fts gives '')
        "search_has_terms": bool(escape_fts((request.args.get("q") or "").strip())),
        "search_export_args": urllib.parse.urlencode([*args, ("page", "all")]),
        "search_prev_url": request.path
        + "?"
        + urllib.parse.urlencode([*args, ("page", number - 1)]),
        "search_next_url": request.path
        + "?"
        + urllib.parse.urlencode([*args, ("page", number + 1)]),
    }
