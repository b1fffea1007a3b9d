"""The server's outer guard (the plugin's `asgi_wrapper`): what every request and response of the archive's
Datasette goes through before Datasette or after it.

- A Content-Security-Policy on every response. The archive shows text that hostile portals wrote; the
  templates escape it, and this header is the second wall: no inline script runs unless it is one the
  server itself ships. Datasette's pages and its plugins still carry a few inline scripts (the SQL editor's
  set-up in `_codemirror_foot.html`, datasette-leaflet's body script), so their exact texts are hashed once,
  from the template sources and the `extra_body_script` hook, and only those hashes are allowed; anything
  injected into a page has no hash and does not run, inline `on…=` handlers and `javascript:` links neither.
  Dashboard pages (datasette-dashboards) are the one exception: their inline script carries the request's
  filter values, so it cannot be hashed in advance. Those pages render no archive content on the server
  (charts fetch JSON and draw it as SVG text), so there the page's own inline scripts are hashed as it is
  sent, and vega, which compiles chart expressions with `Function`, gets 'unsafe-eval'.
- Only GET and HEAD reach Datasette. Nothing served can be written (every connection is query_only), and
  Datasette answers a POST to a table or a canned query with an assertion error, HTTP 500; here it is 405.
- An empty search is no search: `?_search=`, blank or a lone quote makes Datasette run `MATCH ''`, an FTS5
  syntax error shown as HTTP 400. Such a parameter is dropped, so the page shows the table and its search
  box. (The search page's canned query guards its own `q` in SQL, metadata.yml.)
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qsl, urlencode

from datasette.utils import await_me_maybe, escape_fts

__all__ = ["csp_header", "guard", "inline_scripts", "script_hash", "without_empty_search"]

ALLOWED_METHODS = ("GET", "HEAD")
DASHBOARD_PREFIX = "/-/dashboards"
# Views whose pages Datasette renders with the extra_body_script hook; each gets its body scripts hashed.
_VIEWS = ("index", "database", "table", "row", "query")
# A whole page is buffered to hash its inline scripts only on dashboard pages, which are a few KB.
_MAX_BUFFERED = 4 * 1024 * 1024

# An inline <script> element and its text: matches '<script>renderChart(…)</script>' and
# '<script type="text/javascript">\n  window.x = 1;\n</script>'; group 1 holds the attributes, so
# '<script src="/x.js"></script>' can be told apart (it has src=).
_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
# A src attribute among a tag's attributes: matches ' src="/-/static/app.js"' and " defer src=x.js".
_SRC_ATTR_RE = re.compile(r"\bsrc\s*=", re.I)
# Jinja syntax in a template's script text: matches "{{ slug }}", "{% if x %}", "{# note #}".
_JINJA_RE = re.compile(r"\{[{%#]")


def script_hash(text: str) -> str:
    """The CSP source that allows exactly this inline script text: 'sha256-<base64>'."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts(html: str) -> list[str]:
    """The texts of the inline (src-less) script elements of an HTML page or template."""
    return [body for attrs, body in _SCRIPT_RE.findall(html) if not _SRC_ATTR_RE.search(attrs)]


def csp_header(script_sources: list[str] | tuple[str, ...] = ()) -> str:
    """The policy: everything from this server only, no plugins (object), no inline script but the hashed
    ones, styles inline allowed (templates carry <style> blocks and style attributes; CSS runs no code)."""
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(["'self'", *sorted(set(script_sources))]),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
    return "; ".join(directives)


