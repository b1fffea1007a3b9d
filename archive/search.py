"""Chinese full-text search for the archive: queries, counts and the snippet the search page shows.

The tokenizer that makes the index answer Chinese queries lives in archive/tokenizer.py (see its docstring
and docs/search.md); it is re-exported here for callers that used to find it in this module.
"""

from __future__ import annotations

import re
import sqlite3

import sqlite_utils

from archive.textnorm import normalize
from archive.tokenizer import (
    FTS_TABLE,
    MAX_MATCH_BYTES,
    CJKCharTokenizer,
    register_tokenizer,
)

__all__ = [
    "CJKCharTokenizer",
    "MAX_MATCH_BYTES",
    "count",
    "fts_query",
    "optimize_index",
    "register_functions",
    "register_tokenizer",
    "search",
    "snippet",
]


# The terms of a search-box query as Datasette's escape_fts cuts them: whitespace separates terms, a "quoted
# part" is one term even with spaces in it. '交通 "年度 报告"' → 交通, 年度 报告.
_TERMS_RE = re.compile(r'"([^"]*)"|(\S+)')

# Bounds of the search page's SQL functions, which any visitor's SQL can call with any argument. Queries are
# a few words: a 60 MB query argument took 90 s to normalize. Texts are what the archive stores (reports with
# their attachments' text run to a few hundred thousand characters); a hit further in than MAX_TEXT_CHARS
# shows the text's start instead of a passage.
MAX_QUERY_CHARS = 500
MAX_TERMS = 20
MAX_TEXT_CHARS = 2_000_000


def snippet(text: str | None, query: str | None, width: int = 40) -> str:
    """About 2×width characters of `text` around the first hit of the query's terms, every hit in that window
    wrapped in <mark>…</mark>: the passage the search page shows under each report.

    The search page shows reports FTS5 already matched, so finding the hit needs no tokenizer: `text` is the
    normalized text and the terms are normalized the same way, then found with str.find. FTS5's own snippet()
    would re-tokenize every shown report through our Python tokenizer, one call per character of a report
    that may run to 20,000 characters.
    """
    if not text:
        return ""
    text = text if isinstance(text, str) else str(text)  # SQL may pass a number or a blob
    query = query if isinstance(query, str) else ("" if query is None else str(query))
    terms = {
        normalize(quoted or bare.strip('"')).lower()  # an unpaired quote is no part of the term
        for quoted, bare in _TERMS_RE.findall(query[:MAX_QUERY_CHARS])
    }
    # longest first, so that where 交通运输 and 交通 both match, 交通运输 is marked
    needles = sorted(terms - {""}, key=len, reverse=True)[:MAX_TERMS]
    full_length = len(text)
    text = text[:MAX_TEXT_CHARS]
    hay = text.lower()
    if len(hay) != len(text):  # a character whose lower case is longer (İ): match case as typed
        hay = text
    found = [i for i in (hay.find(n) for n in needles) if i >= 0]
    if not found:
        return text[: 2 * width].replace("\n", " ") + ("…" if full_length > 2 * width else "")
    start = max(0, min(found) - width)
    end = min(len(text), min(found) + max(len(n) for n in needles) + width)
    window, hay_window = text[start:end], hay[start:end]
    pattern = re.compile("|".join(re.escape(n) for n in needles))
    out, pos = [], 0
    for m in pattern.finditer(hay_window):
        out += [window[pos : m.start()], "<mark>", window[m.start() : m.end()], "</mark>"]
        pos = m.end()
    out.append(window[pos:])
    passage = "".join(out).replace("\n", " ")
    return ("…" if start else "") + passage + ("…" if end < full_length else "")


def register_functions(conn: sqlite3.Connection | sqlite_utils.Database) -> None:
    """The tokenizer plus the SQL function nianbao_snippet(text_normalized, q) the search page uses."""
    if isinstance(conn, sqlite_utils.Database):
        conn = conn.conn
    register_tokenizer(conn)
    conn.create_function("nianbao_snippet", 2, snippet, deterministic=True)


def fts_query(query: str) -> str:
    """Quote each whitespace-separated term as an FTS5 phrase, as Datasette's search box does, so that
    punctuation or words like OR/NOT/NEAR in a query are searched for, not interpreted."""
    terms = [t.replace('"', '""') for t in query.split()]
    return " ".join(f'"{t}"' for t in terms)


def count(db: sqlite_utils.Database, query: str) -> int:
    """How many reports contain every term of the query."""
    match = fts_query(query)
    if not match:
        return 0
    return db.execute(
        f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?", [match]
    ).fetchone()[0]


def optimize_index(conn: sqlite3.Connection | sqlite_utils.Database) -> None:
    """Merge the search index into one segment (FTS5 'optimize').

    Reports are saved one transaction (or one batch) at a time, and each leaves a small FTS5 segment that
    automerge folds together only a few at a time, so a freshly built archive holds many: every query reads
    each term's doclist from every one. After a bulk build or a re-extraction one optimize pass leaves one
    segment per term (bench/search.py --optimize measures what that buys)."""
    if isinstance(conn, sqlite_utils.Database):
        conn = conn.conn
    register_tokenizer(conn)
    with conn:
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES('optimize')")


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict]:
    """Reports containing every term of the query, best match first, with a snippet around the hit."""
    match = fts_query(query)
    if not match:
        return []
    sql = f"""
        SELECT r.id, r.bureau_id, r.kind, r.year, r.title, r.published, r.url,
               snippet({FTS_TABLE}, -1, '【', '】', '…', 24) AS snippet
        FROM {FTS_TABLE} JOIN reports r ON r.rowid = {FTS_TABLE}.rowid
        WHERE {FTS_TABLE} MATCH ?
        ORDER BY {FTS_TABLE}.rank
        LIMIT ?
    """
    cursor = db.execute(sql, [match, limit])
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
