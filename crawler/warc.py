"""Provenance: every response the crawler receives is kept, byte for byte, in a WARC file per run.

The archive's text is our reading of a page; the WARC is what the portal actually served, with its headers,
at what time and from which address. With it an archived report can be proven against the portal and an
improved extractor can be run over the whole history without asking any portal again
(`nianbao reextract`, archive/reextract.py).

`WarcMiddleware` sits next to the downloader (order 950), so it sees every response as it came off the
wire — list pages, detail pages, attachments, redirects, error pages, 304s — before decompression or
redirect handling, and the final request headers (conditional GET headers included). Each fetch is three
gzip members in `data/warc/<run id>.warc.gz`: the response, the request, and a metadata record (JSON) with
what the spider knew about the request (bureau, column, list title and date), so a fresh archive can be
rebuilt from the WARCs alone. The response record's file, offset and WARC-Record-ID go into
`request.meta["nianbao_warc"]`; the spider middleware and the attachment pipeline copy it onto the archive
rows. Bodies are stored as Scrapy received them: de-chunked, so Transfer-Encoding is not kept.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

__all__ = ["META_KEY", "WarcMiddleware", "read_record", "warc_dir_for"]

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

    def spider_closed(self, spider):
        if self.fh is not None:
            self.fh.close()
            self.fh = None
            self.writer = None


def read_record(warc_dir: str | Path, file: str, offset: int) -> tuple[dict, bytes]:
    """The response record at (file, offset): (summary of its headers, decoded body).

    The body is the HTTP entity with any Content-Encoding undone, as Scrapy would hand it to a callback.
    """
    with open(Path(warc_dir) / file, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return _summary(record), record.content_stream().read()


def _summary(record) -> dict:
    http = record.http_headers
    return {
        "type": record.rec_type,
        "uri": record.rec_headers.get_header("WARC-Target-URI"),
        "record_id": record.rec_headers.get_header("WARC-Record-ID"),
        "date": record.rec_headers.get_header("WARC-Date"),
        "status": int(http.get_statuscode()) if http and http.get_statuscode() else None,
        "headers": list(http.headers) if http else [],
    }
