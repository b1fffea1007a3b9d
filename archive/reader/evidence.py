"""The report's evidence as the portal served it: the WARC records the archive keeps for a report."""

from __future__ import annotations

import zlib
from pathlib import Path

from datasette import Response

from archive.reader.common import DATABASE


def gzip_member(path: Path, offset: int) -> bytes:
    """The one gzip member (a WARC record, as crawler/warc.py writes them) starting at `offset`."""
    with path.open("rb") as f:
        f.seek(offset)
        inflater = zlib.decompressobj(wbits=31)
        taken = bytearray()
        while not inflater.eof:
            chunk = f.read(65536)
            if not chunk:
                raise ValueError("truncated WARC record")
            inflater.decompress(chunk)
            taken += chunk
        return bytes(taken[: len(taken) - len(inflater.unused_data)])


async def warc_record(datasette, request):
    """/-/warc/<report id>: the WARC response record the report's text was extracted from, as stored."""
    db = datasette.get_database(DATABASE)
    rid = request.url_vars["report_id"]
    row = (
        await db.execute("SELECT warc_file, warc_offset FROM reports WHERE id = ?", [rid])
    ).first()
    name = row["warc_file"] if row else None
    if not name or "/" in name or "\\" in name or name.startswith(".") or db.path is None:
        return Response.text("没有该报告的 WARC 记录", status=404)
    path = Path(db.path).resolve().parent / "warc" / name
    if not path.is_file():
        return Response.text("WARC 文件不在本机", status=404)
    data = gzip_member(path, int(row["warc_offset"] or 0))
    return Response(
        data,
        content_type="application/warc",
        headers={"content-disposition": f'attachment; filename="nianbao-{rid}.warc.gz"'},
    )
