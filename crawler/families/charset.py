"""Decide a page's charset from its bytes, because old portals' HTTP headers lie.

Legacy static portals serve GB2312/GBK files with `Content-Type: text/html; charset=utf-8` or with no
charset at all; Scrapy believes the header first and a wrong header turns every character into mojibake
that then sits in the archive for good. The bytes settle it, by how much of them each charset reads:

- UTF-8 when nearly all of the non-ASCII text is valid UTF-8 (`UTF8_MIN_VALID`, 80 %). A UTF-8 page with
  a few broken bytes — a truncated character, a stray 0xFF from a bad copy — stays UTF-8 and shows
  replacement characters there; GB18030, which reads almost any byte pair, would garble all of it. GBK
  text read as UTF-8 is valid for 15-25 % of its characters only (measured on the seed reports), so the
  threshold keeps the two apart with room to spare;
- otherwise the `<meta>` declaration, then the header, if the bytes decode strictly in it;
- otherwise GB18030, the superset of GB2312 and GBK that Chinese portals mean by either.
"""

from __future__ import annotations

import codecs
import re

from scrapy.http import Response, TextResponse

__all__ = ["UTF8_MIN_VALID", "decide_charset", "utf8_validity", "with_right_charset"]

# A charset declared in the first bytes of a page: matches b'<meta charset="gb2312">' and
# b'<meta http-equiv="Content-Type" content="text/html; charset=GBK">' (the name is group 1).
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
# The charset parameter of a Content-Type header: matches "text/html; charset=utf-8" (group 1: utf-8).
_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_-]+)", re.I)

# Names portals use for the Chinese national charsets; all are decoded as their superset.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "gb_2312-80", "hz-gb-2312"}


def _norm(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# Share of a page's non-ASCII characters that must be valid UTF-8 for the page to be read as UTF-8.
UTF8_MIN_VALID = 0.8
_ASCII = bytes(range(128))
_UTF8_FFFD = "\ufffd".encode()


def utf8_validity(body: bytes) -> tuple[int, int]:
    """(valid non-ASCII characters, invalid sequences) of `body` read as UTF-8.

    Counted from lengths, not by a Python loop: ASCII bytes always decode to themselves, so what is left
    of the decoded text is the valid characters and one U+FFFD per invalid sequence (minus the U+FFFD
    the page really contains).
    """
    text = body.decode("utf-8", errors="replace")
    high = len(body.translate(None, _ASCII))
    replaced = text.count("\ufffd") - body.count(_UTF8_FFFD)
    valid = len(text) - (len(body) - high) - replaced
    return valid, replaced


def _mostly_utf8(body: bytes) -> bool:
    valid, invalid = utf8_validity(body)
    return valid > 0 and valid >= UTF8_MIN_VALID * (valid + invalid)


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def decide_charset(body: bytes, content_type: str | None = None) -> str:
    """The charset to decode `body` with; header and meta are only believed when the bytes agree."""
    if _decodes(body, "utf-8") or _mostly_utf8(body):
        return "utf-8"
    m = _META_CHARSET_RE.search(body[:4096])
    header = _HEADER_CHARSET_RE.search(content_type or "")
    for declared in (
        m.group(1).decode("ascii", "ignore") if m else None,
        header and header.group(1),
    ):
        enc = _norm(declared)
        if enc and enc != "utf-8" and _decodes(body, enc):
            return enc
    return "gb18030"


def with_right_charset(response: Response) -> Response:
    """The same response, decoded with the charset its bytes call for (unchanged when Scrapy was right)."""
    if not isinstance(response, TextResponse):
        return response
    ctype = response.headers.get("Content-Type", b"").decode("latin-1")
    enc = decide_charset(response.body, ctype)
    if codecs.lookup(enc).name == codecs.lookup(response.encoding).name:
        return response
    return response.replace(encoding=enc)