async def trusted_script_hashes(datasette) -> list[str]:
    """Hashes of every inline script the server itself can put in a page: the script texts of the templates
    (those without Jinja syntax, which render verbatim) and the plugins' body scripts."""
    from datasette.plugins import pm

    hashes: set[str] = set()
    env = datasette.jinja_env
    for name in env.list_templates():
        try:
            source = env.loader.get_source(env, name)[0]
        except Exception:  # a template that cannot be read cannot be rendered either
            continue
        for body in inline_scripts(source.replace("\r\n", "\n")):
            if body.strip() and not _JINJA_RE.search(body):
                hashes.add(script_hash(body))
    for view_name in _VIEWS:
        for extra in pm.hook.extra_body_script(
            template=f"{view_name}.html",
            database=None,
            table=None,
            columns=None,
            view_name=view_name,
            request=None,
            datasette=datasette,
        ):
            try:
                extra = await await_me_maybe(extra)
            except Exception:  # a plugin whose script needs a request: its script stays blocked
                continue
            script = extra.get("script") if isinstance(extra, dict) else extra
            if script:
                hashes.add(script_hash(str(script)))
    return sorted(hashes)


def without_empty_search(query_string: bytes) -> bytes:
    """The query string without `_search` / `_search_<column>` parameters that search for nothing."""
    if b"_search" not in query_string:
        return query_string
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    kept = [
        (k, v)
        for k, v in pairs
        if not (k == "_search" or k.startswith("_search_")) or escape_fts(_utf8(v)).strip()
    ]
    if len(kept) == len(pairs):
        return query_string
    return urlencode(kept, encoding="latin-1").encode("latin-1")


def _utf8(value: str) -> str:
    """parse_qsl decoded the bytes as latin-1 to keep them; read them as the UTF-8 they are."""
    return value.encode("latin-1").decode("utf-8", "replace")


def _with_headers(message: dict, csp: str) -> dict:
    headers = [
        (k, v)
        for k, v in message.get("headers", [])
        if k.lower() not in (b"content-security-policy", b"x-content-type-options")
    ]
    headers.append((b"content-security-policy", csp.encode("latin-1")))
    headers.append((b"x-content-type-options", b"nosniff"))
    return {**message, "headers": headers}


async def _refuse_method(scope, send, csp: str) -> None:
    body = f"{scope['method']} is not allowed here: the archive is read-only (GET or HEAD).\n"
    await send(
        _with_headers(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"allow", ", ".join(ALLOWED_METHODS).encode()),
                ],
            },
            csp,
        )
    )
    await send({"type": "http.response.body", "body": body.encode("utf-8")})


def guard(datasette):
    """The asgi_wrapper hook's value: a function that wraps Datasette's ASGI app."""
    trusted: list[str] | None = None

    async def policy() -> str:
        nonlocal trusted
        if trusted is None:
            trusted = await trusted_script_hashes(datasette)
        return csp_header(trusted)

    def wrap(app):
        async def guarded(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            csp = await policy()
            if scope.get("method", "GET").upper() not in ALLOWED_METHODS:
                return await _refuse_method(scope, send, csp)
            query_string = without_empty_search(scope.get("query_string", b""))
            if query_string != scope.get("query_string", b""):
                scope = {**scope, "query_string": query_string}
            if scope.get("path", "").startswith(DASHBOARD_PREFIX):
                return await _dashboard(app, scope, receive, send)

            async def send_with_policy(message):
                if message["type"] == "http.response.start":
                    message = _with_headers(message, csp)
                await send(message)

            return await app(scope, receive, send_with_policy)

        async def _dashboard(app, scope, receive, send):
            start: dict | None = None
            chunks: list[bytes] = []
            size = 0
            passing = False

            async def buffered(message):
                nonlocal start, size, passing
                if passing:
                    return await send(message)
                if message["type"] == "http.response.start":
                    start = message
                    return None
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if message.get("more_body") and size <= _MAX_BUFFERED:
                    return None
                body = b"".join(chunks)
                scripts = inline_scripts(body.decode("utf-8", "replace"))
                extra = [script_hash(s) for s in scripts if s.strip()]
                csp = csp_header([*(trusted or []), *extra, "'unsafe-eval'"])
                await send(_with_headers(start or {}, csp))
                passing = bool(message.get("more_body"))
                await send({**message, "body": body})

            await app(scope, receive, buffered)

        return guarded

    return wrap
