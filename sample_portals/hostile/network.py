"""Hostile case module: addresses the crawler must never reach, and bytes and trees that break parsers.

- `network-jtj` (TRS) lists reports that redirect into private networks in the spellings a URL parser
  misses (`http://[::ffff:192.168.1.1]/`, `http://2130706433:PORT/…`, `http://0x0a000001/`,
  `http://[::ffff:127.0.0.1]:PORT/…`), a report whose attachments sit on private, metadata and
  disguised loopback addresses, a UTF-8 report with a few invalid bytes, a report nested 100,000
  `<div>`s deep, a GBK report under a UTF-8 header and meta, and a report page of chrome only (crumbs,
  an empty body, a footer: nothing to extract, which must be a crawl error, not an empty report);
- `network-named-jtj` is a row on `localhost` without `allow_loopback`: the name resolves to 127.0.0.1,
  which only a row that allows loopback may reach, so nothing of it may be fetched;
- `network-local-jtj` is the same portal on `localhost` with `allow_loopback: true`: fetched normally.
  A crawl must not select it together with `network-named-jtj` (they share the host name).

Every disguised loopback target points back at this portal under `/network/trap/`, so a test can prove
that nothing was connected to: those paths must have no hits.
"""

from __future__ import annotations

__all__ = [
    "ATTACHMENTS",
    "BUREAUS",
    "DEEP_LEVELS",
    "PARAGRAPHS",
    "REDIRECTS",
    "REPORTS",
    "handle",
]

PREFIX = "/network/"
DEEP_LEVELS = 100_000

PARAGRAPHS = (
    "根据《中华人民共和国政府信息公开条例》，编制本年度报告。",
    "一、总体情况。全年主动公开政府信息128条，其中规范性文件6件。",
    "二、收到和处理政府信息公开申请情况。全年收到申请17件，均在法定期限内答复。",
    "三、存在的主要问题及改进情况。公开内容的及时性仍需提高。",
)

_COLUMN = "/network/trs/index.html"


def _report_path(n: int) -> str:
    return f"/network/trs/202403/t202403{n:02d}_{n}.html"


# path → (title, kind); kind says how the page is served
REPORTS = {
    _report_path(1): ("外网市交通运输局2023年政府信息公开工作年度报告", "attachments"),
    _report_path(2): ("外网市交通运输局关于跳转一的通知", "redirect"),
    _report_path(3): ("外网市交通运输局关于跳转二的通知", "redirect"),
    _report_path(4): ("外网市交通运输局关于跳转三的通知", "redirect"),
    _report_path(5): ("外网市交通运输局关于跳转四的通知", "redirect"),
    _report_path(6): ("坏字节县交通运输局2023年政府信息公开工作年度报告", "bad-utf8"),
    _report_path(7): ("深层县交通运输局2023年政府信息公开工作年度报告", "deep"),
    _report_path(8): ("国标县交通运输局2023年政府信息公开工作年度报告", "gbk"),
    _report_path(9): ("空壳县交通运输局2023年政府信息公开工作年度报告", "chrome-only"),
}
# report path → redirect target; `{port}` is this portal's port
REDIRECTS = {
    _report_path(2): "http://[::ffff:192.168.1.1]/",
    _report_path(3): "http://2130706433:{port}/network/trap/decimal.html",
    _report_path(4): "http://0x0a000001/",
    _report_path(5): "http://[::ffff:127.0.0.1]:{port}/network/trap/mapped.html",
}
# attachment links of the first report; none may be fetched
ATTACHMENTS = (
    ("内网附件.pdf", "http://10.0.0.1/files/a.pdf"),
    ("映射附件.pdf", "http://[::ffff:10.0.0.1]/files/b.pdf"),
    ("元数据附件.pdf", "http://169.254.169.254/latest/meta-data/c.pdf"),
    ("阿里云元数据.pdf", "http://100.100.100.200/latest/d.pdf"),
    ("十六进制附件.pdf", "http://0x7f000001:{port}/network/trap/e.pdf"),
    ("短地址附件.pdf", "http://127.1:{port}/network/trap/f.pdf"),
    ("本机名附件.pdf", "http://localhost:{port}/network/trap/g.pdf"),
)

