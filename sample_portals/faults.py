"""A fictional bureau portal on 127.0.0.1:8730 whose report column is full of the faults real portals have.

Government portals time out, reset connections, answer 503 for hours, cut bodies short, redirect into
loops or to addresses inside their own network, link 60 MB scans and broken files, and list the same
report twice. This server serves one TRS-like column (`/zwgk/ndbg/index.html`, two list pages) whose
detail links each misbehave in one such way, next to a handful of good reports that the archive must keep
whatever happens around them (`GOOD`). Tests and the fault demo start it with `start_in_thread()`.

Every fault is generated on the fly: the 60 MB attachment is streamed from a repeated chunk and the zip
bomb is built once in memory (about 100 KB that inflates to 100 MB), so nothing large is stored.

A second listener (`OFFSITE_PORT`) stands for a host outside the registry: it only counts connections,
so a test can prove the crawler never contacted it although the portal redirects there.
"""

from __future__ import annotations

import io
import socket
import struct
import threading
import time
import zipfile
from collections import Counter
from functools import cache
from urllib.parse import unquote, urlsplit

from sample_portals import render_trs
from sample_portals.httpbase import PortalHandlerBase, QuietServer, serve_until_interrupted

__all__ = [
    "BIG_SIZE",
    "FAULTS",
    "GOOD",
    "OFFSITE_PORT",
    "PORT",
    "start_in_thread",
]

PORT = 8730
OFFSITE_PORT = 8731
BIG_SIZE = 60 * 1024 * 1024
# How long the timeout page sleeps: longer than the test-sized DOWNLOAD_TIMEOUT (2 s), shorter than a
# test run, so its server threads end on their own.
SLOW_SECONDS = 6.0
BOMB_INFLATED = 100 * 1024 * 1024

BASE = "/zwgk/ndbg"

# The good reports: (path, title, date). Their text is `_report_text(title)`; all must be archived.
GOOD: list[tuple[str, str, str]] = [
    (
        f"{BASE}/202401/t20240120_1001.html",
        "故障测试局2023年政府信息公开工作年度报告",
        "2024-01-20",
    ),
    (
        f"{BASE}/202301/t20230118_1002.html",
        "故障测试局2022年政府信息公开工作年度报告",
        "2023-01-18",
    ),
    (
        f"{BASE}/202201/t20220125_1003.html",
        "故障测试局2021年政府信息公开工作年度报告",
        "2022-01-25",
    ),
    # served as GBK bytes under a header that says UTF-8
    (
        f"{BASE}/202101/t20210128_1004.html",
        "故障测试局2020年政府信息公开工作年度报告",
        "2021-01-28",
    ),
    # answers 503 with Retry-After: 1 the first time, then the page
    (
        f"{BASE}/202001/t20200130_1005.html",
        "故障测试局2019年政府信息公开工作年度报告",
        "2020-01-30",
    ),
    # carries every bad attachment
    (
        f"{BASE}/201901/t20190131_1006.html",
        "故障测试局2018年政府信息公开工作年度报告",
        "2019-01-31",
    ),
]
WRONG_CHARSET = GOOD[3][0]
FLAKY = GOOD[4][0]
WITH_ATTACHMENTS = GOOD[5][0]

# The faulty detail links: path → (fault, title). Every one must end up in crawl_errors.
FAULTS: dict[str, tuple[str, str]] = {
    f"{BASE}/202402/t20240201_2001.html": ("500", "故障测试局关于服务器错误的通知"),
    f"{BASE}/202402/t20240202_2002.html": ("500-retry-after", "故障测试局关于服务器错误二的通知"),
    f"{BASE}/202402/t20240203_2003.html": ("503", "故障测试局关于维护的通知"),
    f"{BASE}/202402/t20240204_2004.html": ("503-retry-after", "故障测试局关于维护二的通知"),
    f"{BASE}/202402/t20240205_2005.html": ("timeout", "故障测试局关于超时的通知"),
    f"{BASE}/202402/t20240206_2006.html": ("reset", "故障测试局关于连接重置的通知"),
    f"{BASE}/202402/t20240207_2007.html": ("truncated", "故障测试局关于截断的通知"),
    f"{BASE}/202402/t20240208_2008.html": ("empty", "故障测试局关于空白页的通知"),
    f"{BASE}/202402/t20240209_2009.html": ("loop", "故障测试局关于循环跳转的通知"),
    f"{BASE}/202402/t20240210_2010.html": ("offsite-port", "故障测试局关于站外跳转的通知"),
    f"{BASE}/202402/t20240211_2011.html": ("offsite-name", "故障测试局关于外站跳转的通知"),
    f"{BASE}/202402/t20240212_2012.html": ("private-10", "故障测试局关于内网跳转的通知"),
    f"{BASE}/202402/t20240213_2013.html": ("private-192", "故障测试局关于内网跳转二的通知"),
    f"{BASE}/202402/t20240214_2014.html": ("link-local", "故障测试局关于元数据跳转的通知"),
    f"{BASE}/202402/t20240215_2015.html": ("file", "故障测试局关于本地文件跳转的通知"),
    # listed, but the page is gone when the crawler gets there
    f"{BASE}/202402/t20240216_2016.html": ("vanished", "故障测试局已撤下的报告"),
}
# Where the redirecting faults point (never contacted: the crawler must refuse each before connecting).
REDIRECTS = {
    "offsite-port": f"http://127.0.0.1:{OFFSITE_PORT}/report.html",
    "offsite-name": "http://offsite.invalid/report.html",
    "private-10": "http://10.0.0.1/report.html",
    "private-192": "http://192.168.1.1/admin/",
    "link-local": "http://169.254.169.254/latest/meta-data/",
    "file": "file:///etc/passwd",
}

