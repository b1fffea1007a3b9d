"""The report's evidence as the portal served it: every WARC record the archive keeps for a report, in one
download a WARC reader (warcio, pywb, ReplayWeb.page) opens as is.

The crawl writes each fetch as three gzip members (crawler/warc.py): the response, then its request and a
metadata record, both naming the response in WARC-Concurrent-To. The archive rows keep where each response
starts: the report page (reports.warc_*), each attachment and each archived image (attachments.warc_*,
report_images.warc_*), each stored version (report_versions.warc_*). `/-/warc/<report id>` sends those
members as they are stored, each followed by the members concurrent to it, one after the other: gzip
members concatenated are one valid .warc.gz. Each member is checked whole before anything is sent, then
copied from the file in 1 MB steps, so a report with large attachments is never held in memory whole. A
response whose file is gone or whose member is damaged is left out and counted in the
X-Nianbao-Missing-Records header; the report's own page record must be there, else 404.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from datasette import Response

from archive.reader.common import DATABASE, table_exists

# A member is one record: the crawl keeps bodies up to 32 MB (DOWNLOAD_MAXSIZE), so a member larger than
# this is not one the crawl wrote.
MAX_MEMBER_BYTES = 40 * 1024 * 1024
# Inflated bytes looked at per step while finding a member's end: bounded however well it compresses.
_STEP = 1 << 20
# The request and the metadata record follow their response.
_CONCURRENT_AFTER = 2


def gzip_member(path: Path, offset: int) -> bytes:
    """The one gzip member (a WARC record, as crawler/warc.py writes them) starting at `offset`, as stored.
    Raises ValueError for a member that is truncated, corrupt or larger than MAX_MEMBER_BYTES."""
    with path.open("rb") as f:
        f.seek(offset)
        inflater = zlib.decompressobj(wbits=31)
        taken = bytearray()
        while not inflater.eof:
            chunk = f.read(65536)
            if not chunk:
                raise ValueError("truncated WARC record")
            taken += chunk
            if len(taken) > MAX_MEMBER_BYTES:
                raise ValueError("WARC record larger than any the crawl writes")
            try:
                inflater.decompress(chunk, _STEP)
                while inflater.unconsumed_tail and not inflater.eof:
                    inflater.decompress(inflater.unconsumed_tail, _STEP)
            except zlib.error as exc:
                raise ValueError(f"corrupt WARC record: {exc}") from None
        return bytes(taken[: len(taken) - len(inflater.unused_data)])


def warc_headers(member: bytes) -> dict[str, str]:
    """The WARC header fields of a stored member (only the start is inflated)."""
    head = zlib.decompressobj(wbits=31).decompress(member, 65536)
    fields = {}
    for line in head.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.decode("utf-8", "replace").partition(":")
        fields[name.strip().lower()] = value.strip()
    return fields


def member_spans(path: Path, offset: int) -> list[tuple[int, int]]:
    """(start, length) of the response member at `offset` and of the members after it that are concurrent
    to it. Every member is inflated once here, so what is then sent is known to be whole."""
    first = gzip_member(path, offset)
    spans = [(offset, len(first))]
    record_id = warc_headers(first).get("warc-record-id")
    pos = offset + len(first)
    for _ in range(_CONCURRENT_AFTER):
        try:
            member = gzip_member(path, pos)
        except (ValueError, OSError):
            break
        if not record_id or warc_headers(member).get("warc-concurrent-to") != record_id:
            break
        spans.append((pos, len(member)))
        pos += len(member)
    return spans


def _file(db, name: str | None) -> Path | None:
    """A WARC file named by an archive row, only inside warc/ beside the archive file."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or db.path is None:
        return None
    path = Path(db.path).resolve().parent / "warc" / name
    return path if path.is_file() else None


async def record_places(db, rid: str) -> list[tuple[str, int]]:
    """(WARC file, offset) of every response kept for the report: its page first, then attachments and
    images in page order, then stored versions newest first; each place once."""
    places: list[tuple[str, int]] = []
    queries = [
        ("reports", "SELECT warc_file, warc_offset FROM reports WHERE id = ?"),
        (
            "attachments",
            "SELECT warc_file, warc_offset FROM attachments WHERE report_id = ? ORDER BY position",
        ),
        (
            "report_images",
            "SELECT warc_file, warc_offset FROM report_images WHERE report_id = ? ORDER BY position",
        ),
        (
            "report_versions",
            "SELECT warc_file, warc_offset FROM report_versions WHERE report_id = ? ORDER BY version DESC",
        ),
    ]
    for table, sql in queries:
        if table != "reports" and not await table_exists(db, table):
            continue
        for row in (await db.execute(sql, [rid])).rows:
            place = (row["warc_file"], int(row["warc_offset"] or 0))
            if row["warc_file"] and place not in places:
                places.append(place)
    return places


async def warc_record(datasette, request):
    """/-/warc/<report id>: every WARC record of the report (page, attachments, images, versions)."""
    db = datasette.get_database(DATABASE)
    rid = request.url_vars["report_id"]
    row = (await db.execute("SELECT warc_file FROM reports WHERE id = ?", [rid])).first()
    if row is None or _file(db, row["warc_file"]) is None:
        return Response.text("没有该报告的 WARC 记录", status=404)
    places = await record_places(db, rid)
    parts: list[tuple[Path, list[tuple[int, int]]]] = []
    for i, (name, offset) in enumerate(places):
        path = _file(db, name)
        try:
            if path is not None:
                parts.append((path, member_spans(path, offset)))
                continue
        except (ValueError, OSError):
            pass
        if i == 0:  # the page record itself: without it there is no evidence of the report
            return Response.text("该报告的 WARC 记录已损坏", status=404)

    return WarcStream(
        parts,
        headers={
            "content-type": "application/warc",
            "content-disposition": f'attachment; filename="nianbao-{rid}.warc.gz"',
            "x-nianbao-records": str(sum(len(spans) for _, spans in parts)),
            "x-nianbao-missing-records": str(len(places) - len(parts)),
        },
    )


class WarcStream:
    """A response that copies the checked members from their files in 1 MB steps (Datasette's AsgiStream
    writes text only)."""

    def __init__(self, parts: list[tuple[Path, list[tuple[int, int]]]], headers: dict[str, str]):
        self.parts = parts
        self.headers = headers

    async def asgi_send(self, send) -> None:
        length = sum(n for _, spans in self.parts for _, n in spans)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        headers.append((b"content-length", str(length).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for path, spans in self.parts:
            with path.open("rb") as f:
                for start, size in spans:
                    f.seek(start)
                    while size > 0:
                        chunk = f.read(min(size, 1 << 20))
                        if not chunk:
                            raise OSError(f"{path.name} shrank while being sent")
                        size -= len(chunk)
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
