"""Limits for reading what portals serve: decompressed bytes, pages, nesting depth and time.

A 1.5 MB PDF can hold a page stream that inflates to gigabytes, a 4 KB one can stack two FlateDecode
filters over the same bomb, a page tree can be 20,000 levels deep and a file can have 5,000 pages; a body
sent with `Content-Encoding: gzip` can be a bomb too. The readers (pdfplumber/pdfminer, python-docx, our
OFD and Word 97 readers) have no limits of their own, so this module gives them some:

- `Limits`: the figures, settable with Scrapy settings (`NIANBAO_DOC_*`, see `Limits.from_settings`);
- `check_pdf_streams`: inflates every FlateDecode/LZWDecode stream that a text reader will decode
  (images are skipped: no text reader inflates them) in bounded steps and counts the bytes, before any
  parser runs;
- `check_page_tree`: walks a parsed PDF's page tree without recursion, counting pages and levels;
- `guard_pdf_nesting`: makes pdfminer's object parser refuse arrays and dictionaries nested too deep;
- `decode_body` / `check_encoded_body`: undo an HTTP Content-Encoding in bounded steps, with Scrapy's
  semantics (layers decoded last first, each layer refused past DOWNLOAD_MAXSIZE), so the WARC writer and
  `nianbao reextract` refuse exactly what the crawl refused.

What these checks cannot see (other filters, a parser's own appetite) is bounded by the reader process's
memory, CPU and wall-time limits (crawler/docworker.py).
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

__all__ = [
    "DocumentLimitError",
    "EncodedBodyRefused",
    "Limits",
    "check_encoded_body",
    "check_page_tree",
    "check_pdf_streams",
    "decode_body",
    "guard_pdf_nesting",
]

MIB = 1024 * 1024
_STEP = 256 * 1024


class DocumentLimitError(ValueError):
    """A document goes past one of the limits; the message says which, in words for crawl_errors."""


@dataclass(frozen=True)
class Limits:
    """What one document may cost. The defaults leave room for every real annual report we know (10–300
    pages, a few MB of text streams and fonts) and keep a reader process well inside the crawl's budget."""

    max_inflated: int = 100 * MIB  # decompressed bytes of a document's streams or zip members
    max_pages: int = 1000
    max_depth: int = 100  # nested arrays/dictionaries in one object, levels of a page tree
    timeout: float = 60.0  # wall-clock seconds to read one document
    memory: int = 256 * MIB  # address space of one reader process (Python + readers: ~60 MB)
    workers: int = 1  # reader processes (each one a Python with pdfplumber loaded, ~45 MB)

    # setting name → field; sizes are given in MB
    SETTINGS = {
        "NIANBAO_DOC_MAX_INFLATED_MB": "max_inflated",
        "NIANBAO_DOC_MAX_PAGES": "max_pages",
        "NIANBAO_DOC_MAX_DEPTH": "max_depth",
        "NIANBAO_DOC_TIMEOUT": "timeout",
        "NIANBAO_DOC_MEMORY_MB": "memory",
        "NIANBAO_DOC_WORKERS": "workers",
    }

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """Limits from Scrapy settings (`-s NIANBAO_DOC_TIMEOUT=10`), defaults for what is not set."""
        values: dict[str, Any] = {}
        for name, field in cls.SETTINGS.items():
            raw = settings.get(name)
            if raw in (None, ""):
                continue
            number = float(raw)
            values[field] = int(number * MIB) if name.endswith("_MB") else number
        for f in fields(cls):
            if f.name in values and f.type in ("int", int):
                values[f.name] = int(values[f.name])
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _mb(n: int) -> str:
    return f"{n / MIB:g} MB"


# -- PDF streams ------------------------------------------------------------------------------------

# The end of a stream's dictionary and the stream keyword: matches ">>\nstream\r\n", ">> stream\n".
_STREAM_RE = re.compile(rb">>[\x00\t\n\x0c\r ]*stream(?:\r\n|\n|\r)")
# The Filter entry of a stream dictionary: matches "/Filter /FlateDecode",
# "/Filter[/FlateDecode /FlateDecode]".
_FILTER_RE = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
# A filter name inside that entry: matches "FlateDecode" in "[/FlateDecode /DCTDecode]".
_NAME_RE = re.compile(rb"/([^\s/\[\]<>()]+)")
# An image XObject, which text extraction never inflates: matches "/Subtype /Image", "/Subtype/Image".
_IMAGE_RE = re.compile(rb"/Subtype\s*/Image(?![A-Za-z])")
# A direct stream length: matches "/Length 1234" (not "/Length 12 0 R", an indirect one).
_LENGTH_RE = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")

_FLATE = {b"FlateDecode", b"Fl"}
_LZW = {b"LZWDecode", b"LZW"}


class _Budget:
    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    def spend(self, n: int) -> None:
        self.used += n
        if self.used > self.limit:
            raise DocumentLimitError(
                f"streams inflate to more than {_mb(self.limit)} (the limit of decompressed bytes)"
            )


