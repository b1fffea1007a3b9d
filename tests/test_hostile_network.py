"""The hostile network cases (sample_portals/hostile/network.py) crawled for real, and the resolver's policy.

Every disguised loopback target of the case module points back at the hostile portal under
`/network/trap/`, so the portal's own hit counter proves that nothing was connected to; the private
targets (10.x, 192.168.x, 169.254.x …) are refused before any connection and are never listened on.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crawler.resolver import resolution_problem
from nianbao.cli import run_crawl
from sample_portals import hostile
from sample_portals.hostile import network


def _crawl(tmp_path, bureaus: str) -> dict:
    portal = hostile.start_in_thread(port=0)
    try:
        registry = portal.write_registry(tmp_path / "hostile.yml")
        db = tmp_path / "archive.db"
        code = run_crawl(
            registry=str(registry),
            db=db,
            bureau=bureaus,
            polite=False,
            extra=["-s", "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_TIMEOUT=5"],
        )
    finally:
        portal.stop()
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    errors = {r["url"]: r["reason"] for r in conn.execute("SELECT url, reason FROM crawl_errors")}
    reports = {r["url"]: r for r in conn.execute("SELECT url, title, text FROM reports_with_text")}
    conn.close()
    return {
        "code": code,
        "port": portal.port,
        "hits": portal.hits,
        "errors": errors,
        "reports": reports,
    }


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    return _crawl(tmp_path_factory.mktemp("network"), "network-jtj,network-named-jtj")


def _url(crawl, path: str) -> str:
    return f"http://127.0.0.1:{crawl['port']}{path}"


def test_crawl_finishes(crawl):
    assert crawl["code"] == 0


def test_nothing_disguised_as_another_address_was_connected_to(crawl):
    hits = crawl["hits"]
    assert hits[network._COLUMN] == 1
    assert not [p for p in hits if p.startswith(("/network/trap/", "/network/named/"))], hits
    # every request the portal saw was for the column or one of its reports
    assert set(hits) <= {network._COLUMN, *network.REPORTS}


REDIRECT_REASONS = {
    network._report_path(2): "redirect to disallowed host ::ffff:192.168.1.1 "
    "(private address, IPv4-mapped 192.168.1.1)",
    network._report_path(3): "redirect to disallowed host 2130706433:{port} "
    "(loopback address 127.0.0.1 in another notation)",
    network._report_path(4): "redirect to disallowed host 0x0a000001 "
    "(private address 10.0.0.1 in another notation)",
    network._report_path(5): "redirect to disallowed host ::ffff:127.0.0.1:{port} "
    "(loopback address, IPv4-mapped 127.0.0.1)",
}


def test_redirects_into_private_networks_are_refused_with_the_address_named(crawl):
    assert set(REDIRECT_REASONS) == set(network.REDIRECTS)
    for path, reason in REDIRECT_REASONS.items():
        assert crawl["errors"][_url(crawl, path)] == reason.format(port=crawl["port"])
        assert _url(crawl, path) not in crawl["reports"]


ATTACHMENT_REASONS = {
    "http://10.0.0.1/files/a.pdf": "request to disallowed host 10.0.0.1 (private address)",
    "http://[::ffff:10.0.0.1]/files/b.pdf": "request to disallowed host ::ffff:10.0.0.1 "
    "(private address, IPv4-mapped 10.0.0.1)",
    "http://169.254.169.254/latest/meta-data/c.pdf": "request to disallowed host 169.254.169.254 "
    "(cloud metadata address)",
    "http://100.100.100.200/latest/d.pdf": "request to disallowed host 100.100.100.200 "
    "(cloud metadata address)",
    "http://0x7f000001:{port}/network/trap/e.pdf": "request to disallowed host 0x7f000001:{port} "
    "(loopback address 127.0.0.1 in another notation)",
    "http://127.1:{port}/network/trap/f.pdf": "request to disallowed host 127.1:{port} "
    "(loopback address 127.0.0.1 in another notation)",
    # localhost:PORT is a registry host (network-named-jtj), so only the resolver can refuse it
    "http://localhost:{port}/network/trap/g.pdf": "refused address 127.0.0.1 for host localhost "
    "(loopback)",
}


def test_attachments_on_private_addresses_are_refused_and_the_report_kept(crawl):
    port = crawl["port"]
    assert {href for _, href in network.ATTACHMENTS} == set(ATTACHMENT_REASONS)
    for href, reason in ATTACHMENT_REASONS.items():
        recorded = crawl["errors"][href.format(port=port)]
        assert recorded.startswith("attachment: download failed: ") and recorded.endswith(
            reason.format(port=port)
        ), recorded
    report = crawl["reports"][_url(crawl, network._report_path(1))]
    assert all(p in report["text"] for p in network.PARAGRAPHS)


def test_a_row_on_a_name_resolving_to_loopback_is_refused_at_connect_time(crawl):
    column = f"http://localhost:{crawl['port']}/network/named/index.html"
    assert crawl["errors"][column] == "refused address 127.0.0.1 for host localhost (loopback)"


def test_the_same_row_with_allow_loopback_is_fetched(tmp_path):
    local = _crawl(tmp_path, "network-local-jtj")
    assert local["code"] == 0 and not local["errors"]
    (report,) = local["reports"].values()
    assert report["url"].startswith(f"http://localhost:{local['port']}/network/local/")
    assert network.PARAGRAPHS[1] in report["text"]


def test_utf8_page_with_a_few_bad_bytes_stays_utf8(crawl):
    report = crawl["reports"][_url(crawl, network._report_path(6))]
    assert report["title"] == network.REPORTS[network._report_path(6)][0]
    assert all(p in report["text"] for p in network.PARAGRAPHS)
    assert "\ufffd" in report["text"]  # the broken bytes, and only they, are replacement characters


def test_page_nested_100000_deep_keeps_its_text(crawl):
    report = crawl["reports"][_url(crawl, network._report_path(7))]
    assert report["title"] == network.REPORTS[network._report_path(7)][0]
    lines = report["text"].splitlines()
    assert [line for line in lines if line in network.PARAGRAPHS] == list(network.PARAGRAPHS)


def test_gbk_page_under_utf8_header_and_meta_is_read_as_gbk(crawl):
    report = crawl["reports"][_url(crawl, network._report_path(8))]
    assert report["title"] == network.REPORTS[network._report_path(8)][0]
    assert all(p in report["text"] for p in network.PARAGRAPHS)


# -- the resolver's policy on its own --------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "address", "loopback_hosts", "reason"),
    [
        ("intranet.example.gov.cn", "10.0.0.1", set(), "(private)"),
        ("jtt.example.gov.cn", "192.168.3.4", set(), "(private)"),
        ("jtt.example.gov.cn", "100.100.100.200", set(), "(cloud metadata)"),
        ("jtt.example.gov.cn", "169.254.169.254", set(), "(cloud metadata)"),
        ("jtt.example.gov.cn", "100.64.3.2", set(), "(shared (CGNAT))"),
        ("jtt.example.gov.cn", "::ffff:10.0.0.1", set(), "(private, IPv4-mapped 10.0.0.1)"),
        ("jtt.example.gov.cn", "127.0.0.1", set(), "(loopback)"),
        # the allowance is per host: another row's loopback host opens nothing for this one
        ("jtt.example.gov.cn", "127.0.0.1", {"localhost"}, "(loopback)"),
        ("localhost", "127.0.0.1", {"localhost"}, None),
        ("localhost", "::1", {"localhost"}, None),
        # loopback allowed never means private allowed
        ("localhost", "10.0.0.1", {"localhost"}, "(private)"),
        ("jtt.example.gov.cn", "8.8.8.8", set(), None),
    ],
)
def test_resolution_problem(host, address, loopback_hosts, reason):
    problem = resolution_problem(host, address, loopback_hosts)
    if reason is None:
        assert problem is None
    else:
        assert problem == f"refused address {address} for host {host} {reason}"


def test_the_installed_resolver_refuses_a_private_answer_before_any_connection():
    """The real GuardedResolver on a real reactor: `167772161` is 10.0.0.1 to the C library (read as
    a number, no DNS query); the lookup fails with the reason and the middleware reports it unretried."""
    script = textwrap.dedent(
        """
        from scrapy.exceptions import IgnoreRequest
        from scrapy import Request
        from scrapy.utils.test import get_crawler
        from twisted.internet import reactor
        from twisted.internet.error import DNSLookupError
        from crawler.resolver import GuardedResolver, RefusedAddressMiddleware

        resolver = GuardedResolver(reactor, 100, 5.0)
        mw = RefusedAddressMiddleware(get_crawler())

        def done(result):
            print("answer", getattr(result, "value", result))
            try:
                mw.process_exception(Request("http://167772161/a.html"), result.value)
            except IgnoreRequest as exc:
                print("middleware", type(exc).__name__, exc)
            reactor.stop()

        reactor.callWhenRunning(lambda: resolver.getHostByName("167772161").addBoth(done))
        reactor.run()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    ).stdout
    reason = "refused address 10.0.0.1 for host 167772161 (private)"
    assert f"answer DNS lookup failed: {reason}" in out
    assert f"middleware RefusedAddress {reason}" in out


