"""Reports published only as files, and 图片版 reports, through the real crawl, archive and Datasette.

The sample portals serve a PDF-only and a DOCX-only report (plus a spreadsheet the crawler cannot read)
and a report that is only scanned page images; these tests follow them from the crawl of every sample
portal into the archive and out of Datasette's search box.
"""

from __future__ import annotations

import hashlib
import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_e2e import datasette, rows  # noqa: F401  (datasette is a fixture used below)


def _attachment_goldens(goldens: list[dict]) -> list[dict]:
    return [g for g in goldens if g.get("text_from") == "attachment"]


def test_sample_has_pdf_and_docx_only_reports(goldens):
    kinds = {
        a["name"].rsplit(".", 1)[-1] for g in _attachment_goldens(goldens) for a in g["attachments"]
    }
    assert {"pdf", "docx"} <= kinds


def test_report_text_is_the_attachment_text(crawled_archive, goldens):
    for g in _attachment_goldens(goldens):
        (row,) = rows(
            crawled_archive, "select id, text from reports_with_text where url = ?", (g["url"],)
        )
        assert row["text"] == g["text"], g["url"]
        readable = rows(
            crawled_archive,
            "select text from attachments where report_id = ? and error is null",
            (row["id"],),
        )
        assert [r["text"] for r in readable] == [g["text"]]


def test_files_stored_by_hash(crawled_archive, goldens):
    files_dir = Path(crawled_archive).parent / "files"
    urls = [g["url"] for g in _attachment_goldens(goldens)]
    marks = ",".join("?" * len(urls))
    stored = rows(
        crawled_archive,
        "select a.url, a.sha256, a.path, a.size, a.type from attachments a "
        f"join reports r on r.id = a.report_id where r.url in ({marks})",
        urls,
    )
    assert {r["type"] for r in stored} >= {"pdf", "docx", "xlsx"}
    for r in stored:
        data = (files_dir / r["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == r["sha256"] and len(data) == r["size"]
        assert r["path"] == f"{r['sha256'][:2]}/{r['sha256']}.{r['type']}"


def test_unreadable_file_recorded_report_kept(crawled_archive):
    (row,) = rows(
        crawled_archive,
        "select a.error, a.text, r.text as report_text from attachments a "
        "join reports_with_text r on r.id = a.report_id where a.type = 'xlsx'",
    )
    assert row["error"] == "unsupported format: xlsx" and row["text"] is None
    assert "主动公开道路运输许可信息132条" in row["report_text"]  # the DOCX beside it still reads


def test_image_only_report_kept_and_flagged(crawled_archive, goldens):
    (g,) = [g for g in goldens if g.get("image_only")]
    (row,) = rows(
        crawled_archive,
        "select kind, year, image_only, images from reports where url = ?",
        (g["url"],),
    )
    assert (row["kind"], row["year"], row["image_only"]) == ("annual_report", g["year"], 1)
    assert json.loads(row["images"]) == g["images"]
    flagged = rows(crawled_archive, "select count(*) as n from reports where image_only = 1")
    assert flagged[0]["n"] == 1  # no page with a text body is mistaken for a scan


@pytest.mark.parametrize(
    "sentence",
    ["主动公开农村公路养护信息86条", "共收到政府信息公开申请9件"],  # only in the PDF / the DOCX
)
def test_attachment_sentence_found_by_datasette_search(
    datasette,  # noqa: F811  (the fixture imported above)
    crawled_archive,
    goldens,
    sentence,
):
    pages = [Path(g["_page"]).read_bytes().decode(g.get("encoding", "utf-8")) for g in goldens]
    assert not any(sentence in p for p in pages), "the sentence must live only in a file"
    url = f"{datasette}/archive/reports.json?" + urllib.parse.urlencode(
        {"_search": sentence, "_shape": "objects", "_col": "title"}
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        found = [r["title"] for r in json.load(resp)["rows"]]
    want = [g["title"] for g in _attachment_goldens(goldens) if sentence in g["text"]]
    assert found == want and len(want) == 1


def test_image_only_report_text_read_by_ocr(datasette, crawled_archive, goldens):  # noqa: F811
    """A 图片版 report's words exist only in its images: the crawl reads them by OCR, and they become
    its searchable text, marked as OCR on the row (the report page's mark: tests/test_reader.py)."""
    from sample_portals.attachment_items import IMAGE_PAGES

    sentences = ["全年主动公开政府信息412条", "2020年将进一步规范公开流程"]  # pages 1 and 3
    printed = "\n".join(ln for lines in IMAGE_PAGES.values() for ln in lines)
    assert all(s in printed for s in sentences)
    pages = [Path(g["_page"]).read_bytes().decode(g.get("encoding", "utf-8")) for g in goldens]
    assert not any(s in p for s in sentences for p in pages), "the sentences live only in images"
    (g,) = [g for g in goldens if g.get("image_only")]
    (row,) = rows(
        crawled_archive,
        "select id, text, text_source from reports_with_text where url = ?",
        (g["url"],),
    )
    assert row["text_source"] == "ocr"
    for s in sentences:
        assert s in row["text"], (s, row["text"])
    assert row["text"].index(sentences[0]) < row["text"].index(sentences[1])  # page order
    url = f"{datasette}/archive/reports.json?" + urllib.parse.urlencode(
        {"_search": sentences[1], "_shape": "objects", "_col": "title"}
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        assert [r["title"] for r in json.load(resp)["rows"]] == [g["title"]]
    (status,) = rows(
        crawled_archive, "select count(*) as n from stats_status where report_id = ?", (row["id"],)
    )
    assert status["n"] == 1  # the statutory-table reader ran on the OCR text


def test_unreadable_image_is_an_ocr_error_not_a_lost_report(tmp_path):
    """Real OCR child process over a readable page and a broken one: the readable page's text is kept,
    the broken image is listed for crawl_errors with its URL."""
    from crawler.images import ocr_into_item
    from sample_portals.attachment_items import attachment_bytes

    (tmp_path / "p1.png").write_bytes(attachment_bytes("nb2019_p3.png"))
    (tmp_path / "p2.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00broken" * 50)
    item = {"url": "http://127.0.0.1/art/1.html"}
    stored = [{"url": "http://127.0.0.1/p1.png", "path": "p1.png"},
              {"url": "http://127.0.0.1/p2.png", "path": "p2.png"}]  # fmt: skip
    text = ocr_into_item(item, stored, tmp_path)
    assert "2020年将进一步规范公开流程" in text and item["text_source"] == "ocr"
    assert [e["url"] for e in item["ocr_errors"]] == ["http://127.0.0.1/p2.png"]
    assert item["ocr_errors"][0]["reason"].startswith("OCR: ")
