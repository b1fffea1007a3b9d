"""Hostile documents: attachments and encoded bodies shaped to exhaust a reader's memory, time or stack.

A portal does not have to be malicious to serve one of these — a broken PDF exporter, a hacked CMS, a
proxy that double-compresses — but an archive that reads whatever it downloads must survive all of them
and still keep the good reports beside them. One TRS-like column (`/documents/ndbg/index.html`) lists a
report per case; each report page is an attachment stub (附件：…) linking one file:

- `bomb.pdf`: a page content stream of about 1.5 MB that inflates to about 1.5 GB of zeros;
- `double.pdf`: the same, hidden behind two stacked FlateDecode filters;
- `pages.pdf`: 5,000 pages (a real annual report has 10–100);
- `deep-array.pdf`: a page whose resources hold arrays nested 20,000 deep;
- `deep-pages.pdf`: a page tree 20,000 levels deep above its only page;
- `gzip.pdf`: a response with `Content-Encoding: gzip` whose body inflates to about 1.5 GB;
- `bomb.docx`, `bomb.ofd`: zip files whose central directory declares a few KB for a member that
  inflates to about 1.5 GB;
- `ops.pdf`: 31 KB whose one page draws three million text runs: under every size limit, it costs a
  parser seconds and hundreds of MB, so only the reader's time and memory limits stop it;

and a report page that is itself a gzip bomb (`Content-Encoding: gzip`, 1.5 GB of zeros). Next to them,
good reports that must be archived: a plain HTML report, a good PDF, a good DOCX and a page served
gzip-encoded.

Every bomb is generated in memory on first use, cheaply: deflate output after a full flush does not depend
on what came before, so the compressed form of 1 MiB of zeros is computed once and repeated, and the
checksums of runs of zeros are computed arithmetically or in large steps.
"""

from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from functools import cache

__all__ = [
    "BUREAUS",
    "CASES",
    "GOOD",
    "deep_array_pdf",
    "deep_pages_pdf",
    "flate_bomb",
    "flate_bomb_pdf",
    "gzip_bomb",
    "handle",
    "many_pages_pdf",
    "zip_bomb",
]

PREFIX = "/documents"
COLUMN = f"{PREFIX}/ndbg/index.html"
BUREAU_ID = "hostile-documents"
NAME = "文档攻击测试局"

BUREAUS = [
    {
        "id": BUREAU_ID,
        "name": NAME,
        "level": "city",
        "province": "浙江省",
        "region_code": "339901",
        "family": "trs",
        "columns": [COLUMN],
    }
]

MIB = 1024 * 1024
# Compressed megabytes on the wire: about 1,030 MiB of zeros per compressed MiB (deflate's ceiling).
BOMB_BLOCKS = 1500  # MiB of zeros: 1.5 GiB inflated, ~1.5 MB compressed
MANY_PAGES = 5000
DEEP = 20000

