"""Migration 11: an index in the reports table's page order, newest 发布日期 first, ties by id.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 11
NAME = "reports in page order: published newest first, ties by id"

# The reports table's pages are ordered by (published DESC, id), so that a next-page link, which resumes
# after the last row's (published, id), neither skips nor repeats the reports sharing a date
# (archive/reader/tablesearch.py). idx_reports_published alone yields ties by rowid: SQLite then reads and
# sorts every match for each page (a search in most of 100,000 reports: past Datasette's 1 s limit, HTTP
# 400); in this order it reads one page of the index and stops (≈ 20 ms at 100,000 reports). In a DESC
# index NULL sorts last, as ORDER BY published DESC puts it. The search page keeps idx_reports_published
# (its ties go by rowid, the order that index holds them in).
STATEMENTS = [
    "CREATE INDEX idx_reports_published_id ON reports(published DESC, id)",
]
