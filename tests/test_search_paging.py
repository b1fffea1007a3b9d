"""Walking every next-page link of a search, as a reader or a script exporting it would, sees each match
exactly once and in the promised order: the reports table's search box (HTML and JSON, below and past the
count cap, each sort order) and the search page (newest first and by relevance). The archive is the crawled
sample with a few reports given no 发布日期 and a few more sharing one, the cases that fall between pages."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import sqlite3
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from datasette.utils import escape_fts
from ui_server import capped_metadata, get, get_json, running_datasette

from archive.db import open_db

CAP = 40
SIZE = 8  # a page past the count cap read in date order (PROBE_MIN_SIZE and more)


@pytest.fixture(scope="module")
def tied_archive(crawled_archive, tmp_path_factory) -> Path:
    """The sample archive with every 9th report undated and every 5th dated like its neighbour."""
    path = tmp_path_factory.mktemp("paging") / "archive.db"
    shutil.copy(crawled_archive, path)
    conn = sqlite3.connect(path)
    ids = [r[0] for r in conn.execute("select id from reports order by id")]
    for i, rid in enumerate(ids):
        if i % 9 == 4:
            conn.execute("update reports set published = null where id = ?", (rid,))
        elif i % 5 == 0 and i:
            conn.execute(
                "update reports set published = (select published from reports where id = ?) "
                "where id = ?",
                (ids[i - 1], rid),
            )
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module", params=["probed", "collected"])
def served(request, tied_archive, tmp_path_factory):
    """Datasette on that archive with a count cap of CAP, so 交通 goes past it and a county search stays
    below it; past the cap its pages are read by probing rows in date order, or from the matches
    collected once (tablesearch.walk_is_cheaper decides on a real archive)."""
    k = 0 if request.param == "probed" else 10**12
    meta = capped_metadata(tmp_path_factory.mktemp("paging-meta"), CAP, probe_density_k=k)
    with running_datasette(tied_archive, meta) as base:
        yield base


def expected(db: Path, query: str, level: str | None) -> list[dict]:
    """The matches as the search index finds them, newest first, undated last, ties by id."""
    conn = open_db(db).conn
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(
            "select r.rowid, r.id, r.published from reports r where r.rowid in "
            "(select rowid from reports_fts where reports_fts match ?)"
            " and (? is null or r.level = ?)",
            (escape_fts(query), level, level),
        ).fetchall()
    finally:
        conn.close()
    return [dict(r) for r in found]


def newest_first(rows: list[dict], tiebreak: str, oldest: bool = False) -> list[str]:
    """Ids by 发布日期, newest first and undated last (oldest: undated first, then oldest first), ties by
    id (the table's primary key) or by rowid, newest archived first (the search page)."""
    dated = [r for r in rows if r["published"] is not None]
    undated = [r for r in rows if r["published"] is None]
    sign = -1 if tiebreak == "rowid" else 1
    key = (lambda r: sign * r["rowid"]) if tiebreak == "rowid" else (lambda r: r["id"])
    dated.sort(key=key)
    dated.sort(key=lambda r: r["published"], reverse=not oldest)
    undated = [r["id"] for r in sorted(undated, key=key)]
    return undated + [r["id"] for r in dated] if oldest else [r["id"] for r in dated] + undated


def walk_json(base: str, params: dict) -> list[str]:
    data = get_json(base, "/archive/reports.json", {**params, "_size": SIZE, "_shape": "objects"})
    seen = [r["id"] for r in data["rows"]]
    for _ in range(100):
        if not data.get("next_url"):
            return seen
        with urllib.request.urlopen(data["next_url"], timeout=60) as resp:
            data = json.load(resp)
        seen += [r["id"] for r in data["rows"]]
    raise AssertionError("next links never end")


# the id cell of a table row: <td class="col-id type-pk"><a href="/archive/reports/0f3a…">0f3a…</a></td>
ROW_ID = re.compile(r'<td class="col-id[^"]*"><a href="[^"]*/archive/reports/([0-9a-f]{16})"')
# the next-page link of both pages: <a href="/archive/reports?_search=…" rel="next">
NEXT = re.compile(r'<a (?:class="nb-next" rel="next" )?href="([^"]+)"(?: rel="next")?>下一页')
# a hit of the search page: <a class="nb-result-title" href="/archive/reports/0f3a…">
HIT = re.compile(r'class="nb-result-title" href="[^"]*/archive/reports/([0-9a-f]{16})"')


def walk_html(base: str, path: str, params: dict, rows: re.Pattern) -> list[str]:
    status, page = get(base, path, params)
    assert status == 200, page[:500]
    seen = rows.findall(page)
    for _ in range(100):
        link = NEXT.search(page)
        if not link:
            return seen
        url = urllib.parse.urljoin(base + path, htmllib.unescape(link.group(1)))
        with urllib.request.urlopen(url, timeout=60) as resp:
            page = resp.read().decode("utf-8")
        seen += rows.findall(page)
    raise AssertionError("next links never end")


SEARCHES = [("交通", None), ("报告", None), ("交通", "county")]
TABLE_SORTS = [{}, {"_sort_desc": "published"}, {"_sort": "published"}]


@pytest.mark.parametrize("query,level", SEARCHES)
@pytest.mark.parametrize("sort", TABLE_SORTS, ids=["default", "published-desc", "published-asc"])
def test_table_search_next_links_see_every_match_once(served, tied_archive, query, level, sort):
    want = expected(tied_archive, query, level)
    assert any(r["published"] is None for r in want)
    # 交通 and 报告 go past the cap (read in date order), a county search stays below it (Datasette's own)
    assert (len(want) > CAP) == (level is None), len(want)
    params = {"_search": query, **sort, **({"level": level} if level else {})}
    order = newest_first(want, "id", oldest="_sort" in sort)
    for seen in (
        walk_json(served, params),
        walk_html(served, "/archive/reports", {**params, "_size": SIZE}, ROW_ID),
    ):
        assert len(seen) == len(set(seen)), "a report seen twice"
        assert set(seen) == set(order), f"missed {sorted(set(order) - set(seen))}"
        assert seen == order


@pytest.mark.parametrize("query,level", SEARCHES)
def test_search_page_next_links_see_every_match_once(served, tied_archive, query, level):
    want = expected(tied_archive, query, level)
    params = {"q": query, **({"level": level} if level else {})}
    assert walk_html(served, "/archive/search_reports", params, HIT) == newest_first(want, "rowid")
    by_rank = walk_html(served, "/archive/search_reports", {**params, "sort": "relevance"}, HIT)
    assert sorted(by_rank) == sorted(r["id"] for r in want)
    # the pages in relevance order are the export's order, cut in twenties
    export = get_json(
        served,
        "/archive/search_reports.json",
        {**params, "sort": "relevance", "page": "all", "_shape": "array"},
    )
    assert by_rank == [r["id"] for r in export]


@pytest.mark.parametrize("size", [1, 4, 5], ids=["window-1", "window-4", "date-order-5"])
def test_small_pages_past_the_cap_see_every_match_once(served, tied_archive, size):
    """Pages smaller than PROBE_MIN_SIZE are read past the cap as the first rows of a window in date order
    (tablesearch.window_clause), the others in date order directly (probed or collected), every one in the
    same order, the undated and the tied included."""
    want = newest_first(expected(tied_archive, "交通", None), "id")
    data = get_json(served, "/archive/reports.json", {"_search": "交通", "_size": size})
    seen = [r[0] for r in data["rows"]]
    while data.get("next_url"):
        with urllib.request.urlopen(data["next_url"], timeout=60) as resp:
            data = json.load(resp)
        seen += [r[0] for r in data["rows"]]
    assert seen == want


@pytest.mark.parametrize("size", [1, 3])
def test_small_pages_past_the_cap_keep_their_sort_and_filters(served, tied_archive, size):
    """The window of a small page carries the page's own sort (oldest first: the undated first) and its
    column filters (a date filter drops the undated), so its rows are the ones Datasette would list."""
    want = expected(tied_archive, "交通", None)
    assert len(want) > CAP
    oldest = newest_first(want, "id", oldest=True)
    dated = [r for r in want if r["published"] is not None and r["published"] >= "2000-01-01"]
    assert len(dated) > CAP and len(dated) < len(want)
    for params, order in (
        ({"_sort": "published"}, oldest),
        ({"published__gte": "2000-01-01"}, newest_first(dated, "id")),
    ):
        data = get_json(
            served, "/archive/reports.json", {"_search": "交通", "_size": size, **params}
        )
        assert "nianbao_w" in data["query"]["sql"]  # read through the window
        seen = [r[0] for r in data["rows"]]
        while data.get("next_url"):
            with urllib.request.urlopen(data["next_url"], timeout=60) as resp:
                data = json.load(resp)
            seen += [r[0] for r in data["rows"]]
        assert seen == order, params