def _inflate_chain(view: memoryview, start: int, layers: int, budget: _Budget) -> int:
    """Inflate `layers` stacked Flate filters from `start`, counting every layer's output; returns where
    the outer stream ended (or `start` when it is not valid Flate data)."""
    decoders = [zlib.decompressobj() for _ in range(layers)]

    def feed(level: int, data) -> None:
        d = decoders[level]
        while data and not d.eof:
            out = d.decompress(data, _STEP)
            budget.spend(len(out))
            if out and level + 1 < layers:
                feed(level + 1, out)
            data = d.unconsumed_tail

    outer = decoders[0]
    pos = start
    try:
        while pos < len(view) and not outer.eof:
            chunk = view[pos : pos + _STEP]
            pos += len(chunk)
            feed(0, chunk)
    except zlib.error:
        # broken or not Flate at all (an inner layer may be another filter): the reader will say so,
        # and the process limits still hold
        return start if not outer.eof else pos - len(outer.unused_data)
    return pos - len(outer.unused_data) if outer.eof else pos


class _ViewReader:
    """A file-like view over part of the document, so pdfminer's LZW decoder reads without a copy."""

    def __init__(self, view: memoryview, pos: int):
        self.view, self.pos = view, pos

    def read(self, n: int = -1) -> bytes:
        end = len(self.view) if n < 0 else self.pos + n
        out = bytes(self.view[self.pos : end])
        self.pos += len(out)
        return out


def _lzw_count(view: memoryview, start: int, budget: _Budget) -> int:
    from pdfminer.lzw import LZWDecoder

    reader = _ViewReader(view, start)
    try:
        for piece in LZWDecoder(reader).run():  # type: ignore[arg-type]
            budget.spend(len(piece))
    except (ValueError, IndexError, EOFError):
        pass  # a broken LZW stream is the reader's to report
    return reader.pos


def check_pdf_streams(data: bytes, max_inflated: int) -> int:
    """Raise DocumentLimitError when the streams a text reader inflates exceed `max_inflated` bytes in
    total; returns the total. Flate (also stacked) and LZW are counted, image streams skipped."""
    view = memoryview(data)
    budget = _Budget(max_inflated)
    pos = 0
    while True:
        m = _STREAM_RE.search(data, pos)
        if m is None:
            return budget.used
        body = m.end()
        head = data[max(0, data.rfind(b"obj", max(0, m.start() - 65536), m.start())) : m.end()]
        pos = body
        length = _LENGTH_RE.search(head)
        if length and body + int(length.group(1)) <= len(data):
            pos = body + int(length.group(1))
        if _IMAGE_RE.search(head):
            continue
        found = _FILTER_RE.search(head)
        names = _NAME_RE.findall(found.group(1)) if found else []
        flate = 0
        for name in names:
            if name not in _FLATE:
                break
            flate += 1
        if flate:
            end = _inflate_chain(view, body, flate, budget)
            pos = max(pos, end)
        elif names and names[0] in _LZW:
            pos = max(pos, _lzw_count(view, body, budget))


# -- PDF structure ----------------------------------------------------------------------------------


def check_page_tree(document: Any, limits: Limits) -> int:
    """Pages of a pdfminer PDFDocument, counted by walking its page tree with a stack (pdfminer's own walk
    recurses once per level); raises DocumentLimitError past max_pages pages or max_depth levels."""
    from pdfminer.pdftypes import PDFObjRef, resolve1
    from pdfminer.psparser import LIT

    pages_type, page_type = LIT("Pages"), LIT("Page")
    root = document.catalog.get("Pages")
    stack: list[tuple[Any, int]] = [(root, 1)]
    seen: set[int] = set()
    pages = 0
    while stack:
        node, depth = stack.pop()
        if isinstance(node, PDFObjRef):
            if node.objid in seen:
                continue
            seen.add(node.objid)
        node = resolve1(node)
        if not isinstance(node, dict):
            continue
        kind = node.get("Type") or node.get("type")
        kids = resolve1(node.get("Kids"))
        if kind is pages_type and kids is not None:
            if depth > limits.max_depth:
                raise DocumentLimitError(f"page tree nested deeper than {limits.max_depth} levels")
            if isinstance(kids, list):
                stack.extend((kid, depth + 1) for kid in reversed(kids))
        elif kind is page_type:
            pages += 1
            if pages > limits.max_pages:
                declared = resolve1(resolve1(root).get("Count")) if root is not None else None
                said = f"; its page tree declares {declared}" if isinstance(declared, int) else ""
                raise DocumentLimitError(
                    f"more than {limits.max_pages} pages (the limit per document){said}"
                )
    return pages


class _NestingGuard:
    """pdfminer parses arrays and dictionaries with an explicit stack, so depth costs memory, not the
    C stack — but whatever walks the parsed objects afterwards (pdfplumber resolves values recursively)
    would recurse. Refusing depth in the parser keeps both bounded. Set once per reader process."""

    depth = 100
    tripped: str | None = None


