"""What a declared column and table are, in a leaf module so the table declarations and the helpers over
them can both import it."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DERIVED", "FETCH", "ITEM", "TRACKING", "Column", "Table"]

# Who fills a column, where the writer needs to know:
ITEM = "item"  # copied from the crawl item (or registry row); a difference makes a save "changed"
DERIVED = "derived"  # computed on save from the item (a hash, a length, an id); compared like ITEM
TRACKING = "tracking"  # bookkeeping written with every new or changed row, never compared
FETCH = "fetch"  # the item's fetch state, written by archive/versions.py on every save


@dataclass(frozen=True)
class Column:
    name: str
    decl: str  # as in CREATE TABLE after the name: "TEXT NOT NULL REFERENCES bureaus(id)"
    description: str  # Chinese; metadata.yml shows it as the column's tooltip
    role: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()  # a key over several columns; one-column keys sit in the decl

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)
