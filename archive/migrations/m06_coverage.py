"""Migration 6: the coverage view.

Frozen (see archive/migrations/__init__.py): existing archive files were made with exactly these statements.
"""

from __future__ import annotations

NUMBER = 6
NAME = "coverage view: bureau x year, published / late / missing"

# Each bureau must publish its report for year Y by 31 January of Y+1. A year counts
# from the bureau's first annual report we hold up to the last year whose deadline has passed today (a report
# published early for a later year is shown too); `published` after the deadline is late, no annual_report is
# missing. The deadline moves with date('now'), so the view is always as of the moment it is read.
COVERAGE_VIEW = """
CREATE VIEW coverage AS
WITH RECURSIVE
asof AS (
    SELECT CAST(strftime('%Y', 'now') AS INTEGER) - 1 - (strftime('%m-%d', 'now') <= '01-31')
        AS last_complete_year
),
got AS (
    -- the earliest-published annual report of each bureau and year (bare columns follow min())
    SELECT bureau_id, year, count(*) AS reports, min(coalesce(published, '9999')) AS sort_key,
           published, id AS report_id, title, url
    FROM reports WHERE kind = 'annual_report' AND year IS NOT NULL
    GROUP BY bureau_id, year
),
bounds AS (SELECT bureau_id, min(year) AS first_year, max(year) AS last_year FROM got GROUP BY bureau_id),
years(bureau_id, year, last_year) AS (
    SELECT b.bureau_id, b.first_year, max(b.last_year, a.last_complete_year) FROM bounds b, asof a
    UNION ALL
    SELECT bureau_id, year + 1, last_year FROM years WHERE year < last_year
)
SELECT y.bureau_id, bu.name AS bureau, bu.province, bu.level, y.year,
       CASE WHEN g.report_id IS NULL THEN 'missing'
            WHEN g.published > (y.year + 1) || '-01-31' THEN 'late'
            ELSE 'published' END AS status,
       (y.year + 1) || '-01-31' AS deadline,
       g.published,
       CASE WHEN g.published > (y.year + 1) || '-01-31'
            THEN CAST(julianday(g.published) - julianday((y.year + 1) || '-01-31') AS INTEGER)
            END AS days_late,
       coalesce(g.reports, 0) AS reports, g.report_id, g.title, g.url
FROM years y
JOIN bureaus bu ON bu.id = y.bureau_id
LEFT JOIN got g ON g.bureau_id = y.bureau_id AND g.year = y.year
WHERE g.report_id IS NOT NULL OR y.year <= (SELECT last_complete_year FROM asof)"""

STATEMENTS = [COVERAGE_VIEW]