# Report pages: (slug, title, date, attachment file name or None, what the attachment is)
GOOD: list[tuple[str, str, str, str | None, str]] = [
    ("t20240110_3001", f"{NAME}2023年政府信息公开工作年度报告", "2024-01-10", None, "html"),
    (
        "t20230112_3002",
        f"{NAME}2022年政府信息公开工作年度报告",
        "2023-01-12",
        "2022年报.pdf",
        "pdf",
    ),
    (
        "t20220114_3003",
        f"{NAME}2021年政府信息公开工作年度报告",
        "2022-01-14",
        "2021年报.docx",
        "docx",
    ),
    # the page itself is sent gzip-encoded: ordinary compression must keep working
    ("t20210116_3004", f"{NAME}2020年政府信息公开工作年度报告", "2021-01-16", None, "gzip-page"),
]
# The hostile cases: slug → (title, date, attachment file name, what is served)
CASES: dict[str, tuple[str, str, str, str]] = {
    "t20240201_3101": (f"{NAME}关于压缩炸弹PDF的说明", "2024-02-01", "bomb.pdf", "flate-bomb"),
    "t20240202_3102": (f"{NAME}关于双重压缩PDF的说明", "2024-02-02", "double.pdf", "double-bomb"),
    "t20240203_3103": (f"{NAME}关于五千页PDF的说明", "2024-02-03", "pages.pdf", "many-pages"),
    "t20240204_3104": (
        f"{NAME}关于深层数组PDF的说明",
        "2024-02-04",
        "deep-array.pdf",
        "deep-array",
    ),
    "t20240205_3105": (
        f"{NAME}关于深层页面树PDF的说明",
        "2024-02-05",
        "deep-pages.pdf",
        "deep-pages",
    ),
    "t20240206_3106": (f"{NAME}关于压缩传输附件的说明", "2024-02-06", "gzip.pdf", "gzip-bomb"),
    "t20240207_3107": (f"{NAME}关于压缩包炸弹DOCX的说明", "2024-02-07", "bomb.docx", "docx-bomb"),
    "t20240208_3108": (f"{NAME}关于压缩包炸弹OFD的说明", "2024-02-08", "bomb.ofd", "ofd-bomb"),
    "t20240210_3110": (f"{NAME}关于三百万次绘制PDF的说明", "2024-02-10", "ops.pdf", "many-ops"),
}
# A detail page whose own body is a gzip bomb: crawl_errors, never a report.
BOMB_PAGE = ("t20240209_3109", f"{NAME}关于压缩传输页面的说明", "2024-02-09")
GOOD_PDF_LINES = [
    "一、总体情况",
    f"{NAME}全年主动公开政府信息二百一十二条，PDF附件正文可以检索。",
    "二、收到和处理政府信息公开申请情况",
    "全年新收政府信息公开申请十五件，均已按期答复。",
]
GOOD_DOCX_TEXT = f"{NAME}DOCX附件正文：全年主动公开政府信息一百零八条。"


def page_url(slug: str, date: str) -> str:
    return f"{PREFIX}/ndbg/{date[:4]}{date[5:7]}/{slug}.html"


def file_url(name: str) -> str:
    return f"{PREFIX}/files/{name}"


# -- bombs ------------------------------------------------------------------------------------------


@cache
def _zero_block() -> bytes:
    """Deflate output for one MiB of zeros, closed by a full flush: it can follow any other block."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(b"\0" * MIB) + c.flush(zlib.Z_FULL_FLUSH)


def _raw_zeros(prefix: bytes, blocks: int) -> bytes:
    """Raw deflate data for `prefix` followed by `blocks` MiB of zeros, finished."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    return head + _zero_block() * blocks + b"\x03\x00"  # an empty final fixed block ends the data


def _adler_after_zeros(adler: int, n: int) -> int:
    """Adler-32 of data followed by n zero bytes: the byte sum stays, the running sum grows by it n times."""
    a, b = adler & 0xFFFF, adler >> 16
    return (((b + n * a) % 65521) << 16) | a


@cache
def flate_bomb(prefix: bytes = b"", blocks: int = BOMB_BLOCKS) -> bytes:
    """A zlib stream (as a PDF FlateDecode filter wants it) of `prefix` + `blocks` MiB of zeros."""
    adler = _adler_after_zeros(zlib.adler32(prefix), blocks * MIB)
    return b"\x78\xda" + _raw_zeros(prefix, blocks) + struct.pack(">I", adler)


@cache
def gzip_bomb(blocks: int = BOMB_BLOCKS) -> bytes:
    """A gzip member of `blocks` MiB of zeros, as a Content-Encoding: gzip body."""
    crc, zeros = 0, b"\0" * (16 * MIB)
    for _ in range(blocks // 16):
        crc = zlib.crc32(zeros, crc)
    crc = zlib.crc32(b"\0" * ((blocks % 16) * MIB), crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", crc, (blocks * MIB) & 0xFFFFFFFF)
    return header + _raw_zeros(b"", blocks) + trailer


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF file of the given objects (object n is objects[n-1]) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _stream(data: bytes, filters: bytes = b"/FlateDecode") -> bytes:
    return b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(data), filters, data)


def _one_page_pdf(
    content: bytes, filters: bytes = b"/FlateDecode", resources: bytes = b""
) -> bytes:
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> %s >> >>" % resources,
            _stream(content, filters),
            _FONT,
        ]
    )


_TEXT_OPS = b"BT /F1 12 Tf 72 760 Td (Annual report) Tj ET\n"


@cache
def flate_bomb_pdf() -> bytes:
    """One page whose content stream starts with a line of text, then inflates to 1.5 GiB of zeros."""
    return _one_page_pdf(flate_bomb(_TEXT_OPS))


