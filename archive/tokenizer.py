"""The `nianbao_cjk2` FTS5 tokenizer, in a module of its own so that the schema (which creates the FTS
table) and the search helpers (which query it) both import it and neither imports the other.

Chinese has no spaces between words and the reports mix 繁体 and 简体, so no built-in SQLite tokenizer can
answer "which reports contain 交通" (see docs/search.md). `nianbao_cjk2` makes every character one token —
case-folded and folded traditional→simplified one character at a time — and every whitespace run one " "
token; two adjacent characters of which one is a punctuation mark are also indexed as the pair ("件，",
see CJKCharTokenizer). An FTS5 phrase ("交通", which is what Datasette's search box sends) then matches
exactly where the normalized text contains the query string, and never across a space ("交 通"). `nianbao_cjk` is the same without the
pairs: the index's tokenizer before migration 12, registered still because migrations 1–11 create tables
with it.

The tokenizer is Python called from SQLite through cffi (sqlitefts), because this machine's sqlite3 module
cannot load compiled extensions. Two lifetime rules follow, both handled here:
- SQLite holds raw pointers to our callbacks for as long as any connection lives, possibly until the very end
  of interpreter shutdown, so the callbacks are deliberately never freed.
- SQLite calls xDelete when a connection closes, which may happen while Python tears modules down; our
  xDelete therefore touches nothing (there is one shared, stateless tokenizer and nothing to free), unlike
  sqlitefts' own, which prints "'FFI' object has no attribute 'cast'" at that moment.
"""

from __future__ import annotations

import ctypes
import re
import sqlite3
import unicodedata

import sqlite_utils
from sqlitefts import fts5
from sqlitefts.tokenizer import ffi

from archive.textnorm import simplify_char

__all__ = [
    "FTS_TABLE",
    "LEGACY_TOKENIZER",
    "MAX_MATCH_BYTES",
    "TOKENIZER",
    "CJKCharTokenizer",
    "register_tokenizer",
]

TOKENIZER = "nianbao_cjk2"  # reports_fts since migration 12: characters plus punctuation pairs
LEGACY_TOKENIZER = "nianbao_cjk"  # characters only; the tables migrations 1–11 create
COLOCATED = fts5.FTS5_TOKEN_COLOCATED
FTS_TABLE = "reports_fts"
MAX_MATCH_BYTES = 16 * 1024  # a MATCH string the tokenizer takes (the query side only)

SQLITE_OK = 0
SQLITE_ERROR = 1


def _utf8_width(ch: str) -> int:
    code = ord(ch)
    if code < 0x80:
        return 1
    if code < 0x800:
        return 2
    if 0xDC80 <= code <= 0xDCFF:
        # A byte that was not valid UTF-8, smuggled through by surrogateescape: one byte in the text.
        return 1
    if code < 0x10000:
        return 3
    return 4


# Whitespace runs, kept by split(): "交通 运输\n局" → ["交通", " ", "运输", "\n", "局"]. Python's \s is
# str.isspace() for str patterns, the test spans() uses.
_WS_SPLIT_RE = re.compile(r"(\s+)")


