"""Datasette plugin `nianbao`: Chinese full-text search in Datasette's own search box.

reports_fts is tokenized by `nianbao_cjk`, which lives in Python, so SQLite can only read or write that index
on a connection where the tokenizer was registered. Datasette opens many connections — one per executor thread
per database, a write connection, the in-memory `_internal` schema database and a throwaway one for
/-/versions — and runs `prepare_connection` on each of them, mutable, immutable (-i) or in memory alike.
Registering on every one means table counts, facets and `?_search=` all work wherever Datasette runs them.
"""

from __future__ import annotations

from datasette import hookimpl

from archive.search import register_tokenizer


@hookimpl
def prepare_connection(conn):
    register_tokenizer(conn)
