"""The reader's archive over HTTP, against Datasette started for real on the crawled sample archive: Chinese
pages, the repaired report page with its citation, statutory tables and archived images, search over titles
with paging, sorting, filters and full exports, the narrow reports table, the comparison page, the feed."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ui_server import get, get_json, running_datasette

from archive.datasette_plugin import paragraphs
from archive.reader import KEY_FIGURES
from archive.statlayout import layout
from archive.textnorm import normalize

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def ds(crawled_archive):
    with running_datasette(crawled_archive) as base:
        yield base


def rows(db: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def report_with(db: Path, where: str, params=()) -> dict:
    found = rows(db, f"select * from reports_with_text where {where} limit 1", params)
    assert found, where
    return found[0]


def test_every_page_is_chinese(ds, crawled_archive):
    rid = rows(crawled_archive, "select id from reports limit 1")[0]["id"]
    pages = [
        "/",
        "/archive",
        "/archive/reports",
        f"/archive/reports/{rid}",
        "/archive/bureaus/henan-jtt",
        "/archive/coverage",
        "/archive/search_reports?q=交通",
        "/-/compare?bureau=henan-jtt",
        "/-/dashboards/nianbao",
        "/archive/coverage_by_bureau",
        "/archive/reports_of_bureau?bureau=henan-jtt",
    ]
    for path in pages:
        status, html = get(
            ds, path.split("?")[0], dict([path.split("?")[1].split("=")]) if "?" in path else None
        )
        assert status == 200, path
        assert '<html lang="zh-CN">' in html, path
        # Datasette's English chrome is gone where the archive's templates reach it
        for english in ["Powered by", "This data as", "Advanced export", ">Search:<", "Custom SQL"]:
            assert english not in html, (path, english)
    status, html = get(ds, "/archive/no_such_table")
    assert status == 404 and '<html lang="zh-CN">' in html and "找不到该页面" in html
    status, html = get(ds, "/archive/reports")
    for label in ["全部文件", "检索（标题和正文）", "各列说明", "报告年度", "类别", "年报"]:
        assert label in html, label
    assert ">annual_report<" not in html  # kinds read in Chinese, the code stays the tooltip


def test_home_leads_with_search_coverage_bureaus_comparison(ds, crawled_archive):
    status, html = get(ds, "/")
    order = [
        html.index(s)
        for s in ['class="nb-search"', 'id="coverage"', 'id="bureaus"', 'id="compare"']
    ]
    assert order == sorted(order)
    for b in rows(crawled_archive, "select id, name from bureaus"):
        assert b["name"] in html
    status, db_page = get(ds, "/archive")
    for internal in [
        "stats_checks",
        "stat_items",
        "disclosure_stats",
        "crawl_runs",
        "report_texts",
    ]:
        assert f'href="/archive/{internal}"' not in db_page.split("hidden tables")[0], internal


def test_report_page_shows_repaired_text_and_switch(ds, crawled_archive):
    ruby = report_with(crawled_archive, "instr(text, '關(guān)')")
    spaced = report_with(crawled_archive, "instr(text, '关 心指导')")
    for r, debris, mended in [(ruby, "關(guān)", "關于印發"), (spaced, "关 心指导", "关心指导")]:
        status, html = get(ds, f"/archive/reports/{r['id']}")
        assert status == 200 and debris not in html and mended in html, r["title"]
        status, raw = get(ds, f"/archive/reports/{r['id']}", {"_text": "extracted"})
        assert debris in raw, "the text exactly as extracted is one click away"
    assert "印發" in get(ds, f"/archive/reports/{ruby['id']}")[1], "traditional kept as published"


def test_citation_block(ds, crawled_archive):
    r = report_with(crawled_archive, "index_no is not null and published is not null")
    status, html = get(ds, f"/archive/reports/{r['id']}")
    block = html[
        html.index('id="nb-citation"') : html.index("</pre>", html.index('id="nb-citation"'))
    ]
    for value in [r["title"], r["published"], r["index_no"], r["url"], r["first_seen"][:10]]:
        assert value in block, value
    assert f"{ds}/archive/reports/{r['id']}" in block, "the permalink"
    # the copy button works through the archive's static script, with no inline handler
    assert 'data-copy-target="nb-citation"' in html and "onclick" not in html
    assert '<script src="/-/nianbao/nianbao.js"' in html
    status, js = get(ds, "/-/nianbao/nianbao.js")
    assert status == 200 and "clipboard" in js


def test_statutory_tables_as_printed(ds, crawled_archive):
    rid = rows(
        crawled_archive, "select report_id from disclosure_stats where section = '三' limit 1"
    )[0]["report_id"]
    status, html = get(ds, f"/archive/reports/{rid}")
    three = html[html.index('data-section="三"') :]
    three = three[: three.index("</table>")]
    assert re.search(r'<th colspan="7">申请人情况</th>', three)
    assert re.search(r'<th colspan="5">法人或其他组织</th>', three)
    assert re.search(r'<th rowspan="\d+">（三）不予公开</th>', three)
    four = html[html.index('data-section="四"') :]
    four = four[: four.index("</table>")]
    assert (
        '<th colspan="5" rowspan="2">行政复议</th>' in four
        and '<th colspan="10">行政诉讼</th>' in four
    )
    # every figure of the table is the stored cell, printed as an integer
    cells = rows(
        crawled_archive,
        "select * from disclosure_stats where report_id = ? and section = '三' order by rowid",
        (rid,),
    )
    shown = re.findall(r'<td class="num">([^<]*)</td>', three)
    assert len(shown) == len(cells)
    assert sorted(shown) == sorted(c["raw"] if c["raw"] else "" for c in cells)
    assert not any(v.endswith(".0") for v in shown)


def test_layout_of_section_three_and_four():
    def cell(section, code, row, col, raw, value):
        return dict(
            section=section, item_code=code, row_label=row, col_label=col, raw=raw, value=value
        )

    cells = [
        cell("三", "3.new", "本年新收", c, "1", 1.0) for c in ["自然人", "商业企业", "其他", "总计"]
    ] + [
        cell("三", "3.result.not_open.secret", "属于国家秘密", "总计", "", None),
        cell("三", "3.result.not_open.law", "其他法律行政法规禁止公开", "总计", "2", 2.0),
        cell("四", "4.review", "行政复议", "总计", "3", 3.0),
        cell("四", "4.suit_direct", "行政诉讼·未经复议直接起诉", "总计", "4", 4.0),
    ]
    parents = {
        "3.result.not_open.secret": "3.result.not_open",
        "3.result.not_open.law": "3.result.not_open",
    }
    three, four = layout(cells, parents)
    (t3,) = three["tables"]
    assert [c["text"] for c in t3["head"][1]] == ["自然人", "法人或其他组织", "总计"]
    assert [c["text"] for c in t3["head"][2]] == ["商业企业", "其他"]
    group = t3["body"][1]
    assert group[0]["text"] == "（三）不予公开" and group[0]["rowspan"] == 2
    assert [c["text"] for c in t3["body"][2]][-1] == "2"
    (t4,) = four["tables"]
    assert [c["text"] for c in t4["head"][0]] == ["行政复议", "行政诉讼"]
    assert [c["text"] for c in t4["body"][0]] == ["3", "4"]


def test_paragraphs_keep_trailing_empty_cells():
    blocks = paragraphs("政府集中采购 |  | \n项目 | 数量 | 金额\n正文")
    assert blocks[0] == {
        "kind": "table",
        "rows": [["政府集中采购", "", ""], ["项目", "数量", "金额"]],
    }
    assert blocks[1] == {"kind": "p", "text": "正文"}


def test_image_only_report_shows_archived_images(ds, crawled_archive):
    r = report_with(crawled_archive, "image_only = 1")
    images = rows(
        crawled_archive,
        "select * from report_images where report_id = ? order by position",
        (r["id"],),
    )
    assert [i["url"] for i in images] == json.loads(r["images"])
    assert all(i["path"] and i["type"] == "png" and i["warc_file"] for i in images), images
    status, html = get(ds, f"/archive/reports/{r['id']}")
    # its text was read from the images by OCR, and the page says so
    assert r["text_source"] == "ocr" and "由图片 OCR 识别" in html
    for i in images:
        assert f'<img src="/files/{i["path"]}"' in html
        status, body = get(ds, f"/files/{i['path']}")
        assert status == 200
    files = crawled_archive.parent / "files"
    assert all((files / i["path"]).stat().st_size == i["size"] for i in images)


def warc_download(ds: str, rid: str) -> list:
    """The records of /-/warc/<rid>, read by warcio as any WARC reader would."""
    import urllib.request

    from warcio.archiveiterator import ArchiveIterator

    with urllib.request.urlopen(f"{ds}/-/warc/{rid}", timeout=30) as resp:
        assert resp.headers["content-type"] == "application/warc"
        body = resp.read()
    return [
        (
            rec.rec_headers.get_header("WARC-Type"),
            rec.rec_headers.get_header("WARC-Target-URI"),
            rec.rec_headers.get_header("WARC-Record-ID"),
            rec.rec_headers.get_header("WARC-Concurrent-To"),
            rec.content_stream().read(),
        )
        for rec in ArchiveIterator(io.BytesIO(body))
    ]


@pytest.mark.parametrize(
    "where",
    [
        "warc_file is not null and id in (select report_id from attachments where warc_file is not null)",
        "image_only = 1",
    ],
)
def test_warc_download_holds_every_record_of_a_report(ds, crawled_archive, where):
    """The evidence download is the report page's response and every attachment's or image's response, each
    with its request and metadata record, as the crawl stored them."""
    r = report_with(crawled_archive, where)
    status, html = get(ds, f"/archive/reports/{r['id']}")
    assert f'href="/-/warc/{r["id"]}"' in html
    files = rows(
        crawled_archive,
        "select url, sha256 from attachments where report_id = ? and warc_file is not null "
        "union all select url, sha256 from report_images where report_id = ? and warc_file is not null",
        (r["id"], r["id"]),
    )
    assert files
    records = warc_download(ds, r["id"])
    responses = {uri: (rid, body) for kind, uri, rid, _, body in records if kind == "response"}
    assert set(responses) == {r["url"]} | {f["url"] for f in files}
    import hashlib

    for f in files:  # the bytes the archive kept are the bytes in the record
        if f["sha256"]:
            assert hashlib.sha256(responses[f["url"]][1]).hexdigest() == f["sha256"]
    for rid, _ in responses.values():
        kinds = {kind for kind, _, _, to, _ in records if to == rid}
        assert "request" in kinds, rid
    assert get(ds, "/-/warc/0000000000000000")[0] == 404


def test_title_only_words_are_found(ds, crawled_archive):
    """图片版 is printed only in a title; the search page and the table box both find it."""
    titled = rows(crawled_archive, "select id from reports_with_text where instr(title, '图片版')")
    assert titled and not rows(
        crawled_archive, "select 1 from report_texts where instr(text, '图片版')"
    )
    got = get_json(ds, "/archive/search_reports.json", {"q": "图片版", "_shape": "array"})
    assert {r["id"] for r in got} == {r["id"] for r in titled}
    data = get_json(ds, "/archive/reports.json", {"_search": "图片版", "_shape": "objects"})
    assert data["filtered_table_rows_count"] == len(titled)
    total = get_json(ds, "/archive/reports.json", {"_search": "交通", "_size": "1"})
    expected = [
        r
        for r in rows(crawled_archive, "select title, text_normalized from reports_with_text")
        if "交通" in r["text_normalized"] or "交通" in normalize(r["title"])
    ]
    assert total["filtered_table_rows_count"] == len(expected)


@pytest.mark.parametrize("q", ["", "   ", '"'])
def test_empty_query_shows_the_form(ds, q):
    status, html = get(ds, "/archive/search_reports", {"q": q})
    assert status == 200 and 'name="q"' in html and 'class="nb-results"' not in html


def test_search_sort_filters_and_paging_links(ds, crawled_archive):
    status, html = get(ds, "/archive/search_reports", {"q": "交通", "page": "2"})
    assert 'rel="prev"' in html and 'rel="next"' in html and "page=1" in html and "page=3" in html
    page1 = get_json(ds, "/archive/search_reports.json", {"q": "交通", "_shape": "array"})
    dates = [r["published"] or "" for r in page1]
    assert dates == sorted(dates, reverse=True)
    by_rank = get_json(
        ds,
        "/archive/search_reports.json",
        {"q": "依申请公开", "sort": "relevance", "_shape": "array"},
    )
    assert by_rank and [r["id"] for r in by_rank] != [
        r["id"]
        for r in get_json(
            ds, "/archive/search_reports.json", {"q": "依申请公开", "_shape": "array"}
        )
    ]
    for key, value, column in [
        ("kind", "guide", "kind"),
        ("year", "2021", "year"),
        ("bureau", "henan-jtt", "bureau_id"),
    ]:
        got = get_json(
            ds,
            "/archive/search_reports.json",
            {"q": "交通", key: value, "page": "all", "_shape": "array"},
        )
        want = rows(
            crawled_archive,
            f"select id from reports_with_text where {column} = ? and "
            "(instr(text_normalized, '交通') or instr(title, '交通'))",
            (int(value) if key == "year" else value,),
        )
        assert {r["id"] for r in got} == {r["id"] for r in want} and got, key
        assert {r["matches"] for r in got} == {len(want)}
    levels = get_json(
        ds,
        "/archive/search_reports.json",
        {"q": "交通", "level": "county", "page": "all", "_shape": "array"},
    )
    county = {
        r["id"]
        for r in rows(
            crawled_archive,
            "select r.id from reports r join bureaus b on b.id = r.bureau_id where b.level = 'county'",
        )
    }
    assert levels and {r["id"] for r in levels} <= county


def test_search_exports_every_match_as_plain_text(ds, crawled_archive):
    status, html = get(ds, "/archive/search_reports", {"q": "交通"})
    link = re.search(r'class="nb-export-csv" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    path, query = link.split("?", 1)
    status, body = get(ds, path, dict(urllib.parse.parse_qsl(query)))
    assert status == 200
    table = list(csv.DictReader(io.StringIO(body)))
    matches = int(table[0]["matches"])
    assert len(table) == matches > 20
    assert not any("<mark>" in r["snippet"] for r in table)
    assert any("交通" in r["snippet"] for r in table)
    got = get_json(
        ds, "/archive/search_reports.json", {"q": "交通", "page": "all", "_shape": "array"}
    )
    assert len(got) == matches and not any("<mark>" in r["snippet"] for r in got)


def test_reports_table_is_narrow(ds, crawled_archive):
    status, html = get(ds, "/archive/reports")
    assert status == 200 and len(html.encode("utf-8")) < 400_000
    columns = [r["name"] for r in rows(crawled_archive, "pragma table_info(reports)")]
    assert "text" not in columns and "text_normalized" not in columns
    # the column descriptions are folded away below the search box, not above the table
    assert html.index('name="_search"') < html.index('<details class="nb-columns">')
    for facet in ["province", "level", "year", "kind", "bureau_id"]:
        assert f'id="facet-{facet}"' in html, facet


def test_bureau_page_key_figures_with_gaps(ds, crawled_archive):
    status, html = get(ds, "/archive/bureaus/henan-jtt")
    table = html[html.index('class="nb-table nb-figures"') :]
    table = table[: table.index("</table>")]
    for label, _, _ in KEY_FIGURES:
        assert f"<th>{label}</th>" in table
    years = {
        r["year"]
        for r in rows(
            crawled_archive,
            "select year from reports where bureau_id = 'henan-jtt' and kind = 'annual_report'",
        )
    }
    shown = [int(y) for y in re.findall(r"<th>(?:<a [^>]+>)?(\d{4})", table)]
    assert shown == list(range(min(years), shown[-1] + 1)) and shown[-1] >= max(years)
    gaps = [y for y in shown if y not in years]
    assert gaps and table.count('class="nb-gap"') == len(gaps)
    assert not re.search(r"\d\.0<", table)


def test_comparison_page_and_export(ds, crawled_archive):
    params = {"bureau": "henan-jtt", "year": "2019,2020,2021"}
    status, html = get(ds, "/-/compare", params)
    assert status == 200 and "河南省交通运输厅" in html
    status, body = get(ds, "/-/compare", {**params, "_format": "csv"})
    table = list(csv.DictReader(io.StringIO(body)))
    assert [int(r["报告年度"]) for r in table] == [2019, 2020, 2021]
    new = rows(
        crawled_archive,
        "select r.year, s.value from disclosure_stats s join reports r on r.id = s.report_id "
        "where r.bureau_id = 'henan-jtt' and s.item_code = '3.new' and s.col_label = '总计'",
    )
    by_year = {r["year"]: r["value"] for r in new}
    for r in table:
        y = int(r["报告年度"])
        assert r["本年新收"] == (str(int(by_year[y])) if y in by_year else ""), y
    data = get_json(ds, "/-/compare", {"province": "湖南省", "year": "2021", "_format": "json"})
    hunan = {
        r["id"] for r in rows(crawled_archive, "select id from bureaus where province = '湖南省'")
    }
    assert {r["bureau_id"] for r in data} == hunan
    assert all(isinstance(r["本年新收"], int | None) for r in data)


def test_atom_entries_link_into_the_archive(ds):
    """Each entry links to the archive's own report page as an absolute URL on the server that answered,
    and that page exists; a Host header that names no host gets a link without one, never its text."""
    status, body = get(ds, "/archive/new_reports_feed.atom")
    entries = ET.fromstring(body.encode("utf-8")).findall(f"{ATOM}entry")
    assert entries
    for e in entries:
        href = e.find(f"{ATOM}link").get("href")
        assert re.fullmatch(re.escape(ds) + r"/archive/reports/[0-9a-f]{16}", href), href
    assert get(ds, href.removeprefix(ds))[0] == 200
    import urllib.request

    req = urllib.request.Request(
        f"{ds}/archive/new_reports_feed.atom", headers={"Host": 'x"/><script>'}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        odd = ET.fromstring(resp.read()).findall(f"{ATOM}entry")
    assert all(
        re.fullmatch(r"/archive/reports/[0-9a-f]{16}", e.find(f"{ATOM}link").get("href"))
        for e in odd
    )


def test_counts_are_integers(ds):
    status, html = get(ds, "/archive/applications_per_bureau_year")
    assert status == 200
    cells = re.findall(r'<td class="col-applications_received[^"]*">([^<]*)</td>', html)
    assert cells and all(re.fullmatch(r"\d+", c) for c in cells if c), cells[:5]


@pytest.fixture(scope="module")
def capped(crawled_archive, tmp_path_factory):
    """The sample archive served with a count cap of 20 (the nianbao plugin's count_cap), so that the
    searches of its 117 reports go past it as searches of 100,000 reports go past 10,000."""
    from ui_server import capped_metadata, running_datasette

    with running_datasette(
        crawled_archive, capped_metadata(tmp_path_factory.mktemp("capped"), 20)
    ) as base:
        yield base


def matching(db: Path, term: str, where: str = "1", params=()) -> list[dict]:
    return [
        r
        for r in rows(
            db,
            f"select id, published, province, title, text_normalized from reports_with_text "
            f"where {where}",
            params,
        )
        if term in r["text_normalized"] or term in normalize(r["title"])
    ]


def test_table_search_past_the_count_cap(capped, crawled_archive):
    """Past the cap the search box says 20+ instead of counting (JSON: null count and X-Nianbao-Count),
    its page is still the newest matches, and a filter that narrows the search below the cap is counted
    exactly again."""
    import urllib.request

    want = matching(crawled_archive, "交通")
    assert len(want) > 20
    url = f"{capped}/archive/reports.json?" + urllib.parse.urlencode(
        {"_search": "交通", "_size": "10", "_shape": "objects"}
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        assert resp.headers["x-nianbao-count"] == ">20"
        data = json.load(resp)
    assert data["filtered_table_rows_count"] is None
    newest = sorted((r["published"] or "" for r in want), reverse=True)[:10]
    assert [r["published"] or "" for r in data["rows"]] == newest
    assert {r["id"] for r in data["rows"]} <= {r["id"] for r in want}
    # the next page goes on from there, with the same search (ties on a date may fall either side)
    with urllib.request.urlopen(data["next_url"], timeout=30) as resp:
        page2 = json.load(resp)
    assert len(page2["rows"]) == 10 and {r["id"] for r in page2["rows"]} <= {r["id"] for r in want}
    assert max(r["published"] or "" for r in page2["rows"]) <= newest[-1]
    # narrowed below the cap: exact again
    few = matching(crawled_archive, "交通", "province = ?", ("河南省",))
    assert 0 < len(few) <= 20
    narrow = get_json(
        capped, "/archive/reports.json", {"_search": "交通", "province": "河南省", "_size": "1"}
    )
    assert narrow["filtered_table_rows_count"] == len(few)
    status, html = get(capped, "/archive/reports", {"_search": "交通"})
    assert status == 200 and "20+ 条" in html and 'value="交通"' in html
    # past the cap no facets are computed (each would read every match again); below it they are
    assert 'class="nb-facet-hint"' in html and 'class="facet-info' not in html
    status, html = get(capped, "/archive/reports", {"_search": "交通", "province": "河南省"})
    assert 'class="nb-facet-hint"' not in html and 'class="facet-info' in html
    assert 'name="_nianbao_' not in html.split('<form class="filters"')[1].split("</form>")[0]


def test_search_page_past_the_count_cap(capped, crawled_archive):
    """The search page counts to the cap + 1 and says 超过 20; its export counts and lists every match."""
    want = matching(crawled_archive, "交通")
    page = get_json(capped, "/archive/search_reports.json", {"q": "交通", "_shape": "array"})
    assert {r["matches"] for r in page} == {21} and len(page) == 20
    dates = sorted((r["published"] or "" for r in want), reverse=True)
    assert [r["published"] or "" for r in page] == dates[:20]
    full = get_json(
        capped, "/archive/search_reports.json", {"q": "交通", "page": "all", "_shape": "array"}
    )
    assert {r["matches"] for r in full} == {len(want)} and {r["id"] for r in full} == {
        r["id"] for r in want
    }
    assert [r["id"] for r in full[20:40]] == [
        r["id"]
        for r in get_json(
            capped, "/archive/search_reports.json", {"q": "交通", "page": "2", "_shape": "array"}
        )
    ]
    status, html = get(capped, "/archive/search_reports", {"q": "交通"})
    assert "超过 <strong>20</strong> 份报告符合" in html and 'rel="next"' in html
