"""The resolver the downloader connects through: a host's answer is judged before any connection.

The safety middleware (crawler/safety.py) can only read what a URL says. A portal host name on the public
internet may still resolve to 10.1.2.3 (a split-horizon DNS, a stale record, a deliberate rebinding),
and `localhost` is loopback under any name. Twisted's HTTP client resolves every host — names and
address literals alike — through the reactor's resolver right before it connects, so that is where the
answer is checked: an address `crawler.addresses.address_problem` refuses is never handed on, and no
connection is attempted.

Twisted's resolution interface has no way to say *why* a host gave no address (the client reports "no
results for hostname lookup"), so the resolver keeps the reason per host, and `RefusedAddressMiddleware`
turns the DNS failure of such a host into `RefusedAddress` ("refused address 10.0.0.1 for host
intranet.example.gov.cn (private)") before the retry middleware would retry it; the spider records that
reason in crawl_errors.

Loopback answers are accepted only for hosts (names or literals) of registry rows with
`allow_loopback: true`, registered by the safety middleware when it first reads the registry;
`localhost` in any other row is refused like a private address. `NIANBAO_ALLOWED_HOSTS` widens the host
allow-list only, never this. Installed with `TWISTED_DNS_RESOLVER = "crawler.resolver.GuardedResolver"`
(crawler/settings.py); Scrapy's DNS cache is kept, and cached answers are judged too.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import CannotResolveHostError
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

from crawler.addresses import address_problem
from crawler.refused import RefusedRequest

__all__ = [
    "GuardedResolver",
    "RefusedAddress",
    "RefusedAddressMiddleware",
    "allow_loopback_names",
    "refusal_for",
    "resolution_problem",
]

# Process-wide because Scrapy builds one resolver for the reactor, before any spider exists; the names
# only ever widen loopback for hosts a loaded registry vouches for.
_LOOPBACK_HOSTS: set[str] = set()
# host → why its last answer was refused; cleared when the host resolves acceptably again
_REFUSED: dict[str, str] = {}


def _key(host: str) -> str:
    return host.lower().strip("[]").removesuffix(".")


class RefusedAddress(RefusedRequest):
    """A host resolved to an address nianbao must not connect to; the message names both."""


def allow_loopback_names(hosts) -> None:
    """Let these hosts (of rows with `allow_loopback`) resolve to 127.0.0.0/8 or ::1."""
    _LOOPBACK_HOSTS.update(_key(h) for h in hosts)


def resolution_problem(host: str, address: str, loopback_hosts=None) -> str | None:
    """Why the answer `address` for `host` must not be connected to, or None."""
    hosts = _LOOPBACK_HOSTS if loopback_hosts is None else loopback_hosts
    kind = address_problem(address, allow_loopback=_key(host) in hosts)
    if kind is None:
        return None
    return f"refused address {address} for host {host} ({kind})"


def refusal_for(host: str) -> str | None:
    """The reason the resolver last refused `host`'s answer, if it did."""
    return _REFUSED.get(_key(host))


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, withholding answers in private, loopback, metadata … ranges."""

    def getHostByName(self, name: str, timeout=()):  # noqa: N802 - Twisted's interface
        d = super().getHostByName(name, timeout)
        d.addCallback(self._judged, name)
        return d

    def _judged(self, address: str, name: str) -> str:
        problem = resolution_problem(name, address)
        if problem:
            _REFUSED[_key(name)] = problem
            raise DNSLookupError(problem)
        _REFUSED.pop(_key(name), None)
        return address


class RefusedAddressMiddleware:
    """Downloader middleware (above RetryMiddleware): a host whose answer was refused is not retried,
    and the request fails with the resolver's reason instead of a bare "DNS lookup failed"."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception):
        if not isinstance(exception, DNSLookupError | CannotResolveHostError):
            return None
        reason = refusal_for(urlsplit(request.url).hostname or "")
        if reason is None:
            return None
        self.crawler.stats.inc_value("nianbao/refused")
        raise RefusedAddress(reason)
