"""One entry for a file of any kind: the reader is picked by what the file is, not by its name.

It sits above both pdf.py and parse.py (a PDF's rows go through the same mapping as text and HTML), so
neither of those needs the other's entry point.
"""

from __future__ import annotations

import re
from pathlib import Path

from .parse import parse_html, parse_text
from .pdf import parse_pdf
from .result import TableResult

__all__ = ["parse_file"]


def parse_file(path: str | Path, year: int | None = None, ocr: bool = True) -> TableResult:
    """Pick the parser by what the file is: PDF by its magic bytes, HTML by its tags, else text."""
    path = Path(path)
    raw = path.read_bytes()
    if raw[:5] == b"%PDF-":
        return parse_pdf(path, year, ocr=ocr)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    if re.search(r"<(table|html|body|div|p)\b", text[:20000], re.IGNORECASE):
        return parse_html(text, year)
    return parse_text(text, year)
