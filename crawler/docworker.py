"""Attachment readers in child processes with hard limits: a hostile file costs one worker, not the crawl.

The checks in crawler/docguard.py refuse the bombs we can recognise before parsing; whatever gets past
them (a filter we do not count, a parser that is simply slow or hungry on some input, a crash in C code)
must still end as a recorded error. So every document is read in a separate Python process that

- has an address-space limit (`RLIMIT_AS`, `Limits.memory`): an allocation past it is a MemoryError in the
  worker, never the crawl's memory;
- has a CPU-time limit per document (`RLIMIT_CPU`, set before each one) and is killed by the parent when
  a document takes longer than `Limits.timeout` seconds of wall time;
- is reused across documents (starting Python and importing pdfplumber costs ~0.5 s) and replaced after
  a failure or when it has grown large.

`ReaderPool.read(ftype, data)` is blocking and thread-safe: the crawl calls it from a thread of its own
(crawler/attachments.py) so the Twisted reactor keeps downloading meanwhile; `nianbao reextract` calls it
directly. The wire protocol is a length-prefixed pickle over the worker's stdin/stdout.
"""

from __future__ import annotations

import atexit
import json
import os
import pickle
import queue
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from archive import heavywork
from crawler.docguard import MIB, DocumentLimitError, Limits

__all__ = ["ReaderPool", "get_pool"]

ROOT = Path(__file__).resolve().parents[1]
_HEADER = struct.Struct(">Q")


def _send(fh, obj: Any) -> None:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_HEADER.pack(len(payload)) + payload)
    fh.flush()


class _Worker:
    """One reader process, started on first use and again after it died or was killed."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.proc: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "crawler.docworker", json.dumps(self.limits.as_dict())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=ROOT,
                close_fds=True,
            )
        return self.proc

    def kill(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
        if proc is not None:
            proc.wait()
            for fh in (proc.stdin, proc.stdout):
                if fh is not None:
                    fh.close()

    @staticmethod
    def _read_exact(fd: int, n: int, deadline: float) -> bytes | None:
        """n bytes from the worker, None when the deadline passes first; EOFError when it died."""
        buf = bytearray()
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, min(n - len(buf), MIB))
            if not chunk:
                raise EOFError
            buf += chunk
        return bytes(buf)

    def _receive(self, proc: subprocess.Popen, deadline: float) -> Any:
        fd = proc.stdout.fileno()  # type: ignore[union-attr]
        header = self._read_exact(fd, _HEADER.size, deadline)
        if header is None:
            return None
        payload = self._read_exact(fd, _HEADER.unpack(header)[0], deadline)
        return None if payload is None else pickle.loads(payload)

    def _death(self, proc: subprocess.Popen) -> str:
        code = proc.wait()
        self.kill()
        if code == -signal.SIGXCPU:
            return f"reading used more than {self.limits.timeout:g} s of CPU (limit of time per document)"
        if code < 0:
            return f"reader process died ({signal.Signals(-code).name})"
        return f"reader process exited ({code})"

    def read(self, ftype: str, data: bytes) -> str:
        proc = self._start()
        try:
            _send(proc.stdin, (ftype, data))
        except (BrokenPipeError, OSError):
            raise DocumentLimitError(self._death(proc)) from None
        deadline = time.monotonic() + self.limits.timeout
        try:
            reply = self._receive(proc, deadline)
        except EOFError:
            raise DocumentLimitError(self._death(proc)) from None
        if reply is None:
            self.kill()
            raise DocumentLimitError(
                f"reading took longer than {self.limits.timeout:g} s (limit of time per document)"
            )
        status, value, rss, fatal = reply
        if fatal or rss > self.limits.memory // 2:
            self.kill()  # a worker that failed hard or grew large is not reused
        if status == "ok":
            return value
        raise DocumentLimitError(value)


class ReaderPool:
    """`workers` reader processes shared by every thread of this process."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self._workers = [_Worker(limits) for _ in range(max(1, int(limits.workers)))]
        self._idle: queue.Queue[_Worker] = queue.Queue()
        for worker in self._workers:
            self._idle.put(worker)
        self.closed = False

    def read(self, ftype: str, data: bytes) -> str:
        """The document's text; raises DocumentLimitError (a ValueError) with the reason otherwise."""
        if self.closed:
            raise DocumentLimitError("reader pool closed (the crawl is stopping)")
        worker = self._idle.get()
        try:
            if self.closed:
                raise DocumentLimitError("reader pool closed (the crawl is stopping)")
            with heavywork.LOCK:  # readers and OCR take turns (archive/heavywork.py)
                return worker.read(ftype, data)
        finally:
            self._idle.put(worker)

    def release_idle(self) -> None:
        """End the reader processes kept for reuse; the next read starts one again. Called by
        heavywork.make_room with its lock held, so no read is running."""
        for worker in self._workers:
            worker.kill()

    def close(self) -> None:
        """Kill every reader process; a thread waiting on one gets its error at once."""
        self.closed = True
        for worker in self._workers:
            worker.kill()


_POOL: ReaderPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool(limits: Limits | None = None) -> ReaderPool:
    """The process's reader pool, (re)made when asked for other limits."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL.closed or (limits is not None and _POOL.limits != limits):
            if _POOL is not None:
                _POOL.close()
            _POOL = ReaderPool(limits or Limits())
            heavywork.on_make_room(_release_idle_readers)
        return _POOL


def _release_idle_readers() -> None:
    if _POOL is not None:
        _POOL.release_idle()


@atexit.register
def _close_pool() -> None:
    if _POOL is not None:
        _POOL.close()


# -- the worker side --------------------------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()


def _read_frame(fh) -> Any:
    header = fh.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    return pickle.loads(fh.read(size))


def _cpu_budget(seconds: float) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(used.ru_utime + used.ru_stime + seconds * 1.5) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def worker_main(limits: Limits) -> None:
    """Read (ftype, bytes) frames and answer (status, text or reason, rss, fatal) frames until EOF."""
    import logging

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a reader that prints must not corrupt the replies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the crawl's to handle; it stops us
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    from crawler.docguard import guard_pdf_nesting
    from crawler.documents import read_document

    guard_pdf_nesting(limits.max_depth)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory, limits.memory))
    while True:
        frame = _read_frame(sys.stdin.buffer)
        if frame is None:
            return
        ftype, data = frame
        frame = None
        _cpu_budget(limits.timeout)
        fatal = False
        try:
            reply = ("ok", read_document(data, ftype, limits))
        except MemoryError:
            fatal = True
            reply = ("error", f"out of memory (limit {limits.memory // MIB} MB per reader)")
        except RecursionError:
            fatal = True
            reply = ("error", "objects nested too deeply (recursion limit)")
        except Exception as exc:  # the reason goes to crawl_errors; the worker stays usable
            reply = ("error", str(exc) or exc.__class__.__name__)
        data = None
        try:
            _send(out, (*reply, _rss(), fatal))
        except MemoryError:
            _send(out, ("error", "out of memory while answering", 0, True))
        if fatal:
            return


if __name__ == "__main__":
    worker_main(Limits(**json.loads(sys.argv[1])))
