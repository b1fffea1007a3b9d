"""Provenance: every response the crawler receives is kept, byte for byte, in a WARC file per run.

The archive's text is our reading of a page; the WARC is what the portal actually served, with its headers,
at what time and from which address. With it an archived report can be proven against the portal and an
improved extractor can be run over the whole history without asking any portal again
(`nianbao reextract`, crawler/reextract.py).

`WarcMiddleware` sits next to the downloader (order 950), so it sees every response as it came off the
wire — list pages, detail pages, attachments, redirects, error pages, 304s — before decompression or
redirect handling, and the final request headers (conditional GET headers included). Each fetch is three
gzip members in `data/warc/<run id>.warc.gz`: the response, the request, and a metadata record (JSON) with
what the spider knew about the request (bureau, column, list title and date), so a fresh archive can be
rebuilt from the WARCs alone. The response record's file, offset and WARC-Record-ID go into
`request.meta["nianbao_warc"]`; the spider middleware and the attachment pipeline copy it onto the archive
rows. Bodies are stored as Scrapy received them: de-chunked, so Transfer-Encoding is not kept.

A response the crawl refuses after it came off the wire — today a Content-Encoding body that inflates past
DOWNLOAD_MAXSIZE, which Scrapy's HttpCompressionMiddleware refuses below us — is still kept as served,
but its metadata record says `"refused": "<reason>"`, so `nianbao reextract` never archives it.

The read side (`iter_records`, `read_member`, `read_record`) does not trust the files: each gzip member is
inflated in bounded steps and checked whole (CRC, length, record Content-Length), so a truncated member,
garbage bytes or a missing file is a `Damage` naming the file and offset, and reading goes on at the
next intact member. Bodies are decoded with the crawl's own limit (crawler/docguard.py).
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.docguard import EncodedBodyRefused, check_encoded_body, decode_body

__all__ = [
    "DEFAULT_MAX_SIZE",
    "META_KEY",
    "Damage",
    "EncodedBodyRefused",
    "Record",
    "WarcDamage",
    "WarcMiddleware",
    "iter_records",
    "read_member",
    "read_record",
    "warc_dir_for",
]

# The crawl's DOWNLOAD_MAXSIZE (crawler/settings.py): no body the crawl accepted is larger, encoded or not.
DEFAULT_MAX_SIZE = 32 * 1024 * 1024

META_KEY = "nianbao_warc"
# Request meta copied into the metadata record: what reextract needs to rebuild a report without the spider.
CONTEXT_KEYS = (
    "bureau_id",
    "column_url",
    "family",
    "entry_url",
    "list_title",
    "list_date",
    "discovery_hop",
)


def warc_dir_for(db: str | Path | None, setting: str | None = None) -> Path:
    """`NIANBAO_WARC_DIR` if set, else `warc/` beside the archive file (data/warc for data/archive.db)."""
    if setting:
        return Path(setting)
    return (Path(db).parent if db else Path("data")) / "warc"


def _role(meta: dict[str, Any]) -> str:
    if meta.get("entry_url"):
        return "detail"
    if "discovery_hop" in meta:
        return "discovery"
    if meta.get("column_url"):
        return "list"
    if meta.get("nianbao_attachment"):
        return "attachment"
    return "other"


def _http_headers(headers) -> list[tuple[str, str]]:
    out = []
    for key, values in headers.items():
        name = key.decode("latin-1") if isinstance(key, bytes) else str(key)
        if name.lower() == "transfer-encoding":
            continue
        for value in values if isinstance(values, list) else [values]:
            out.append((name, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out


class WarcMiddleware:
    """Downloader middleware writing request, response and context of every fetch to the run's WARC."""

    def __init__(self, crawler, warc_dir: Path):
        self.crawler = crawler
        self.warc_dir = warc_dir
        self.fh: BinaryIO | None = None
        self.writer: WARCWriter | None = None
        self.file_name: str | None = None
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE", DEFAULT_MAX_SIZE)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("NIANBAO_WARC_ENABLED", True):
            raise NotConfigured("NIANBAO_WARC_ENABLED is off")
        db = getattr(crawler.spider, "db", None) or crawler.settings.get("NIANBAO_DB")
        mw = cls(crawler, warc_dir_for(db, crawler.settings.get("NIANBAO_WARC_DIR")))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _open(self) -> WARCWriter:
        if self.writer is not None:
            return self.writer
        run_id = getattr(self.crawler.spider, "run_id", None)
        if not run_id:
            run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-norun"
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.file_name = f"{run_id}.warc.gz"
        # append: a resumed run (same run id) keeps one file; gzip members may simply follow each other
        self.fh = open(self.warc_dir / self.file_name, "ab")  # noqa: SIM115 - closed on spider_closed
        self.writer = WARCWriter(self.fh, gzip=True)
        info = self.writer.create_warcinfo_record(
            self.file_name,
            {
                "software": "nianbao (Scrapy)",
                "format": "WARC File Format 1.1",
                "isPartOf": run_id,
                "description": "annual reports on government information disclosure",
            },
        )
        self.writer.write_record(info)
        self.crawler.stats.set_value("nianbao/warc_file", self.file_name)
        return self.writer

    def process_response(self, request, response):
        try:
            pointer = self._write(request, response)
        except OSError as exc:  # a full disk must show up, but must not lose the crawl's other work
            self.crawler.stats.inc_value("nianbao/warc_write_errors")
            self.crawler.spider.logger.error("WARC write failed for %s: %s", response.url, exc)
            return response
        request.meta[META_KEY] = pointer
        return response

    def _write(self, request, response) -> dict[str, Any]:
        writer = self._open()
        status = response.status
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        protocol = getattr(response, "protocol", None) or "HTTP/1.1"
        http_headers = StatusAndHeaders(
            f"{status} {phrase}".strip(), _http_headers(response.headers), protocol=protocol
        )
        warc_headers: dict[str, str] = {}
        ip = getattr(response, "ip_address", None)
        if ip is not None:
            warc_headers["WARC-IP-Address"] = str(ip)
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(response.body),
            length=len(response.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        offset = self.fh.tell()
        writer.write_record(record)

        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_headers = [("Host", parts.netloc), *_http_headers(request.headers)]
        req = writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(request.body or b""),
            length=len(request.body or b""),
            http_headers=StatusAndHeaders(
                f"{request.method} {target}", req_headers, protocol="HTTP/1.1"
            ),
            warc_headers_dict={"WARC-Concurrent-To": record_id},
        )
        writer.write_record(req)

        meta = request.meta
        context = {k: meta[k] for k in CONTEXT_KEYS if meta.get(k) is not None}
        context["role"] = _role(meta)
        context["run_id"] = getattr(self.crawler.spider, "run_id", None)
        context["fetched_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        refused = self._refusal(request, response)
        if refused:
            context["refused"] = refused
            self.crawler.stats.inc_value("nianbao/warc_refused")
        info = writer.create_warc_record(
            response.url,
            "metadata",
            payload=BytesIO(json.dumps(context, ensure_ascii=False).encode("utf-8")),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Concurrent-To": record_id},
        )
        writer.write_record(info)
        self.fh.flush()  # a killed crawl keeps every record written so far
        self.crawler.stats.inc_value("nianbao/warc_records", 3)
        return {"file": self.file_name, "offset": offset, "record_id": record_id}

    def _refusal(self, request, response) -> str | None:
        """Why the compression middleware below will refuse this response (same limit, same rule)."""
        if request.method == "HEAD":
            return None
        encodings = [v.decode("latin-1") for v in response.headers.getlist("Content-Encoding")]
        if not encodings:
            return None
        max_size = request.meta.get("download_maxsize", self.max_size)
        return check_encoded_body(response.body, encodings, max_size)

    def spider_closed(self, spider):
        if self.fh is not None:
            self.fh.close()
            self.fh = None
            self.writer = None


# -- reading ---------------------------------------------------------------------------------------

_GZIP_MAGIC = b"\x1f\x8b\x08"
_STEP = 1024 * 1024
# The first read of a member: most records are a few kB compressed, and reading a whole _STEP for each
# one copied a megabyte per record (the read, then zlib's unused_data) — most of a rebuild's WARC time.
_FIRST_STEP = 16 * 1024


@dataclass(frozen=True)
class Damage:
    """An unreadable part of a WARC file (offset None: the whole file)."""

    file: str
    offset: int | None
    reason: str

    def __str__(self) -> str:
        where = self.file if self.offset is None else f"{self.file} at offset {self.offset}"
        return f"{where}: {self.reason}"


class WarcDamage(ValueError):
    def __init__(self, damage: Damage):
        super().__init__(str(damage))
        self.damage = damage


@dataclass
class Record:
    """One WARC record: type, WARC headers (lower-case names), and for responses the HTTP part."""

    offset: int
    rec_type: str
    headers: dict[str, str]
    block: bytes
    status: int | None = None
    http_headers: list[tuple[str, str]] = field(default_factory=list)
    payload: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def _inflate_member(fh, max_member: int) -> tuple[bytes | None, int, str | None]:
    """(member bytes, compressed length, problem) of the gzip member at fh's position."""
    start = fh.tell()
    if fh.read(3) != _GZIP_MAGIC:
        return None, 0, "not a gzip member (garbage bytes)"
    fh.seek(start)
    d = zlib.decompressobj(31)
    out = bytearray()
    fed = 0
    step = _FIRST_STEP
    while not d.eof:
        chunk = fh.read(step)
        step = min(step * 4, _STEP)
        if not chunk:
            return None, fed, "truncated gzip member (the file ends inside it)"
        fed += len(chunk)
        try:
            while chunk and not d.eof:
                out += d.decompress(chunk, max_member + 1 - len(out))
                if len(out) > max_member:
                    return None, fed, f"record larger than {max_member} bytes"
                chunk = d.unconsumed_tail
        except zlib.error as exc:
            return None, fed, f"corrupt gzip data ({exc})"
    return bytes(out), fed - len(d.unused_data), None


def _parse_records(member: bytes, offset: int) -> list[Record]:
    """The records of one inflated member (ours hold one each); ValueError when one is incomplete."""
    records = []
    pos = 0
    while pos < len(member) and member.startswith(b"WARC/", pos):
        end = member.find(b"\r\n\r\n", pos)
        if end < 0:
            raise ValueError("record headers incomplete")
        lines = member[pos:end].decode("utf-8", "replace").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length") or 0)
        block = member[end + 4 : end + 4 + length]
        if len(block) < length:
            raise ValueError(f"record incomplete ({len(block)} of {length} bytes)")
        rec = Record(offset, headers.get("warc-type", ""), headers, block)
        if rec.rec_type in ("response", "request"):
            _parse_http(rec)
        records.append(rec)
        pos = end + 4 + length
        while member.startswith(b"\r\n", pos):
            pos += 2
    if not records:
        raise ValueError("not a WARC record")
    return records


def _parse_http(rec: Record) -> None:
    end = rec.block.find(b"\r\n\r\n")
    head, rec.payload = (rec.block, b"") if end < 0 else (rec.block[:end], rec.block[end + 4 :])
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if rec.rec_type == "response" and len(parts) > 1 and parts[1].isdigit():
        rec.status = int(parts[1])
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            rec.http_headers.append((name.strip(), value.strip()))


def read_member(path: Path, offset: int, max_member: int | None = None) -> list[Record]:
    """The records of the member at (file, offset); WarcDamage naming both when it is unreadable."""
    limit = max_member or DEFAULT_MAX_SIZE + _STEP
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise WarcDamage(Damage(path.name, None, f"cannot open: {exc.strerror or exc}")) from None
    with fh:
        fh.seek(offset)
        member, _, problem = _inflate_member(fh, limit)
    if problem is not None:
        raise WarcDamage(Damage(path.name, offset, problem))
    try:
        return _parse_records(member, offset)  # type: ignore[arg-type]
    except ValueError as exc:
        raise WarcDamage(Damage(path.name, offset, str(exc))) from None


def _resync(fh, start: int, size: int, limit: int) -> int | None:
    """The offset of the next intact member holding a WARC record after `start`, or None."""
    pos = start
    while pos < size:
        fh.seek(pos)
        window = fh.read(_STEP + 2)
        hit = window.find(_GZIP_MAGIC)
        if hit < 0:
            pos += max(1, len(window) - 2)
            continue
        candidate = pos + hit
        fh.seek(candidate)
        member, _, problem = _inflate_member(fh, limit)
        if problem is None and member is not None and member.startswith(b"WARC/"):
            return candidate
        pos = candidate + 1
    return None


def iter_records(path: Path, max_member: int | None = None) -> Iterator[Record | Damage]:
    """Every record of a gzipped WARC file in order, and a Damage for each unreadable stretch (then
    reading resumes at the next intact member)."""
    limit = max_member or DEFAULT_MAX_SIZE + _STEP
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        yield Damage(path.name, None, f"cannot open: {exc.strerror or exc}")
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        pos = 0
        while pos < size:
            fh.seek(pos)
            member, used, problem = _inflate_member(fh, limit)
            records: list[Record] = []
            if problem is None:
                try:
                    records = _parse_records(member, pos)  # type: ignore[arg-type]
                except ValueError as exc:
                    problem = str(exc)
            if problem is None:
                yield from records
                pos += used
                continue
            nxt = _resync(fh, pos + 1, size, limit)
            skipped = (nxt if nxt is not None else size) - pos
            yield Damage(path.name, pos, f"{problem}; {skipped} bytes unreadable")
            if nxt is None:
                return
            pos = nxt


def read_record(
    warc_dir: str | Path, file: str, offset: int, max_size: int = DEFAULT_MAX_SIZE
) -> tuple[dict, bytes]:
    """The response record at (file, offset): (summary of its headers, decoded body).

    The body is the HTTP entity with any Content-Encoding undone, as Scrapy would hand it to a callback;
    an encoded body that inflates past `max_size` raises EncodedBodyRefused, as the crawl refused it, and
    an unreadable record raises WarcDamage.
    """
    record = read_member(Path(warc_dir) / file, offset)[0]
    encodings = [v for k, v in record.http_headers if k.lower() == "content-encoding"]
    body = record.payload
    if encodings:
        body, _ = decode_body(body, encodings, max_size)
    return _summary(record), body


def _summary(record: Record) -> dict:
    return {
        "type": record.rec_type,
        "uri": record.header("WARC-Target-URI"),
        "record_id": record.header("WARC-Record-ID"),
        "date": record.header("WARC-Date"),
        "status": record.status,
        "headers": list(record.http_headers),
    }