# The attachments of WITH_ATTACHMENTS: (href, link text, what is served).
ATTACHMENTS: list[tuple[str, str, str]] = [
    ("/files/good.docx", "年度报告全文.docx", "docx"),
    ("/files/big.pdf", "扫描版（60MB）.pdf", "big"),
    ("/files/big-chunked.pdf", "扫描版（分块）.pdf", "big-chunked"),
    ("/files/broken.pdf", "损坏的PDF.pdf", "broken"),
    ("/files/bomb.docx", "统计表.docx", "bomb"),
    # names that would escape a directory if a crawler trusted them as file names
    (
        "/files/..%2F..%2F..%2F..%2Ftmp%2Fnianbao-escape.docx",
        "../../../../tmp/nianbao-escape.docx",
        "docx",
    ),
    ("/files/%2Ftmp%2Fnianbao-absolute.docx", "/tmp/nianbao-absolute.docx", "docx"),
]

GOOD_DOCX_TEXT = "故障测试局附件正文：全年主动公开政府信息128条。"


def _report_text(title: str) -> list[str]:
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》编制，为{title}。",
        "一、总体情况",
        "本年度本局坚持以公开为常态、不公开为例外，全年主动公开政府信息128条。",
        "二、主动公开政府信息情况",
        "本局通过门户网站、政务新媒体等渠道主动公开规范性文件3件。",
        "三、收到和处理政府信息公开申请情况",
        "全年新收政府信息公开申请12件，均在法定期限内答复。",
    ]


SITE = "故障测试局"
METAS = (
    f'<meta name="SiteName" content="{SITE}"><meta name="SiteIDCode" content="4399000001">\n'
    '<meta name="ColumnName" content="政府信息公开年报"><meta name="ArticleTitle" content="{title}">\n'
    '<meta name="PubDate" content="{date} 09:00"><meta name="Url" content="http://127.0.0.1:{port}{path}">'
)
HEADER = f'<div class="header"><a href="/index.html">{SITE}</a></div>'
CRUMB = '<div class="crumb">当前位置：<a href="/index.html">首页</a> &gt; {column}</div>'
FOOTER = f'<div class="footer"><p>主办：{SITE} 网站标识码：4399000001</p></div>'


def _page(title: str, date: str, path: str, extra: str = "") -> str:
    """A TRS detail page drawn by the sample TRS renderer, with this portal's own chrome."""
    body = "\n".join(f"<p>{line}</p>" for line in _report_text(title))
    metas = METAS.format(title=title, date=date, port=PORT, path=path)
    column = f'<a href="{BASE}/index.html">政府信息公开年报</a>'
    return render_trs.detail_html(
        render_trs.page_head(f"{title}_{SITE}", metas, assets=False),
        title,
        body,
        header=HEADER,
        crumb_html=CRUMB.format(column=column),
        info=f'<div class="info">发布日期：{date}</div>',
        files_html=extra,
        footer=FOOTER,
    )


def _attachment_block() -> str:
    links = "\n".join(f'<p><a href="{href}">{name}</a></p>' for href, name, _ in ATTACHMENTS)
    return f'<div class="fj"><p>附件：</p>\n{links}\n</div>'


def _list_page(page: int) -> str:
    """Two list pages; a good report is listed twice on page 0 and again on page 1."""
    fault_rows = [(p, t, f"2024-02-{int(p[-9:-5]) % 100:02d}") for p, (_, t) in FAULTS.items()]
    good_rows = [(p, t, d) for p, t, d in GOOD]
    if page == 0:
        rows = [*good_rows[:3], good_rows[0], *fault_rows[:9]]
    else:
        rows = [good_rows[0], *good_rows[3:], *fault_rows[9:]]
    return render_trs.list_html(
        render_trs.page_head(f"政府信息公开年报_{SITE}", assets=False),
        "政府信息公开年报",
        [render_trs.list_row(path, title, date) for path, title, date in rows],
        2,
        page,
        crumb_html=CRUMB.format(column="政府信息公开年报"),
    )


def _home() -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>故障测试局</title></head><body>
<ul><li><a href="{BASE}/index.html">政府信息公开年报</a></li></ul></body></html>"""


@cache
def good_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(GOOD_DOCX_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@cache
def zip_bomb() -> bytes:
    """A file that sniffs as DOCX (word/document.xml inside) whose document inflates ~1000:1."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(BOMB_INFLATED // len(chunk)):
                f.write(chunk)
    return out.getvalue()


BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nstream\x00\xff garbage\n%%EO"


class FaultHandler(PortalHandlerBase):
    server_version = "nianbao-faults"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        self.server.hits[path] += 1  # type: ignore[attr-defined]
        hits = self.server.hits[path]  # type: ignore[attr-defined]
        good = {p: (t, d) for p, t, d in GOOD}
        if path in ("/", "/index.html"):
            return self.send(200, _home().encode())
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if path == f"{BASE}/index.html":
            return self.send(200, _list_page(0).encode())
        if path == f"{BASE}/index_1.html":
            return self.send(200, _list_page(1).encode())
        if path in good:
            title, date = good[path]
            if path == FLAKY and hits == 1:
                return self.send(503, b"busy", "text/plain", Retry_After="1")
            extra = _attachment_block() if path == WITH_ATTACHMENTS else ""
            html = _page(title, date, path, extra)
            if path == WRONG_CHARSET:
                html = html.replace('charset="utf-8"', 'charset="gbk"')
                return self.send(200, html.encode("gbk"), "text/html; charset=utf-8")
            return self.send(200, html.encode())
        if path in FAULTS:
            return self.fault(FAULTS[path][0], path)
        if path.startswith("/loop/"):
            # matches "/loop/a" → "/loop/b" → "/loop/a" …
            return self.redirect("/loop/b" if path == "/loop/a" else "/loop/a")
        if path.startswith("/files/"):
            return self.attachment(unquote(path))
        return self.not_found()

    def fault(self, fault: str, path: str) -> None:
        if fault == "500":
            return self.send(500, b"Internal Server Error", "text/plain")
        if fault == "500-retry-after":
            return self.send(500, b"Internal Server Error", "text/plain", Retry_After="1")
        if fault == "503":
            return self.send(503, b"Service Unavailable", "text/plain")
        if fault == "503-retry-after":
            return self.send(503, b"Service Unavailable", "text/plain", Retry_After="1")
        if fault == "timeout":
            time.sleep(SLOW_SECONDS)
            self.close_connection = True
            return None
        if fault == "reset":
            # SO_LINGER 0: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return None
        if fault == "truncated":
            body = _page(FAULTS[path][1], "2024-02-07", path).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return None
        if fault == "empty":
            return self.send(200, b"")
        if fault == "loop":
            return self.redirect("/loop/a")
        if fault == "vanished":
            return self.not_found()
        return self.redirect(REDIRECTS[fault])

    def attachment(self, path: str) -> None:
        kind = next((k for href, _, k in ATTACHMENTS if unquote(href) == path), None)
        if kind == "docx":
            return self.send(200, good_docx(), "application/octet-stream")
        if kind == "broken":
            return self.send(200, BROKEN_PDF, "application/pdf")
        if kind == "bomb":
            return self.send(200, zip_bomb(), "application/msword")
        if kind in ("big", "big-chunked"):
            return self.stream_big(chunked=kind == "big-chunked")
        return self.send(404, b"not found", "text/plain")

    def stream_big(self, chunked: bool) -> None:
        """60 MB of a PDF-looking file from one repeated chunk; stops when the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(BIG_SIZE))
        self.end_headers()
        chunk = b"%PDF-1.4\n" + b"0" * (64 * 1024 - 9)
        sent = 0
        self.close_connection = True
        try:
            while sent < BIG_SIZE:
                if chunked:
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                else:
                    self.wfile.write(chunk)
                sent += len(chunk)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            return


class _Counter(threading.Thread):
    """The offsite host: accepts and counts connections, answers nothing."""

    def __init__(self, port: int):
        super().__init__(name=f"offsite-{port}", daemon=True)
        self.sock = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self.sock.settimeout(0.2)
        self.connections = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def stop(self) -> None:
        self._halt.set()
        self.join(2)
        self.sock.close()


class FaultPortal:
    """The running fault portal: `hits` per path, `offsite_connections`, and `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = PORT, offsite_port: int = OFFSITE_PORT):
        self.server = QuietServer((host, port), FaultHandler)
        self.server.hits = Counter()  # type: ignore[attr-defined]
        self.offsite = _Counter(offsite_port)
        self.thread = threading.Thread(
            target=self.server.serve_forever, name=f"faults-{port}", daemon=True
        )
        self.thread.start()
        self.offsite.start()

    @property
    def hits(self) -> Counter:
        return self.server.hits  # type: ignore[attr-defined]

    @property
    def offsite_connections(self) -> int:
        return self.offsite.connections

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.offsite.stop()


def start_in_thread(host: str = "127.0.0.1") -> FaultPortal:
    zip_bomb(), good_docx()  # build once before the first request asks for them
    return FaultPortal(host)


def main() -> None:
    portal = start_in_thread()
    print(
        f"fault portal on http://127.0.0.1:{PORT}/ (offsite counter on {OFFSITE_PORT}); Ctrl-C to stop"
    )
    serve_until_interrupted(portal.stop)


if __name__ == "__main__":
    main()
