"""Which addresses nianbao may reach: public ones, and loopback only where the registry allows it.

The same policy is applied three times, because each place sees a different part of the truth:

- when the registry is loaded (`url_problem`), on the URL as written: a row pointing at `10.0.0.1`,
  `[::ffff:192.168.1.1]` or `http://2130706433/` is a mistake (or a trap) the operator must see at once;
- by the downloader middleware (crawler/safety.py), on every request and redirect target, before DNS;
- by the resolver (crawler/resolver.py), on the address a host name resolved to, right before the
  connection: `intranet.example.gov.cn` may resolve to 10.1.2.3, and only then can it be caught.

Address literals come in more spellings than `ipaddress` reads. The C library (and so every name lookup)
accepts the inet_aton forms — `2130706433`, `0x7f000001`, `0177.0.0.1`, `127.1` — and IPv6 carries IPv4
addresses inside it (IPv4-mapped `::ffff:c0a8:101`, 6to4 `2002:c0a8:101::`, NAT64 `64:ff9b::a00:1`,
Teredo). All are unwrapped here and judged by the IPv4 address they stand for.

Loopback (127.0.0.0/8 and ::1, written canonically) is the only range an allowance can open: the sample
portals live there. Private, link-local, shared (CGNAT), metadata, multicast and reserved addresses are
refused always.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

__all__ = [
    "METADATA_ADDRESSES",
    "METADATA_NAMES",
    "address_problem",
    "literal_address",
    "loose_ipv4",
    "url_problem",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Instance-metadata services of the clouds government portals and crawlers are hosted on: AWS/Huawei/
# OpenStack (169.254.169.254, fd00:ec2::254), Alibaba Cloud (100.100.100.200), Tencent Cloud
# (169.254.0.23), ECS task metadata (169.254.170.2), Oracle Cloud (192.0.0.192). All lie in ranges that
# are refused anyway; they are named so the reason says what the address really is.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",
        "169.254.170.2",
        "169.254.0.23",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
    )
)
# Names of metadata services, refused when written in a registry or link (they resolve inside the cloud).
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.tencentyun.com"})

_PRIVATE_NETS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_SHARED_NET = ipaddress.ip_network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT
_NAT64_NETS = tuple(ipaddress.ip_network(n) for n in ("64:ff9b::/96", "64:ff9b:1::/48"))
_COMPAT_NET = ipaddress.ip_network("::/96")  # deprecated IPv4-compatible ::a.b.c.d
_TRANSLATED_NET = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT IPv4-translated ::ffff:0:a.b.c.d

# One part of an inet_aton address: matches "127", "0x7f", "0177", "0x" (zero) — decimal, hex or octal.
_AT_PART_RE = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$", re.I)
# A host name label: matches "jtt", "hunan-jtt", "xn--fiqs8s" (punycode), "_dmarc".
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$", re.I)
# Characters a URL must never contain unescaped: matches " " in "http://a b/", "\t", "\n", "\x00".
_BAD_CHAR_RE = re.compile(r"[\x00-\x20\x7f]")


def loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host string means to the C library's inet_aton, or None if it is a name.

    inet_aton reads one to four parts, each decimal, 0x-hex or 0-octal; the last part fills the remaining
    bytes: "2130706433", "0x7f000001", "0177.0.0.1" and "127.1" all mean 127.0.0.1.
    """
    parts = host.removesuffix(".").split(".")
    if not 1 <= len(parts) <= 4 or not all(_AT_PART_RE.match(p) for p in parts):
        return None
    values = []
    for p in parts:
        if p[:2].lower() == "0x":
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p.startswith("0"):
            if not set(p) <= set("01234567"):
                return None
            values.append(int(p, 8))
        else:
            values.append(int(p))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = last
    for i, v in enumerate(head):
        number += v << (8 * (3 - i))
    return ipaddress.IPv4Address(number)


