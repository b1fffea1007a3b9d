"""Downloader behaviour the bureau spider relies on.

Scrapy's own RetryMiddleware retries at once, which hits a stumbling government portal again while it is
still down; `BackoffRetryMiddleware` waits longer before each retry.
"""

from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import is_asyncio_available

from crawler.safety import retry_after_seconds

__all__ = ["BackoffRetryMiddleware"]


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry rules, but each retry waits base × 2^(n-1) seconds (capped) before it is queued.

    Settings: `NIANBAO_RETRY_BACKOFF_BASE` (seconds, default 1; 0 disables waiting) and
    `NIANBAO_RETRY_BACKOFF_MAX` (default 60).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("NIANBAO_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = settings.getfloat("NIANBAO_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("NIANBAO_RETRY_AFTER_MAX", 120.0)

    async def process_response(self, request, response):
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response)
        return result

    async def process_exception(self, request, exception):
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result)
        return result

    async def _wait(self, retry: Request, response=None) -> None:
        attempt = int(retry.meta.get("retry_times", 1))
        delay = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        # The server's Retry-After wins over our guess, within NIANBAO_RETRY_AFTER_MAX (crawler/safety.py).
        asked = retry_after_seconds(response.headers.get("Retry-After")) if response else None
        if asked is not None:
            delay = min(self.retry_after_max, max(delay, asked))
            self.crawler.stats.inc_value("nianbao/retry_after_honoured")
        if delay > 0 and is_asyncio_available():
            await asyncio.sleep(delay)
