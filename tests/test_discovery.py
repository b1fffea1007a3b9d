"""Column discovery from the homepage, and the archive of the new families free of mojibake."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

from crawler.families.discover import column_candidates, hub_links
from crawler.registry import load_registry
from nianbao.cli import run_crawl

HOME = "http://127.0.0.1:8790/"


def test_column_link_text_decides_and_items_are_not_columns():
    html = """<ul><li><a href="/zwgk/index.html">政务公开</a></li>
    <li><a href="/xwzx/t1.html">某某局2023年政府信息公开工作年度报告</a></li>
    <li><a href="/zwgk/nb/index.html">年报</a></li>
    <li><a href="/zwgk/ndbg/index.html">· 政府信息公开年报</a></li>
    <li><a href="http://www.other.gov.cn/ndbg/">政府信息公开年报</a></li></ul>"""
    found = column_candidates(html, HOME)
    assert [c.url for c in found] == [
        "http://127.0.0.1:8790/zwgk/ndbg/index.html",
        "http://127.0.0.1:8790/zwgk/nb/index.html",
    ]
    assert found[0].text == "政府信息公开年报"
    assert hub_links(html, HOME) == ["http://127.0.0.1:8790/zwgk/index.html"]


def test_no_candidates_on_a_page_without_the_column():
    html = '<a href="/xwzx/index.html">新闻中心</a><a href="/zwgk/zcjd/">政策解读</a>'
    assert column_candidates(html, HOME) == []


def test_sample_registry_has_homepage_only_rows():
    rows = [b for b in load_registry("sample") if not b.columns]
    assert {b.id for b in rows} >= {"yiyang-jtj", "jingzhou-jtj"}


def _rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_discovered_columns_are_recorded(crawled_archive):
    found = _rows(
        crawled_archive,
        "select id, discovered_column, discovered_from, discovered_at from bureaus "
        "where discovered_column is not null",
    )
    notes = {bureau: url for bureau, url, _, _ in found}
    assert set(notes) == {"yiyang-jtj", "jingzhou-jtj"}  # the homepage-only rows, and only they
    for _, _, via, at in found:
        assert via.startswith("「") and " on http://127.0.0.1:" in via and at
    # crawl_errors is for failures: a successful discovery leaves no row there
    assert not _rows(crawled_archive, "select 1 from crawl_errors where reason like '%discover%'")
    assert (
        notes["yiyang-jtj"] == "http://127.0.0.1:8713/zwgk/ndbg/index.html"
    )  # linked from the homepage
    assert notes["jingzhou-jtj"] == "http://127.0.0.1:8718/xxgk/gkml/ndbg/index.html"  # via the hub
    counts = dict(
        _rows(crawled_archive, "select bureau_id, count(*) from reports group by bureau_id")
    )
    assert counts["yiyang-jtj"] == 10 and counts["jingzhou-jtj"] == 12


def test_no_column_found_is_a_clear_error(portals, tmp_path):
    row = {"id": "nowhere-jtj", "name": "无栏目交通运输局", "level": "county", "province": "江西省",
           "region_code": "361022", "homepage": "http://127.0.0.1:8720/no/such/home.html",
           "family": "legacy", "columns": [], "allow_loopback": True,
           "overrides": {"obey_robots": False}}  # fmt: skip
    reg = tmp_path / "reg.yml"
    reg.write_text(yaml.safe_dump([row], allow_unicode=True), encoding="utf-8")
    db = tmp_path / "archive.db"
    assert run_crawl(registry=str(reg), db=db, polite=False) == 0
    reasons = [r for (r,) in _rows(db, "select reason from crawl_errors")]
    assert any(r.startswith("column discovery: no annual-report column") for r in reasons), reasons
    assert _rows(db, "select count(*) from reports") == [(0,)]


def test_gbk_portal_archived_without_mojibake(crawled_archive):
    rows = _rows(
        crawled_archive, "select title, text from reports_with_text where bureau_id = 'lichuan-jtj'"
    )
    assert len(rows) == 12
    for title, text in rows:
        assert "黎川县交通运输局" in title + text, title
        assert "政务公开" in title + text or "政府信息公开" in title + text
        # what GBK bytes read as UTF-8 (or the reverse) leave behind
        for junk in ("\ufffd", "锟斤拷", "榛庡窛", "Ã", "é»"):
            assert junk not in title and junk not in text, (title, junk)
    texts = "\n".join(t for _, t in rows)
    assert "黎川县交通运输局编制" in texts
