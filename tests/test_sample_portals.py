"""The sample portals served for real: script-only paging, the Hanweb dataproxy, hidden golden files."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sample_portals import build, render_hanweb, render_trs, server
from sample_portals.bureaus import BUREAUS
from sample_portals.model import Block, Item
from sample_portals.render_common import golden_path

SITES = Path(server.SITES)
TRS = [b for b in BUREAUS if b.family == "trs"]
HANWEB = [b for b in BUREAUS if b.family == "hanweb"]


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, str]:
    req = urllib.request.Request(url, data=data)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return (
                resp.status,
                resp.headers.get("Content-Type", ""),
                resp.read().decode("utf-8", "replace"),
            )
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read().decode("utf-8", "replace")


def column_records(html: str, unitid: int) -> list[str]:
    """Record hrefs of one JCMS unit on a column page."""
    # matches <div id="123456"><script type="text/xml"><datastore>...</datastore>
    m = re.search(rf'<div id="{unitid}"><script type="text/xml">(.*?)</datastore>', html, re.S)
    assert m, unitid
    # matches <li><a href="/art/2021/1/25/art_1234_567890.html" title=
    return re.findall(r'<li[^>]*><a href="([^"]+)"', m.group(1))


def proxy_form(bureau, unitid: int | None = None, **changes) -> dict:
    ids = render_hanweb.ids(bureau)
    form = {
        "col": "1",
        "appid": "1",
        "webid": str(ids["webid"]),
        "path": "/",
        "columnid": str(ids["colid"]),
        "sourceContentType": "1",
        "unitid": str(unitid or ids["unitid"]),
        "webname": bureau.site_name,
        "permissiontype": "0",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@pytest.fixture(scope="module")
def served():
    """The committed sites on their registry ports (or a server already running there)."""
    stop = server.start_in_thread()
    yield
    if stop:
        stop()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A build of hand-made items on free ports, so paging arithmetic is tested on known numbers."""
    sites = tmp_path_factory.mktemp("sites")
    items = []
    for b in (BUREAUS[0], BUREAUS[4]):
        for n in range(14):
            items.append(
                Item(
                    bureau_id=b.id,
                    title=f"{b.name}{2006 + n}年政府信息公开工作年度报告（测试用长标题以便截断）",
                    kind="annual_report",
                    year=2006 + n,
                    published=f"{2007 + n}-01-{10 + n % 3:02d} 09:30",
                    source=b.name,
                    blocks=[
                        Block("p", f"第{n}号报告正文。"),
                        Block("table", rows=[[("行政许可", 2, 1), "新收", "3"], ["办结", "3"]]),
                    ],
                    attachments=["报告全文.pdf"] if n % 5 == 0 else [],
                )
            )
    built = build.build(items, {items[0].title: "报告正文"}, sites=sites, registry=None)
    ports = dict(zip(free_ports(2), (BUREAUS[0].id, BUREAUS[4].id), strict=True))
    stop = server.serve(ports=ports, sites_dir=sites)
    yield {"sites": sites, "built": built, "port": {v: k for k, v in ports.items()}}
    stop()


def test_trs_createpagehtml_counts_the_list_files(served):
    for b in TRS:
        base = f"http://127.0.0.1:{b.port}"
        status, ctype, html = fetch(base + "/zwgk/ndbg/index.html")
        assert status == 200 and "charset=utf-8" in ctype
        # matches createPageHTML(3, 0, "index", "html")
        m = re.search(r'createPageHTML\((\d+), 0, "index", "html"\)', html)
        assert m, b.id
        total = int(m.group(1))
        files = sorted((SITES / b.id / "zwgk/ndbg").glob("index*.html"))
        assert len(files) == total
        assert 'href="./index_1.html"' not in html, "paging links exist only in script"
        assert fetch(base + f"/zwgk/ndbg/index_{total}.html")[0] == 404
        assert fetch(base + "/common/js/page.js")[0] == 200


def test_trs_tiny_paging(tiny):
    b = BUREAUS[0]
    port = tiny["port"][b.id]
    seen = []
    for p in range(4):
        name = "index.html" if p == 0 else f"index_{p}.html"
        status, _, html = fetch(f"http://127.0.0.1:{port}/zwgk/ndbg/{name}")
        assert status == 200
        assert f'createPageHTML(4, {p}, "index", "html")' in html
        # matches <li><a href="./202101/t20210125_123456.html" title="
        seen += re.findall(r'<li><a href="\./(\d{6}/t\d{8}_\d{6}\.html)" title="', html)
        assert "…</a>" in html, "long titles are cut in the link text"
    assert len(seen) == len(set(seen)) == 14


def test_hanweb_dataproxy_returns_the_right_records(tiny):
    b = BUREAUS[4]
    port = tiny["port"][b.id]
    base = f"http://127.0.0.1:{port}"
    ids = render_hanweb.ids(b)
    status, _, html = fetch(base + render_hanweb.column_path(b))
    assert status == 200
    assert f"totalRecord:14, perPage:{b.per_page}" in html
    static = column_records(html, ids["unitid"])
    assert len(static) == 3 * b.per_page
    assert column_records(html, ids["m_unitid"]) == static, "the mobile unit repeats the records"
    raw = (tiny["sites"] / b.id / render_hanweb.column_path(b).lstrip("/")).read_bytes()
    assert b"\r\n" in raw and b"\n\n" not in raw.replace(b"\r\n", b"")

    query = "startrecord=10&endrecord=18&perpage=3"
    data = urllib.parse.urlencode(proxy_form(b)).encode()
    status, ctype, xml = fetch(f"{base}/module/web/jpage/dataproxy.jsp?{query}", data)
    assert status == 200 and ctype.startswith("text/xml")
    assert "<totalrecord>14</totalrecord>" in xml
    got = re.findall(r'<li><a href="([^"]+)"', xml)
    ordered = [p.path for p in tiny["built"][b.id]]
    assert got == ordered[9:14]
    assert set(got).isdisjoint(static)
    for href in got:
        assert fetch(base + href)[0] == 200


