"""Bringing an archive file to the current shape, and the ids its rows are keyed by.

Every writer (the crawl pipeline, tests, benchmarks) goes through `ensure_db_shape`, so an archive file built
by any of them has the same shape. A new file is made by running every migration (archive/migrations/), an old
one by running the ones it lacks, so both end with the same sqlite_master (tests/test_shape.py). What the
columns are and mean is declared in archive/shape.py; the `_migrations` table says which steps a file has seen.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlite_utils

from archive.migrations import MIGRATIONS
from archive.tokenizer import FTS_TABLE, TOKENIZER, register_tokenizer
from archive.urls import canonical_url

__all__ = [
    "MIGRATIONS",
    "FTS_TABLE",
    "TOKENIZER",
    "canonical_url",
    "ensure_db_shape",
    "rebuild_fts",
    "report_id",
    "stable_id",
    "transaction",
]


def stable_id(*parts: str) -> str:
    """A short id that is the same on every machine and every re-crawl, so links into the archive last."""
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()[:16]


def report_id(url: str) -> str:
    """Reports are identified by where they live; the canonical URL makes trivially different links agree."""
    return stable_id(canonical_url(url))


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """An explicit BEGIN/COMMIT: the sqlite3 module only opens transactions implicitly before DML, so
    without it a migration's CREATE statements or an ingest's FTS delete+insert would not be atomic."""
    if conn.in_transaction:
        # Nested use joins the caller's transaction, which commits or rolls back as a whole.
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _connection(db: sqlite_utils.Database | sqlite3.Connection) -> sqlite3.Connection:
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def ensure_db_shape(
    db: sqlite_utils.Database | sqlite3.Connection, upto: int | None = None
) -> list[int]:
    """Bring any archive file, new or old, to the current shape; return the migrations it applied.

    Safe to call on every open: a file already up to date is not written to at all (journal_mode=wal is
    persistent in the file and setting it again is a no-op). `upto` stops after that migration, so a test can
    build a file as an older release left it.
    """
    conn = _connection(db)
    # Creating the FTS table needs the tokenizer on this connection.
    register_tokenizer(conn)
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode=wal")
    conn.execute("PRAGMA foreign_keys=ON")
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='_migrations'"
    ).fetchone()
    if not has_table:
        with transaction(conn):
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
    done = {row[0] for row in conn.execute("SELECT id FROM _migrations")}
    applied = []
    for number, name, statements in MIGRATIONS:
        if number in done or (upto is not None and number > upto):
            continue
        with transaction(conn):
            for sql in statements:
                conn.execute(sql)
            conn.execute(
                "INSERT INTO _migrations (id, name, applied_at) VALUES (?, ?, ?)",
                (number, name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        applied.append(number)
    return applied


def rebuild_fts(db: sqlite_utils.Database | sqlite3.Connection) -> None:
    """Re-derive the whole search index from reports; for files edited by tools that bypass ingest."""
    conn = _connection(db)
    register_tokenizer(conn)
    with transaction(conn):
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
