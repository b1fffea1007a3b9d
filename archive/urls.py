"""The one spelling of a page's address, shared by the crawler (list entries, detail pages) and the
archive (report ids, re-extraction), so a page is one report whoever names it.

Two spellings used to exist: the crawler's (w3lib: sorted query, percent-encoding, no fragment) and the
archive's (lower-case host, no default port, no fragment). Every URL the archive ever stored came through
both, one after the other, so the single function is exactly that composition: addresses already in an
archive keep their spelling and their report id. A leaf module: it imports nothing of nianbao.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

__all__ = ["canonical_url"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """One spelling per page, so HTTP://Example.gov.cn:80/a?b=2&a=1#top and http://example.gov.cn/a?a=1&b=2
    do not become two reports. Path and query keep their case: portal CMSs treat them as case-sensitive;
    the query's order does not matter to them, so it is sorted."""
    try:
        parts = urlsplit(canonicalize_url(url.strip(), keep_fragments=False))
    except ValueError:  # w3lib refuses "http://a.cn:99999/"; such a link still needs one spelling
        parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{host}"
    try:
        port = parts.port
    except ValueError:  # "http://a.cn:99999/": not a port, kept as written rather than dropped
        return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, ""))
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path or ("/" if netloc else "")
    return urlunsplit((scheme, netloc, path, parts.query, ""))
