"""Migration 8: whether a crawl run finished or was interrupted.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 8
NAME = "crawl run status: finished or interrupted"

STATEMENTS = [
    # finished / interrupted; NULL while the run is alive (archive/ingest.py, start_run and
    # finish_run). Runs closed before this migration keep the reason Scrapy gave them.
    "ALTER TABLE crawl_runs ADD COLUMN status TEXT",
    """UPDATE crawl_runs SET status = CASE
    WHEN coalesce(CASE WHEN json_valid(stats) THEN json_extract(stats, '$.finish_reason') END,
                  'finished') = 'finished' THEN 'finished' ELSE 'interrupted' END
WHERE "end" IS NOT NULL""",
]
