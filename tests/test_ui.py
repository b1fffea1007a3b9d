"""The archive as people read it: metadata, coverage, canned queries, feed, exports, report and bureau pages,
against Datasette started for real on the crawled sample archive."""

from __future__ import annotations

import csv as csv_module
import io
import re
import sqlite3
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime

import pytest
import yaml
from ui_server import ROOT, get, get_json, running_datasette

from archive.datasette_plugin import paragraphs, stats_grid
from archive.textnorm import normalize, repair

ATOM = "{http://www.w3.org/2005/Atom}"
METADATA = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
QUERIES = METADATA["databases"]["archive"]["queries"]
# Parameters each canned query is run with; a new query without an entry here fails test_every_canned_query_runs.
QUERY_PARAMS = {
    "reports_of_bureau": {"bureau": "henan-jtt"},
    "late_and_missing_for_year": {"year": "2024"},
    "changes_since": {"since": "2000-01-01"},
    "search_reports": {
        "q": "交通",
        "page": "2",
        "sort": "",
        "bureau": "",
        "province": "",
        "level": "",
        "year": "",
        "kind": "",
    },
}


@pytest.fixture(scope="module")
def ds(crawled_archive):
    with running_datasette(crawled_archive) as base:
        yield base


def db_rows(db, sql, params=()):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def last_complete_year(today) -> int:
    """The last report year whose deadline (31 January of the next year) has passed."""
    return today.year - 1 - (1 if (today.month, today.day) <= (1, 31) else 0)


def expected_coverage(goldens, today) -> dict[tuple[str, int], str]:
    """Computed from the golden files alone: what the coverage view must say for every bureau and year."""
    published: dict[str, dict[int, str]] = defaultdict(dict)
    for g in goldens:
        if g["kind"] == "annual_report" and g["year"]:
            prev = published[g["bureau_id"]].get(g["year"])
            date = g.get("published") or "9999"
            published[g["bureau_id"]][g["year"]] = min(prev, date) if prev else date
    out = {}
    limit = last_complete_year(today)
    for bureau, years in published.items():
        for year in range(min(years), max(max(years), limit) + 1):
            if year not in years:
                if year <= limit:
                    out[(bureau, year)] = "missing"
            elif years[year] != "9999" and years[year] > f"{year + 1}-01-31":
                out[(bureau, year)] = "late"
            else:
                out[(bureau, year)] = "published"
    return out


def test_coverage_view_matches_goldens(ds, goldens):
    today = datetime.now(UTC).date()
    expected = expected_coverage(goldens, today)
    statuses = set(expected.values())
    assert {"published", "late", "missing"} <= statuses, (
        "the sample portals must include late and missing"
    )
    got = get_json(ds, "/archive/coverage.json", {"_shape": "array", "_size": "max"})
    assert {(r["bureau_id"], r["year"]): r["status"] for r in got} == expected
    for r in got:
        if r["status"] == "late":
            assert r["days_late"] > 0 and r["published"] > r["deadline"]


def test_deadline_day_itself_is_on_time(ds):
    """A report published on 31 January is on time; the sample has such reports (fuyang 2025, lushan 2022)."""
    got = get_json(ds, "/archive/coverage.json", {"_shape": "array", "published__like": "%-01-31"})
    assert got
    assert {r["status"] for r in got} == {"published"}


def test_metadata_describes_every_table_and_column(ds, crawled_archive):
    meta = get_json(ds, "/-/metadata.json")
    tables = meta["databases"]["archive"]["tables"]
    objects = db_rows(
        crawled_archive,
        "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite_%'",
    )
    problems = []
    for obj in objects:
        name = obj["name"]
        info = tables.get(name)
        if info is None:
            problems.append(f"{name}: not in metadata.yml")
            continue
        if info.get("hidden"):
            continue
        if not info.get("description"):
            problems.append(f"{name}: no description")
        cols = [r["name"] for r in db_rows(crawled_archive, f"pragma table_info([{name}])")]
        missing = [c for c in cols if not info.get("columns", {}).get(c)]
        if missing:
            problems.append(f"{name}: columns without description {missing}")
    assert not problems, problems
    assert tables["bureaus"]["label_column"] == "name"
    for facet in ["province", "level", "kind", "image_only", "year", "bureau_id"]:
        assert facet in tables["reports"]["facets"]
    assert "level" in tables["bureaus"]["facets"]


