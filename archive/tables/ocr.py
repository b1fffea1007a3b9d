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

from archive import heavywork

from .rows import Row

__all__ = ["ocr_images", "ocr_pdf", "ocr_pdf_text", "DPI", "MEMORY_MB", "SECONDS_PER_PAGE"]

DPI = 200
MEMORY_MB = 4096
SECONDS_PER_PAGE = 90
MAX_PAGES = (
    40  # an annual report has its tables in the first pages; a 300-page scan is not read whole
)
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # one page image; a 图片版 page is a few hundred kB to a few MB


class OCRError(RuntimeError):
    """OCR of a document failed (time or memory limit, unreadable file); the message says why."""


def _limits(memory_mb: int):
    def apply() -> None:
        import resource

        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return apply


def _run_worker(args: list[str], memory_mb: int, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "archive.tables.ocr_worker", *args]
    try:
        # one heavy child at a time, idle document readers let go first (archive/heavywork.py)
        with heavywork.LOCK:
            heavywork.make_room()
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
    args = [str(path), ",".join(map(str, pages)), str(dpi)]
    got = _run_worker(args, memory_mb, 20 + seconds_per_page * len(pages))
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


def ocr_images(
    paths: list[str | Path],
    memory_mb: int = MEMORY_MB,
    seconds_per_page: float = SECONDS_PER_PAGE,
) -> list[dict]:
    """The pages of a 图片版 report read from its image files, in the order given: one dict per image,
    {"text", "rows", "seconds", "angle"} or {"error": why}. At most MAX_PAGES images are read (the
    rest are {"error": …}); an image over MAX_IMAGE_BYTES is refused before the child sees it.
    Raises OCRError when the child process fails or runs out of time."""
    out: list[dict] = [{} for _ in paths]
    todo: list[tuple[int, str]] = []
    for n, path in enumerate(paths):
        if n >= MAX_PAGES:
            out[n] = {"error": f"not read: more than {MAX_PAGES} images"}
            continue
        size = Path(path).stat().st_size
        if size > MAX_IMAGE_BYTES:
            out[n] = {"error": f"too large for OCR: {size} bytes > {MAX_IMAGE_BYTES}"}
            continue
        todo.append((n, str(path)))
    if todo:
        timeout = 20 + seconds_per_page * len(todo)
        got = _run_worker(["--images", *(p for _, p in todo)], memory_mb, timeout)
        for k, (n, _) in enumerate(todo, 1):
            page = got.get(str(k)) or {"error": "no result from the OCR worker"}
            if "rows" in page:
                rows = [Row(r["cells"], r["positional"], "ocr", n + 1, r.get("conf"))
                        for r in page["rows"]]  # fmt: skip
                page = page | {"rows": rows}
            out[n] = page
    return out
