"""Migration 7: the report column discovery chose; the subordinate unit of a report.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 7
NAME = "discovered report column on bureaus; subordinate unit of a report"

STATEMENTS = [
    # the annual-report column that discovery chose for a homepage-only registry row, the link
    # that led there ("「政府信息公开年报」 on http://…/zwgk/index.html") and when
    "ALTER TABLE bureaus ADD COLUMN discovered_column TEXT",
    "ALTER TABLE bureaus ADD COLUMN discovered_from TEXT",
    "ALTER TABLE bureaus ADD COLUMN discovered_at TEXT",
    # the unit under the bureau whose report this is (某某市公路事业发展中心), NULL for the bureau's own
    "ALTER TABLE reports ADD COLUMN subordinate_unit TEXT",
]