def test_foreign_keys_read_as_names(ds, crawled_archive):
    (row,) = get_json(
        ds, "/archive/reports.json", {"_shape": "array", "_size": "1", "_labels": "on"}
    )
    name = db_rows(
        crawled_archive, "select name from bureaus where id = ?", (row["bureau_id"]["value"],)
    )
    assert row["bureau_id"]["label"] == name[0]["name"]


def test_internal_tables_hidden(ds):
    status, html = get(ds, "/archive")
    assert status == 200
    for internal in ["_migrations", "reports_fts_data", "reports_fts_idx"]:
        assert f'href="/archive/{internal}"' not in html


def test_every_canned_query_listed_and_runs(ds):
    status, html = get(ds, "/archive")
    for name, query in QUERIES.items():
        assert f'href="/archive/{name}"' in html, name
        named = set(re.findall(r"(?<!:):([a-z_]+)", re.sub(r"'[^']*'", "", query["sql"])))
        # magic parameters (:_nianbao_cap, :_nianbao_reports): Datasette fills them itself
        named = {n for n in named if not n.startswith("_")}
        params = QUERY_PARAMS.get(name, {})
        assert named <= set(params), (name, named)
        data = get_json(ds, f"/archive/{name}.json", params)
        assert data["ok"], name
        status, csv = get(ds, f"/archive/{name}.csv", params)
        assert (
            status == 200
            and len(list(csv_module.reader(io.StringIO(csv)))) == len(data["rows"]) + 1
        ), name


def test_canned_queries_are_read_only(ds):
    for name in QUERIES:
        assert not QUERIES[name].get("write"), name


def test_every_table_exports_csv_and_json(ds, crawled_archive):
    for table in ["bureaus", "reports", "attachments", "crawl_runs", "coverage", "annual_reports"]:
        n = db_rows(crawled_archive, f"select count(*) as n from [{table}]")[0]["n"]
        data = get_json(ds, f"/archive/{table}.json", {"_size": "max"})
        assert len(data["rows"]) == min(n, 1000), table
        status, csv = get(ds, f"/archive/{table}.csv", {"_stream": "on"})
        assert status == 200 and csv.startswith(data["columns"][0]) or csv.startswith("rowid"), (
            table
        )


def test_late_and_missing_for_a_year(ds, goldens):
    expected = expected_coverage(goldens, datetime.now(UTC).date())
    want = {b for (b, y), s in expected.items() if y == 2021 and s in ("late", "missing")}
    got = get_json(
        ds, "/archive/late_and_missing_for_year.json", {"year": "2021", "_shape": "array"}
    )
    assert {r["bureau_id"] for r in got if r["status"] in ("late", "missing")} == want
    assert any(r["status"] == "late" for r in got), (
        "liaoyuan-jtj published its 2021 report on 2022-02-05"
    )


def test_reports_of_a_bureau_by_name_or_id(ds, crawled_archive):
    n = db_rows(crawled_archive, "select count(*) as n from reports where bureau_id = 'henan-jtt'")[
        0
    ]["n"]
    by_id = get_json(
        ds, "/archive/reports_of_bureau.json", {"bureau": "henan-jtt", "_shape": "array"}
    )
    by_name = get_json(
        ds, "/archive/reports_of_bureau.json", {"bureau": "河南省交通运输厅", "_shape": "array"}
    )
    assert len(by_id) == len(by_name) == n > 0
    years = [r["year"] for r in by_id if r["year"] is not None]
    assert years == sorted(years, reverse=True)


