"""How fast the statutory-tables parser reads one report in each form, and how right it is on the hard corpus.

Run: .venv/bin/python bench/tables.py [--rounds N]. Prints reports/s per input form and the ratio to the
fastest form, so a change that slows one form down (the PDF path is dominated by pdfplumber's layout
analysis) shows up as a figure, not as a slow test.

.venv/bin/python bench/tables.py --corpus [--old PATH] [--no-scans] scores every document of
tests/corpus/tables (goldens from the content model) per shape: cells right, files whose lost cells went
unsaid (complete: true with a wrong cell), and OCR seconds per page. --old PATH scores a copy of an
earlier single-module parser (e.g. the archive/tables.py of an older commit saved outside the tree) on
the same documents, for a before/after figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_tables import _html, _one_cell_per_line, _statutory_reports  # noqa: E402

from archive.tables import parse_html, parse_pdf, parse_text  # noqa: E402
from sample_portals.model import golden_text  # noqa: E402
from sample_portals.table_pdf import report_pdf  # noqa: E402


def _score_corpus(parse, scans: bool) -> dict:
    import json

    corpus = ROOT / "tests" / "corpus" / "tables"
    goldens = json.loads((corpus / "goldens.json").read_text(encoding="utf-8"))
    out: dict = {}
    for name, g in sorted(goldens.items()):
        if g["shape"] == "scan" and not scans:
            continue
        start = time.perf_counter()
        result = parse(corpus / name, g["year"])
        seconds = time.perf_counter() - start
        got = {(c["section"], c["item_code"], c["col_label"]): c["value"] for c in result.cells}
        want = {tuple(k.split("|")): v for k, v in g["cells"].items()}
        right = sum(1 for k, v in want.items() if k in got and got[k] == v)
        extra = sum(1 for k, v in got.items() if v is not None and k not in want)
        row = out.setdefault(g["shape"], {"files": 0, "cells": 0, "right": 0, "extra": 0,
                                          "silent": 0, "seconds": 0.0, "pages": 0})  # fmt: skip
        row["files"] += 1
        row["cells"] += len(want) + extra
        row["right"] += right
        row["extra"] += extra
        row["seconds"] += seconds
        complete = getattr(result, "complete", True)
        if (right < len(want) or extra) and complete:
            row["silent"] += 1
        ocr = getattr(result, "ocr", None)
        if ocr:
            row["pages"] += len(ocr.get("ocr_pages") or [])
    return out


def corpus_report(old: str | None, scans: bool) -> None:
    from archive.tables import parse_file

    runs = {"now": parse_file}
    if old:
        import importlib.util

        spec = importlib.util.spec_from_file_location("nianbao_old_tables", old)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
        runs = {"before": module.parse_file, **runs}
    print(f"{'parser':8} {'shape':6} {'files':>5} {'cells':>6} {'right':>6} {'%':>7} {'silent':>6} "
          f"{'s/page':>7}")  # fmt: skip
    for label, parse in runs.items():
        for shape, r in _score_corpus(parse, scans).items():
            per_page = f"{r['seconds'] / r['pages']:7.1f}" if r["pages"] else "      -"
            print(f"{label:8} {shape:6} {r['files']:5} {r['cells']:6} {r['right']:6} "
                  f"{100 * r['right'] / r['cells']:6.1f}% {r['silent']:6} {per_page}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="passes over the sample reports per form")
    ap.add_argument("--corpus", action="store_true", help="score the hard corpus instead")
    ap.add_argument("--old", default=None, help="a copy of an earlier parser module to compare")
    ap.add_argument("--no-scans", action="store_true", help="leave out the scans (no OCR)")
    args = ap.parse_args()
    if args.corpus:
        corpus_report(args.old, not args.no_scans)
        return
    items = [it for it in _statutory_reports() if it.seed is None]
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    pdfs = []
    for n, it in enumerate(items):
        path = tmp / f"{n}.pdf"
        path.write_bytes(report_pdf(it))
        pdfs.append(path)
    forms = {
        "HTML with rowspans": [(parse_html, _html(it), it.year) for it in items],
        "archive text (' | ' rows)": [(parse_text, golden_text(it), it.year) for it in items],
        "one cell per line": [(parse_text, _one_cell_per_line(it), it.year) for it in items],
        "PDF, ruled tables": [(parse_pdf, p, it.year) for p, it in zip(pdfs, items, strict=True)],
    }
    rates = {}
    for name, jobs in forms.items():
        start = time.perf_counter()
        for _ in range(args.rounds):
            for parse, source, year in jobs:
                parse(source, year)
        rates[name] = len(jobs) * args.rounds / (time.perf_counter() - start)
    fastest = max(rates.values())
    print(f"{len(items)} sample reports x {args.rounds} rounds")
    print(f"{'form':28} {'reports/s':>10} {'vs fastest':>11}")
    for name, rate in rates.items():
        print(f"{name:28} {rate:10.1f} {rate / fastest:10.2f}x")


if __name__ == "__main__":
    main()
