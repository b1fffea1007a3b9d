"""The fault portal (sample_portals/faults.py) crawled for real: every fault recorded, nothing else lost.

One real `scrapy crawl bureaus -a registry=faults` runs against the fault portal on 127.0.0.1:8730 with a
test-sized DOWNLOAD_TIMEOUT; the assertions read the archive file it wrote and the portal's own counters.
"""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from datetime import UTC, datetime

import pytest

from crawler.failures import attachment_reason
from crawler.safety import allowed_hosts, check_url, retry_after_seconds
from crawler.zipguard import ZipBombError, check_zip
from sample_portals import faults

ALLOWED = frozenset({"127.0.0.1:8730", "jtt.example.gov.cn:80"})


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    """The fault portal, one crawl of it into tmp/data/archive.db, and the portal's counters."""
    from nianbao.cli import run_crawl

    portal = faults.start_in_thread()
    root = tmp_path_factory.mktemp("faults")
    db = root / "data" / "archive.db"
    try:
        code = run_crawl(
            registry="faults",
            db=db,
            polite=False,
            extra=["-s", "DOWNLOAD_TIMEOUT=2", "-s", "LOG_LEVEL=WARNING"],
        )
    finally:
        portal.stop()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    yield {"code": code, "root": root, "db": db, "conn": conn, "portal": portal}
    conn.close()


def _errors(conn) -> dict[str, str]:
    return {r["url"]: r["reason"] for r in conn.execute("SELECT url, reason FROM crawl_errors")}


def test_crawl_of_fault_portal_exits_zero(fault_crawl):
    assert fault_crawl["code"] == 0


EXPECTED = {
    "500": r"^HTTP 500 after 3 retries$",
    "500-retry-after": r"^HTTP 500 after 3 retries$",
    "503": r"^HTTP 503 after 3 retries$",
    "503-retry-after": r"^HTTP 503 after 3 retries$",
    "timeout": r"^timeout after 3 retries$",
    "reset": r"^connection reset or lost .* after 3 retries$",
    "truncated": r"^truncated response .* after 3 retries$",
    "empty": r"^empty response body \(HTTP 200\)$",
    "loop": r"^redirect loop \(.*/loop/a → .*/loop/b → .*/loop/a\)$",
    "offsite-port": r"^redirect to disallowed host 127\.0\.0\.1:8731 ",
    "offsite-name": r"^redirect to disallowed host offsite\.invalid \(not in the registry\)$",
    "private-10": r"^redirect to disallowed host 10\.0\.0\.1 \(private address\)$",
    "private-192": r"^redirect to disallowed host 192\.168\.1\.1 ",
    "link-local": r"^redirect to disallowed host 169\.254\.169\.254 ",
    "file": r"^redirect to disallowed scheme file:$",
    "vanished": r"^HTTP 404$",
}


def test_every_injected_fault_is_in_crawl_errors_with_its_reason_and_run(fault_crawl):
    conn = fault_crawl["conn"]
    errors = _errors(conn)
    run = conn.execute("SELECT id FROM crawl_runs").fetchone()[0]
    assert set(EXPECTED) == {fault for fault, _ in faults.FAULTS.values()}
    for path, (fault, _) in faults.FAULTS.items():
        url = f"http://127.0.0.1:{faults.PORT}{path}"
        assert url in errors, f"{fault} not recorded"
        assert re.search(EXPECTED[fault], errors[url]), (fault, errors[url])
    runs = {r[0] for r in conn.execute("SELECT DISTINCT run FROM crawl_errors")}
    assert runs == {run}


def test_attachment_faults_are_recorded_and_the_report_kept(fault_crawl):
    errors = _errors(fault_crawl["conn"])
    base = f"http://127.0.0.1:{faults.PORT}/files"
    assert re.match(
        r"attachment: response larger than limit \(62914560 bytes > 33554432\)",
        errors[f"{base}/big.pdf"],
    )
    assert errors[f"{base}/big-chunked.pdf"].startswith("attachment: response larger than limit")
    assert errors[f"{base}/broken.pdf"].startswith("attachment: pdf: ")
    assert "zip bomb" in errors[f"{base}/bomb.docx"]
    rows = (
        fault_crawl["conn"]
        .execute(
            "SELECT a.name, a.text, a.path FROM attachments a JOIN reports r ON r.id = a.report_id "
            "WHERE r.url LIKE ?",
            [f"%{faults.WITH_ATTACHMENTS}"],
        )
        .fetchall()
    )
    by_name = {r["name"]: r for r in rows}
    assert len(by_name) == len(faults.ATTACHMENTS)
    # hostile names are stored as names only; the file is stored by its hash
    for name in ("../../../../tmp/nianbao-escape.docx", "/tmp/nianbao-absolute.docx"):
        assert by_name[name]["text"] == faults.GOOD_DOCX_TEXT
        assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{64}\.docx", by_name[name]["path"])


def test_good_reports_all_archived_once(fault_crawl):
    conn = fault_crawl["conn"]
    urls = [r[0] for r in conn.execute("SELECT url FROM reports")]
    expected = [f"http://127.0.0.1:{faults.PORT}{p}" for p, _, _ in faults.GOOD]
    assert sorted(urls) == sorted(
        expected
    )  # duplicated list entries, the flaky 503: one report each
    titles = {r[0] for r in conn.execute("SELECT title FROM reports")}
    assert titles == {t for _, t, _ in faults.GOOD}
    wrong = conn.execute(
        "SELECT text FROM reports_with_text WHERE url LIKE ?", [f"%{faults.WRONG_CHARSET}"]
    ).fetchone()[0]
    assert "全年主动公开政府信息128条" in wrong  # GBK bytes under a UTF-8 header decoded right