def test_changes_since(ds, crawled_archive):
    total = db_rows(crawled_archive, "select count(*) as n from reports")[0]["n"]
    assert (
        len(
            get_json(
                ds,
                "/archive/changes_since.json",
                {"since": "2000-01-01", "_shape": "array", "_size": "max"},
            )
        )
        == total
    )
    assert (
        get_json(ds, "/archive/changes_since.json", {"since": "2999-01-01", "_shape": "array"})
        == []
    )


@pytest.mark.parametrize("query", ["交通", "關於", "政府信息公开", "交 通"])
def test_search_page_pages_through_every_match(ds, crawled_archive, query):
    terms = [normalize(t).lower() for t in query.split()]
    # every term in the title or in the text; newest 发布日期 first (then the latest archived)
    found = db_rows(
        crawled_archive,
        "select r.rowid, r.id, r.title, t.text_normalized as t from reports r "
        "join report_texts t on t.report_id = r.id order by r.published desc, r.rowid desc",
    )
    expected = {
        r["rowid"]: r["id"]
        for r in found
        if all(term in r["t"].lower() or term in normalize(r["title"]).lower() for term in terms)
    }
    in_text = {r["id"] for r in found if all(term in r["t"].lower() for term in terms)}
    assert len(expected) > 20, "the sample archive gives this query more than one page"
    got, page = [], 1
    while True:
        rows = get_json(
            ds, "/archive/search_reports.json", {"q": query, "page": str(page), "_shape": "array"}
        )
        assert len(rows) <= 20
        if not rows:
            break
        assert {r["matches"] for r in rows} == {len(expected)}
        got += rows
        page += 1
    # every match exactly once, the newest 发布日期 first
    assert [r["id"] for r in got] == list(expected.values())
    # page 1 is the default, and a query nothing contains gives no row
    first = get_json(ds, "/archive/search_reports.json", {"q": query, "_shape": "array"})
    assert [r["id"] for r in first] == [r["id"] for r in got[:20]]
    assert get_json(ds, "/archive/search_reports.json", {"q": "鿰鿱", "_shape": "array"}) == []
    needle = terms[0]
    for r in (r for r in got if r["id"] in in_text):
        # FTS5's snippet() cuts its window by tokens, so a hit at the window's end is marked only in part.
        marked = re.findall(r"<mark>(.*?)</mark>", r["snippet"].lower(), re.S)
        assert marked and all(any(t.startswith(m) for t in terms) for m in marked), r["snippet"]
    assert sum(f"<mark>{needle}</mark>" in r["snippet"].lower() for r in got) > len(got) / 2
    status, html = get(ds, "/archive/search_reports", {"q": query})
    assert f"<mark>{needle}</mark>" in html.lower(), "hits are highlighted, not escaped"
    results = html[html.index('class="nb-results"') :]
    assert "&lt;mark&gt;" not in results


def test_atom_feed(ds, crawled_archive):
    status, body = get(ds, "/archive/new_reports_feed.atom")
    assert status == 200
    feed = ET.fromstring(body.encode("utf-8"))
    entries = feed.findall(f"{ATOM}entry")
    recent = db_rows(
        crawled_archive,
        "select id from reports where first_seen >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-30 days')",
    )
    assert len(entries) == min(len(recent), 500) > 0
    ids = {e.find(f"{ATOM}id").text for e in entries}
    assert ids == {f"urn:nianbao:report:{r['id']}" for r in recent}


def test_report_page_reads_well(ds, crawled_archive):
    (r,) = db_rows(
        crawled_archive,
        "select r.id, r.title, r.url, r.text, b.name from reports_with_text r "
        "join bureaus b on b.id = r.bureau_id "
        "where r.id in (select report_id from disclosure_stats) order by r.year desc limit 1",
    )
    status, html = get(ds, f"/archive/reports/{r['id']}")
    assert status == 200
    assert f"<title>{r['title']}</title>" in html
    assert f'href="{r["url"]}"' in html
    assert r["name"] in html
    first = next(line for line in r["text"].splitlines() if line.strip() and " | " not in line)
    assert f"<p>{repair(first.strip())}</p>" in html  # the repaired text is what one reads
    assert 'class="nb-table nb-stats"' in html
    value = db_rows(
        crawled_archive,
        "select raw from disclosure_stats where report_id = ? and raw not in ('', '0') limit 1",
        (r["id"],),
    )[0]["raw"]
    assert f'<td class="num">{value}</td>' in html
    assert 'id="attachments"' in html


