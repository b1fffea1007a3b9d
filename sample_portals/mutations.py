"""Changes a sample portal can be told to make between two crawls: edit a report, delete one, add one.

Real bureaus quietly rewrite a published report, take one down, or post a new one; the archive must notice
each (crawler/incremental.py, archive/versions.py). A `Mutations` object is handed to the sample server
(`serve(..., mutations={bureau_id: Mutations})`, or `python -m sample_portals.server --mutations FILE`
with a JSON file of the same shape) and consulted on every request, so a test can change a running
portal between two crawls:

- `replace`: path → [(old bytes, new bytes)], applied to the served file (an edited report, a list page
  that drops or gains an entry);
- `delete`: paths answered 404 (the report's page is gone);
- `add`: path → body, served as if the file existed (a new report's page).

`Mutations.changed_at` moves whenever the object is changed, and is what Last-Modified says for a
mutated file, so validators behave like a real server's. `trs_changes()` builds the usual three changes
for a TRS column from the rendered site, using its golden files to edit text the extractor keeps.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sample_portals.render_common import golden_path

__all__ = ["Mutations", "load_file", "trs_changes"]


@dataclass
class Mutations:
    replace: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)
    delete: set[str] = field(default_factory=set)
    add: dict[str, bytes] = field(default_factory=dict)
    changed_at: float = field(default_factory=time.time)

    def touch(self) -> None:
        # whole seconds: Last-Modified has no finer resolution, and a change must move it
        self.changed_at = max(time.time(), self.changed_at + 1)

    def touches(self, path: str) -> bool:
        return path in self.replace or path in self.delete or path in self.add

    def body(self, path: str, original: bytes | None) -> bytes | None:
        """The bytes to serve for path, None for 404."""
        if path in self.delete:
            return None
        body = self.add.get(path, original)
        if body is None:
            return None
        for old, new in self.replace.get(path, []):
            body = body.replace(old, new)
        return body

    def merge(self, other: Mutations) -> None:
        for path, pairs in other.replace.items():
            self.replace.setdefault(path, []).extend(pairs)
        self.delete |= other.delete
        self.add.update(other.add)
        self.touch()

    def clear(self) -> None:
        self.replace.clear()
        self.delete.clear()
        self.add.clear()
        self.touch()

    @classmethod
    def from_json(cls, data: dict) -> Mutations:
        m = cls()
        for r in data.get("replace", []):
            m.replace.setdefault(r["path"], []).append(
                (r["old"].encode("utf-8"), r["new"].encode("utf-8"))
            )
        m.delete = set(data.get("delete", []))
        m.add = {a["path"]: a["body"].encode("utf-8") for a in data.get("add", [])}
        return m


def load_file(path: str | Path) -> dict[str, Mutations]:
    """{bureau_id: Mutations} from a JSON file {bureau_id: {"replace": [{path, old, new}], "delete":
    [path], "add": [{path, body}]}}, for a manual demo with `python -m sample_portals.server`."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {bureau: Mutations.from_json(spec) for bureau, spec in data.items()}


# One entry of a TRS list page, one per line: matches
# '<li><a href="./202401/t20240125_147876.html" title="河南省…年度报告" target="_blank">河南省…</a><span>2024-01-25</span>…</li>'
_TRS_ENTRY_RE = re.compile(
    r'^<li><a href="\./(?P<rel>[^"]+)" title="(?P<title>[^"]*)"[^\n]*?<span>(?P<date>[\d-]+)</span>.*</li>$',
    re.M,
)


@dataclass
class Change:
    """What trs_changes did, for a test to check against the archive."""

    edited: str  # path of the edited detail page
    edited_line: str  # a line of its golden text, before the edit
    edited_to: str
    deleted: str
    added: str
    added_title: str


def _lines(site: Path, rel_path: str) -> list[str]:
    golden = site / golden_path(rel_path).lstrip("/")
    text = json.loads(golden.read_text(encoding="utf-8"))["text"]
    return [ln for ln in text.splitlines() if len(ln) >= 12]


def trs_changes(site: Path, column: str, redate: bool = False) -> tuple[Mutations, Change]:
    """Edit the first report of a TRS column, delete its last entry on page one, add a new report.

    column is the column's directory on the portal, e.g. "/zwgk/ndbg/". With redate, the edited report's
    list date moves too, as portals do when they re-publish: that is all a re-crawl of a portal without
    ETag/Last-Modified can see.
    """
    list_path = column + "index.html"
    html = (site / list_path.lstrip("/")).read_text(encoding="utf-8")
    all_lists = "".join(
        p.read_text(encoding="utf-8") for p in (site / column.strip("/")).glob("index*.html")
    )
    entries = [m for m in _TRS_ENTRY_RE.finditer(html) if "popbox" not in m.group(0)]
    entries = [m for m in entries if all_lists.count(m.group("rel")) == 1]
    edit, delete = entries[0], entries[-1]
    m = Mutations()

    edit_path = column + edit.group("rel")
    page = (site / edit_path.lstrip("/")).read_text(encoding="utf-8")
    line = next(ln for ln in _lines(site, edit_path) if ln in page)
    edited_to = line + "（本段已于发布后修订）"
    m.replace[edit_path] = [(line.encode(), edited_to.encode())]
    if redate:
        old = edit.group(0)
        new = old.replace(f"<span>{edit.group('date')}</span>", "<span>2026-02-02</span>")
        m.replace.setdefault(list_path, []).append((old.encode(), new.encode()))

    delete_path = column + delete.group("rel")
    m.delete.add(delete_path)
    m.replace.setdefault(list_path, []).append((delete.group(0).encode() + b"\n", b""))

    source = column + edit.group("rel")
    added_rel = "202602/t20260203_990001.html"
    added_title = edit.group("title") + "（补充发布）"
    body = (site / source.lstrip("/")).read_text(encoding="utf-8")
    body = body.replace(edit.group("title"), added_title)
    m.add[column + added_rel] = body.encode("utf-8")
    entry = edit.group(0).replace(edit.group("rel"), added_rel)
    entry = entry.replace(f'title="{edit.group("title")}"', f'title="{added_title}"')
    entry = entry.replace(f"<span>{edit.group('date')}</span>", "<span>2026-02-03</span>")
    m.replace.setdefault(list_path, []).append(
        (edit.group(0).encode(), (entry + "\n" + edit.group(0)).encode())
    )
    # the redate replacement above ran first on the same line; the insertion must match what it left
    if redate:
        pairs = m.replace[list_path]
        redated = pairs[0][1]
        pairs[-1] = (redated, (entry + "\n").encode() + redated)
    m.touch()
    change = Change(edit_path, line, edited_to, delete_path, column + added_rel, added_title)
    return m, change
