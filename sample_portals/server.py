"""Serve the rendered sample portals on loopback, one port per bureau, as their real CMSs would answer.

Besides static files this answers the few dynamic endpoints the pages call: the Hanweb list dataproxy
(POST only, like the real one), the JPaaS list API (POST, JSON or form), visit counters and downloads, and a
permissive robots.txt. A site may list per-file Content-Type headers in `_headers.json`: legacy GBK portals
answer with a bare `text/html` or a wrong `charset=utf-8`, and crawlers must survive both.

Static files carry ETag and Last-Modified and answer conditional GETs with 304, as the web servers in front
of most portals do, except on the bureaus in NO_VALIDATORS, which send neither (old servers, gateways
that render every page): re-crawls must cope with both (crawler/incremental.py). Between two crawls a
portal can be told to edit, delete or add pages (`serve(..., mutations=…)`, sample_portals/mutations.py).
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import mimetypes
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sample_portals.bureaus import BUREAUS
from sample_portals.httpbase import PortalHandlerBase, QuietServer, serve_until_interrupted
from sample_portals.render_hanweb import datastore

SITES = Path(__file__).resolve().parent / "sites"
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
JPAAS_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
PROXY_FIELDS = (
    "col",
    "appid",
    "webid",
    "path",
    "columnid",
    "sourceContentType",
    "unitid",
    "webname",
    "permissiontype",
)
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".shtml": "text/html; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "text/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


# Portals that send neither ETag nor Last-Modified: the legacy static GBK site and the JPaaS gateway.
NO_VALIDATORS = frozenset({"lichuan-jtj", "huzhou-jtj"})


def default_ports() -> dict[int, str]:
    return {b.port: b.id for b in BUREAUS}


class PortalHandler(PortalHandlerBase):
    """Serves one bureau's directory; the server object carries which one."""

    server_version = "nianbao-sample"
    not_found_body = "<html><body><h1>404 页面不存在</h1></body></html>".encode()

    @property
    def root(self) -> Path:
        return self.server.site_root  # type: ignore[attr-defined]

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path == PROXY_PATH:
            self.send(400, b"dataproxy answers POST only", "text/plain; charset=utf-8")
            return
        if path == "/robots.txt":
            self.send(200, b"User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
            return
        if path.startswith("/module/visitcount/"):
            self.send(200, b'document.write("1");', "application/javascript; charset=utf-8")
            return
        if path == "/module/download/downfile.jsp":
            name = parse_qs(parts.query).get("filename", [""])[0]
            self.serve_file("/module/download/files/" + name, "application/octet-stream")
            return
        if path.endswith("/"):
            path += "index.html"
        self.serve_file(path)

    def serve_file(self, path: str, ctype: str | None = None) -> None:
        segments = [s for s in path.split("/") if s]
        # golden files and the dataproxy's record store are build products, not pages of the portal
        if (
            not segments
            or any(s.startswith((".", "_")) for s in segments)
            or path.endswith(".expected.json")
        ):
            self.not_found()
            return
        target = self.root.joinpath(*segments)
        try:
            target.resolve().relative_to(self.root.resolve())
        except ValueError:
            self.not_found()
            return
        mutations = getattr(self.server, "mutations", None)
        rel = "/" + "/".join(segments)
        mtime = None
        if mutations is not None and mutations.touches(rel):
            body = mutations.body(rel, target.read_bytes() if target.is_file() else None)
            if body is None:
                self.not_found()
                return
            mtime = mutations.changed_at
        elif not target.is_file():
            self.not_found()
            return
        if ctype is None:
            ctype = self.site_headers().get("/" + "/".join(segments))
        if ctype is None:
            ctype = TYPES.get(target.suffix.lower()) or (
                mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            )
        if mtime is None:
            body, mtime = target.read_bytes(), target.stat().st_mtime
        self.send_static(body, ctype, mtime)

    def send_static(self, body: bytes, ctype: str, mtime: float) -> None:
        """200 with ETag and Last-Modified, or 304 when the client's copy is current (RFC 9110 13.2.2:
        If-None-Match decides when present, If-Modified-Since only without it)."""
        if not getattr(self.server, "validators", False):
            self.send(200, body, ctype)
            return
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        last_modified = email.utils.formatdate(int(mtime), usegmt=True)
        validators = {"ETag": etag, "Last-Modified": last_modified}
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if inm is not None:
            current = etag in {t.strip() for t in inm.split(",")} or inm.strip() == "*"
        elif ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                since = None
            current = since is not None and int(mtime) <= since
        else:
            current = False
        if current:
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        self.send(200, body, ctype, validators)

    def site_headers(self) -> dict[str, str]:
        path = self.root / "_headers.json"
        if not path.is_file():
            return {}
        return json.loads(path.read_text(encoding="utf-8"))

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if parts.path == JPAAS_PATH:
            self.jpaas(raw)
            return
        if parts.path != PROXY_PATH:
            self.send(405, b"method not allowed", "text/plain; charset=utf-8")
            return
        form = {
            k: v[0]
            for k, v in parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()
        }
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        missing = [f for f in PROXY_FIELDS if f not in form]
        if missing:
            self.send(
                400, f"missing fields: {', '.join(missing)}".encode(), "text/plain; charset=utf-8"
            )
            return
        store = self.load_store(form["columnid"])
        if store is None or form["unitid"] not in store["units"]:
            self.send(400, b"unknown columnid or unitid", "text/plain; charset=utf-8")
            return
        records = store["units"][form["unitid"]]
        try:
            per = int(query.get("perpage", "15"))
            start = int(query.get("startrecord", "1"))
            end = int(query.get("endrecord", str(start + per * 3 - 1)))
        except ValueError:
            self.send(400, b"bad paging parameters", "text/plain; charset=utf-8")
            return
        # startrecord/endrecord are 1-based and inclusive, as JCMS counts them
        chosen = records[max(start, 1) - 1 : max(end, 0)]
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + datastore(chosen, total=len(records))
        self.send(200, body.encode("utf-8"), "text/xml; charset=utf-8")

    def jpaas(self, raw: bytes) -> None:
        """The JPaaS list API: webId, columnId, pageNo, pageSize as JSON or form fields; JSON back."""
        text = raw.decode("utf-8", "replace")
        try:
            query = (
                json.loads(text)
                if text.lstrip().startswith("{")
                else {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
            )
            column = str(query["columnId"])
            web = str(query["webId"])
            page_no = int(query.get("pageNo", 1))
            size = int(query.get("pageSize", 15))
        except (ValueError, KeyError, TypeError):
            self.send(400, b'{"success":false,"msg":"bad query"}', "application/json;charset=UTF-8")
            return
        path = self.root / "_jpaas" / f"{column}.json"
        store = (
            json.loads(path.read_text(encoding="utf-8"))
            if column.isdigit() and path.is_file()
            else None
        )
        if store is None or store["webId"] != web or page_no < 1 or size < 1:
            self.send(
                400, b'{"success":false,"msg":"unknown column"}', "application/json;charset=UTF-8"
            )
            return
        items = store["items"]
        chosen = items[(page_no - 1) * size : page_no * size]
        body = {"success": True, "data": {"total": len(items), "pageNo": page_no, "pageSize": size,
                                          "list": chosen}}  # fmt: skip
        self.send(
            200,
            json.dumps(body, ensure_ascii=False).encode("utf-8"),
            "application/json;charset=UTF-8",
        )

    def load_store(self, columnid: str) -> dict | None:
        if not columnid.isdigit():
            return None
        path = self.root / "_jpage" / f"{columnid}.json"
        if not path.is_file():
            return None
        return json.loads(path.read_text(encoding="utf-8"))


def make_server(
    host: str,
    port: int,
    root: Path,
    verbose: bool = False,
    validators: bool = True,
    mutations=None,
) -> QuietServer:
    httpd = QuietServer((host, port), PortalHandler)
    httpd.site_root = root  # type: ignore[attr-defined]
    httpd.verbose = verbose  # type: ignore[attr-defined]
    httpd.validators = validators  # type: ignore[attr-defined]
    httpd.mutations = mutations  # type: ignore[attr-defined]  # sample_portals.mutations.Mutations
    return httpd


def serve(
    host: str = "127.0.0.1",
    ports: dict[int, str] | None = None,
    sites_dir: Path = SITES,
    verbose: bool = False,
    mutations: dict | None = None,
    no_validators: frozenset[str] | set[str] = NO_VALIDATORS,
) -> Callable[[], None]:
    """Starts one server thread per bureau port and returns the function that stops them all.

    mutations maps bureau ids to `sample_portals.mutations.Mutations` the servers consult per request;
    port 0 picks a free port (read it back from `stop.servers`).
    """
    ports = ports or default_ports()
    servers = []
    try:
        for port, bureau_id in ports.items():
            servers.append(
                make_server(
                    host,
                    port,
                    Path(sites_dir) / bureau_id,
                    verbose,
                    validators=bureau_id not in no_validators,
                    mutations=(mutations or {}).get(bureau_id),
                )
            )
    except OSError:
        for s in servers:
            s.server_close()
        raise
    threads = []
    for s in servers:
        t = threading.Thread(
            target=s.serve_forever, name=f"portal-{s.server_address[1]}", daemon=True
        )
        t.start()
        threads.append(t)

    def stop() -> None:
        for s in servers:
            s.shutdown()
            s.server_close()
        for t in threads:
            t.join(5)

    stop.servers = servers  # type: ignore[attr-defined]
    return stop


def answering(host: str, ports: dict[int, str] | None = None) -> bool:
    """True when every portal port already accepts connections (another process serves them)."""
    for port in ports or default_ports():
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) != 0:
                return False
    return True


def start_in_thread(
    host: str = "127.0.0.1", ports: dict[int, str] | None = None, sites_dir: Path = SITES
) -> Callable[[], None] | None:
    """Serves the portals for a test or a crawl; returns None when they already answer, else the stopper.

    Ports another process already serves (a `nianbao portals` started before new bureaus were added)
    are left to it; only the silent ones are started here.
    """
    ports = ports or default_ports()
    silent = {p: b for p, b in ports.items() if not answering(host, {p: b})}
    if not silent:
        return None
    return serve(host, silent, sites_dir)


@contextlib.contextmanager
def running(
    host: str = "127.0.0.1", ports: dict[int, str] | None = None, sites_dir: Path = SITES
) -> Iterator[None]:
    stop = start_in_thread(host, ports, sites_dir)
    try:
        yield
    finally:
        if stop:
            stop()


def main(host: str = "127.0.0.1", verbose: bool = False, mutations: dict | None = None) -> None:
    stop = serve(host, verbose=verbose, mutations=mutations)
    for b in BUREAUS:
        print(f"{b.id:14} {b.family:7} http://{host}:{b.port}/  {b.name}")
    print("serving sample portals; Ctrl-C to stop", flush=True)
    serve_until_interrupted(stop)


if __name__ == "__main__":
    args = sys.argv[1:]
    changes = None
    if (
        "--mutations" in args
    ):  # a JSON file of edits/deletions/additions, see sample_portals/mutations.py
        from sample_portals.mutations import load_file

        changes = load_file(args[args.index("--mutations") + 1])
    main(verbose="-v" in args, mutations=changes)
