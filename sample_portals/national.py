"""A national set of generated portals: every bureau on its own loopback address, all served by one process.

Politeness is per host, so a simulation of 3,300 portals needs 3,300 hosts. Linux routes all of 127.0.0.0/8
to the loopback interface, so each bureau gets an address 127.20.X.Y of its own and this server binds one
listening socket per address on the same port (never 0.0.0.0: nothing outside the machine can reach it).
One asyncio loop answers them all, so thousands of hosts cost one thread and one process.

Each bureau is a TRS-shaped column (`index.html`, `index_N.html` announced by `createPageHTML`, detail pages
with `div.TRS_Editor`, rendered by `sample_portals.large`) of 10–40 items, 10 to a list page, so one to four
list pages, and a robots.txt that allows everything. The server records, per host, what a portal operator
would see: requests, robots.txt fetches, the most requests in flight at once, and the gap between
consecutive request arrivals; `GET /-/stats` on any address returns them as JSON (not counted).
A host can be told to answer one request with 429 and a Retry-After, to check that every worker holds off.

Use: `start_in_thread(n_bureaus, ...)` → a `National` handle (registry rows, stats, stop), or
`python -m sample_portals.national --bureaus 3300 --registry PATH` to serve until killed (what
`bench/national.py` runs, in its own process so its CPU is counted apart from the crawl's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import sys
import threading
import time
from pathlib import Path

import yaml

from sample_portals.large import PROVINCES, bureau_name, chrome, detail_page, item_meta

PER_PAGE = 10
ROBOTS = b"User-agent: *\nAllow: /\n"
# /b7/zwgk/ndbg/index.html, /b7/zwgk/ndbg/index_2.html, /b7/zwgk/ndbg/
_LIST_RE = re.compile(r"^/b(\d+)/zwgk/ndbg/(?:index(?:_(\d+))?\.html)?$")
# /b7/zwgk/ndbg/202503/t20250312_700012.html
_DETAIL_RE = re.compile(r"^/b(\d+)/zwgk/ndbg/(\d{6})/t(\d{8})_(\d+)\.html$")


def address(b: int) -> str:
    """Bureau b's own loopback address: 127.20.0.1 … 127.20.0.250, 127.20.1.1, …"""
    return f"127.20.{b // 250}.{1 + b % 250}"


def items_of(b: int) -> int:
    return random.Random(b * 7919).randint(10, 40)


def list_pages_of(b: int) -> int:
    return -(-items_of(b) // PER_PAGE)


def pages_of(b: int) -> int:
    """What a full crawl fetches from bureau b: robots.txt, its list pages and its detail pages."""
    return 1 + list_pages_of(b) + items_of(b)


def list_page(b: int, page: int) -> str:
    name = bureau_name(b)
    items = items_of(b)
    rows = []
    for i in range(page * PER_PAGE, min(items, (page + 1) * PER_PAGE)):
        title, date, path = item_meta(b, i)
        rows.append(
            f'<li><a href="./{path}" title="{title}">{title[:24]}</a><span>{date}</span></li>'
        )
    head, foot = chrome(name)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报_{name}</title></head>'
        f'<body>{head}<div class="list"><ul>{"".join(rows)}</ul></div>'
        f'<script>createPageHTML({list_pages_of(b)}, {page}, "index", "html");</script>{foot}'
        "</body></html>"
    )


def render(host: int, hosts: int, bureaus: int, path: str) -> bytes | None:
    """The page at `path` on host number `host`; a bureau's pages are only on its own host."""
    if path == "/robots.txt":
        return ROBOTS
    m = _LIST_RE.match(path) or _DETAIL_RE.match(path)
    b = int(m.group(1)) if m else -1
    if not (0 <= b < bureaus and b % hosts == host):
        return None
    if m.re is _LIST_RE:
        page = int(m.group(2) or 0)
        return list_page(b, page).encode() if page < list_pages_of(b) else None
    i = int(m.group(4)) - b * 100000
    if 0 <= i < items_of(b) and item_meta(b, i)[2] == path.split("ndbg/", 1)[1]:
        return detail_page(b, i).encode()
    return None


def registry_rows(bureaus: int, port: int, hosts: int | None = None) -> list[dict]:
    """Bureau b on host b % hosts: with fewer hosts than bureaus, several bureaus share a portal (as the
    counties of a city often share its platform), so one host's requests start from several seeds."""
    hosts = hosts or bureaus
    levels = ["county"] * 8 + ["city", "province"]
    return [
        {
            "id": f"nat-{b:04d}",
            "name": bureau_name(b) + f"{b:04d}",
            "level": levels[b % len(levels)],
            "province": PROVINCES[b % len(PROVINCES)],
            "region_code": f"{100000 + b:06d}",
            "homepage": f"http://{address(b % hosts)}:{port}/b{b}/",
            "family": "trs",
            "columns": [f"http://{address(b % hosts)}:{port}/b{b}/zwgk/ndbg/index.html"],
            "verified": True,
            "allow_loopback": True,  # the simulated portal runs on this machine
        }
        for b in range(bureaus)
    ]


