"""Write the declared titles, descriptions and column tooltips into metadata.yml, so they are typed once (in
archive/shape/) and Datasette shows what the declaration says.

Only those lines of each declared table's block are rewritten; everything else in the file (facets, views,
canned queries, comments, the YAML anchor views reuse) stays as people wrote it. Run from the repository:
`python -m archive.shape.metadata` (add `--check` to only report whether the file is up to date).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from archive.shape import TABLES, Table

__all__ = ["render", "main"]

METADATA = Path("metadata.yml")

# A table's block under databases.archive.tables, e.g. "      report_texts:"
_TABLE_RE = re.compile(r"^      (\w+):$")
# A key of the table's block with its value on the same line, e.g. '        title: "机构"'
_KEY_RE = re.compile(r"^        (title|description): ")
# The table's columns mapping, maybe anchored for views to reuse, e.g. "        columns: &report_columns"
_COLUMNS_RE = re.compile(r"^        columns:( &\w+)?$")


def _quoted(text: str) -> str:
    # a JSON string is a YAML double-quoted scalar; the file spells Chinese as itself
    return json.dumps(text, ensure_ascii=False)


def _rewrite_block(block: list[str], table: Table) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(block):
        line = block[i]
        key = _KEY_RE.match(line)
        if key:
            out.append(f"        {key.group(1)}: {_quoted(getattr(table, key.group(1)))}")
        elif _COLUMNS_RE.match(line):
            out.append(line)
            written = []  # the order people chose stays; new columns follow in table order
            while i + 1 < len(block) and block[i + 1].startswith("          "):
                i += 1
                written.append(block[i].strip().split(":", 1)[0])
            names = [c.name for c in table.columns]
            order = [n for n in written if n in names] + [n for n in names if n not in written]
            out += [f"          {n}: {_quoted(table.column(n).description)}" for n in order]
        else:
            out.append(line)
        i += 1
    return out


def render(text: str) -> str:
    """metadata.yml's text with every declared table's title, description and columns as declared."""
    declared = {t.name: t for t in TABLES}
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _TABLE_RE.match(lines[i])
        if not match or match.group(1) not in declared:
            out.append(lines[i])
            i += 1
            continue
        end = i + 1
        while end < len(lines) and (lines[end].startswith("        ") or not lines[end].strip()):
            end += 1
        out.append(lines[i])
        out += _rewrite_block(lines[i + 1 : end], declared[match.group(1)])
        i = end
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = METADATA.read_text(encoding="utf-8")
    wanted = render(text)
    if "--check" in argv:
        if wanted != text:
            print(f"{METADATA} differs from archive/shape/; run python -m archive.shape.metadata")
            return 1
        return 0
    if wanted != text:
        METADATA.write_text(wanted, encoding="utf-8")
        print(f"{METADATA} rewritten from archive/shape/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
