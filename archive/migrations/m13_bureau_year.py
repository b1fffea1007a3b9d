"""Migration 13: an index on (bureau_id, year), for the carry-over check that runs on every save.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 13
NAME = "reports by bureau and year"

# Saving a report re-checks the carry-over of the same bureau's next-year report
# (archive/tables/store.py). With only idx_reports_year, SQLite read every report of that year — 1/18 of
# the archive — for each save: 82 % of the build's time at 265,000 reports, and growing with the archive.
STATEMENTS = [
    "CREATE INDEX idx_reports_bureau_year ON reports(bureau_id, year)",
]
