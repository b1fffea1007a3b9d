"""What every page of the reader shares: the database name, counts printed as integers, and whether this
archive file has a table yet (older files lack the newer ones, and a page must still render on them)."""

from __future__ import annotations

DATABASE = "archive"


def integer_text(value) -> str:
    """Counts as integers ("4", not "4.0"); a fractional figure (万元) keeps its decimals."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


async def table_exists(db, name: str) -> bool:
    found = await db.execute(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", [name]
    )
    return bool(found.rows)
