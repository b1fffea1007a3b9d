"""Attachments: fetch, store by content hash, and read the text of the files reports are published as.

Many bureaus publish the annual report only as a file (PDF, Word, OFD) linked under 附件 on an otherwise
empty page, so an archive that keeps only the HTML keeps nothing. Files are stored once under
`data/files/` named by their sha256 (the same PDF linked from two pages is one file), with a size limit so
a stray video link cannot fill the disk. A format we cannot read is recorded as an error on the attachment
row, never dropped silently: the file is still stored, and someone can read it later.

`AttachmentPipeline` downloads the links `extract_page` found through Scrapy's engine (downloader
middlewares, politeness and robots rules apply) so the spider stays unaware of attachments.

Files are read under limits (crawler/docguard.py): decompressed bytes, pages, nesting depth, and the
memory, CPU and wall time of a reader process of their own (crawler/docworker.py). A compression bomb, a
5,000-page PDF or a page tree 20,000 levels deep is an error on the attachment row, like a broken file.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from crawler.docguard import DocumentLimitError, Limits

__all__ = [
    "MAX_BYTES",
    "AttachmentPipeline",
    "body_is_attachment_stub",
    "extract_text",
    "read_attachment",
    "read_document",
    "sniff_type",
    "store_file",
]

MAX_BYTES = (
    30 * 1024 * 1024
)  # the largest real annual-report PDFs we know are ~15 MB of scanned pages
FILES_DIR = Path("data/files")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_type(data: bytes, url: str = "", content_type: str = "") -> str:
    """The file's real type from its bytes, the name only as a tie-breaker: portals serve PDFs as
    application/octet-stream and name DOCX files .doc, so neither header nor extension can be trusted."""
    ext = url.lower().split("?")[0].split("#")[0].rsplit(".", 1)[-1] if "." in url else ""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "OFD.xml" in names:
            return "ofd"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    if data.startswith(_OLE_MAGIC):
        return "wps" if ext == "wps" else ("xls" if ext == "xls" else "doc")
    if data.lstrip()[:1] == b"<" or "html" in content_type.lower():
        return "html"
    return ext or "unknown"


def store_file(data: bytes, ftype: str, files_dir: Path = FILES_DIR) -> tuple[str, str]:
    """Write the file under files_dir/ab/<sha256>.<type> once; returns (sha256, path relative to files_dir)."""
    digest = hashlib.sha256(data).hexdigest()
    rel = f"{digest[:2]}/{digest}.{ftype}"
    dest = Path(files_dir) / rel
    if not dest.exists():
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(dest.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(dest)
    return digest, rel


# -- PDF --------------------------------------------------------------------------------------------

# Page-number lines: matches "- 3 -", "—3—", "第 3 页", "第3页 共12页", "3 / 12", "Page 3".
_PAGE_NO_RE = re.compile(
    r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|Page\s*\d+|\d+)\s*$",
    re.I,
)
# A line that ends a paragraph in a PDF text layer: matches "…工作。", "（一）主动公开情况", "…如下：".
_PARA_END_RE = re.compile(r"[。！？；：:!?;」』”）)]$")
# A line that starts a new paragraph whatever came before: matches "一、总体情况", "（二）依申请公开",
# "1.主动公开", "三是加强…", "附件：", and table rows "项目 | 数量".
_PARA_START_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]是|附件)"
)


def _strip_repeats(pages: list[list[tuple[str, bool]]]) -> list[list[tuple[str, bool]]]:
    """Drop running headers/footers: a line that opens or closes at least half of the pages (and at least
    two; digits masked so "第3页" and "第4页" count as one), and page-number lines at a page's edge."""

    def key(line: tuple[str, bool]) -> str:
        return re.sub(r"\d+", "#", line[0])

    edge: Counter[str] = Counter()
    for lines in pages:
        for k in {key(ln) for ln in (*lines[:2], *lines[-2:])}:
            edge[k] += 1
    threshold = max(2, (len(pages) + 1) // 2)

    def is_chrome(line: tuple[str, bool]) -> bool:
        return bool(_PAGE_NO_RE.match(line[0])) or (len(pages) > 1 and edge[key(line)] >= threshold)

    out = []
    for lines in pages:
        keep = list(lines)
        for _ in range(2):
            if keep and is_chrome(keep[0]):
                keep.pop(0)
            if keep and is_chrome(keep[-1]):
                keep.pop()
        out.append(keep)
    return out


def _reflow(lines: list[tuple[str, bool]]) -> list[str]:
    """Join the visual lines of a PDF back into paragraphs, also across page breaks.

    A line continues the previous one only when the previous line ran to the right margin (`full`) without
    ending a sentence, and this one does not start a numbered item or heading: a short line is a
    paragraph's last line whatever its punctuation.
    """
    paras: list[str] = []
    prev_full = False
    for text, full in lines:
        if (
            paras
            and prev_full
            and not _PARA_END_RE.search(paras[-1])
            and not _PARA_START_RE.match(text)
            and " | " not in text
        ):
            paras[-1] += text
        else:
            paras.append(text)
        prev_full = full
    return paras


def _check_pages(data: bytes, limits: Limits) -> None:
    """Pages and page-tree depth, from a document of its own: pdfplumber walks the whole page tree
    (recursively) even when it is closed after an error, so the check must come before it opens."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    from crawler.docguard import check_page_tree

    check_page_tree(PDFDocument(PDFParser(io.BytesIO(data))), limits)


def _pdf_text(data: bytes, limits: Limits | None = None) -> str:
    import pdfplumber

    from crawler.docguard import check_pdf_streams

    limits = limits or Limits()
    check_pdf_streams(data, limits.max_inflated)  # before pdfminer inflates anything
    _check_pages(data, limits)
    pages: list[list[tuple[str, bool]]] = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        raw = []
        for page in pdf.pages:
            raw.append([ln for ln in page.extract_text_lines() if ln["text"].strip()])
            page.close()  # a page's layout objects are not needed again: memory stays per page
        right = max((ln["x1"] for page in raw for ln in page), default=0)
        for page in raw:
            lines = []
            for ln in page:
                size = (ln["bottom"] - ln["top"]) or 12
                # within two characters of the right margin: the line was wrapped, not ended
                lines.append((ln["text"].strip(), ln["x1"] >= right - 2 * size))
            pages.append(lines)
    if not any(pages):
        raise ValueError("no text layer (scanned PDF)")
    lines = [ln for page in _strip_repeats(pages) for ln in page]
    return "\n".join(_reflow(lines))


# -- DOCX -------------------------------------------------------------------------------------------


def _docx_text(data: bytes, limits: Limits | None = None) -> str:
    """Paragraphs and table rows in body order; a row is its cells joined by " | " like page tables."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(block, doc).text.strip()
            if text:
                lines.append(text)
        elif tag == "tbl":
            for row in Table(block, doc).rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    # merged cells appear once per grid column in python-docx; keep them once
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text.strip())
                if any(cells):
                    lines.append(" | ".join(cells))
    return "\n".join(lines)


