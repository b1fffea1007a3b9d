"""Refuse zip bombs before a reader inflates them.

DOCX, XLSX and OFD files are zip archives, and python-docx or our OFD reader inflate every member they
open. A 100 KB file can declare (or secretly hold) gigabytes of zeros, and a portal — hacked or just
broken — can serve one as 统计表.docx. `check_zip` looks at the central directory first (declared sizes
and ratios, no inflating), then inflates each member in bounded steps to make sure the real size does not
exceed what was declared, since the directory can lie.
"""

from __future__ import annotations

import io
import zipfile
import zlib

__all__ = ["MAX_INFLATED", "MAX_RATIO", "ZipBombError", "check_zip"]

# Real DOCX/OFD members compress 3–30:1 (repetitive XML); anything past 200:1 is not a document.
MAX_RATIO = 200
# The largest text-bearing office file we expect inflates to well under this.
MAX_INFLATED = 100 * 1024 * 1024
_STEP = 1024 * 1024


class ZipBombError(ValueError):
    """The archive would inflate beyond what a document can be."""


def check_zip(data: bytes, max_ratio: int = MAX_RATIO, max_inflated: int = MAX_INFLATED) -> None:
    """Raise ZipBombError when `data` is a zip that inflates too far; return None when it is safe."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # not a zip: the reader reports that itself
    infos = zf.infolist()
    declared = sum(i.file_size for i in infos)
    if declared > max_inflated:
        raise ZipBombError(f"zip bomb: declares {declared} bytes uncompressed > {max_inflated}")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _STEP and ratio > max_ratio:
            raise ZipBombError(
                f"zip bomb: {info.filename} declares {info.file_size} bytes from "
                f"{info.compress_size} (ratio {ratio:.0f}:1 > {max_ratio}:1)"
            )
    for info in infos:
        _inflate_bounded(zf, info)


def _inflate_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Inflate one deflated member at most `file_size + 1` bytes at a time; more output than declared
    means the directory lied."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return  # stored members are as large as their bytes; other methods the readers refuse anyway
    # zf.open would inflate on its own terms; read the raw deflate stream from the local header on.
    fp = zf.fp
    fp.seek(info.header_offset)
    header = fp.read(zipfile.sizeFileHeader)
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    fp.seek(info.header_offset + zipfile.sizeFileHeader + name_len + extra_len)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-15)
    produced = 0
    limit = info.file_size
    while remaining > 0:
        chunk = fp.read(min(_STEP, remaining))
        if not chunk:
            break
        remaining -= len(chunk)
        while chunk:
            out = inflater.decompress(chunk, _STEP)
            produced += len(out)
            if produced > limit:
                raise ZipBombError(
                    f"zip bomb: {info.filename} inflates past its declared {limit} bytes"
                )
            chunk = inflater.unconsumed_tail
