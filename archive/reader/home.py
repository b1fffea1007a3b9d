"""The home page leads with what a reader came for: search, coverage, the bureaus and the comparison; the
tables follow in the order a reader looks for them."""

from __future__ import annotations

from archive.reader.common import DATABASE


async def home_vars(datasette) -> dict:
    db = datasette.get_database(DATABASE)
    one = await db.execute(
        "SELECT (SELECT count(*) FROM reports) AS reports, "
        "(SELECT count(*) FROM reports WHERE kind = 'annual_report') AS annual_reports, "
        "(SELECT min(year) FROM reports WHERE kind = 'annual_report') AS first_year, "
        "(SELECT max(year) FROM reports WHERE kind = 'annual_report') AS last_year"
    )
    coverage = await db.execute("SELECT status, count(*) AS n FROM coverage GROUP BY status")
    bureaus = await db.execute(
        "SELECT b.id, b.name, b.level, b.province, "
        "(SELECT count(*) FROM reports r WHERE r.bureau_id = b.id AND r.kind = 'annual_report') AS n "
        "FROM bureaus b ORDER BY b.province, b.level = 'county', b.level = 'city', b.name"
    )
    return {
        "home": dict(one.first()),
        "home_coverage": {r["status"]: r["n"] for r in coverage.rows},
        "home_bureaus": [dict(r) for r in bureaus.rows],
    }


_LEAD_TABLES = ["reports", "bureaus", "attachments", "report_images"]


def reader_order(tables: list[dict]) -> list[dict]:
    """Tables as a reader looks for them: the reports first, then bureaus, files, and the rest by name."""
    rank = {name: i for i, name in enumerate(_LEAD_TABLES)}
    return sorted(tables, key=lambda t: (rank.get(t["name"], len(rank)), t["name"]))
