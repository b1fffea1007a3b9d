"""Which links the archive may keep and show: http and https only, judged the way a browser would read them.

Portal pages are content we do not control. A link such as `JavaScript:alert(1)//a.pdf` looks like a file to
any test on its ending, and `java&#9;script:…` or `\\x01javascript:…` is still `javascript:` to a browser,
which decodes entities, drops tabs, newlines and leading control characters and ignores case before it reads
the scheme. Stored, then rendered as `<a href>` on the report page, such a link runs the portal's script in a
reader's browser. So every URL the archive stores (attachments, images, a report's own URL) or renders as a
link is judged here, crawler and server alike: it is decoded and stripped more eagerly than any browser
would (entities decoded until nothing changes, every control, format and whitespace character removed, case
folded), and only a scheme of http or https passes. Being stricter than the browser is deliberate: a string
this module passes can never be `javascript:` to a browser, while a string it refuses is at worst a broken
link shown as text.

Leaf module: the standard library only, so `crawler/` can import it without importing the archive.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = [
    "ALLOWED_SCHEMES",
    "judged_form",
    "link_scheme",
    "refusal",
    "refused_link",
    "safe_href",
    "screen_links",
]

ALLOWED_SCHEMES = frozenset({"http", "https"})
# Rounds of entity decoding: a portal's own double escaping (`&amp;#9;`) is undone by the second round; more
# rounds than this means a string built to waste time, refused as it stands.
_DECODE_ROUNDS = 4
# Longer URLs are not links anyone follows; judging them would only cost time.
MAX_URL_CHARS = 8192

# A URL scheme at the start of the judged form: matches "javascript:" in "javascript:alert(1)//a.pdf",
# "https:" in "https://example.gov.cn/a.pdf", "view-source:" in "view-source:http://x"; not "/files/a.pdf"
# nor "a.pdf?x=1:2" (a path whose first colon follows a "/" or "?" is relative).
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _dropped(ch: str) -> bool:
    """Characters a browser drops or that hide a scheme: C0/C1 controls, DEL, whitespace of any kind
    (tab, newline, U+3000), and format characters such as U+200B or U+FEFF."""
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def judged_form(url: str) -> str:
    """`url` as this module reads it: entities decoded, controls and whitespace removed, case folded."""
    text = url[:MAX_URL_CHARS]
    for _ in range(_DECODE_ROUNDS):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return "".join(ch for ch in text if not _dropped(ch)).casefold()


def link_scheme(url: str) -> str | None:
    """The scheme of `url` as judged here ("javascript", "https"), or None for a relative URL."""
    m = _SCHEME_RE.match(judged_form(url))
    return m.group(1) if m else None


def refusal(url: object) -> str | None:
    """Why `url` may not be stored as a link (e.g. "refused link scheme javascript:"), or None when it is an
    absolute http(s) URL. A relative URL is refused too: the crawler stores absolute URLs only, so a
    relative one here was never resolved against its page and a browser would resolve it against ours."""
    if not isinstance(url, str) or not url.strip():
        return "refused link: empty"
    if len(url) > MAX_URL_CHARS:
        return f"refused link: longer than {MAX_URL_CHARS} characters"
    scheme = link_scheme(url)
    if scheme is None:
        return "refused link: not an absolute URL"
    if scheme not in ALLOWED_SCHEMES:
        return f"refused link scheme {scheme}:"
    return None


def page_link_refusal(written: str, resolved: str) -> str | None:
    """Why a link a page wrote as `written` and that resolves to `resolved` may not be followed or stored:
    a link naming its own scheme (javascript:, data:) is judged as written, a relative one as resolved
    against its page."""
    return refusal(written) if link_scheme(written) else refusal(resolved)


def safe_href(url: object) -> str | None:
    """`url` when it may be an `href` (an absolute http or https URL), else None: render it as text."""
    return url if isinstance(url, str) and refusal(url) is None else None


# How much of a refused URL a crawl_errors row keeps: a data: URL can be megabytes of base64.
_RECORDED_CHARS = 300


def refused_link(url: str, reason: str) -> dict[str, str]:
    """A refusal as the crawl records it: {"url", "reason"}, the URL cut to a readable length."""
    shown = url if len(url) <= _RECORDED_CHARS else url[:_RECORDED_CHARS] + "…"
    return {"url": shown, "reason": reason}


def screen_links(record: dict) -> tuple[dict, list[dict[str, str]]]:
    """The report record with every link that may not be stored taken out — attachments, image URLs and
    archived image rows — and the refusals to record: those found here plus those the crawler made earlier
    (`refused_links`, crawler/extract/ and crawler/metadata.py). The archive's last check, so that no
    path into it (crawl, re-extraction, the distributed writer) can store a `javascript:` link."""
    refused = [dict(r) for r in record.get("refused_links") or []]
    out = dict(record)
    for key in ("attachments", "image_files"):
        kept = []
        for entry in record.get(key) or []:
            url = entry.get("url") if isinstance(entry, dict) else None
            why = refusal(url)
            if why:
                refused.append(refused_link(str(url or ""), why))
            else:
                kept.append(entry)
        if key in record:
            out[key] = kept
    if record.get("images"):
        images = []
        for url in record["images"]:
            why = refusal(url)
            if why:
                refused.append(refused_link(str(url or ""), why))
            else:
                images.append(url)
        out["images"] = images
    return out, refused
