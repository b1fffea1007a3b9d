"""The archive's shape as numbered steps, each frozen once released: a file records the numbers it has applied
(`_migrations`) and archive/schema.py runs the rest, so a new file and one written years ago end with the
same tables.

A step is a module `mNN_name.py` with NUMBER, NAME and STATEMENTS written out literally: no step is built
from another module's constants, so nothing edited elsewhere can change what an old step creates. To change
the shape, add the next module here and to STEPS, and describe the new columns in archive/shape.py
(tests/test_shape.py holds the two together). Number 5 was never released.
"""

from __future__ import annotations

from archive.migrations import (
    m01_initial,
    m02_stats,
    m03_attachment_files,
    m04_incremental,
    m06_coverage,
    m07_discovery,
    m08_run_status,
    m09_report_texts,
    m10_stats_evidence,
    m11_published_order,
    m12_punctuation_pairs,
    m13_bureau_year,
)

__all__ = ["MIGRATIONS"]

STEPS = (
    m01_initial,
    m02_stats,
    m03_attachment_files,
    m04_incremental,
    m06_coverage,
    m07_discovery,
    m08_run_status,
    m09_report_texts,
    m10_stats_evidence,
    m11_published_order,
    m12_punctuation_pairs,
    m13_bureau_year,
)

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (m.NUMBER, m.NAME, list(m.STATEMENTS)) for m in STEPS
]
