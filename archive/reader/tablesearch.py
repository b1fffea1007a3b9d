"""The reports table's search box counts at most COUNT_CAP matches: past that it says "10,000+".

Datasette's table view counts every match of `?_search=` (`select count(*) from reports where rowid in
(fts subquery)`), which reads every matching rowid and looks each one up: at 100,000 reports a term in
90 % of them costs more than the page itself, and it grows with the archive. Nobody reads 90,000 results;
"more than 10,000" is the answer. Datasette 0.65 has no count limit for a table page, only `?_nocount=1`,
so an ASGI wrapper (the reader plugin's asgi_wrapper hook) asks here first, before Datasette sees the
request: one count of at most COUNT_CAP + 1 matches with the page's own filters (FTS5 yields matches
lazily, so it stops there). Up to COUNT_CAP, the request goes on as it came and Datasette's exact count
stands. Past it, the request gets `_nocount=nianbao-cap` (and no facets: _SKIPPED): the page shows
10,000+ (table.html), the JSON has `filtered_table_rows_count: null` (as when Datasette's count times out)
and the response carries `X-Nianbao-Count: >10000`; the page itself is read in date order (probe_filter).
The markers travel in the page's form and next-page links, and every request is decided afresh, so paging
on through a large result stays capped and a filter that narrows it gets its exact count again.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode

from datasette.filters import Filters
from datasette.utils import escape_sqlite, urlsafe_components
from datasette.utils.asgi import Request

from archive.reader.common import DATABASE

COUNT_CAP = 10_000
MARKER = "nianbao-cap"
# What a search past the cap skips: the count, and the facets and facet suggestions, which would each read
# every match again (a faceted page of 交通 at 100,000 reports: 2 s with every facet timed out; Datasette's
# facet suggestions count the matches themselves when the page did not, past its 1 s limit: HTTP 400).
_SKIPPED = ("_nocount", "_nofacet", "_nosuggest")
SCOPE_KEY = "nianbao.count_over_cap"
COUNT_KEY = "nianbao.count"
# A search past the cap on a page ordered by one of these columns is read in that order (probe_filter).
PROBE_ARG = "_nianbao_search"
# The same search past the cap with sparse matches: collected once, each row in date order checked against them.
COLLECT_ARG = "_nianbao_collect"
PROBE_SORTS = ("published",)
# Pages of fewer rows are read inside a window of their own. The keyset of a page sorted by (published, id),
# `published < :p or published is null or (published = :p and id > :q)`, is read by SQLite through the date
# index as a union of three ranges, every row of them probed and sorted, when it asks for at most 5 rows
# (Datasette reads one more than the page), at 100,000 reports as at 1 M (`select *`; a likelihood() on the
# probe or sqlite_stat1 do not change it): past Datasette's 1 s limit at 1 M reports (HTTP 400). From 5 rows
# on the index is scanned in page order (pages of 5–7 rows: 25–35 ms at 1 M reports). So a smaller page
# is the first rows of a window of WINDOW_ROWS read in that order by a subquery with the same search, filters
# and keyset (window_clause), and Datasette's own query looks those few rows up by rowid.
PROBE_MIN_SIZE = 5
WINDOW_ROWS = 8
# Past the cap a page in date order is read one of two ways: each row the date index yields probed in the
# search index (≈ 60 µs a probe — FTS5 parses the query through our Python tokenizer each time — and
# 20 × page ÷ density probes), or every match collected once and each row checked against them (≈ 0.75 µs a
# match, density × reports matches). Probing is cheaper when density² ≥ 1,600 × page ÷ reports; for page 2,
# DENSE_K ÷ reports. The density is sampled from the newest DENSITY_WINDOW reports (FTS5 reads only that
# rowid range). At 1 M reports the line is at 5.7 %: probing 件， (2.4 %) took 100–230 ms a page, collecting
# it 15 ms; at 100,000 reports it is at 18 %.
DENSITY_WINDOW = 1000
DENSE_K = 3200
# Arguments whose filtering this count does not reproduce: such a request is counted by Datasette, exactly.
_NOT_REPRODUCED = ("_where", "_through", "_fts_table", "_fts_pk")


def _configured(datasette, key: str, default: int, least: int) -> int:
    """An integer of the nianbao plugin's configuration (metadata.yml, plugins: nianbao:), else `default`."""
    config = datasette.plugin_config("nianbao") or {}
    try:
        return max(least, int(config.get(key, default)))
    except (TypeError, ValueError):
        return default


