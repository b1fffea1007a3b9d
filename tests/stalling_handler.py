"""A download handler that makes the crawl's reactor busy right after a request is sent (test helper).

Every STALL_EVERY-th request, the loop is blocked for STALL_S on its next turn: the request has been
dispatched (its slot's clock started) and handed to its connection, but Twisted writes it to the socket
only on a later turn, so it reaches the portal STALL_S late — what a worker busy parsing a wave of list
pages, or collecting garbage, does to the requests it has just sent (bench/national.py at 3,300 hosts).
Loaded by the workers of tests/test_host_queue.py through `DOWNLOAD_HANDLERS` and PYTHONPATH.
"""

from __future__ import annotations

import asyncio
import itertools
import time

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

STALL_S = 0.08
STALL_EVERY = 3


class StallingHandler(HTTP11DownloadHandler):
    _count = itertools.count(1)

    async def download_request(self, request):
        if next(self._count) % STALL_EVERY == 0:
            asyncio.get_running_loop().call_soon(time.sleep, STALL_S)
        return await super().download_request(request)
