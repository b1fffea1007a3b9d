"""Attachments: fetch, store by content hash, and read the text of the files reports are published as.

Many bureaus publish the annual report only as a file (PDF, Word, OFD) linked under 附件 on an otherwise
empty page, so an archive that keeps only the HTML keeps nothing. Files are stored once under
`data/files/` named by their sha256 (the same PDF linked from two pages is one file), with a size limit so
a stray video link cannot fill the disk. A format we cannot read is recorded as an error on the attachment
row, never dropped silently: the file is still stored, and someone can read it later.

The page→record chain (crawler/record.py) fetches the links `extract_page` found — through Scrapy's
engine in a crawl (downloader middlewares, politeness and robots rules apply), from the WARC records in a
re-extraction — and hands the bytes to `read_attachment`; the spider stays unaware of attachments.

Files are read under limits (crawler/docguard.py): decompressed bytes, pages, nesting depth, and the
memory, CPU and wall time of a reader process of their own (crawler/docworker.py, running the readers of
crawler/documents.py). A compression bomb, a 5,000-page PDF or a page tree 20,000 levels deep is an
error on the attachment row, like a broken file.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from crawler.docguard import Limits
from crawler.documents import READERS, read_document

__all__ = [
    "MAX_BYTES",
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
        # one name per process: reextract's workers (or two crawl workers) may store the same file at once,
        # and with a shared name one would rename the other's half-written file or find it gone
        tmp = dest.with_suffix(f"{dest.suffix}.{os.getpid()}.part")
        tmp.write_bytes(data)
        tmp.replace(dest)
    return digest, rel


def extract_text(data: bytes, ftype: str, limits: Limits | None = None) -> str:
    """The file's text, read by a reader process under `limits`; raises ValueError("unsupported
    format: …") for types we cannot read and DocumentLimitError (a ValueError) for limits."""
    if ftype not in READERS:
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


def merge_attachment_texts(item, texts: list[str]):
    """A stub page's text becomes its attachments' text; otherwise their text is kept beside it, so it is
    searchable without changing the page's own text."""
    joined = "\n".join(texts)
    if joined and body_is_attachment_stub(item.get("text") or ""):
        item["text"] = joined
    else:
        item["attachment_text"] = joined
    return item
