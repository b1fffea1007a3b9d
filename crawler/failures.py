"""Clear reasons for what went wrong, so `crawl_errors` reads like a fault report, not a traceback.

The spider's errback asks `describe` first (refusals by crawler/safety.py and size limits), then names the
usual failures itself; `with_retries` says how often a failure was retried ("HTTP 503 after 3 retries").
`attachment_reason` words attachment failures (oversized, bombs, document limits, malformed, HTTP errors)
the same way; the page→record chain (crawler/record.py) applies it in the crawl process, so a scrapy-redis
worker's items say the same as a single crawl's, and the archive lists them in `crawl_errors`: the report
is kept, but a missing attachment text is a gap someone must see. Scrapy-free at import: the page→record
chain runs without it.
"""

from __future__ import annotations

import re

from crawler.docguard import refusal_reason

__all__ = ["attachment_reason", "describe", "with_retries"]

# Scrapy's size-limit message: matches "Expected to receive 62914560 bytes which is larger than download
# max size (33554432) in request <GET …>." and "Received 33619968 bytes which is larger than download
# max size (33554432) …".
_MAXSIZE_RE = re.compile(
    r"(?:Expected to receive|Received) (\d+) bytes which is larger than download max size \((\d+)\)"
)


# Scrapy's refusal of an encoded body that inflates too far: matches "Ignored response <200 http://…>
# because its body (1555525 B compressed, 33619968 B decompressed so far) exceeded DOWNLOAD_MAXSIZE
# (33554432 B) during decompression."
_DECOMPRESSED_RE = re.compile(
    r"its body \((\d+) B compressed, \d+ B decompressed so far\) exceeded DOWNLOAD_MAXSIZE "
    r"\((\d+) B\) during decompression"
)


def _size_reason(message: str) -> str | None:
    m = _MAXSIZE_RE.search(message)
    if m:
        return f"response larger than limit ({m.group(1)} bytes > {m.group(2)})"
    m = _DECOMPRESSED_RE.search(message)
    if m:
        # the same words the WARC writer and `nianbao reextract` use for this refusal
        return refusal_reason(int(m.group(1)), int(m.group(2)))
    return None


def describe(failure) -> str | None:
    """The reason for failures nianbao causes on purpose, or None to let the caller name it."""
    from scrapy.exceptions import ResponseDataLossError
    from twisted.internet.error import ConnectionLost

    from crawler.refused import RefusedRequest

    if failure.check(RefusedRequest):
        return str(failure.value)
    message = failure.getErrorMessage()
    if failure.check(ResponseDataLossError):
        return "truncated response (body shorter than its Content-Length)"
    if failure.check(ConnectionLost) or "ConnectionLost" in message:
        return "connection reset or lost before the response was complete"
    return _size_reason(message)


def with_retries(reason: str, request) -> str:
    """Append how many retries were spent, when any were."""
    retries = request.meta.get("retry_times")
    if retries:
        return f"{reason} after {retries} retr{'y' if retries == 1 else 'ies'}"
    return reason


def attachment_reason(error: str) -> str:
    """An attachment's error in clear words: size limits named as such, anything else unchanged."""
    if error.rstrip().endswith("DownloadCancelledError:"):
        # Scrapy cancels a streamed body silently once it passes DOWNLOAD_MAXSIZE (nothing else cancels
        # downloads in nianbao)
        return "response larger than limit (cancelled while streaming)"
    return _size_reason(error) or error