def test_retry_after_honoured_and_nothing_fetched_outside_the_registry(fault_crawl):
    import json

    stats = json.loads(fault_crawl["conn"].execute("SELECT stats FROM crawl_runs").fetchone()[0])
    # the flaky page (one 503 + Retry-After) and the two Retry-After faults (3 retries each)
    assert stats["nianbao/retry_after_honoured"] == 7
    # 6 unsafe redirect targets and the loop were refused by crawler/safety.py, before any connection
    assert stats["nianbao/refused"] == 7
    assert fault_crawl["portal"].offsite_connections == 0


def test_no_file_written_outside_data(fault_crawl):
    root = fault_crawl["root"]
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    for f in files:
        assert re.fullmatch(
            r"data/archive\.db(-wal|-shm)?|data/files/[0-9a-f]{2}/[0-9a-f]{64}\.(docx|pdf)"
            r"|data/warc/[\w.-]+\.warc(\.gz)?",
            f,
        ), f
    assert any(f.startswith("data/files/") for f in files)
    for escaped in ("/tmp/nianbao-escape.docx", "/tmp/nianbao-absolute.docx"):
        assert not __import__("os").path.exists(escaped)


# -- the pieces on their own ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8730/a.html", None),
        ("http://JTT.example.gov.cn/a.html", None),
        ("http://10.0.0.1/a", "disallowed host 10.0.0.1 (private address)"),
        (
            "http://[::ffff:192.168.0.1]/a",
            "disallowed host ::ffff:192.168.0.1 (private address, IPv4-mapped 192.168.0.1)",
        ),
        (
            "http://[2002:a00:1::]/a",
            "disallowed host 2002:a00:1:: (private address, 6to4 10.0.0.1)",
        ),
        (
            "http://169.254.169.254/latest",
            "disallowed host 169.254.169.254 (cloud metadata address)",
        ),
        ("http://100.64.0.9/a", "disallowed host 100.64.0.9 (shared (CGNAT) address)"),
        ("http://127.0.0.1:8731/a", "disallowed host 127.0.0.1:8731 (loopback address)"),
        (
            "http://2130706433:8730/a",
            "disallowed host 2130706433:8730 (loopback address 127.0.0.1 in another notation)",
        ),
        (
            "http://0x0a000001/a",
            "disallowed host 0x0a000001 (private address 10.0.0.1 in another notation)",
        ),
        (
            "http://metadata.google.internal/",
            "disallowed host metadata.google.internal (cloud metadata host)",
        ),  # fmt: skip
        ("http://user@127.0.0.1:8730/a.html", "disallowed user-info in URL"),
        ("http://127.0.0.1:99999/a.html", "disallowed port (not a number from 1 to 65535)"),
        (
            "https://jtt.example.gov.cn/a",
            "disallowed host jtt.example.gov.cn (not in the registry)",
        ),
        ("http://evil.example.com/a", "disallowed host evil.example.com (not in the registry)"),
        ("file:///etc/passwd", "disallowed scheme file:"),
        ("ftp://jtt.example.gov.cn/a", "disallowed scheme ftp:"),
    ],
)
def test_check_url(url, reason):
    assert check_url(url, ALLOWED) == reason


def test_allowed_hosts_from_registry():
    from crawler.registry import load_registry

    hosts = allowed_hosts(load_registry("sample"), ["extra.example.gov.cn"])
    assert "127.0.0.1:8711" in hosts and "127.0.0.1:8720" in hosts
    assert "extra.example.gov.cn" in hosts and "127.0.0.1:8730" not in hosts


def test_retry_after_values():
    now = datetime(2015, 10, 21, 7, 28, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:27:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_zipguard_refuses_by_ratio_and_by_lying_sizes():
    check_zip(faults.good_docx())  # a real DOCX passes
    with pytest.raises(ZipBombError, match="ratio"):
        check_zip(_zip({"word/document.xml": b"\0" * (20 * 1024 * 1024)}))
    with pytest.raises(ZipBombError, match="declares"):
        check_zip(faults.zip_bomb())
    # a member whose directory entry under-declares its size is caught while inflating, in bounded steps
    data = bytearray(_zip({"word/document.xml": b"a" * 300_000}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (1000).to_bytes(
        4, "little"
    )  # central directory: uncompressed size 1000
    with pytest.raises(ZipBombError, match="inflates past its declared 1000 bytes"):
        check_zip(bytes(data))
    assert info.file_size == 300_000


def test_attachment_reason_names_size_limits():
    msg = (
        "download failed: DownloadCancelledError: Expected to receive 62914560 bytes which is larger "
        "than download max size (33554432) in request <GET http://x/big.pdf>."
    )
    assert attachment_reason(msg) == "response larger than limit (62914560 bytes > 33554432)"
    assert attachment_reason("download failed: DownloadCancelledError: ").startswith(
        "response larger than limit"
    )
    assert attachment_reason("pdf: Unexpected EOF") == "pdf: Unexpected EOF"
