"""End to end: sample portals → real Scrapy crawl → SQLite archive → Datasette search, all for real."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from textmetrics import char_f1

from archive.db import open_db
from archive.textnorm import normalize
from nianbao.cli import run_crawl

ROOT = Path(__file__).resolve().parents[1]
SEARCH_QUERIES = ["路", "交通", "年报", "政府信息公开", "关于", "關於", "ICP"]
CHROME = ["扫一扫", "ICP备", "网站标识码", "浏览次数", "字体", "当前位置"]


def rows(db: Path, sql: str, params=()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def brute_force_count(db: Path, query: str) -> int:
    """Rows whose normalized title or text contains the normalized query: exactly what search must
    return (titles are searched with the text)."""
    needle = normalize(query).lower()
    return sum(
        1
        for r in rows(db, "select title, text_normalized from reports_with_text")
        if needle in (r["text_normalized"] or "").lower() or needle in normalize(r["title"]).lower()
    )


def test_every_column_item_stored_once(crawled_archive, goldens):
    stored = {
        r["url"]: (r["title"], r["year"], r["bureau_id"], r["kind"])
        for r in rows(crawled_archive, "select url, title, year, bureau_id, kind from reports")
    }
    expected = {g["url"]: (g["title"], g["year"], g["bureau_id"], g["kind"]) for g in goldens}
    assert stored == expected
    n = rows(crawled_archive, "select count(*) as n from reports")[0]["n"]
    assert n == len(expected)


def test_sample_covers_what_the_issue_asks(goldens):
    reports = [g for g in goldens if g["kind"] == "annual_report"]
    assert len(reports) >= 35
    years = {g["year"] for g in reports}
    assert min(years) <= 2008 and max(years) >= 2025
    assert {g["kind"] for g in goldens} >= {
        "annual_report",
        "work_plan",
        "interpretation",
        "guide",
        "other",
    }


def test_texts_match_golden(crawled_archive, goldens):
    texts = {
        r["url"]: r["text"]
        for r in rows(crawled_archive, "select url, text from reports_with_text")
    }
    problems = []
    for g in goldens:
        text = texts.get(g["url"], "")
        missing = [s for s in g["must_include"] if s not in text]
        leaked = [s for s in g["must_exclude"] if s in text]
        f1 = char_f1(text, g["text"])
        if missing or leaked or f1 < 0.99:
            problems.append((g["url"], f"F1={f1:.4f}", missing[:2], leaked[:2]))
    assert not problems, problems


def test_no_chrome_in_any_text(crawled_archive):
    for r in rows(crawled_archive, "select url, text from reports_with_text"):
        for chrome in CHROME:
            assert chrome not in r["text"], (r["url"], chrome)


def test_seed_reports_archived(crawled_archive):
    seeds = {
        "阜阳市交通运输局": "積極響應(yīng)市政府",
        "辽源市交通运输局": "深化公共资源配置信息公开,维护群众合法权益",
        "益阳市交通运输局": "今年我局共办理行政许可4075件",
        "河南省交通运输厅": "2017年,我厅共受理网民留言613件",
        "庐山市交通运输局": "市交通运输局继续推进政务公开工作",
    }
    for bureau, sentence in seeds.items():
        found = rows(
            crawled_archive,
            "select r.id from reports_with_text r join bureaus b on b.id = r.bureau_id where b.name = ? and instr(r.text, ?)",
            (bureau, sentence),
        )
        assert found, (bureau, sentence)


def test_seed_000_normalized_for_search(crawled_archive):
    (row,) = rows(
        crawled_archive,
        "select text, text_normalized from reports_with_text where instr(text, '關(guān)')",
    )
    assert "關(guān)" in row["text"], "the original text is kept"
    assert "(guān)" not in row["text_normalized"]
    assert "关于印发2018年度全省政务公开工作考评任务分解的通知" in row["text_normalized"]


@pytest.mark.parametrize("query", SEARCH_QUERIES)
def test_fts_equals_brute_force(crawled_archive, query):
    db = open_db(crawled_archive)
    fts = db.execute(
        "select count(*) from reports_fts where reports_fts match ?", ['"' + query + '"']
    ).fetchone()[0]
    assert fts == brute_force_count(crawled_archive, query)


def test_recrawl_adds_no_row(archive_copy):
    tables = ["bureaus", "reports", "attachments", "crawl_errors"]

    def snapshot():
        out = {}
        for t in tables:
            out[t] = rows(archive_copy, f"select count(*) as n from [{t}]")[0]["n"]
        out["hashes"] = sorted(
            (r["id"], r["content_hash"])
            for r in rows(archive_copy, "select id, content_hash from reports")
        )
        return out

    before = snapshot()
    runs_before = rows(archive_copy, "select count(*) as n from crawl_runs")[0]["n"]
    assert run_crawl(registry="sample", db=archive_copy, polite=False) == 0
    assert snapshot() == before
    assert rows(archive_copy, "select count(*) as n from crawl_runs")[0]["n"] == runs_before + 1


def test_crawl_run_keeps_scrapy_stats(crawled_archive):
    (run,) = rows(crawled_archive, "select stats from crawl_runs")
    stats = json.loads(run["stats"])
    assert stats["downloader/response_bytes"] > 0
    assert stats["item_scraped_count"] >= 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def datasette(crawled_archive):
    """Datasette started for real, as `make serve` starts it."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(crawled_archive),
            "--metadata",
            str(ROOT / "metadata.yml"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize("query", SEARCH_QUERIES)
def test_datasette_search_box(datasette, crawled_archive, query):
    url = f"{datasette}/archive/reports.json?" + urllib.parse.urlencode(
        {"_search": query, "_size": "max", "_shape": "objects"}
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        data = json.load(resp)
    assert data["filtered_table_rows_count"] == brute_force_count(crawled_archive, query)
    assert len(data["rows"]) == data["filtered_table_rows_count"]


def test_datasette_html_search_page(datasette):
    """The search box page itself renders results for a Chinese query."""
    url = f"{datasette}/archive/reports?" + urllib.parse.urlencode({"_search": "交通"})
    with urllib.request.urlopen(url, timeout=30) as resp:
        html = resp.read().decode()
    assert 'name="_search"' in html
    assert "交通运输" in html


def test_cli_extract_prints_json(goldens):
    g = next(g for g in goldens if g["kind"] == "annual_report")
    out = subprocess.run(
        [sys.executable, "-m", "nianbao.cli", "extract", g["_page"], "--url", g["url"]],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    data = json.loads(out)
    for key in [
        "title",
        "published",
        "year",
        "text",
        "site_name",
        "site_id_code",
        "index_no",
        "attachments",
    ]:
        assert key in data
    assert data["title"] == g["title"]
    assert data["year"] == g["year"]
