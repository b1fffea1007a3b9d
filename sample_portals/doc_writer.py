"""Word 97–2003 binary files (.doc) for the sample portals, written from scratch.

County bureaus still post their annual reports as `.doc` files saved from old Word or WPS. No Python
library writes that format, so the sample portals build it here: a Compound File (CFB, [MS-CFB] version 3)
holding a `WordDocument` stream (File Information Block, then the text) and a `1Table` stream (the piece
table). Only what a reader needs to find the text is written — no styles, fonts or formatting runs — but
every structure sits where [MS-DOC] puts it, so the crawler's reader meets the real layout: the FIB flag
naming the table stream, fcClx/lcbClx at their fixed offsets, and pieces in both encodings (8-bit
"compressed" cp1252 and UTF-16LE), the way Word splits a document whose text mixes Latin and Chinese.
"""

from __future__ import annotations

import struct

from sample_portals.model import Block

__all__ = ["cfb_bytes", "doc_bytes", "word_text"]

SECTOR = 512
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
TEXT_START = 0x800  # where the text begins in WordDocument, after the FIB (Word uses 0x400–0x800)


def word_text(blocks: list[Block]) -> str:
    """The document's characters as Word stores them: paragraphs end in \\r, each table cell in \\x07,
    each table row in one more \\x07 (the row-end mark); the document ends with a paragraph mark."""
    out = []
    for b in blocks:
        if b.kind == "table":
            for row in b.rows:
                out.append(
                    "".join((c if isinstance(c, str) else c[0]) + "\x07" for c in row) + "\x07"
                )
        else:
            out.append(b.text + "\r")
    return "".join(out) + "\r"


def _pieces(text: str, compress: bool) -> list[tuple[str, bool]]:
    """Runs of the text, each marked compressed (all cp1252) or not, as Word's piece table keeps them."""
    runs: list[tuple[str, bool]] = []
    for ch in text:
        compressed = compress and ord(ch) < 0x80
        if runs and runs[-1][1] == compressed:
            runs[-1] = (runs[-1][0] + ch, compressed)
        else:
            runs.append((ch, compressed))
    return runs


def _fib(ccp_text: int, fc_clx: int, lcb_clx: int, cb_mac: int) -> bytes:
    """FibBase, FibRgW97, FibRgLw97 and FibRgFcLcb97 of an nFib 0x00C1 (Word 97) document."""
    fib = bytearray(0x384)
    # FibBase: wIdent, nFib, unused, lid (zh-CN), pnNext; flags with fWhichTblStm (1Table) and fExtChar.
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0804, 0)
    struct.pack_into("<H", fib, 0x0A, 0x0200 | 0x1000)
    struct.pack_into("<H", fib, 0x0C, 0x00BF)  # nFibBack
    # fcMin/fcMac: reserved since Word 97 but still written by Word, and read by older text tools
    struct.pack_into("<II", fib, 0x18, TEXT_START, cb_mac)
    struct.pack_into("<H", fib, 0x20, 14)  # csw: 14 16-bit values follow
    struct.pack_into("<H", fib, 0x3E, 22)  # cslw: 22 32-bit values follow
    struct.pack_into("<I", fib, 0x40, cb_mac)  # cbMac: bytes in use in WordDocument
    struct.pack_into("<I", fib, 0x4C, ccp_text)  # ccpText: characters in the main document
    struct.pack_into("<H", fib, 0x98, 0x5D)  # cbRgFcLcb: 93 fc/lcb pairs
    struct.pack_into("<II", fib, 0x1A2, fc_clx, lcb_clx)  # fcClx / lcbClx (pair 33)
    return bytes(fib)