class CJKCharTokenizer(fts5.FTS5Tokenizer):
    """One token per character, one " " token per whitespace run; offsets are UTF-8 byte offsets.

    With `pairs` (the index's tokenizer since migration 12), two adjacent characters of which one is a
    punctuation mark are also indexed as the pair, at the first one's position (an FTS5 colocated token),
    and a query asks for the pairs instead: "件，" is the one token 件，, "年报，" is 年 报， and "件，数" is
    件， ，数 数. "，" is in every report, so the phrase 件， made FTS5 read and position-check the whole
    posting list of "，" (p50 70–120 ms at 100,000 reports, and a probe of one report 60–75 µs); the pair's
    list is as short as the phrase's matches. Matching stays exact: a pair at position k means its two
    characters at k and k + 1, so a mark that ends a query after a character adds nothing the pair before
    it does not say, and is left out. A lone mark ("，") is still the mark.
    """

    def __init__(self, pairs: bool = False) -> None:
        self.pairs = pairs
        # char -> (token bytes, UTF-8 width of the char, is punctuation). Reports use a few thousand
        # distinct characters, and folding one (casefold + OpenCC) costs far more than a dict lookup.
        self._cache: dict[str, tuple[bytes, int, bool]] = {}

    def _fold(self, ch: str) -> tuple[bytes, int, bool]:
        code = ord(ch)
        # Full-width letters and digits (ＩＣＰ, ２０１９) fold to ASCII as textnorm.normalize folds them, so
        # that titles, which are indexed as published, match ASCII queries too.
        if 0xFF10 <= code <= 0xFF19 or 0xFF21 <= code <= 0xFF3A or 0xFF41 <= code <= 0xFF5A:
            folded = chr(code - 0xFEE0).casefold()
        else:
            folded = ch.casefold()
        if len(folded) == 1:
            folded = simplify_char(folded)
        # Unicode punctuation (P*): ，。；：、！（）《》“” and their ASCII kin; not symbols such as ｜ or ￥.
        punct = unicodedata.category(ch).startswith("P")
        entry = (folded.encode("utf-8", "surrogateescape"), _utf8_width(ch), punct)
        self._cache[ch] = entry
        return entry

    def _run(self, part: str, pos: int, query: bool):
        """(token, begin, end, flags) of one run of non-space characters starting at byte `pos`."""
        cache = self._cache
        entries = [cache.get(ch) or self._fold(ch) for ch in part]
        last = len(entries) - 1
        for i, (token, width, punct) in enumerate(entries):
            end = pos + width
            nxt = entries[i + 1] if i < last else None
            paired = self.pairs and nxt is not None and (punct or nxt[2])
            if not query:
                yield token, pos, end, 0
                if paired:
                    yield token + nxt[0], pos, end + nxt[1], COLOCATED
            elif paired:
                yield token + nxt[0], pos, end + nxt[1], 0
            elif not (self.pairs and punct and i > 0):
                # (a mark ending the run after a character is said by the pair before it)
                yield token, pos, end, 0
            pos = end

    def spans(self, text: str, query: bool = False):
        """Yield (token bytes, begin, end, FTS5 token flags) with byte offsets into the UTF-8 text: the
        tokens emit() hands SQLite, in the same order."""
        pos = 0
        for part in _WS_SPLIT_RE.split(text):
            if not part:
                continue
            if part[0].isspace():
                end = pos + sum(_utf8_width(c) for c in part)
                yield b" ", pos, end, 0
                pos = end
                continue
            yield from self._run(part, pos, query)
            pos += sum(_utf8_width(c) for c in part)

    def emit(self, text: str, x_token, p_ctx, query: bool = False) -> int:
        """Hand every token of `text` to SQLite's callback; the same tokens and offsets as spans().

        This loop runs once per character of every report written (millions per crawl), so a document's
        characters go straight to SQLite here; only runs with punctuation, and queries, take _run().
        """
        cache = self._cache
        fold = self._fold
        pairs = self.pairs
        pos = 0
        for part in _WS_SPLIT_RE.split(text):
            if not part:
                continue
            if part[0].isspace():
                end = pos + sum(_utf8_width(c) for c in part)
                rc = x_token(p_ctx, 0, b" ", 1, pos, end)
                if rc != SQLITE_OK:
                    return rc
                pos = end
                continue
            if pairs or query:
                start = pos
                for token, begin, end, flags in self._run(part, start, query):
                    rc = x_token(p_ctx, flags, token, len(token), begin, end)
                    if rc != SQLITE_OK:
                        return rc
                pos = start + sum(cache[c][1] for c in part)
                continue
            for ch in part:
                token, width, _ = cache.get(ch) or fold(ch)
                end = pos + width
                rc = x_token(p_ctx, 0, token, len(token), pos, end)
                if rc != SQLITE_OK:
                    return rc
                pos = end
        return SQLITE_OK

    def tokenize(self, text: str, flags: int | None = None):
        """The sqlitefts interface: (token, begin, end) with the token as str (colocated pairs included)."""
        query = bool(flags and flags & (fts5.FTS5_TOKENIZE_QUERY | fts5.FTS5_TOKENIZE_PREFIX))
        for token, begin, end, _ in self.spans(text, query):
            yield token.decode("utf-8", "surrogateescape"), begin, end


