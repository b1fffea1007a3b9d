"""Datasette started for real the way `make serve` starts it (metadata, templates, archived files), for the
UI and browser tests."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(db: Path, port: int) -> list[str]:
    files = db.parent / "files"
    files.mkdir(exist_ok=True)
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(db),
        "--metadata",
        str(ROOT / "metadata.yml"),
        "--template-dir",
        str(ROOT / "archive" / "templates"),
        "--static",
        f"files:{files}",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]


def capped_metadata(folder: Path, count_cap: int, probe_density_k: int | None = None) -> Path:
    """metadata.yml with the nianbao plugin's count_cap lowered, so a small archive's searches go past
    the cap as searches of 100,000 reports go past 10,000; `probe_density_k` 0 makes every search past
    the cap probe rows in date order (a small archive's matches are never dense enough otherwise)."""
    import yaml

    meta = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    config: dict = {"count_cap": count_cap}
    if probe_density_k is not None:
        config["probe_density_k"] = probe_density_k
    meta.setdefault("plugins", {})["nianbao"] = config
    path = folder / "metadata.yml"
    path.write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    return path


@contextmanager
def running_datasette(db: Path, metadata: Path | None = None):
    port = free_port()
    cmd = serve_command(db, port)
    if metadata is not None:
        cmd[cmd.index("--metadata") + 1] = str(metadata)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def get(base: str, path: str, params: dict | None = None) -> tuple[int, str]:
    url = base + urllib.parse.quote(path) + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def get_json(base: str, path: str, params: dict | None = None):
    status, body = get(base, path, params)
    assert status == 200, (path, params, status, body[:500])
    return json.loads(body)
