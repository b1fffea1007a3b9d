"""Lists a page writes with `document.write` of JS strings: the markup the browser would see.

Some templates (TRS among them) keep a column's rows in a script (`str += '<li><a href=…>…</a></li>';
document.write(str);`), so the HTML holds no list at all. Every list reader reads the page as the
browser shows it: the strings of such a script, joined, are put back after the script.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.http import Response

__all__ = ["with_written_html", "written_html"]

# A script element: matches '<script type="text/javascript">var s = 1;</script>' (body is group 2).
_SCRIPT_RE = re.compile(r"(<script\b[^>]*>)(.*?)(</script\s*>)", re.S | re.I)
# A JS string literal: matches 'a \'b\'' and "<li><a href=\"./t.html\">" (body in group 1 or 2).
_STRING_RE = re.compile(r"""'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)\"""")
# A JS escape: matches "\'", "\"", "\/", "\\", "\n".
_ESCAPE_RE = re.compile(r"\\(.)")
# A link in written markup: matches '<a href="./202401/t20240122_88.html"'.
_LINK_RE = re.compile(r"<a\s[^>]*href", re.I)
_ESCAPES = {"n": "\n", "t": "\t", "r": ""}


def written_html(body: str) -> str:
    """The page with the markup its `document.write` scripts write placed after each such script;
    the page itself when none writes a link."""
    if "document.write" not in body:
        return body

    def expand(m: re.Match) -> str:
        script = m.group(2)
        if "document.write" not in script:
            return m.group(0)
        strings = (a if a is not None else b for a, b in _STRING_RE.findall(script))
        html = "".join(
            _ESCAPE_RE.sub(lambda e: _ESCAPES.get(e.group(1), e.group(1)), s) for s in strings
        )
        if not _LINK_RE.search(html):
            return m.group(0)
        return m.group(0) + html

    return _SCRIPT_RE.sub(expand, body)


def with_written_html(response: Response) -> Response:
    """The response as the browser shows it (`written_html`); JSON and binary answers unchanged."""
    text = getattr(response, "text", None)
    if not text or "document.write" not in text or not hasattr(response, "selector"):
        return response
    expanded = written_html(text)
    if expanded is text or expanded == text:
        return response
    return response.replace(body=expanded.encode("utf-8"), encoding="utf-8")
