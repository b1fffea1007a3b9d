"""Datasette plugin `nianbao`: Chinese full-text search, and the data behind the report and bureau pages.

reports_fts is tokenized by `nianbao_cjk`, which lives in Python, so SQLite can only read or write that index
on a connection where the tokenizer was registered. Datasette opens many connections — one per executor thread
per database, a write connection, the in-memory `_internal` schema database and a throwaway one for
/-/versions — and runs `prepare_connection` on each of them, mutable, immutable (-i) or in memory alike.
Registering on every one means table counts, facets and `?_search=` all work wherever Datasette runs them.
The same hook makes every connection to a served database read-only (PRAGMA query_only), write connection
included, so nothing served can be changed through the server while the crawler writes the same file.

Datasette's row page shows one row as a key/value table, which is unreadable for a 10,000-character report and
says nothing about a bureau's years. The templates in archive/templates/ (served with `--template-dir`) lay
those pages out; `extra_template_vars` gives them what one row does not hold: a report's statutory table
values, attachments, stored versions and bureau; a bureau's reports by year and its coverage.
"""

from __future__ import annotations

from collections import OrderedDict

from datasette import hookimpl
from datasette.utils import tilde_decode
from markupsafe import Markup, escape

from archive import webguard
from archive.safeurl import safe_href
from archive.search import register_functions

DATABASE = "archive"
MMAP_BYTES = 1 << 30  # an upper bound: SQLite maps only as much of the file as exists
CACHE_KIB = 64 * 1024  # per connection; Datasette keeps a handful


@hookimpl
def prepare_connection(conn, database):
    register_functions(conn)
    if database != "_internal":
        # The archive has one writer, the crawler (archive/ingest.py); the server only ever reads it while a
        # crawl runs. Datasette opens its read connections with mode=ro but its write connection (used by
        # writable canned queries and plugins calling execute_write) read-write: query_only makes every
        # connection to a served database refuse writes. `_internal` is Datasette's own catalog, which it
        # must keep writing.
        conn.execute("PRAGMA query_only = 1")
        # A search that matches most reports probes every matching row of `reports` (Datasette filters with
        # rowid IN (fts subquery)); through mmap and a larger page cache those probes are memory reads,
        # not read() calls: 25-30 % faster at 100,000 reports (bench/search.py). The archive file is
        # never truncated under a reader (no VACUUM while serving), which mmap requires.
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")


