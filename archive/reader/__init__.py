"""The reader's side of the Datasette plugin: Chinese labels and cells, and the pages a reader uses.

Kept apart from archive/datasette_plugin.py (connection set-up, report and bureau row pages), and split by
concern so each module stays readable: the report page (report.py), the search page (searchpage.py), the
home page (home.py), key figures and /-/compare (figures.py), the WARC evidence (evidence.py), the feed's
absolute links (feed.py), the table search box's count cap (tablesearch.py). This module holds the
hooks; datasette_plugin registers it as a second plugin with Datasette's plugin manager.
"""

from __future__ import annotations

import re
from pathlib import Path

from datasette import Response, hookimpl
from markupsafe import Markup, escape

from archive.labels import column_label, page_label, value_label
from archive.reader.common import DATABASE, integer_text
from archive.reader.evidence import warc_record
from archive.reader.feed import magic_parameters
from archive.reader.figures import KEY_FIGURES, bureau_figures, compare_page, key_figures
from archive.reader.home import home_vars, reader_order
from archive.reader.report import report_extras
from archive.reader.searchpage import marked, passage, search_page_vars
from archive.reader.tablesearch import count_cap, count_over_cap, counted, probe_filter
from archive.reader.tablesearch import wrapper as count_cap_wrapper

STATIC = Path(__file__).resolve().parent.parent / "static"


# Datasette's English summary of a table page's filters and sort ("sorted by published descending",
# "where kind = "annual_report""), in Chinese: matches "sorted by published descending".
_SORTED_RE = re.compile(r"sorted by (\w+)( descending)?")
# matches "where " at the start of the summary and " and " between two conditions
_WHERE_RE = re.compile(r"^where |(?<= ) ?and (?=\w)")


def describe_zh(text: str | None) -> str:
    if not text:
        return ""
    text = _SORTED_RE.sub(
        lambda m: f"按{column_label(m.group(1))}{'降序' if m.group(2) else '升序'}排列", text
    )
    text = text.replace("search matches ", "检索 ")
    return _WHERE_RE.sub(lambda m: "条件：" if m.group(0) == "where " else "且 ", text)


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["zh_col"] = column_label
    env.filters["zh_value"] = lambda value, column: value_label(column, value) or value
    env.filters["zh_kind"] = lambda value: value_label("kind", value) or value
    env.filters["zh_status"] = lambda value: value_label("status", value) or value
    env.filters["integer"] = integer_text
    env.filters["zh_desc"] = describe_zh
    env.filters["zh_crumb"] = page_label
    env.filters["marked"] = marked
    env.filters["reader_order"] = reader_order


@hookimpl
def prepare_connection(conn):
    conn.create_function("nianbao_passage", 2, passage, deterministic=True)


@hookimpl
def render_cell(value, column, database):
    """Stored codes read in Chinese (年报, 逾期), the code kept as the tooltip; counts stored as REAL show as
    integers."""
    if database != DATABASE:
        return None
    label = value_label(column, value)
    if label:
        return Markup(f'<span title="{escape(value)}">{escape(label)}</span>')
    if column in ("value", "applications_received", "requests", "applications") and isinstance(
        value, float
    ):
        return integer_text(value)
    return None


@hookimpl
def extra_template_vars(view_name, request, datasette):
    if view_name == "index":

        async def home():
            return await home_vars(datasette)

        return home
    if request is not None and request.path.rstrip("/").endswith("/archive/search_reports"):

        async def search():
            return await search_page_vars(datasette, request)

        return search
    if view_name == "table":
        return {
            "count_over_cap": count_over_cap(request),
            "count_cap": count_cap(datasette),
            "search_count": counted(request),
        }
    return {}


async def static_script(request):
    return Response(
        (STATIC / "nianbao.js").read_text(encoding="utf-8"),
        content_type="application/javascript; charset=utf-8",
        headers={"cache-control": "max-age=300"},
    )


@hookimpl
def asgi_wrapper(datasette):
    """The table search box's count stops at COUNT_CAP (archive/reader/tablesearch.py)."""
    return count_cap_wrapper(datasette)


@hookimpl
def filters_from_request(request, table, database, datasette):
    """A table search past the count cap, read in date order (archive/reader/tablesearch.py)."""

    async def inner():
        return await probe_filter(request, table, database, datasette)

    return inner


@hookimpl
def register_magic_parameters(datasette):
    """`:_nianbao_reports`, the absolute URL of the reports table, for the Atom feed's entry links."""
    return magic_parameters(datasette)


@hookimpl
def register_routes():
    return [
        (r"^/-/compare$", compare_page),
        (r"^/-/nianbao/nianbao\.js$", static_script),
        (r"^/-/warc/(?P<report_id>[0-9a-f]{16})$", warc_record),
    ]


__all__ = [
    "KEY_FIGURES",
    "bureau_figures",
    "integer_text",
    "key_figures",
    "report_extras",
]