def guard_pdf_nesting(max_depth: int) -> None:
    """Make every pdfminer parser (file objects and content streams) refuse nesting past max_depth."""
    from pdfminer.psparser import PSStackParser

    _NestingGuard.depth = max_depth
    if getattr(PSStackParser.start_type, "_nianbao_guard", False):
        return
    original = PSStackParser.start_type

    def start_type(self, pos: int, type: str) -> None:  # noqa: A002 - pdfminer's name
        if len(self.context) >= _NestingGuard.depth:
            message = f"objects nested deeper than {_NestingGuard.depth} levels"
            _NestingGuard.tripped = message  # pdfminer swallows some parse errors; remember it
            raise DocumentLimitError(message)
        original(self, pos, type)

    start_type._nianbao_guard = True  # type: ignore[attr-defined]
    PSStackParser.start_type = start_type  # type: ignore[method-assign]


def nesting_tripped(reset: bool = False) -> str | None:
    """The nesting refusal of the last document, even when the parser swallowed the exception."""
    message = _NestingGuard.tripped
    if reset:
        _NestingGuard.tripped = None
    return message


# -- HTTP Content-Encoding --------------------------------------------------------------------------

_CHUNK = 64 * 1024  # Scrapy's step too
_DECODABLE = {"gzip", "x-gzip", "deflate", "br", "zstd"}


class EncodedBodyRefused(ValueError):
    """An encoded body inflates past the limit; the message matches the crawl's wording."""


def refusal_reason(compressed: int, max_size: int) -> str:
    """The one wording for a body refused while decoding (the crawl, the WARC metadata, reextract)."""
    return (
        f"response larger than limit after decompression "
        f"({compressed} bytes compressed, more than {max_size} decompressed)"
    )


def _split(encodings: list[str] | str) -> tuple[list[str], list[str]]:
    """(layers to undo, last first; layers left as they are) — as Scrapy's HttpCompressionMiddleware."""
    if isinstance(encodings, str):
        encodings = [encodings]
    keep = [e.strip().lower() for value in encodings for e in value.split(",") if e.strip()]
    undo: list[str] = []
    while keep and keep[-1] in _DECODABLE:
        undo.append(keep.pop())
    return undo, keep


def _gunzip(data: bytes) -> Iterator[bytes]:
    f = gzip.GzipFile(fileobj=io.BytesIO(data))
    produced = 0
    while True:
        try:
            chunk = f.read1(_CHUNK)
        except (OSError, EOFError):
            if produced:
                return  # what decoded before a damaged tail is kept, as Scrapy keeps it
            raise
        if not chunk:
            return
        produced += len(chunk)
        yield chunk


def _inflate(data: bytes) -> Iterator[bytes]:
    d = zlib.decompressobj()
    try:
        first = d.decompress(data, _CHUNK)
    except zlib.error:
        d = zlib.decompressobj(-15)  # raw deflate, as some servers send it
        first = d.decompress(data, _CHUNK)
    yield first
    while d.unconsumed_tail and not d.eof:
        yield d.decompress(d.unconsumed_tail, _CHUNK)


def _unbrotli(data: bytes) -> Iterator[bytes]:
    import brotli

    d = brotli.Decompressor()
    yield d.process(data, output_buffer_limit=_CHUNK)
    while not d.is_finished():
        chunk = d.process(b"", output_buffer_limit=_CHUNK)
        if not chunk:
            return
        yield chunk


def _unzstd(data: bytes) -> Iterator[bytes]:
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        from backports import zstd  # type: ignore[import-not-found,no-redef]

    reader = zstd.ZstdFile(io.BytesIO(data))
    while True:
        try:
            chunk = reader.read(_CHUNK)
        except EOFError:
            return
        if not chunk:
            return
        yield chunk


_DECODERS = {
    "gzip": _gunzip,
    "x-gzip": _gunzip,
    "deflate": _inflate,
    "br": _unbrotli,
    "zstd": _unzstd,
}


def _layer(data: bytes, encoding: str, max_size: int, keep: bool, compressed: int) -> bytes:
    out = io.BytesIO() if keep else None
    size = 0
    for chunk in _DECODERS[encoding](data):
        size += len(chunk)
        if max_size and size > max_size:
            raise EncodedBodyRefused(refusal_reason(compressed, max_size))
        if out is not None:
            out.write(chunk)
    return out.getvalue() if out is not None else b""


def decode_body(body: bytes, encodings: list[str] | str, max_size: int) -> tuple[bytes, list[str]]:
    """(decoded body, encodings left undecoded); raises EncodedBodyRefused past max_size bytes."""
    undo, keep = _split(encodings)
    for encoding in undo:
        body = _layer(body, encoding, max_size, True, len(body))
    return body, keep


def check_encoded_body(body: bytes, encodings: list[str] | str, max_size: int) -> str | None:
    """Why the crawl refuses this encoded body, or None; counts the last layer without keeping it."""
    undo, _ = _split(encodings)
    compressed = len(body)
    try:
        for n, encoding in enumerate(undo):
            body = _layer(body, encoding, max_size, n + 1 < len(undo), compressed)
    except EncodedBodyRefused as exc:
        return str(exc)
    except Exception:
        return None  # undecodable bytes are the decoder's problem later, not a size refusal
    return None
