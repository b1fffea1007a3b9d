"""How fast the statutory-tables parser reads one report in each form it arrives in.

Run: .venv/bin/python bench/tables.py [--rounds N]. Prints reports/s per input form and the ratio to the
fastest form, so a change that slows one form down (the PDF path is dominated by pdfplumber's layout
analysis) shows up as a figure, not as a slow test.
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3, help="passes over the sample reports per form")
    args = ap.parse_args()
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