@cache
def double_bomb_pdf() -> bytes:
    """The bomb compressed once more: the outer stream is small, the inner one is the bomb."""
    inner = flate_bomb(_TEXT_OPS)
    return _one_page_pdf(zlib.compress(inner, 9), b"[/FlateDecode /FlateDecode]")


@cache
def many_ops_pdf(runs: int = 3_000_000) -> bytes:
    """One page drawing `runs` one-letter text runs: 21 MB of operators, compressed to ~30 KB."""
    return _one_page_pdf(zlib.compress(b"BT /F1 12 Tf 72 760 Td " + b"(x) Tj " * runs + b"ET\n", 9))


@cache
def many_pages_pdf(pages: int = MANY_PAGES) -> bytes:
    """`pages` pages sharing one small content stream."""
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        _stream(zlib.compress(_TEXT_OPS)),
        _FONT,
    ]
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    )
    objects.extend(page for _ in range(pages))
    return _pdf(objects)


@cache
def deep_array_pdf(depth: int = DEEP) -> bytes:
    """A page whose resources and content hold arrays nested `depth` deep."""
    deep = b"[" * depth + b"1" + b"]" * depth
    content = _TEXT_OPS + b"/P << /MCID 0 /Deep " + deep + b" >> BDC EMC\n"
    return _one_page_pdf(zlib.compress(content), resources=b"/Properties << /Deep %s >>" % deep)


@cache
def deep_pages_pdf(depth: int = DEEP) -> bytes:
    """A page tree `depth` levels of /Pages deep above its one page."""
    # objects: 1 catalog, 2 content, 3 font, 4 the page, 5.. the Pages chain (5 is the root)
    objects = [b"<< /Type /Catalog /Pages 5 0 R >>", _stream(zlib.compress(_TEXT_OPS)), _FONT]
    first = 5
    last = first + depth - 1
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] /Contents 2 0 R "
        b"/Resources << /Font << /F1 3 0 R >> >> >>" % last
    )
    for n in range(first, last + 1):
        kid = n + 1 if n < last else 4
        parent = b" /Parent %d 0 R" % (n - 1) if n > first else b""
        objects.append(b"<< /Type /Pages /Kids [%d 0 R] /Count 1%s >>" % (kid, parent))
    return _pdf(objects)


@cache
def zip_bomb(kind: str) -> bytes:
    """A DOCX or OFD whose main member declares 4 KiB but inflates to 1.5 GiB: the directory lies."""
    member = "word/document.xml" if kind == "docx" else "Doc_0/Pages/Page_0/Content.xml"
    small = {
        "docx": {"[Content_Types].xml": b'<?xml version="1.0"?><Types/>'},
        "ofd": {
            "OFD.xml": b'<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"/>'
        },
    }[kind]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in small.items():
            z.writestr(name, data)
    head = out.getvalue()
    # Drop the end-of-central-directory and central directory written above and rebuild them with the
    # bomb member added, declaring a small size for it.
    zf = zipfile.ZipFile(io.BytesIO(head))
    infos = zf.infolist()
    body_end = zf.start_dir
    body = bytearray(head[:body_end])
    data = _raw_zeros(b"<?xml version='1.0'?>", BOMB_BLOCKS)
    declared = 4096
    name = member.encode()
    offset = len(body)
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, 0, len(data), declared, len(name), 0
    )
    body += local + name + data
    central = bytearray()
    for info in infos:
        central += _central(
            info.filename.encode(), info.CRC, info.compress_size, info.file_size, info.header_offset
        )
    central += _central(name, 0, len(data), declared, offset)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(infos) + 1, len(infos) + 1, len(central), len(body), 0
    )
    return bytes(body + central + end)


def _central(name: bytes, crc: int, csize: int, usize: int, offset: int) -> bytes:
    return (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            csize,
            usize,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + name
    )


# -- good files -------------------------------------------------------------------------------------


@cache
def good_pdf() -> bytes:
    from sample_portals.attachment_items import pdf_bytes

    return pdf_bytes([GOOD_PDF_LINES[:2], GOOD_PDF_LINES[2:]], header=NAME)