def count_cap(datasette) -> int:
    """COUNT_CAP, or the `count_cap` of the nianbao plugin's configuration."""
    return _configured(datasette, "count_cap", COUNT_CAP, 1)


def _search_of(meta: dict, pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """(the search text, the SQL MATCH operand for it as :search): raw FTS5 syntax or escaped terms."""
    search = next((v for k, v in pairs if k == "_search"), "")
    mode = next((v for k, v in pairs if k == "_searchmode"), meta.get("searchmode"))
    return search, ":search" if mode == "raw" else "escape_fts(:search)"


def _searched_tables(datasette) -> dict[str, str]:
    """{table path: table} for the archive's tables with a search index: /archive/reports → reports."""
    tables = (datasette.metadata("tables", database=DATABASE) or {}).items()
    return {
        datasette.urls.table(DATABASE, name): name
        for name, meta in tables
        if isinstance(meta, dict) and meta.get("fts_table")
    }


def capped_count_sql(fts_table: str, table: str, where: list[str], match: str, cap: int) -> str:
    """How many rows of `table` match the search (`match`, _search_of) and the filters, counting no further
    than cap + 1. The matches are read from the index first (CROSS JOIN keeps that order) and each is looked
    up once, so the count stops as soon as it has enough."""
    if not where:  # FTS5 alone: no row to look up
        return (
            f"SELECT count(*) FROM (SELECT rowid FROM {escape_sqlite(fts_table)} "
            f"WHERE {escape_sqlite(fts_table)} MATCH {match} LIMIT {int(cap) + 1})"
        )
    filters = "".join(f" AND ({w})" for w in where)
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM (SELECT rowid AS nianbao_rid FROM {escape_sqlite(fts_table)} "
        f"WHERE {escape_sqlite(fts_table)} MATCH {match}) AS hits "
        f"CROSS JOIN {escape_sqlite(table)} ON {escape_sqlite(table)}.rowid = hits.nianbao_rid "
        f"WHERE 1{filters} LIMIT {int(cap) + 1})"
    )


def _filter_where(table: str, pairs: list[tuple[str, str]]) -> tuple[list[str], dict]:
    """The where clauses and parameters of the column filters among these query arguments, as Datasette's
    table view builds them (`level=county`, `published__gte=2024-01-01`; not `_search`, `_size` …)."""
    filters = [(k, v) for k, v in pairs if not (k.startswith("_") and "__" not in k)]
    return Filters(sorted(filters)).build_where_clauses(table)


async def search_count(datasette, table: str, pairs: list[tuple[str, str]]) -> int | None:
    """How many rows the search these query arguments ask for matches, up to count_cap + 1 (more than the
    cap); None when the count cannot be run (a filter or raw query Datasette will refuse with its own
    message)."""
    meta = datasette.table_metadata(DATABASE, table)
    search, match = _search_of(meta, pairs)
    where, params = _filter_where(table, pairs)
    sql = capped_count_sql(meta["fts_table"], table, where, match, count_cap(datasette))
    db = datasette.get_database(DATABASE)
    try:
        return (await db.execute(sql, {**params, "search": search})).single_value()
    except Exception:
        return None


def dense_k(datasette) -> int:
    """DENSE_K, or the `probe_density_k` of the nianbao plugin's configuration (0: always probe past the
    cap, as the tests of that path do)."""
    return _configured(datasette, "probe_density_k", DENSE_K, 0)


def walk_is_cheaper(sampled: int, reports: int, k: int = DENSE_K) -> bool:
    """Whether probing rows in date order beats collecting the matches, for a search that matched
    `sampled` of the newest DENSITY_WINDOW of `reports` rows (see DENSE_K); the search page's `walk` is
    the same test in SQL."""
    return sampled * sampled * reports >= k * DENSITY_WINDOW * DENSITY_WINDOW


async def dense_past_cap(datasette, table: str, pairs: list[tuple[str, str]]) -> bool:
    """walk_is_cheaper for this search, sampled in the newest rows (FTS5 reads only that rowid range)."""
    meta = datasette.table_metadata(DATABASE, table)
    fts = escape_sqlite(meta["fts_table"])
    search, match = _search_of(meta, pairs)
    sql = (
        f"SELECT (SELECT count(*) FROM {fts} WHERE {fts} MATCH {match} AND rowid > top.m - :window), "
        f"top.m FROM (SELECT coalesce(max(rowid), 0) AS m FROM {escape_sqlite(table)}) AS top"
    )
    db = datasette.get_database(DATABASE)
    try:
        sampled, reports = (
            await db.execute(sql, {"search": search, "window": DENSITY_WINDOW})
        ).first()
    except Exception:
        return True  # as before: probing is never wrong, only slower on sparse matches
    return walk_is_cheaper(sampled, reports, dense_k(datasette))


async def cap_scope(datasette, scope: dict) -> dict:
    """The request as Datasette should see it. A table search it can count is counted here, to count_cap + 1
    at most, and gets `_nocount=nianbao-cap` (past the cap also no facets, and `_nianbao_search` for a page
    in date order); the count rides in the scope. Markers an earlier page's links carried are dropped and
    decided again."""
    tables = _searched_tables(datasette)
    path = scope.get("path", "")
    table = tables.get(path.removesuffix(".json"))
    query_string = scope.get("query_string", b"")
    if table is None or b"_search" not in query_string:
        return scope
    # bytes read as latin-1 to keep them whole, then each part as the UTF-8 it is (as archive/webguard.py)
    raw = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    pairs = [
        (
            k.encode("latin-1").decode("utf-8", "replace"),
            v.encode("latin-1").decode("utf-8", "replace"),
        )
        for k, v in raw
    ]
    # what this wrapper added to an earlier page's links is decided again: the marker is dropped, a probed
    # search is the search again (unless the form sent a new _search beside it)
    has_search = any(k == "_search" for k, _ in pairs)
    kept = []
    for k, v in pairs:
        if k in _SKIPPED and v == MARKER:
            continue
        if k in (PROBE_ARG, COLLECT_ARG):
            if has_search:
                continue
            k = "_search"
        kept.append((k, v))
    kept = _from_the_start(datasette, table, kept)
    keys = {k for k, _ in kept}
    count = None
    if not (
        "_search" not in keys
        or "_nocount" in keys
        or any(k in keys for k in _NOT_REPRODUCED)
        or any(k.startswith("_search_") for k in keys)
    ):
        count = await search_count(datasette, table, kept)
    if count is None:
        return scope if kept == pairs else {**scope, "query_string": _encode(kept)}
    # counted here, once: Datasette is told not to count again (the JSON gets this count back: _json_with_count)
    capped = count > count_cap(datasette)
    skipped = _SKIPPED if capped else ("_nocount",)
    kept += [(k, MARKER) for k in skipped if k not in keys]
    # Past the cap, dense matches are read in date order, probing each row (a few hundred probes); sparser
    # ones, and every search under the cap, are collected once, which is cheaper than probing (≈ 60 µs a
    # probe: bench/search.py's "fewer matches" at 1 M reports, DENSE_K)
    if capped and _walks_published(datasette, table, kept):
        arg = PROBE_ARG if await dense_past_cap(datasette, table, kept) else COLLECT_ARG
        kept = [(arg if k == "_search" else k, v) for k, v in kept]
    return {**scope, "query_string": _encode(kept), SCOPE_KEY: capped, COUNT_KEY: count}


# The `_next` of a first page, by sort direction: "before every value" (desc: after U+10FFFF, which every
# date, number and text sorts below; nulls come after anyway), "after nothing" (asc: $null, nulls first),
# then the primary key after '' (every id). Datasette adds its primary-key tiebreak to ORDER BY only when
# `_next` is given: a first page without one lists the rows sharing a 发布日期 in whatever order SQLite
# meets them, while the next page resumes from the last row by (published, id) and so skips or repeats the
# rest of that date (交通 on the sample archive: 1 of 117 lost, 2 past the count cap).
START_DESC = "~F4~8F~BF~BF,"
START_ASC = "$null,"


def _from_the_start(datasette, table: str, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The pairs with a first page's `_next` when the page is sorted by a column, so it is ordered by
    (column, primary key) as the pages after it are; a start an earlier page's links carried is decided
    again for this request's sort."""
    pairs = [(k, v) for k, v in pairs if not (k == "_next" and v in (START_DESC, START_ASC))]
    args = dict(pairs)
    if "_next" in args:
        return pairs
    meta = datasette.table_metadata(DATABASE, table)
    if args.get("_sort") or (not args.get("_sort_desc") and meta.get("sort")):
        return [*pairs, ("_next", START_ASC)]
    if args.get("_sort_desc") or meta.get("sort_desc"):
        return [*pairs, ("_next", START_DESC)]
    return pairs


def _encode(pairs: list[tuple[str, str]]) -> bytes:
    return urlencode(pairs, encoding="utf-8").encode("latin-1")


def _walks_published(datasette, table: str, pairs: list[tuple[str, str]]) -> bool:
    """Whether the page is ordered by an indexed date, so it can be read in that order, probing the index
    for each row, and stop after one page (PROBE_SORTS)."""
    return _sort_of(datasette, table, dict(pairs))[0] in PROBE_SORTS


def _sort_of(datasette, table: str, args) -> tuple[str | None, bool]:
    """(the column the page is sorted by, whether descending), as Datasette reads it."""
    if args.get("_sort"):
        return args["_sort"], False
    if args.get("_sort_desc"):
        return args["_sort_desc"], True
    meta = datasette.table_metadata(DATABASE, table)
    if meta.get("sort"):
        return meta["sort"], False
    return meta.get("sort_desc"), bool(meta.get("sort_desc"))


async def probe_filter(request, table, database, datasette):
    """The filters_from_request hook's work: `_nianbao_search` is a search that matches more than count_cap
    rows of a table whose page is ordered by an indexed column. Datasette's own clause, `rowid in (fts
    subquery)`, collects every match and sorts them all for one page (≈ 100 ms for a term in 90 % of
    100,000 reports); here each row the date index yields is probed in the search index (FTS5 seeks its
    rowid) until the page is full: with more than count_cap matches, at most a few hundred probes at
    100,000 reports, ≈ 1 ms (bench/search.py). The page, its description and its search box are those of
    `_search`."""
    from datasette.filters import FilterArguments

    search = request.args.get(PROBE_ARG)
    collect = search is None
    if collect:
        search = request.args.get(COLLECT_ARG)
    if database != DATABASE or search is None:
        return None
    meta = datasette.table_metadata(database, table)
    fts = meta.get("fts_table")
    if not fts:
        return None
    raw = (request.args.get("_searchmode") or meta.get("searchmode")) == "raw"
    match = ":nianbao_search" if raw else "escape_fts(:nianbao_search)"
    clause = _search_clause(escape_sqlite(table), escape_sqlite(fts), match, collect)
    params = {"nianbao_search": search}
    size = request.args.get("_size", "")
    if size.isdigit() and int(size) < PROBE_MIN_SIZE:
        window = await window_clause(
            datasette,
            table,
            request,
            lambda ref: _search_clause(ref, escape_sqlite(fts), match, collect),
        )
        if window is not None:
            clause, more = window
            params.update(more)
    return FilterArguments(
        [clause],
        params,
        [f'search matches "{search}"'],
        {"search": search, "supports_search": True},
    )


def _search_clause(ref: str, fts: str, match: str, collect: bool) -> str:
    """The row `ref` (a table or its alias, escaped) matches the search, probed or collected."""
    if collect:
        # Datasette's `rowid in (…)` lets SQLite look every match up and sort them all (past its 1 s limit
        # for 24,000 matches at 1 M reports); the + keeps the date index in charge, each row checked against
        # the matches collected once (≈ 6–50 ms for 24,000–93,000 matches)
        return f"+{ref}.rowid in (select rowid from {fts} where {fts} match {match})"
    return f"exists (select 1 from {fts} where {fts} match {match} and {fts}.rowid = {ref}.rowid)"


# Datasette's filter parameters are :p0, :p1 …; the window's copies of them are renamed (:nianbao_w0 …)
_FILTER_PARAM = re.compile(r":p(\d+)\b")


async def window_clause(datasette, table: str, request, clause_for) -> tuple[str, dict] | None:
    """`rowid in (the next WINDOW_ROWS rows in the page's order)` and its parameters: the search
    (`clause_for(alias)`), the page's filters and its keyset (`_next`, read as Datasette reads it) applied
    to the table under an alias, in the page's order (a column of PROBE_SORTS, then the primary key). None
    for a table whose primary key is not one column."""
    pks = await datasette.get_database(DATABASE).primary_keys(table)
    if len(pks) != 1:
        return None
    alias = "nianbao_w"
    column, desc = _sort_of(datasette, table, request.args)
    col, key = f"{alias}.{escape_sqlite(column)}", f"{alias}.{escape_sqlite(pks[0])}"
    pairs = [(k, v) for k in request.args for v in request.args.getlist(k)]
    where, filter_params = _filter_where(table, pairs)
    clauses = [clause_for(alias)] + [_FILTER_PARAM.sub(rf":{alias}\1", w) for w in where]
    params = {f"{alias}{k[1:]}": v for k, v in filter_params.items()}
    token = request.args.get("_next")
    components = urlsafe_components(token) if token else []
    if len(components) > 1:
        # Datasette's keyset for a sorted page (datasette/views/table.py): the sort value, then the key
        value = None if token.split(",")[0] == "$null" else components[0]
        params[f"{alias}_key"] = components[1]
        after = f"{key} > :{alias}_key"
        if value is None:
            clauses.append(
                f"({col} is null and {after})"
                if desc
                else f"({col} is not null or ({col} is null and {after}))"
            )
        else:
            params[f"{alias}_value"] = value
            null = f" or {col} is null" if desc else ""
            op = "<" if desc else ">"
            clauses.append(
                f"({col} {op} :{alias}_value{null} or ({col} = :{alias}_value and {after}))"
            )
    quoted = escape_sqlite(table)
    window = (
        f"{quoted}.rowid in (select {alias}.rowid from {quoted} as {alias} "
        f"where {' and '.join(clauses)} order by {col} {'desc' if desc else 'asc'}, {key} "
        f"limit {WINDOW_ROWS})"
    )
    return window, params


def count_over_cap(request: Request | None) -> bool:
    return bool(request is not None and request.scope.get(SCOPE_KEY))


def counted(request: Request | None) -> int | None:
    """The count made here for this request: exact up to the cap, None past it or when not counted here."""
    if request is None or request.scope.get(SCOPE_KEY):
        return None
    return request.scope.get(COUNT_KEY)


def _json_with_count(send, exact: int | None, over: bool, datasette):
    """A send that puts the count made here into the table's JSON as filtered_table_rows_count (Datasette
    was told not to count): the JSON a client gets is the one it always got, counted once."""
    start: dict | None = None
    chunks: list[bytes] = []

    async def sending(message):
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return None
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return None
        body = b"".join(chunks)
        headers = [
            (k, v) for k, v in (start or {}).get("headers", []) if k.lower() != b"content-length"
        ]
        if (start or {}).get("status") == 200:
            try:
                data = json.loads(body)
            except ValueError:
                data = None
            if isinstance(data, dict) and "filtered_table_rows_count" in data:
                data["filtered_table_rows_count"] = exact
                body = json.dumps(data, default=repr).encode("utf-8")
        if over:
            headers.append((b"x-nianbao-count", f">{count_cap(datasette)}".encode()))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**(start or {}), "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return sending


def wrapper(datasette):
    """The asgi_wrapper hook's value: decides the count of every table search before Datasette runs it."""

    def wrap(app):
        async def capped(scope, receive, send):
            if scope["type"] != "http" or scope.get("method", "GET").upper() not in ("GET", "HEAD"):
                return await app(scope, receive, send)
            scope = await cap_scope(datasette, scope)
            if COUNT_KEY not in scope:
                return await app(scope, receive, send)
            over = scope[SCOPE_KEY]
            exact = None if over else scope[COUNT_KEY]
            if scope.get("path", "").endswith(".json"):
                return await app(scope, receive, _json_with_count(send, exact, over, datasette))

            async def send_with_header(message):
                if message["type"] == "http.response.start" and over:
                    header = (b"x-nianbao-count", f">{count_cap(datasette)}".encode())
                    message = {**message, "headers": [*message.get("headers", []), header]}
                await send(message)

            return await app(scope, receive, send_with_header)

        return capped

    return wrap
