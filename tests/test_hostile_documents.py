"""Hostile documents (sample_portals/hostile/documents.py) crawled for real: every bomb, deep tree and
oversized PDF ends as a recorded error with its reason, the reports beside them are archived, and
`nianbao reextract` over the crawl's WARC refuses again what the crawl refused.

The crawl runs with a 3-second reader time limit so the case that only the time limit stops (`ops.pdf`)
costs the test 3 seconds, not the default minute.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.docguard import Limits, check_pdf_streams
from sample_portals.hostile import documents as cases

ROOT = Path(__file__).resolve().parents[1]

EXPECTED = {
    "bomb.pdf": r"^attachment: pdf: streams inflate to more than 100 MB ",
    "double.pdf": r"^attachment: pdf: streams inflate to more than 100 MB ",
    "pages.pdf": r"^attachment: pdf: more than 1000 pages .*declares 5000$",
    "deep-array.pdf": r"^attachment: pdf: objects nested deeper than 100 levels$",
    "deep-pages.pdf": r"^attachment: pdf: page tree nested deeper than 100 levels$",
    "gzip.pdf": r"^attachment: response larger than limit after decompression \(1555525 bytes ",
    "bomb.docx": r"^attachment: docx: zip bomb: word/document\.xml inflates past its declared 4096",
    "bomb.ofd": r"^attachment: ofd: zip bomb: .*Content\.xml inflates past its declared 4096",
    "ops.pdf": r"^attachment: pdf: (reading took longer than 3 s|out of memory)",
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    from nianbao.cli import run_crawl
    from sample_portals import hostile

    portal = hostile.start_in_thread(port=0)
    root = tmp_path_factory.mktemp("hostile-docs")
    db = root / "data" / "archive.db"
    try:
        registry = portal.write_registry(root / "hostile.yml")
        code = run_crawl(
            registry=str(registry),
            db=db,
            bureau=cases.BUREAU_ID,
            polite=False,
            extra=["-s", "LOG_LEVEL=WARNING", "-s", "NIANBAO_DOC_TIMEOUT=3"],
        )
    finally:
        portal.stop()
    conn = sqlite3.connect(db)
    yield {"code": code, "db": db, "conn": conn, "base": portal.base}
    conn.close()


def _errors(conn) -> dict[str, str]:
    return {u: r for u, r in conn.execute("SELECT url, reason FROM crawl_errors")}


def test_every_hostile_document_is_a_recorded_error(crawl):
    assert crawl["code"] == 0
    errors = _errors(crawl["conn"])
    assert set(EXPECTED) == {name for _, _, name, _ in cases.CASES.values()}
    for name, pattern in EXPECTED.items():
        url = crawl["base"] + cases.file_url(name)
        assert url in errors, f"{name} not recorded"
        assert re.search(pattern, errors[url]), (name, errors[url])
    slug, _, date = cases.BOMB_PAGE
    page = crawl["base"] + cases.page_url(slug, date)
    assert errors[page].startswith("response larger than limit after decompression")


def test_reports_kept_with_the_attachment_error_and_good_ones_archived(crawl):
    conn = crawl["conn"]
    reports = {u: t for u, t in conn.execute("SELECT r.url, r.title FROM reports r")}
    base = crawl["base"]
    for slug, title, date, _, _ in cases.GOOD:
        assert reports[base + cases.page_url(slug, date)] == title
    for slug, (title, date, _, _) in cases.CASES.items():
        assert reports[base + cases.page_url(slug, date)] == title  # kept beside its failed file
    slug, _, date = cases.BOMB_PAGE
    assert base + cases.page_url(slug, date) not in reports  # a refused page is never a report
    atts = {u: (t, e) for u, t, e in conn.execute("SELECT url, text, error FROM attachments")}
    assert cases.GOOD_PDF_LINES[1] in atts[base + cases.file_url("2022年报.pdf")][0]
    assert atts[base + cases.file_url("2021年报.docx")][0] == cases.GOOD_DOCX_TEXT
    for name in EXPECTED:
        text, error = atts[base + cases.file_url(name)]
        assert not text and error


def test_gzip_encoded_report_page_is_archived(crawl):
    slug, title, date, _, _ = cases.GOOD[3]
    (text,) = (
        crawl["conn"]
        .execute(
            "SELECT t.text FROM reports r JOIN report_texts t ON t.report_id = r.id WHERE r.url = ?",
            [crawl["base"] + cases.page_url(slug, date)],
        )
        .fetchone()
    )
    assert "全年主动公开政府信息212条" in text


def test_reextract_refuses_again_what_the_crawl_refused(crawl, tmp_path):
    fresh = tmp_path / "archive.db"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "nianbao"), "reextract", "--db", str(fresh)]
        + ["--warc-dir", str(crawl["db"].parent / "warc"), "--doc-timeout", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "refused 1" in done.stdout  # the bomb page, marked in its metadata record
    conn = sqlite3.connect(fresh)
    try:
        urls = {u for (u,) in conn.execute("SELECT url FROM reports")}
        slug, _, date = cases.BOMB_PAGE
        assert crawl["base"] + cases.page_url(slug, date) not in urls
        (error,) = conn.execute(
            "SELECT error FROM attachments WHERE url = ?",
            [crawl["base"] + cases.file_url("gzip.pdf")],
        ).fetchone()
        assert error.startswith("response larger than limit after decompression")
        assert len(urls) == len(cases.GOOD) + len(cases.CASES)
    finally:
        conn.close()


def test_stream_scan_counts_stacked_filters_and_passes_real_pdfs():
    from sample_portals.attachment_items import ATTACHMENT_ITEMS, attachment_bytes

    with pytest.raises(ValueError, match="streams inflate"):
        check_pdf_streams(cases.double_bomb_pdf(), Limits().max_inflated)
    names = [n for item in ATTACHMENT_ITEMS for n in item.attachments if n.endswith(".pdf")]
    pdfs = [attachment_bytes(n) for n in names]
    assert pdfs
    for data in [*pdfs, cases.good_pdf()]:
        assert 0 < check_pdf_streams(data, Limits().max_inflated) < 1024 * 1024


def test_an_unmarked_bomb_record_is_refused_by_the_limit_itself(crawl):
    """WARCs written before refusals were marked hold the bomb as a plain 200 record: reading it must
    refuse it by the limit, in bounded steps, not inflate it."""
    from crawler.reextract import WarcIndex
    from crawler.warc import EncodedBodyRefused, read_record

    index = WarcIndex(crawl["db"].parent / "warc")
    assert not index.damage
    slug, _, date = cases.BOMB_PAGE
    (entry,) = [e for e in index.entries if e.uri.endswith(cases.page_url(slug, date))]
    assert entry.context["refused"].startswith("response larger than limit after decompression")
    with pytest.raises(EncodedBodyRefused, match="more than 33554432 decompressed"):
        read_record(index.warc_dir, entry.file, entry.offset)
