"""A hostile sample portal on 127.0.0.1:8750: bureaus whose pages attack the crawler, the archive and its readers.

Real portals are not malicious on purpose, but their content is outside our control and some of it is
shaped like an attack: a `共 999999 页` counter, an endless 下一页 chain, a PDF whose page stream is a
compression bomb, an attachment link that is really `javascript:`, a registry row pointing into a private
network, a page nested 100,000 deep. Each concern lives in one case module of this package (found by
`pkgutil`, so adding a module adds its bureaus); a case module exports

- `BUREAUS`: registry rows (`id`, `name`, `level`, `province`, `region_code`, `family`, `columns` as paths
  on this portal, optional `overrides`), made into full rows by `registry_rows()`; a URL may name the
  portal's port as `{port}` (`http://localhost:{port}/…`); rows allow loopback unless they say
  `allow_loopback: false`;
- `handle(req, path, query) -> bool`: answer the request when the path is the module's, else return False.

Tests and `bench/hostile.py` start it with `start_in_thread()` (or `python -m sample_portals.hostile`) and
crawl the registry that `write_registry()` writes; nothing in `crawler/` or `archive/` imports it.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections import Counter
from pathlib import Path
from types import ModuleType
from urllib.parse import parse_qs, urlsplit

import yaml

from sample_portals.httpbase import PortalHandlerBase, QuietServer, serve_until_interrupted

__all__ = [
    "PORT",
    "HostilePortal",
    "case_modules",
    "registry_rows",
    "start_in_thread",
    "write_registry",
]

PORT = 8750


def case_modules() -> list[ModuleType]:
    """Every case module of this package, in name order."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]


def registry_rows(host: str = "127.0.0.1", port: int = PORT) -> list[dict]:
    """The hostile bureaus as registry rows; a column given as a path is put on this portal."""
    base = f"http://{host}:{port}"
    rows = []
    for module in case_modules():
        for row in module.BUREAUS:
            row = dict(row)
            row.setdefault("homepage", f"{base}/")
            row["homepage"] = _absolute(base, row["homepage"])
            row["columns"] = [_absolute(base, c) for c in row.get("columns", [])]
            row = {k: _with_port(v, port) for k, v in row.items()}
            row.setdefault("verified", True)
            row.setdefault("allow_loopback", True)  # the portal runs on this machine
            rows.append(row)
    return rows


def _absolute(base: str, url: str) -> str:
    return base + url if url.startswith("/") else url


def _with_port(value, port: int):
    """`{port}` in a row's URLs is this portal's port (it is only known once the portal listens)."""
    if isinstance(value, str):
        return value.replace("{port}", str(port))
    if isinstance(value, list):
        return [_with_port(v, port) for v in value]
    if isinstance(value, dict):
        return {k: _with_port(v, port) for k, v in value.items()}
    return value


def write_registry(path: Path, host: str = "127.0.0.1", port: int = PORT) -> Path:
    """Write the hostile registry to `path` (a test's tmp folder) and return it."""
    header = (
        "# The hostile sample portal (sample_portals/hostile): tests and bench/hostile.py only.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(registry_rows(host, port), allow_unicode=True, sort_keys=False)
    path.write_text(header + body, encoding="utf-8")
    return path


class HostileHandler(PortalHandlerBase):
    server_version = "nianbao-hostile"

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        self.server.hits[path] += 1  # type: ignore[attr-defined]
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        for module in self.server.modules:  # type: ignore[attr-defined]
            if module.handle(self, path, query):
                return None
        return self.not_found()


class HostilePortal:
    """The running hostile portal: `hits` per path, `port`, `base` URL, `write_registry(path)`, `stop()`.

    Port 0 takes a free port, so tests never collide with another portal on the machine.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = PORT):
        self.server = QuietServer((host, port), HostileHandler)
        self.host, self.port = host, self.server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.server.hits = Counter()  # type: ignore[attr-defined]
        self.server.modules = case_modules()  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.server.serve_forever, name=f"hostile-{port}", daemon=True
        )
        self.thread.start()

    @property
    def hits(self) -> Counter:
        return self.server.hits  # type: ignore[attr-defined]

    def write_registry(self, path: Path) -> Path:
        return write_registry(path, self.host, self.port)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_in_thread(host: str = "127.0.0.1", port: int = PORT) -> HostilePortal:
    return HostilePortal(host, port)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="The hostile sample portal.")
    parser.add_argument("--port", type=int, default=PORT, help="0 takes a free port")
    portal = start_in_thread(port=parser.parse_args().port)
    print(f"hostile portal on {portal.base}/; Ctrl-C to stop", flush=True)
    serve_until_interrupted(portal.stop)


if __name__ == "__main__":
    main()
