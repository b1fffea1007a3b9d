"""How Python code opens an archive file, in a module of its own so that writers, readers and tests share one
way in without the schema and the search helpers importing each other."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from archive.schema import ensure_db_shape
from archive.search import register_functions

__all__ = ["open_db"]


def open_db(path: str | Path) -> sqlite_utils.Database:
    """The tokenizer and the search page's SQL functions registered, the file brought to the current shape:
    an archive opened any other way cannot write to the search index."""
    db = sqlite_utils.Database(path)
    register_functions(db.conn)
    ensure_db_shape(db)
    return db
