"""The page→record path of crawler/record.py outside Scrapy's engine gives what the crawl archived.

A crawl runs `page_to_record` inside `RecordPipeline` with Scrapy's engine as the fetch; here the same
function gets the same pages and attachments from the running sample portals through plain urllib, and
every report that has attachments must come out as the crawl stored it: title, kind, year, text, search
text, and each attachment's type, hash, text and error.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request

from crawler.record import Fetched, FetchFailed, page_to_record, run_now


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:  # the sample portals on 127.0.0.1
            return resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers


def fetch(url: str, role: str) -> Fetched:
    try:
        status, body, headers = _get(url)
    except OSError as exc:
        raise FetchFailed(f"download failed: {exc}") from exc
    return Fetched(body, status, headers.get("Content-Type", ""))


def test_importing_the_record_path_needs_no_scrapy():
    """The chain's own modules (attachments, readers, images, error words) set up no Scrapy or Twisted:
    a caller without a crawler gets none; extraction's family rules load Scrapy's Request on first use."""
    code = "import sys, crawler.record; print(sorted(m for m in sys.modules if m.startswith(('scrapy', 'twisted'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_record_built_outside_the_crawl_equals_the_archived_one(crawled_archive, tmp_path):
    from scrapy.http import HtmlResponse

    from crawler.families.charset import with_right_charset

    conn = sqlite3.connect(crawled_archive)
    conn.row_factory = sqlite3.Row
    reports = conn.execute(
        "SELECT * FROM reports_with_text WHERE id IN (SELECT report_id FROM attachments) ORDER BY url"
    ).fetchall()
    assert len(reports) >= 3  # the sample portals' PDF, DOCX and DOC reports at least
    for report in reports:
        status, body, headers = _get(report["url"])
        response = with_right_charset(
            HtmlResponse(report["url"], status=status, body=body, headers=dict(headers.items()))
        )
        page = {k: report[k] for k in ("url", "bureau_id", "column_url", "family")}
        page.update(list_title=report["list_title"], list_date=report["list_date"])
        page.update(html=response.text, http_status=status)
        record = run_now(page_to_record(page, fetch, files_dir=tmp_path / "files"))
        for key in ("title", "kind", "year", "text", "text_normalized"):
            assert record[key] == report[key], (report["url"], key)
        archived = conn.execute(
            "SELECT url, type, sha256, text, error FROM attachments WHERE report_id = ? ORDER BY position",
            [report["id"]],
        ).fetchall()
        got = [
            tuple(a.get(k) for k in ("url", "type", "sha256", "text", "error"))
            for a in record["attachments"]
        ]
        assert got == [tuple(a) for a in archived], report["url"]