def test_report_page_links_archived_attachment(ds, crawled_archive):
    found = db_rows(
        crawled_archive, "select report_id, path from attachments where path is not null limit 1"
    )
    assert found, "the sample portals link attachments"
    a = found[0]
    status, html = get(ds, f"/archive/reports/{a['report_id']}")
    assert f'href="/files/{a["path"]}"' in html
    assert get(ds, f"/files/{a['path']}")[0] == 200


def test_bureau_page_lists_reports_by_year(ds, crawled_archive):
    status, html = get(ds, "/archive/bureaus/henan-jtt")
    assert status == 200
    years = [int(y) for y in re.findall(r"<h3>(\d{4})</h3>", html)]
    stored = {
        r["year"]
        for r in db_rows(
            crawled_archive,
            "select distinct year from reports where bureau_id='henan-jtt' and year is not null",
        )
    }
    assert set(years) == stored and years == sorted(years, reverse=True)
    assert 'class="nb-status-late"' in html and 'class="nb-status-missing"' in html


def test_dashboard_uses_only_local_assets(ds):
    status, html = get(ds, "/-/dashboards/nianbao")
    assert status == 200
    srcs = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    for chart in ["reports-per-year", "coverage", "applications-per-bureau"]:
        assert chart in html


def test_dashboard_pages_speak_chinese(ds):
    """The plugin's own words (Apply, home / dashboards, View and edit SQL, the row-limit warning) are
    replaced by the archive's templates on the list, the dashboard and a single chart."""
    pages = ["/-/dashboards", "/-/dashboards/nianbao", "/-/dashboards/nianbao/coverage"]
    for path in pages:
        status, html = get(ds, path)
        assert status == 200, path
        # an inline or linked script element, e.g. '<script>renderChart(\'coverage\', …)</script>'
        visible = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
        for english in ["Apply", ">home<", ">dashboards<", "Dashboards", "View and edit SQL",
                        "SQL query returning", "Fullscreen", "No dashboards"]:  # fmt: skip
            assert english not in visible, (path, english)
        assert '<a href="/-/dashboards">图表</a>' in html or path == "/-/dashboards", path
    status, html = get(ds, "/-/dashboards/nianbao", {"province": "河南省"})
    assert 'value="筛选"' in html and '<option value="">全部</option>' in html
    assert '<option value="河南省" selected>河南省</option>' in html
    status, html = get(ds, "/-/dashboards/nianbao/coverage")
    assert "查看和编辑 SQL" in html


def test_paragraphs_and_tables_split():
    blocks = paragraphs("一、总体情况\n\n项目 | 数量\n许可 | 3\n二、其他")
    assert blocks == [
        {"kind": "p", "text": "一、总体情况"},
        {"kind": "table", "rows": [["项目", "数量"], ["许可", "3"]]},
        {"kind": "p", "text": "二、其他"},
    ]


def test_stats_grid_keeps_print_order():
    cells = [
        {
            "section": "三",
            "item_code": "3.new",
            "row_label": "本年新收",
            "col_label": "自然人",
            "value": 3,
            "raw": "3",
        },
        {
            "section": "三",
            "item_code": "3.new",
            "row_label": "本年新收",
            "col_label": "总计",
            "value": 5,
            "raw": "5",
        },
        {
            "section": "三",
            "item_code": "3.carry",
            "row_label": "上年结转",
            "col_label": "自然人",
            "value": None,
            "raw": "",
        },
    ]
    (grid,) = stats_grid(cells)
    assert grid["cols"] == ["自然人", "总计"]
    assert [r["label"] for r in grid["rows"]] == ["本年新收", "上年结转"]
    assert grid["rows"][1]["values"] == {"自然人": None}
