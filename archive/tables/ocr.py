"""Pages with no text layer (scans, 图片版 reports) read by OCR, offline, in a child process with limits.

rapidocr-onnxruntime 1.4 carries its recognition models inside the wheel, so nothing is fetched at run
time; pypdfium2 renders the PDF page. The page is straightened (the table's long rules give the skew),
its ruled grid is found from the rules (ocr_grid.py), every cell's ink is recognised on its own (a
whole-line OCR would run a row's figures together), and the text between tables is read line by line.
The result is rows of the same shape the PDF reader gives (method "ocr", one confidence per cell), so the
template mapping is the same; and the page text, which becomes the searchable text of a scan.

OCR runs in its own process with an address-space and a time limit, so a hostile or huge scan can
neither exhaust the machine nor hang a crawl: a page that fails is an error with its reason.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .rows import Row

__all__ = ["ocr_pdf", "ocr_pdf_text", "DPI", "MEMORY_MB", "SECONDS_PER_PAGE"]

DPI = 200
MEMORY_MB = 4096
SECONDS_PER_PAGE = 90
MAX_PAGES = (
    40  # an annual report has its tables in the first pages; a 300-page scan is not read whole
)


class OCRError(RuntimeError):
    """OCR of a document failed (time or memory limit, unreadable file); the message says why."""


def _limits(memory_mb: int):
    def apply() -> None:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return apply


def _run_worker(path: Path, pages: list[int], dpi: int, memory_mb: int, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "archive.tables.ocr_worker", str(path), ",".join(map(str, pages)),
           str(dpi)]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            timeout=timeout,
            preexec_fn=_limits(memory_mb),
            cwd=Path(__file__).resolve().parents[2],
        )
    except subprocess.TimeoutExpired as exc:
        raise OCRError(f"OCR time limit of {timeout:.0f} s exceeded") from exc
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise OCRError(f"OCR worker exited with {proc.returncode}: {tail[0][:300]}")
    return json.loads(proc.stdout.decode("utf-8"))


def ocr_pdf(
    path: str | Path,
    pages: list[int] | None = None,
    dpi: int = DPI,
    memory_mb: int = MEMORY_MB,
    seconds_per_page: float = SECONDS_PER_PAGE,
) -> dict[int, dict]:
    """{page number (from 1): {"rows": [Row], "text": str, "seconds": float, "angle": float}} for the
    given pages (default: all). Raises OCRError when the child process fails or runs out of time."""
    path = Path(path)
    if pages is None:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        pages = list(range(1, min(len(pdf), MAX_PAGES) + 1))
        pdf.close()
    pages = pages[:MAX_PAGES]
    if not pages:
        return {}
    got = _run_worker(path, pages, dpi, memory_mb, 20 + seconds_per_page * len(pages))
    out = {}
    for number, page in got.items():
        rows = [
            Row(r["cells"], r["positional"], "ocr", int(number), r.get("conf"))
            for r in page["rows"]
        ]
        out[int(number)] = page | {"rows": rows}
    return out


def ocr_pdf_text(data: bytes, memory_mb: int = MEMORY_MB) -> str | None:
    """The text of a scanned PDF (its pages read by OCR), for an attachment whose PDF has no text
    layer; None when OCR fails. Tables come out one row per line, cells joined by " | ", like the
    archive text of a page."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            pages = ocr_pdf(tmp.name, memory_mb=memory_mb)
        except (OCRError, OSError, ValueError):
            return None
    return "\n".join(pages[n]["text"] for n in sorted(pages)).strip() or None