def doc_bytes(blocks: list[Block], compress: bool = True) -> bytes:
    """A .doc whose text is the blocks: paragraphs, and tables with one cell per table cell.

    With `compress`, ASCII runs become 8-bit pieces between UTF-16 ones (a piece table of many pieces);
    without, the text is one UTF-16 piece, which even tools that ignore the piece table read."""
    text = word_text(blocks)
    body = bytearray()
    cps, pcds = [0], []
    cp = 0
    for run, compressed in _pieces(text, compress):
        fc = TEXT_START + len(body)
        if compressed:
            body += run.encode("cp1252")
            # fCompressed (bit 30) set: the piece's bytes are at fc/2, one byte per character
            pcds.append(struct.pack("<HIH", 0, (fc * 2) | 0x40000000, 0))
        else:
            if len(body) % 2:
                body += b"\x00"  # UTF-16 pieces start on an even offset
                fc += 1
            body += run.encode("utf-16-le")
            pcds.append(struct.pack("<HIH", 0, fc, 0))
        cp += len(run)
        cps.append(cp)
    plc = struct.pack(f"<{len(cps)}I", *cps) + b"".join(pcds)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc  # Pcdt: clxt 0x02, lcb, PlcPcd
    word = bytearray(_fib(len(text), 0, len(clx), TEXT_START + len(body)))
    word += b"\x00" * (TEXT_START - len(word)) + body
    return cfb_bytes({"WordDocument": bytes(word), "1Table": clx})


def _padded(data: bytes) -> bytes:
    # Streams under 4096 bytes would live in the mini stream; padding keeps every stream in plain
    # sectors (the FIB and the CLX's own length say where the content ends, not the stream size).
    data = data + b"\x00" * max(0, 4096 - len(data))
    return data + b"\x00" * (-len(data) % SECTOR)


def _dir_entry(
    name: str, kind: int, start: int, size: int, left=NOSTREAM, right=NOSTREAM, child=NOSTREAM
) -> bytes:
    raw = name.encode("utf-16-le") + b"\x00\x00"
    return (
        raw.ljust(64, b"\x00")
        + struct.pack("<HBB", len(raw), kind, 1)  # name length, object type, colour (black)
        + struct.pack("<III", left, right, child)
        + b"\x00" * 16  # CLSID
        + struct.pack("<I", 0)  # state bits
        + b"\x00" * 16  # creation and modification times (none: the file is byte-stable)
        + struct.pack("<IQ", start, size)
    )


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A version-3 Compound File with the given streams at its root, no mini stream."""
    names = sorted(streams, key=lambda n: (len(n), n.upper()))  # CFB's directory ordering
    data, starts, fat = b"", {}, []
    for name in names:
        chunk = _padded(streams[name])
        n = len(chunk) // SECTOR
        starts[name] = len(fat)
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [ENDOFCHAIN]
        data += chunk
    # Directory: root plus one entry per stream, four 128-byte entries per sector.
    entries = len(names) + 1
    dir_sectors = -(-entries // 4)
    dir_start = len(fat)
    fat += [dir_start + i + 1 for i in range(dir_sectors - 1)] + [ENDOFCHAIN]
    # FAT sectors: enough to map every sector including themselves (128 entries each).
    fat_sectors = 1
    while len(fat) + fat_sectors > 128 * fat_sectors:
        fat_sectors += 1
    fat_start = len(fat)
    fat += [FATSECT] * fat_sectors
    fat += [FREESECT] * (128 * fat_sectors - len(fat))
    if fat_sectors > 109:
        raise ValueError("file too large for a header-only DIFAT")

    # The children form a binary search tree by the CFB order; a right-leaning chain is a valid one.
    ids = {name: i + 1 for i, name in enumerate(names)}
    directory = _dir_entry("Root Entry", 5, ENDOFCHAIN, 0, child=ids[names[0]])
    for i, name in enumerate(names):
        right = ids[names[i + 1]] if i + 1 < len(names) else NOSTREAM
        # sizes under the 4096-byte cutoff would send readers to the (absent) mini stream
        size = max(len(streams[name]), 4096)
        directory += _dir_entry(name, 2, starts[name], size, right=right)
    directory = directory.ljust(dir_sectors * SECTOR, b"\x00")
    # unused entries must read as empty with no siblings
    for k in range(entries, dir_sectors * 4):
        off = k * 128
        directory = (
            directory[: off + 68]
            + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM)
            + directory[off + 80 :]
        )

    difat = [fat_start + i for i in range(fat_sectors)] + [FREESECT] * (109 - fat_sectors)
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack("<IIIII", 0, fat_sectors, dir_start, 0, 4096)
        + struct.pack("<IIII", ENDOFCHAIN, 0, ENDOFCHAIN, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == SECTOR
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + data + directory + fat_bytes
