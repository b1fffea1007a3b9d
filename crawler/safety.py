"""Safe fetching: the crawler fetches only from the registry's hosts, over http(s), never inside a network.

A portal can redirect anywhere: to another site, to `http://10.0.0.1/` inside the hosting provider's
network, to a cloud metadata address (169.254.169.254) or to `file:///etc/passwd`. Following such a link
would make the archive crawler a tool for reaching what it must not, so every request — first fetch,
redirect target, robots.txt, attachment — is checked here *before* any connection or DNS lookup:

- `SafetyMiddleware` (downloader middleware, priority 40, before robots.txt at 100) refuses a request whose
  scheme is not http/https, whose URL carries user-info, whose host is an address literal in a private,
  loopback, link-local, shared, metadata, multicast, reserved or unspecified range — in any spelling the
  C library accepts, `0x0a000001` and `[::ffff:10.0.0.1]` included (crawler/addresses.py) — unless that
  exact host:port is a registry host (the registry admits loopback only for rows that allow it), or whose
  host:port is not one of the registry's homepage, column or endpoint hosts (`NIANBAO_ALLOWED_HOSTS` adds
  more).
- `RedirectGuard` (priority 650, so it sees a 3xx before Scrapy's RedirectMiddleware at 600) applies the
  same rule to the Location target, and stops redirect loops at the first repeated URL, so the reason in
  `crawl_errors` names the real target ("redirect to disallowed host 10.0.0.1") instead of a generic one.

Refusals raise `RefusedRequest` (an `IgnoreRequest`), which the spider records with its message.

A host *name* is judged again after it is resolved, right before the connection, by the resolver in
crawler/resolver.py: the guards here tell it which names the registry lets resolve to loopback.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from crawler.addresses import METADATA_NAMES, address_problem, literal_address
from crawler.refused import RefusedRequest
from crawler.resolver import allow_loopback_names

__all__ = [
    "RedirectGuard",
    "RefusedRequest",
    "SafetyMiddleware",
    "allowed_hosts",
    "check_url",
    "retry_after_seconds",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _host_port(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def _netloc(url: str) -> str | None:
    scheme, host, port = _host_port(url)
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    return f"{host}:{port}"


def allowed_hosts(bureaus, extra: list[str] | tuple[str, ...] = ()) -> frozenset[str]:
    """host:port of every registry homepage, column and URL-valued override (Hanweb proxy, JPaaS API)."""
    urls = [url for b in bureaus for url in _urls(b)]
    hosts = {h for h in map(_netloc, urls) if h}
    for item in extra:
        hosts.add(_netloc(item) if "://" in item else item.lower())
    return frozenset(hosts)


def _urls(bureau) -> list[str]:
    return [
        bureau.homepage,
        *bureau.columns,
        *(v for v in bureau.overrides.values() if isinstance(v, str) and "://" in v),
    ]


def loopback_names(bureaus) -> frozenset[str]:
    """Hosts of rows with `allow_loopback`: the only hosts the resolver lets resolve to loopback."""
    return frozenset(
        host
        for b in bureaus
        if getattr(b, "allow_loopback", False)
        for host in (_host_port(url)[1] for url in _urls(b))
        if host
    )


def _address_kind(host: str) -> str | None:
    """What a host that is an address literal (in any notation) or a metadata name really is."""
    if host.removesuffix(".") in METADATA_NAMES:
        return "cloud metadata host"
    literal = literal_address(host.strip("[]"))
    if literal is None:
        return None  # a name: only the allow-list decides here, the resolver judges its address
    ip, canonical = literal
    kind = address_problem(ip)
    if kind is None:
        return None if canonical else f"address {ip} in another notation"
    # "private, IPv4-mapped 192.168.1.1" reads "private address, IPv4-mapped 192.168.1.1"
    kind, _, carried = kind.partition(", ")
    what = f"{kind} address" if canonical else f"{kind} address {ip} in another notation"
    return f"{what}, {carried}" if carried else what


def check_url(url: str, allowed: frozenset[str]) -> str | None:
    """Why `url` must not be fetched, or None. Pure string checks: no DNS, no connection."""
    scheme, host, port = _host_port(url)
    if scheme not in _DEFAULT_PORTS:
        return f"disallowed scheme {scheme or '(none)'}:"
    if not host:
        return "no host"
    if "@" in urlsplit(url).netloc:
        return "disallowed user-info in URL"
    if port == -1:
        return "disallowed port (not a number from 1 to 65535)"
    netloc = f"{host}:{port}"
    if netloc in allowed:
        return None
    shown = host if port == _DEFAULT_PORTS[scheme] else netloc
    kind = _address_kind(host)
    if kind:
        return f"disallowed host {shown} ({kind})"
    return f"disallowed host {shown} (not in the registry)"


class _Guard:
    def __init__(self, crawler):
        self.crawler = crawler
        self._allowed: frozenset[str] | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def allowed(self) -> frozenset[str]:
        # The spider loads the registry in __init__; read it on first use, after the spider exists.
        if self._allowed is None:
            extra = self.crawler.settings.getlist("NIANBAO_ALLOWED_HOSTS")
            bureaus = getattr(self.crawler.spider, "bureaus", [])
            self._allowed = allowed_hosts(bureaus, extra)
            allow_loopback_names(loopback_names(bureaus))
        return self._allowed

    def refuse(self, reason: str) -> RefusedRequest:
        self.crawler.stats.inc_value("nianbao/refused")
        return RefusedRequest(reason)


class SafetyMiddleware(_Guard):
    """Refuses requests to hosts outside the registry, to private addresses and to non-http(s) schemes."""

    def process_request(self, request):
        problem = check_url(request.url, self.allowed)
        if problem is None:
            return None
        prefix = "redirect to" if request.meta.get("redirect_urls") else "request to"
        raise self.refuse(f"{prefix} {problem}")


class RedirectGuard(_Guard):
    """Looks at a redirect's Location before Scrapy follows it: unsafe targets and loops are refused."""

    def process_response(self, request, response):
        if response.status not in (301, 302, 303, 307, 308) or "Location" not in response.headers:
            return response
        if request.meta.get("dont_redirect"):
            return response
        location = response.headers["Location"].decode("latin-1").strip()
        target = urljoin(request.url, location)
        problem = check_url(target, self.allowed)
        if problem is not None:
            raise self.refuse(f"redirect to {problem}")
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise self.refuse(f"redirect loop ({' → '.join([*chain, target])})")
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for: either delta-seconds ("120") or an HTTP date
    ("Wed, 21 Oct 2015 07:28:00 GMT"); None when absent or unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