def test_hanweb_dataproxy_refuses_get_and_bad_forms(tiny):
    b = BUREAUS[4]
    url = f"http://127.0.0.1:{tiny['port'][b.id]}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=9&perpage=3"
    assert fetch(url)[0] == 400
    for broken in (
        proxy_form(b, unitid=None, columnid=None),
        proxy_form(b, columnid="999"),
        proxy_form(b, unitid="1"),
    ):
        assert fetch(url, urllib.parse.urlencode(broken).encode())[0] == 400


def test_hanweb_dataproxy_on_committed_sites(served):
    for b in HANWEB:
        base = f"http://127.0.0.1:{b.port}"
        status, _, html = fetch(base + render_hanweb.column_path(b))
        assert status == 200
        # matches totalRecord:14, perPage:3
        total = int(re.search(r"totalRecord:(\d+), perPage:", html).group(1))
        static = column_records(html, render_hanweb.ids(b)["unitid"])
        data = urllib.parse.urlencode(proxy_form(b)).encode()
        url = f"{base}/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord={total}&perpage={b.per_page}"
        _, _, xml = fetch(url, data)
        every = re.findall(r'<li><a href="([^"]+)"', xml)
        assert len(every) == total and every[: len(static)] == static
        assert fetch(url)[0] == 400


def test_golden_beside_every_detail_page_and_not_served(served):
    pages = 0
    for b in BUREAUS:
        root = SITES / b.id
        # the golden must 404 on a server of this code (the portal on b.port may be an older process)
        own = server.serve(ports={0: b.id})
        own_base = f"http://127.0.0.1:{own.servers[0].server_address[1]}"
        if b.family == "trs":
            details = list(root.glob("zwgk/ndbg/*/t*.html"))
        else:
            details = list(root.glob("art/*/*/*/art_*.html"))
        for page in details:
            pages += 1
            golden_file = page.with_name(page.stem + ".expected.json")
            assert golden_file.is_file(), page
            g = json.loads(golden_file.read_text(encoding="utf-8"))
            rel = "/" + page.relative_to(root).as_posix()
            assert g["url"] == f"http://127.0.0.1:{b.port}{rel}"
            assert g["bureau_id"] == b.id
            for chrome in g["must_exclude"]:
                assert chrome not in g["text"]
            status, _, html = fetch(g["url"])
            assert status == 200 and g["title"] in html
            golden_rel = "/" + golden_file.relative_to(root).as_posix()
            assert fetch(own_base + rel)[0] == 200 and fetch(own_base + golden_rel)[0] == 404
        own()
        assert fetch(f"http://127.0.0.1:{b.port}/robots.txt")[0] == 200
        assert fetch(f"http://127.0.0.1:{b.port}/no/such/page.html")[0] == 404
    assert pages > 0


def test_golden_of_tiny_build(tiny):
    b = BUREAUS[4]
    page = tiny["built"][b.id][0]
    g = json.loads((tiny["sites"] / b.id / golden_path(page.path).lstrip("/")).read_text())
    assert g["text"] == "第13号报告正文。\n行政许可 | 新收 | 3\n办结 | 3"
    assert {"扫一扫在手机打开当前页", "当前位置", "浏览次数", "网站标识码"} <= set(
        g["must_exclude"]
    )
    html = (tiny["sites"] / b.id / page.path.lstrip("/")).read_text()
    assert "<!--<$[标题名称(html)]>begin-->" in html and '<meta name="ContentStart">' in html
    trs_first = tiny["built"][BUREAUS[0].id]
    with_file = next(p for p in trs_first if p.attachments)
    assert (
        fetch(
            with_file.attachments[0]["url"].replace(
                f":{BUREAUS[0].port}", f":{tiny['port'][BUREAUS[0].id]}"
            )
        )[0]
        == 200
    )


def test_build_is_deterministic(tmp_path):
    items = [
        Item(
            b.id,
            f"{b.name}2020年政府信息公开工作年度报告",
            "annual_report",
            2020,
            "2021-01-20 10:00",
            b.name,
            [Block("p", "正文。")],
        )
        for b in BUREAUS
    ]
    a, c = tmp_path / "a", tmp_path / "c"
    build.build(items, sites=a, registry=tmp_path / "a.yml")
    build.build(items, sites=c, registry=tmp_path / "c.yml")
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_c = sorted(p.relative_to(c) for p in c.rglob("*") if p.is_file())
    assert files_a == files_c
    assert all((a / f).read_bytes() == (c / f).read_bytes() for f in files_a)
    assert (tmp_path / "a.yml").read_text() == (tmp_path / "c.yml").read_text()
    assert (
        render_trs.column_url(BUREAUS[0])
        == f"http://127.0.0.1:{BUREAUS[0].port}/zwgk/ndbg/index.html"
    )