# name -> the one shared, stateless tokenizer of that name, and the cffi handle SQLite is given for it
_TOKENIZERS = {
    TOKENIZER: CJKCharTokenizer(pairs=True),
    LEGACY_TOKENIZER: CJKCharTokenizer(pairs=False),
}
_HANDLES = {name: ffi.new_handle(tk) for name, tk in _TOKENIZERS.items()}


@ffi.callback("int(void*, const char **, int, Fts5Tokenizer **)", error=SQLITE_ERROR)
def _xcreate(ctx, argv, argc, pp_out):
    # Every FTS table on every connection shares its name's one stateless tokenizer; `ctx` is the handle
    # registered with the name.
    pp_out[0] = ffi.cast("Fts5Tokenizer *", ctx)
    return SQLITE_OK


@ffi.callback("void(Fts5Tokenizer *)", onerror=lambda *args: True)
def _xdelete(p_tokenizer):
    # Nothing to free (see the module docstring); must not touch module globals, which may be gone.
    return None


@ffi.callback(
    "int(Fts5Tokenizer *, void *, int, const char *, int, int(void*, int, const char *, int, int, int))",
    error=SQLITE_ERROR,
)
def _xtokenize(p_tokenizer, p_ctx, flags, p_text, n_text, x_token):
    if n_text <= 0:
        return SQLITE_OK
    if flags & fts5.FTS5_TOKENIZE_QUERY and n_text > MAX_MATCH_BYTES:
        # A MATCH string can come from any SQL a visitor sends; a 10 MB one kept the server in this Python
        # loop for 18 s, out of reach of Datasette's time limit (which SQLite checks between its own steps).
        return SQLITE_ERROR
    text = ffi.unpack(p_text, n_text).decode("utf-8", "surrogateescape")
    query = bool(flags & (fts5.FTS5_TOKENIZE_QUERY | fts5.FTS5_TOKENIZE_PREFIX))
    return ffi.from_handle(ffi.cast("void *", p_tokenizer)).emit(text, x_token, p_ctx, query)


_FTS5_TOKENIZER = ffi.new("fts5_tokenizer *", [_xcreate, _xdelete, _xtokenize])
# SQLite keeps raw pointers to the three callbacks; one extra reference that is never released keeps them
# (and the tokenizer they call) alive through interpreter shutdown, when connections are finalised in no
# particular order relative to this module.
_KEEPALIVE = (_TOKENIZERS, _HANDLES, _xcreate, _xdelete, _xtokenize, _FTS5_TOKENIZER)
ctypes.pythonapi.Py_IncRef(ctypes.py_object(_KEEPALIVE))


def register_tokenizer(conn: sqlite3.Connection | sqlite_utils.Database) -> None:
    """Make `nianbao_cjk2` (and `nianbao_cjk`, which migrations 1–11 name) available on this connection;
    needed on every connection that reads or writes reports_fts. Calling it again on the same connection
    does nothing."""
    if isinstance(conn, sqlite_utils.Database):
        conn = conn.conn
    api = fts5.fts5_api_from_db(conn)
    if not api:
        raise sqlite3.OperationalError("this SQLite has no FTS5")
    # Asking SQLite rather than remembering connections in Python: sqlite3.Connection cannot be weakly
    # referenced, and an id() could be reused by a later connection.
    for name, handle in _HANDLES.items():
        raw = name.encode("utf-8")
        found = api.xFindTokenizer(api, raw, ffi.new("void **"), ffi.new("fts5_tokenizer *"))
        if found == SQLITE_OK:
            continue
        if api.xCreateTokenizer(api, raw, handle, _FTS5_TOKENIZER, ffi.NULL) != SQLITE_OK:
            raise sqlite3.OperationalError(f"could not register the {name} tokenizer")