# -- legacy DOC / WPS (Word 97 binary) ---------------------------------------------------------------


def _doc_text(data: bytes, limits: Limits | None = None) -> str:
    """Text of a Word 97–2003 binary file from its piece table (no external converter needed).

    The FIB at the start of the WordDocument stream points at the CLX in the 0Table/1Table stream; each
    piece says where its characters are and whether they are cp1252 bytes or UTF-16LE.
    """
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(data))
    if not ole.exists("WordDocument"):
        raise ValueError("unsupported format: no WordDocument stream")
    word = ole.openstream("WordDocument").read()
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    table_name = "1Table" if flags & 0x0200 else "0Table"
    if not ole.exists(table_name):
        raise ValueError("unsupported format: no table stream")
    table = ole.openstream(table_name).read()
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc blocks (property modifiers) come first
        pos += 3 + struct.unpack_from("<H", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ValueError("unsupported format: no piece table")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts = []
    for i in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        count = cps[i + 1] - cps[i]
        if fc & 0x40000000:
            start = (fc & ~0x40000000) // 2
            parts.append(word[start : start + count].decode("cp1252", errors="replace"))
        else:
            parts.append(word[fc : fc + 2 * count].decode("utf-16-le", errors="replace"))
    text = "".join(parts)
    # \r ends a paragraph, \x07 ends a table cell (twice at row end), \x0b is a manual line break;
    # field codes (\x13 … \x14 result \x15) keep only their result.
    text = re.sub("\x13[^\x14\x15]*\x14?", "", text).replace("\x15", "")
    text = text.replace("\x07\x07", "\r").replace("\x07", " | ").replace("\x0b", "\r")
    text = re.sub(r"[\x00-\x08\x0c\x0e-\x1f]", "", text)
    return "\n".join(ln.strip() for ln in text.split("\r") if ln.strip())


# -- OFD (GB/T 33190, zip + XML) ---------------------------------------------------------------------


def _ofd_text(data: bytes, limits: Limits | None = None) -> str:
    """Text of every TextCode, page by page in document order, one line per baseline (Y position)."""
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()

    def page_no(name: str) -> tuple[int, str]:
        # matches "Doc_0/Pages/Page_12/Content.xml" → 12
        m = re.search(r"Page_(\d+)/Content\.xml$", name)
        return (int(m.group(1)) if m else 0, name)

    pages = sorted((n for n in names if n.endswith("Content.xml") and "/Pages/" in n), key=page_no)
    limit = (limits or Limits()).max_pages
    if len(pages) > limit:
        raise DocumentLimitError(f"{len(pages)} pages > {limit} (limit of pages per document)")
    lines: list[str] = []
    for name in pages:
        root = ElementTree.fromstring(z.read(name))
        rows: dict[float, list[tuple[float, str]]] = {}
        for obj in root.iter():
            if not obj.tag.endswith("TextObject"):
                continue
            box = [float(v) for v in (obj.get("Boundary") or "0 0 0 0").split()[:2]]
            for code in obj:
                if not code.tag.endswith("TextCode") or not code.text:
                    continue
                y = round(box[1] + float(code.get("Y") or 0), 0)
                x = box[0] + float(code.get("X") or 0)
                rows.setdefault(y, []).append((x, code.text))
        for y in sorted(rows):
            lines.append("".join(t for _, t in sorted(rows[y])).strip())
    lines = [ln for ln in lines if ln]
    if not lines:
        raise ValueError("no text in OFD")
    return "\n".join(lines)


_READERS = {
    "pdf": _pdf_text,
    "docx": _docx_text,
    "doc": _doc_text,
    "wps": _doc_text,
    "ofd": _ofd_text,
}


def read_document(data: bytes, ftype: str, limits: Limits | None = None) -> str:
    """The file's text, read in this process: what a reader process (crawler/docworker.py) runs.

    Raises ValueError with the reason, DocumentLimitError for a limit."""
    from crawler.docguard import nesting_tripped

    reader = _READERS.get(ftype)
    if reader is None:
        raise ValueError(f"unsupported format: {ftype}")
    limits = limits or Limits()
    if ftype in ("docx", "ofd"):
        from crawler.zipguard import check_zip

        # zip bombs are refused before python-docx or the OFD reader inflate anything
        check_zip(data, max_inflated=limits.max_inflated)
    nesting_tripped(reset=True)
    try:
        text = reader(data, limits)
    finally:
        tripped = nesting_tripped(reset=True)
    if tripped:  # the parser refused a nesting depth, even if the reader carried on without it
        raise DocumentLimitError(tripped)
    return text


def extract_text(data: bytes, ftype: str, limits: Limits | None = None) -> str:
    """The file's text, read by a reader process under `limits`; raises ValueError("unsupported
    format: …") for types we cannot read and DocumentLimitError (a ValueError) for limits."""
    if ftype not in _READERS:
        raise ValueError(f"unsupported format: {ftype}")
    from crawler.docworker import get_pool

    return get_pool(limits).read(ftype, data)


def read_attachment(
    data: bytes,
    url: str,
    content_type: str = "",
    files_dir: Path | None = FILES_DIR,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Everything the attachments table keeps about one downloaded file."""
    row: dict[str, Any] = {"size": len(data), "type": None, "sha256": None, "path": None}
    row["text"] = None
    row["error"] = None
    if len(data) > MAX_BYTES:
        row["error"] = f"too large: {len(data)} bytes > {MAX_BYTES}"
        return row
    ftype = sniff_type(data, url, content_type)
    row["type"] = ftype
    if files_dir is not None:
        row["sha256"], row["path"] = store_file(data, ftype, files_dir)
    else:
        row["sha256"] = hashlib.sha256(data).hexdigest()
    if not data:
        row["error"] = f"{ftype}: empty file"
        return row
    try:
        row["text"] = extract_text(data, ftype, limits)
    except (
        Exception
    ) as exc:  # a broken file is a recorded fact about the portal, not a crawl failure
        msg = str(exc)
        row["error"] = msg if msg.startswith("unsupported format") else f"{ftype}: {msg}"
    scan = not row["error"] or "no text layer" in row["error"]
    if ftype == "pdf" and scan and not (row["text"] or "").strip():
        # A scan: no text layer. OCR (its own child process, memory and time limits) reads it.
        from archive.tables.ocr import ocr_pdf_text

        text = ocr_pdf_text(data)
        if text:
            row["text"], row["text_source"], row["error"] = text, "ocr", None
    return row


# A page body that is only the attachment stub: matches "附件：2023年年度报告.pdf", "附件:【点击下载】",
# "附件下载：", "相关附件", "点击下载附件" (possibly with the file names on the following lines).
_STUB_LINE_RE = re.compile(
    r"^(?:相关)?附件(?:下载)?\s*[:：]?|点击下载|\.(?:pdf|docx?|wps|ofd|xlsx?)\b", re.I
)


def body_is_attachment_stub(text: str) -> bool:
    """True when the page text says nothing but where the attachment is (or is empty)."""
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return all(_STUB_LINE_RE.search(ln) and len(ln) <= 80 for ln in lines)


class AttachmentPipeline:
    """Between extraction and classification: downloads each attachment once, stores it, reads its text.

    When the page body is only the 附件 stub, the report's text becomes the attachments' text; otherwise
    their text is kept in `attachment_text` so it is searchable without changing the page's own text.

    Reading runs in a thread pool of its own (one thread per reader process), which waits on the reader
    processes: the reactor goes on downloading while a file is read, and the threads Twisted uses for
    DNS are never all waiting for a slow PDF.
    """

    def __init__(self, crawler, files_dir: Path, limits: Limits | None = None):
        self.crawler = crawler
        self.files_dir = files_dir
        self.limits = limits or Limits()
        self._threads = None

    @classmethod
    def from_crawler(cls, crawler):
        files_dir = crawler.settings.get("NIANBAO_FILES_DIR")
        if not files_dir:
            db = getattr(crawler.spider, "db", None) or crawler.settings.get("NIANBAO_DB")
            files_dir = Path(db).parent / "files" if db else FILES_DIR
        return cls(crawler, Path(files_dir), Limits.from_settings(crawler.settings))

    async def _read(self, data: bytes, url: str, ctype: str) -> dict[str, Any]:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet import reactor, threads
        from twisted.python.threadpool import ThreadPool

        if self._threads is None:
            self._threads = ThreadPool(0, max(1, int(self.limits.workers)), "nianbao-readers")
            self._threads.start()
        deferred = threads.deferToThreadPool(
            reactor, self._threads, read_attachment, data, url, ctype, self.files_dir, self.limits
        )
        return await maybe_deferred_to_future(deferred)

    def close_spider(self):
        from crawler.docworker import get_pool

        get_pool(self.limits).close()  # a read still running ends with an error at once
        if self._threads is not None:
            self._threads.stop()
            self._threads = None

    async def process_item(self, item):
        from scrapy import Request

        from crawler.items import ReportItem

        if not isinstance(item, ReportItem) or not item.get("attachments"):
            return item
        texts = []
        for att in item["attachments"]:
            try:
                response = await self.crawler.engine.download_async(
                    Request(
                        att["url"],
                        meta={"bureau_id": item.get("bureau_id"), "nianbao_attachment": True},
                    )
                )
            except Exception as exc:
                att.update(read_attachment(b"", att["url"], files_dir=None))
                att["error"] = f"download failed: {exc.__class__.__name__}: {exc}"
                continue
            if response.status >= 400:
                att["error"] = f"HTTP {response.status}"
                continue
            ctype = response.headers.get("Content-Type", b"").decode("latin-1")
            att.update(await self._read(response.body, att["url"], ctype))
            if response.meta.get("nianbao_warc"):  # crawler/warc.py: where the bytes are kept
                att["warc"] = response.meta["nianbao_warc"]
            self.crawler.stats.inc_value(f"nianbao/attachments_{att.get('type') or 'error'}")
            if att.get("text"):
                texts.append(att["text"])
        return merge_attachment_texts(item, texts)


def merge_attachment_texts(item, texts: list[str]):
    """A stub page's text becomes its attachments' text; otherwise their text is kept beside it.
    Shared with archive/reextract.py so a re-extraction decides exactly as the crawl did."""
    joined = "\n".join(texts)
    if joined and body_is_attachment_stub(item.get("text") or ""):
        item["text"] = joined
    else:
        item["attachment_text"] = joined
    return item