@cache
def good_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(GOOD_DOCX_TEXT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# -- pages ------------------------------------------------------------------------------------------


def _report_lines(title: str) -> list[str]:
    return [
        f"本报告根据《中华人民共和国政府信息公开条例》编制，为{title}。",
        "一、总体情况",
        "本年度本局坚持以公开为常态、不公开为例外，全年主动公开政府信息212条。",
        "二、收到和处理政府信息公开申请情况",
        "全年新收政府信息公开申请15件，均在法定期限内答复。",
    ]


def _page(title: str, date: str, path: str, attachment: str | None) -> str:
    if attachment:  # a stub: the report is the attachment
        body = f'<p>附件：<a href="{file_url(attachment)}">{attachment}</a></p>'
    else:
        body = "\n".join(f"<p>{line}</p>" for line in _report_lines(title))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}_{NAME}</title>
<meta name="SiteName" content="{NAME}"><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{date} 09:00"><meta name="ColumnName" content="政府信息公开年报">
</head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{COLUMN}">政府信息公开年报</a></div>
<div class="article"><h1>{title}</h1><div class="info">发布日期：{date}</div>
<div class="article_con"><div class="TRS_Editor">
{body}
</div></div></div>
<div class="footer"><p>主办：{NAME}</p></div>
</body></html>"""


def _rows() -> list[tuple[str, str, str]]:
    rows = [(page_url(s, d), t, d) for s, t, d, _, _ in GOOD]
    rows += [(page_url(s, d), t, d) for s, (t, d, _, _) in CASES.items()]
    slug, title, date = BOMB_PAGE
    rows.append((page_url(slug, date), title, date))
    return rows


def _list_page() -> str:
    items = "\n".join(
        f'<li><a href="{u}" title="{t}" target="_blank">{t}</a><span>{d}</span></li>'
        for u, t, d in _rows()
    )
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>政府信息公开年报_{NAME}</title></head><body>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政府信息公开年报</div>
<div class="list"><ul>
{items}
</ul></div>
<script>createPageHTML(1, 0, "index", "html");</script>
</body></html>"""


# file name → (bytes builder, content type, Content-Encoding or None)
_FILES = {
    "2022年报.pdf": (good_pdf, "application/pdf", None),
    "2021年报.docx": (
        good_docx,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        None,
    ),
    "bomb.pdf": (flate_bomb_pdf, "application/pdf", None),
    "double.pdf": (double_bomb_pdf, "application/pdf", None),
    "pages.pdf": (many_pages_pdf, "application/pdf", None),
    "deep-array.pdf": (deep_array_pdf, "application/pdf", None),
    "deep-pages.pdf": (deep_pages_pdf, "application/pdf", None),
    "gzip.pdf": (gzip_bomb, "application/pdf", "gzip"),
    "bomb.docx": (lambda: zip_bomb("docx"), "application/msword", None),
    "bomb.ofd": (lambda: zip_bomb("ofd"), "application/ofd", None),
    "ops.pdf": (many_ops_pdf, "application/pdf", None),
}


def _pages() -> dict[str, tuple[str, str, str | None, str]]:
    """path → (title, date, attachment, kind) of every report page."""
    out = {page_url(s, d): (t, d, a, k) for s, t, d, a, k in GOOD}
    out.update({page_url(s, d): (t, d, a, k) for s, (t, d, a, k) in CASES.items()})
    return out


def handle(req, path: str, query: dict) -> bool:
    if not path.startswith(PREFIX + "/"):
        return False
    if path == COLUMN:
        req.send(200, _list_page().encode("utf-8"))
        return True
    slug, title, date = BOMB_PAGE
    if path == page_url(slug, date):
        req.send(200, gzip_bomb(), "text/html; charset=utf-8", Content_Encoding="gzip")
        return True
    page = _pages().get(path)
    if page is not None:
        title, date, attachment, kind = page
        body = _page(title, date, path, attachment).encode("utf-8")
        if kind == "gzip-page":
            req.send(200, gzip.compress(body), Content_Encoding="gzip")
        else:
            req.send(200, body)
        return True
    name = path[len(f"{PREFIX}/files/") :] if path.startswith(f"{PREFIX}/files/") else None
    from urllib.parse import unquote

    found = _FILES.get(unquote(name)) if name else None
    if found is None:
        return False
    build, ctype, encoding = found
    headers = {"Content_Encoding": encoding} if encoding else {}
    req.send(200, build(), ctype, **headers)
    return True