class HostLog:
    """What one portal saw: arrivals, robots.txt fetches, requests in flight at once."""

    __slots__ = ("arrivals", "clients", "robots", "inflight", "max_inflight", "statuses")

    def __init__(self):
        self.arrivals: list[float] = []
        self.clients: list[
            int
        ] = []  # the client's source port per request: which connection sent it
        self.robots = 0
        self.inflight = 0
        self.max_inflight = 0
        self.statuses: dict[int, int] = {}

    def as_dict(self) -> dict:
        gaps = [b - a for a, b in zip(self.arrivals, self.arrivals[1:], strict=False)]
        return {
            "requests": len(self.arrivals),
            "robots": self.robots,
            "max_inflight": self.max_inflight,
            "min_gap": min(gaps) if gaps else None,
            "first": self.arrivals[0] if self.arrivals else None,
            "last": self.arrivals[-1] if self.arrivals else None,
            "arrivals": self.arrivals,
            "connections": len(set(self.clients)),
            "clients": self.clients,
            "statuses": self.statuses,
        }


class NationalServer:
    def __init__(
        self,
        bureaus: int,
        port: int,
        latency: float = 0.0,
        throttle: dict[int, tuple[int, float]] | None = None,
        hosts: int | None = None,
    ):
        self.bureaus = bureaus
        self.hosts = hosts or bureaus
        self.port = port
        self.latency = latency
        self.throttle = throttle or {}  # host -> (answer its n-th request with 429, Retry-After s)
        self.logs = {h: HostLog() for h in range(self.hosts)}
        self.by_address = {address(h): h for h in range(self.hosts)}
        self.servers: list[asyncio.AbstractServer] = []

    async def open(self) -> None:
        for addr in self.by_address:
            self.servers.append(await asyncio.start_server(self.serve, addr, self.port, backlog=64))

    async def close(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            await server.wait_closed()

    def stats(self) -> dict:
        return {address(b): log.as_dict() for b, log in self.logs.items() if log.arrivals}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        b = self.by_address.get(writer.get_extra_info("sockname")[0])
        client = writer.get_extra_info("peername")[1]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0].decode("latin-1").split()
                path = line[1].split("?", 1)[0] if len(line) > 1 else "/"
                if path == "/-/stats":
                    await self.reply(
                        writer, 200, json.dumps(self.stats()).encode(), "application/json"
                    )
                    continue
                if b is None:
                    await self.reply(writer, 404, b"no such portal")
                    continue
                await self.answer(writer, b, path, client)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def answer(self, writer: asyncio.StreamWriter, b: int, path: str, client: int) -> None:
        log = self.logs[b]
        log.arrivals.append(time.monotonic())
        log.clients.append(client)
        log.robots += path == "/robots.txt"
        log.inflight += 1
        log.max_inflight = max(log.max_inflight, log.inflight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            status, extra, body = 200, {}, render(b, self.hosts, self.bureaus, path)
            nth, retry_after = self.throttle.get(b, (0, 0.0))
            if len(log.arrivals) == nth:
                status, extra, body = 429, {"Retry-After": f"{retry_after:g}"}, b"slow down"
            elif body is None:
                status, body = 404, "404 页面不存在".encode()
            log.statuses[status] = log.statuses.get(status, 0) + 1
            ctype = "text/plain" if path == "/robots.txt" else "text/html; charset=utf-8"
            await self.reply(writer, status, body, ctype, extra)
        finally:
            log.inflight -= 1

    async def reply(
        self, writer, status: int, body: bytes, ctype="text/html; charset=utf-8", extra=None
    ):
        reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}.get(status, "Error")
        head = [
            f"HTTP/1.1 {status} {reason}",
            f"Content-Type: {ctype}",
            f"Content-Length: {len(body)}",
        ]
        head += [f"{k}: {v}" for k, v in (extra or {}).items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()


def free_port(bureaus: int) -> int:
    """A port free on the first bureau's address (the others are fresh addresses, free on any port)."""
    with socket.socket() as s:
        s.bind((address(0), 0))
        return s.getsockname()[1]


class National:
    """Handle of a server running in a background thread (tests)."""

    def __init__(self, bureaus: int, port: int = 0, **kwargs):
        self.port = port or free_port(bureaus)
        self.server = NationalServer(bureaus, self.port, **kwargs)
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self.server.open())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name="national-portals", daemon=True)
        self.thread.start()
        ready.wait(60)

    def rows(self) -> list[dict]:
        return registry_rows(self.server.bureaus, self.port, self.server.hosts)

    def write_registry(self, path: Path) -> Path:
        return write_registry(path, self.server.bureaus, self.port, self.server.hosts)

    def stats(self) -> dict:
        return asyncio.run_coroutine_threadsafe(self._stats(), self.loop).result(30)

    async def _stats(self) -> dict:
        return self.server.stats()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def start_in_thread(bureaus: int, port: int = 0, **kwargs) -> National:
    return National(bureaus, port, **kwargs)


def write_registry(path: Path, bureaus: int, port: int, hosts: int | None = None) -> Path:
    path.write_text(
        yaml.safe_dump(registry_rows(bureaus, port, hosts), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bureaus", type=int, default=3300)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--registry", type=Path, default=None, help="write the registry YAML here")
    args = parser.parse_args()
    port = args.port or free_port(args.bureaus)
    server = NationalServer(args.bureaus, port, latency=args.latency)

    async def serve() -> None:
        await server.open()
        if args.registry:
            write_registry(args.registry, args.bureaus, port)
        total = sum(pages_of(b) for b in range(args.bureaus))
        print(json.dumps({"port": port, "pages": total}), flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