def paragraphs(text: str | None) -> list[dict]:
    """Split stored text (one paragraph per line, table rows as cells joined by ' | ') into blocks a
    template can render: consecutive table rows become one table, every other line one paragraph."""
    blocks: list[dict] = []
    for raw in (text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        # A row whose last cells are empty ends in " |" once stripped ("政府集中采购 |  | " reads
        # "政府集中采购 | |"): it is still a row, and every "|" separates two cells.
        if " | " in raw or raw.rstrip().endswith(" |"):
            cells = [c.strip() for c in line.split("|")]
            if blocks and blocks[-1]["kind"] == "table":
                blocks[-1]["rows"].append(cells)
            else:
                blocks.append({"kind": "table", "rows": [cells]})
        else:
            blocks.append({"kind": "p", "text": line})
    return blocks


def stats_grid(cells: list[dict]) -> list[dict]:
    """disclosure_stats rows (one per cell) back into one grid per section, rows and columns in the order
    the report printed them (first appearance in rowid order)."""
    sections: OrderedDict[str, dict] = OrderedDict()
    for c in cells:
        sec = sections.setdefault(
            c["section"], {"section": c["section"], "cols": [], "rows": OrderedDict()}
        )
        if c["col_label"] not in sec["cols"]:
            sec["cols"].append(c["col_label"])
        row = sec["rows"].setdefault(c["item_code"], {"label": c["row_label"], "values": {}})
        row["values"][c["col_label"]] = c["raw"] if c["raw"] not in (None, "") else c["value"]
    return [
        {"section": s["section"], "cols": s["cols"], "rows": list(s["rows"].values())}
        for s in sections.values()
    ]


async def _table_exists(db, name: str) -> bool:
    return bool(
        (
            await db.execute(
                "select 1 from sqlite_master where type in ('table', 'view') and name = ?", [name]
            )
        ).rows
    )


async def _rows(db, sql: str, params) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def report_page_vars(datasette, report_id: str) -> dict:
    db = datasette.get_database(DATABASE)
    found = await _rows(
        db,
        "select r.*, b.name as bureau_name from reports r "
        "left join bureaus b on b.id = r.bureau_id where r.id = ?",
        [report_id],
    )
    if not found:
        return {}
    report = found[0]
    out = {"report": report, "blocks": paragraphs(report.get("text"))}
    out["attachments"] = await _rows(
        db, "select * from attachments where report_id = ? order by position", [report_id]
    )
    out["stats"] = []
    if await _table_exists(db, "disclosure_stats"):
        cells = await _rows(
            db,
            "select section, item_code, row_label, col_label, value, raw from disclosure_stats "
            "where report_id = ? order by rowid",
            [report_id],
        )
        out["stats"] = stats_grid(cells)
    out["versions"] = []
    out["has_versions"] = await _table_exists(db, "report_versions")
    if out["has_versions"]:
        out["versions"] = await _rows(
            db, "select * from report_versions where report_id = ? order by rowid desc", [report_id]
        )
    return out


async def bureau_page_vars(datasette, bureau_id: str) -> dict:
    db = datasette.get_database(DATABASE)
    reports = await _rows(
        db,
        "select id, kind, year, title, published, chars from reports where bureau_id = ? "
        "order by year is null, year desc, kind = 'annual_report' desc, published desc",
        [bureau_id],
    )
    by_year: OrderedDict = OrderedDict()
    for r in reports:
        by_year.setdefault(r["year"], []).append(r)
    coverage = []
    if await _table_exists(db, "coverage"):
        coverage = await _rows(
            db,
            "select year, status, published, days_late, report_id from coverage "
            "where bureau_id = ? order by year",
            [bureau_id],
        )
    return {"reports_by_year": list(by_year.items()), "coverage": coverage}


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    """Only the report and bureau row pages get extra data; everything else renders as Datasette does."""
    if view_name != "row" or database != DATABASE or table not in ("reports", "bureaus"):
        return {}
    pk = tilde_decode(request.url_vars.get("pks", ""))

    async def inner():
        from archive import reader

        if table == "reports":
            out = await report_page_vars(datasette, pk)
            if out:
                out.update(
                    await reader.report_extras(datasette, out["report"], request, paragraphs)
                )
            return out
        out = await bureau_page_vars(datasette, pk)
        out.update(await reader.bureau_figures(datasette, pk))
        return out

    return inner


def link(url, text=None, css_class: str | None = None) -> Markup:
    """An <a> to `url` when it is an http(s) URL, else the URL as plain text (archive/safeurl.py): every
    link to a portal's URL — a report's original, an attachment, an image — is made here, so a stored
    `javascript:` or `data:` value is never live on a page. Templates use it as the `nb_link` filter:
    `{{ a.url|nb_link("原文件") }}`."""
    href = safe_href(url)
    if href is None:
        return Markup('<span class="nb-unlinked">{}</span>').format(url or "")
    cls = Markup(' class="{}"').format(css_class) if css_class else ""
    return Markup('<a href="{}"{}>{}</a>').format(href, cls, url if text is None else text)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["nb_link"] = link


@hookimpl
def asgi_wrapper(datasette):
    """CSP on every response, GET/HEAD only, empty searches dropped (archive/webguard.py)."""
    return webguard.guard(datasette)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    """Cells of the search page (the search_reports query, recognised by its snippet column).

    The passage is marked with <mark> (archive.search.snippet) and Datasette escapes HTML in query results,
    so the snippet is escaped here and only those two tags are let through. The title links to the report's
    own page and the source URL becomes a short link, so the passage gets the width of the results table.
    """
    if database != DATABASE or table is not None or not isinstance(value, str):
        return None
    try:
        keys = set(row.keys())
    except AttributeError:
        return None
    if "snippet" not in keys:
        return None
    if column == "snippet":
        if "<mark>" not in value:
            return None
        escaped = str(escape(value))
        return Markup(escaped.replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>"))
    if column == "title" and "id" in keys and row["id"]:
        href = datasette.urls.row(DATABASE, "reports", row["id"])
        return Markup(f'<a href="{escape(href)}">{escape(value)}</a>')
    if column == "url":
        # Any SQL result with a snippet column reaches this: a value that is not http(s) stays text.
        if safe_href(value) is None:
            return Markup('<span class="nb-unlinked">{}</span>').format(value)
        return Markup(f'<a href="{escape(value)}" title="{escape(value)}">原文 ↗</a>')
    return None


# The reader's pages and labels (archive/reader.py) are a second plugin module of the same distribution.
def _register_reader() -> None:
    from datasette.plugins import pm

    from archive import reader

    if not pm.is_registered(reader):
        pm.register(reader, name="nianbao_reader")


_register_reader()