def literal_address(host: str) -> tuple[IPAddress, bool] | None:
    """The address a URL host (brackets removed) spells, and whether it is spelled canonically;
    None for a host name. `0x7f000001` is (127.0.0.1, False): the C library would connect there."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        loose = loose_ipv4(host)
        return None if loose is None else (loose, False)
    return ip, True


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address carries, with the name of the mechanism."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in net for net in _NAT64_NETS):
        return "NAT64", low32
    if ip in _TRANSLATED_NET:
        return "IPv4-translated", low32
    if ip in _COMPAT_NET and int(ip) > 1:
        return "IPv4-compatible", low32
    return None


def _category(ip: IPAddress) -> str | None:
    """What kind of non-public address `ip` is, or None for a public one."""
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip in _SHARED_NET:
        return "shared (CGNAT)"
    if any(ip.version == net.version and ip in net for net in _PRIVATE_NETS):
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


def address_problem(address: str | IPAddress, allow_loopback: bool = False) -> str | None:
    """Why nianbao must not connect to `address`: "private", "loopback", "cloud metadata",
    "private, IPv4-mapped 192.168.1.1" …; None when it may.

    `allow_loopback` opens 127.0.0.0/8 and ::1 and nothing else (not ::ffff:127.0.0.1 either: a registry
    that means loopback writes it plainly).
    """
    ip = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "scoped IPv6"
        inner = _embedded_ipv4(ip)
        if inner is not None:
            how, v4 = inner
            kind = _category(v4)
            if kind is not None:
                return f"{kind}, {how} {v4}"
            # a public IPv4 address wrapped in IPv6: judged by the wrapper's own range (6to4 and
            # Teredo relays are public, ::ffff:0:0/96 is never routed as such)
            if how in ("IPv4-mapped", "IPv4-translated", "IPv4-compatible"):
                return None
    kind = _category(ip)
    if kind == "loopback" and allow_loopback:
        return None
    return kind


def _host_problem(host: str, allow_loopback: bool) -> str | None:
    """Problems of a URL's host as written (already lower-cased, brackets removed)."""
    if "%" in host:
        return f"host {host!r} is percent-encoded or has an IPv6 zone"
    literal = literal_address(host)
    if literal is not None:
        ip, canonical = literal
        if canonical:
            kind = address_problem(ip, allow_loopback)
            return f"address {ip} ({kind})" if kind else None
        kind = address_problem(ip, allow_loopback=False)
        what = f"address {ip} ({kind})" if kind else f"address {ip}"
        return f"{what} written as {host!r}: only dotted decimal is accepted"
    name = host.removesuffix(".")
    if name in METADATA_NAMES:
        return f"cloud metadata host {name}"
    try:
        ascii_name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return f"host {host!r} is not a valid host name"
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or not all(_LABEL_RE.match(label) for label in labels):
        return f"host {host!r} is not a valid host name"
    if labels[-1].isdigit():
        return f"host {host!r} ends in a number but is not an IPv4 address"
    return None


def url_problem(url: object, allow_loopback: bool = False) -> str | None:
    """Why `url` is not a URL nianbao may fetch, judged on the text alone (no DNS); None if it is fine.

    Refused: anything but http(s), user-info (`http://user@host/`: a reader sees `user`, the client
    connects to `host`), ports outside 1-65535, malformed hosts, and addresses `address_problem` refuses.
    """
    if not isinstance(url, str):
        return f"expected a URL, got {url!r}"
    if _BAD_CHAR_RE.search(url):
        return "contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme {parts.scheme or '(none)'}: is not http or https"
    if "@" in parts.netloc:
        return "user-info (user@ or user:password@) is not allowed"
    if not hostname:
        return "no host"
    after_host = parts.netloc.rpartition("]")[2]  # "[::1]:8080" → ":8080", "a.cn:80" → "a.cn:80"
    port_text = after_host.rpartition(":")[2]
    if ":" in after_host and not (port_text.isdigit() and 1 <= int(port_text) <= 65535):
        return f"port {port_text!r} is not a number from 1 to 65535"
    if parts.netloc.startswith("[") != ("[" in parts.netloc):
        return "malformed URL (brackets around an IPv6 address only)"
    return _host_problem(hostname, allow_loopback)