# -- bytes and trees on the sample portals' real pages ---------------------------------------------

SITES = Path(__file__).resolve().parents[1] / "sample_portals" / "sites"


def _detail_pages(encoding_ok: bool) -> list:
    pages = []
    for path in sorted(SITES.glob("*/zwgk/ndbg/*/*.htm*")):
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            ok = False
        else:
            ok = True
        if ok == encoding_ok:
            pages.append(raw)
    return pages


def test_every_real_utf8_page_with_three_broken_bytes_stays_utf8():
    from crawler.families.charset import decide_charset

    pages = _detail_pages(encoding_ok=True)
    assert len(pages) > 20
    for raw in pages:
        third = len(raw) // 3
        broken = (
            raw[:third] + b"\xff" + raw[third : 2 * third] + b"\xc0" + raw[2 * third :] + b"\xe4"
        )
        assert decide_charset(broken, "text/html; charset=utf-8") == "utf-8"


def test_every_real_gbk_page_is_still_gb18030_under_a_utf8_header():
    from crawler.families.charset import decide_charset

    pages = _detail_pages(encoding_ok=False)
    assert pages
    for raw in pages:
        assert decide_charset(raw, "text/html; charset=utf-8") == "gb18030"


def test_real_report_nested_100000_deep_extracts_the_same_text():
    from crawler.extract import extract_page

    raw = next(iter(_detail_pages(encoding_ok=True)))
    html = raw.decode("utf-8")
    start = html.index("<body")
    start = html.index(">", start) + 1
    end = html.rindex("</body>")
    deep = html[:start] + "<div>" * 100_000 + html[start:end] + "</div>" * 100_000 + html[end:]
    plain = extract_page(html, "http://127.0.0.1:8711/zwgk/ndbg/a.html")
    nested = extract_page(deep, "http://127.0.0.1:8711/zwgk/ndbg/a.html")
    assert plain["text"] and nested["title"] == plain["title"]
    assert nested["text"] == plain["text"]


def test_a_page_with_nothing_to_extract_is_an_error_not_an_empty_report(crawl):
    url = _url(crawl, network._report_path(9))
    assert crawl["errors"][url] == "empty body: nothing extracted from a page that has text"
    assert url not in crawl["reports"]
