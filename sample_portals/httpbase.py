"""The HTTP plumbing every sample portal shares: one handler base, one server base, one serve-forever loop.

The sample portals (sample_portals/server.py), the fault portal (faults.py), the hostile portal
(hostile/) and the large benchmark set (large.py) differ in what they answer, not in how they answer it:
a body with its length, optional headers, silence in the log unless asked, no traceback when a crawler
hangs up. Kept here once so a fix to the wire format (HEAD without a body, a header spelling) reaches
every portal at the same time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["NOT_FOUND", "PortalHandlerBase", "QuietServer", "serve_until_interrupted"]

NOT_FOUND = "<html><body>404 页面不存在</body></html>".encode()


class PortalHandlerBase(BaseHTTPRequestHandler):
    """`send(status, body, ctype, headers, **named)`: headers as a dict (names with dashes, like
    Last-Modified) or as keywords whose underscores become dashes (Retry_After → Retry-After)."""

    protocol_version = "HTTP/1.1"
    not_found_body = NOT_FOUND

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class names it so
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)

    def send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        **named: str,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        for name, value in named.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def not_found(self) -> None:
        self.send(404, self.not_found_body)

    def redirect(self, location: str, status: int = 302) -> None:
        self.send(status, b"", Location=location)


class QuietServer(ThreadingHTTPServer):
    """A threading server whose workers die with the process and that prints no traceback when a
    client hangs up mid-answer: the fault and hostile portals provoke exactly that."""

    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default listen backlog of 5 refuses connections when a crawl with politeness off
    # opens a burst of them; real portals sit behind servers with far deeper queues.
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        """Hang-ups are what these portals provoke; they are not worth a traceback."""


def serve_until_interrupted(stop: Callable[[], None]) -> None:
    """Block until Ctrl-C, then stop the servers: the `python -m sample_portals.…` entry points."""
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
