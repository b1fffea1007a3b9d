"""The archive's tables as they are now, declared once as data: every column with its SQLite declaration, what
it means (in Chinese, as Datasette shows it) and who fills it.

The statements that build a file are the frozen migrations (archive/migrations/); this is what they add up to,
and tests/test_shape.py proves it: a file built from `ddl()` has the same columns, types, defaults, keys and
references as one built by the migrations. The field lists the writer copies and compares
(archive/ingest.py), the crawl item's fields (crawler/items.py) and the column descriptions of metadata.yml
are derived from or checked against this table, so a column added by a migration but not declared here, or
described in one place only, fails a test instead of drifting.
"""

from __future__ import annotations

from archive.shape import crawl, reports, stats
from archive.shape.model import DERIVED, FETCH, ITEM, TRACKING, Column, Table

__all__ = [
    "DERIVED",
    "FETCH",
    "ITEM",
    "TABLES",
    "TRACKING",
    "Column",
    "Table",
    "column_names",
    "ddl",
    "table",
]

# Table order is the order a reader meets them: the registry and runs, the reports, the statutory tables.
TABLES: tuple[Table, ...] = (*crawl.TABLES, *reports.TABLES, *stats.TABLES)

_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    return _BY_NAME[name]


def column_names(name: str, *roles: str) -> tuple[str, ...]:
    """The table's columns in table order, only those filled in one of `roles` when any are given."""
    return tuple(c.name for c in table(name).columns if not roles or c.role in roles)


def ddl(name: str) -> str:
    """CREATE TABLE for the table as declared here: what a file built by every migration amounts to."""
    t = table(name)
    lines = [f"    {c.name} {c.decl}".rstrip() for c in t.columns]
    if t.primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(t.primary_key)})")
    return f"CREATE TABLE {name} (\n" + ",\n".join(lines) + "\n)"