BUREAUS = [
    {
        "id": "network-jtj",
        "name": "外网市交通运输局",
        "level": "city",
        "province": "外网省",
        "region_code": "990201",
        "family": "trs",
        "columns": [_COLUMN],
        "overrides": {"obey_robots": False},
    },
    {
        "id": "network-named-jtj",
        "name": "本机名县交通运输局",
        "level": "county",
        "province": "外网省",
        "region_code": "990202",
        "family": "trs",
        "homepage": "http://localhost:{port}/network/named/",
        "columns": ["http://localhost:{port}/network/named/index.html"],
        "allow_loopback": False,
        "overrides": {"obey_robots": False},
    },
    {
        "id": "network-local-jtj",
        "name": "本机县交通运输局",
        "level": "county",
        "province": "外网省",
        "region_code": "990203",
        "family": "trs",
        "homepage": "http://localhost:{port}/network/local/",
        "columns": ["http://localhost:{port}/network/local/index.html"],
        "overrides": {"obey_robots": False},
    },
]


def _list_page(rows: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<li><a href='{href}' title='{title}'>{title}</a><span>2024-03-0{i % 9 + 1}</span></li>"
        for i, (href, title) in enumerate(rows)
    )
    return (
        "<html><head><meta charset='utf-8'><title>政府信息公开年报</title></head><body>"
        f"<ul class='list'>{items}</ul></body></html>"
    ).encode()


def _report(title: str, inner: str, charset: str = "utf-8") -> str:
    return (
        f"<html><head><meta charset='{charset}'><title>{title}</title>"
        f"<meta name='ArticleTitle' content='{title}'></head><body>"
        f"<h1>{title}</h1><div class='TRS_Editor'>{inner}</div>"
        "<div class='footer'>版权所有：外网市交通运输局</div></body></html>"
    )


def _paragraphs() -> str:
    return "".join(f"<p>{p}</p>" for p in PARAGRAPHS)


def _bad_utf8(title: str) -> bytes:
    """A UTF-8 page with three broken spots: a stray 0xFF, a character cut short, an overlong slash."""
    good = _report(title, "<p>BROKEN</p>" + _paragraphs()).encode("utf-8")
    return good.replace(b"<p>BROKEN</p>", b"<p>\xff\xe4\xb8 \xc0\xaf</p>")


def _deep(title: str) -> bytes:
    inner = "<div>" * DEEP_LEVELS + _paragraphs() + "</div>" * DEEP_LEVELS
    return _report(title, inner).encode("utf-8")


def _chrome_only(title: str) -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        "<div class='crumb'>当前位置：首页 &gt; 政务公开 &gt; 年报</div>"
        "<div class='TRS_Editor'><p>&nbsp;</p></div>"
        "<div class='footer'>版权所有：外网市交通运输局</div></body></html>"
    ).encode()


def _attachments_page(title: str, port: int) -> bytes:
    links = "".join(
        f"<p>附件：<a href='{href.replace('{port}', str(port))}'>{name}</a></p>"
        for name, href in ATTACHMENTS
    )
    return _report(title, _paragraphs() + links).encode("utf-8")


def handle(req, path: str, query: dict) -> bool:
    if not path.startswith(PREFIX):
        return False
    port = req.server.server_address[1]
    if path == _COLUMN:
        req.send(200, _list_page([(p, t) for p, (t, _) in REPORTS.items()]))
    elif path in ("/network/named/index.html", "/network/local/index.html"):
        base = path.rsplit("/", 1)[0]
        req.send(
            200, _list_page([(f"{base}/202403/t20240309_9.html", REPORTS[_report_path(1)][0])])
        )
    elif path in (
        "/network/named/202403/t20240309_9.html",
        "/network/local/202403/t20240309_9.html",
    ):
        req.send(200, _report(REPORTS[_report_path(1)][0], _paragraphs()).encode("utf-8"))
    elif path in REPORTS:
        title, kind = REPORTS[path]
        if kind == "redirect":
            location = REDIRECTS[path].replace("{port}", str(port))
            req.send(302, b"", "text/html; charset=utf-8", Location=location)
        elif kind == "attachments":
            req.send(200, _attachments_page(title, port))
        elif kind == "bad-utf8":
            req.send(200, _bad_utf8(title))
        elif kind == "deep":
            req.send(200, _deep(title))
        elif kind == "chrome-only":
            req.send(200, _chrome_only(title))
        else:  # gbk: the header and the meta both claim UTF-8
            req.send(200, _report(title, _paragraphs()).encode("gb18030"))
    else:  # /network/trap/… included: a hit there is the failure a test looks for
        req.send(404, "<html><body>404 页面不存在</body></html>".encode())
    return True
