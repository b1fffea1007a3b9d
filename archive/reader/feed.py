"""The Atom feed's entries link to the archive's own report pages, as absolute URLs.

A feed reader resolves a relative entry link against wherever it fetched the feed from, or not at all (many
show the bare path), so `new_reports_feed` (metadata.yml) builds each link from `:_nianbao_reports`, a
magic parameter this module registers: the absolute URL of the reports table on the server that answered
the request (scheme and host as the request gave them, Datasette's base_url and force_https_urls applied).
"""

from __future__ import annotations

import re

from archive.reader.common import DATABASE
from archive.reader.tablesearch import DENSITY_WINDOW, count_cap, dense_k

# A Host header as a browser or feed reader sends it: matches "127.0.0.1:8001", "archive.example.org",
# "[::1]:8001". Anything else (a header carrying "/", quotes or spaces) gets a link without a host.
_HOST_RE = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?"
)


def reports_url(datasette, request) -> str:
    """The reports table's URL, absolute when the request names a plausible host."""
    path = datasette.urls.table(DATABASE, "reports")
    if request is None or not _HOST_RE.fullmatch(request.host):
        return path
    return datasette.absolute_url(request, path)


def magic_parameters(datasette) -> list:
    """`:_nianbao_reports` (above), `:_nianbao_cap`, the count cap the search page counts to, and
    `:_nianbao_window` / `:_nianbao_dense`, how it decides to probe or collect past the cap
    (tablesearch.walk_is_cheaper)."""

    def nianbao(key: str, request) -> str:
        if key == "reports":
            return reports_url(datasette, request)
        if key == "cap":
            return str(count_cap(datasette))
        if key == "window":
            return str(DENSITY_WINDOW)
        if key == "dense":
            return str(dense_k(datasette))
        raise KeyError(key)

    return [("nianbao", nianbao)]
