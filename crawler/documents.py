"""The text of the files reports are published as (PDF, DOCX, Word 97 DOC/WPS, OFD), read in this process.

These readers are what a reader process (crawler/docworker.py) runs under its limits; crawler/attachments.py
sends files to those processes. A leaf of both, so the reader process does not import the module that
starts it. Every reader raises ValueError with the reason, DocumentLimitError for a limit.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections import Counter
from xml.etree import ElementTree

from crawler.docguard import DocumentLimitError, Limits

__all__ = ["READERS", "read_document"]


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


READERS = {
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

    reader = READERS.get(ftype)
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
