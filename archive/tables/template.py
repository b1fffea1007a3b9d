"""The statutory templates, read from the data files in templates/: what each layout prints.

A new template or layout variant is one more YAML file (see templates/2019.yml for its keys); nothing in
the readers names a template. Codes and canonical labels live in templates/codes.yml, so a cell of a
2019 report and one of a 2021 report with the same code are the same quantity.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

__all__ = [
    "Line",
    "Section",
    "StatItem",
    "Template",
    "STAT_ITEMS",
    "by_code",
    "templates",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class StatItem:
    """One canonical row or column code: the label disclosure_stats shows and the group it belongs to."""

    code: str
    section: str  # 二, 三, 四
    axis: str  # row | col
    label: str
    group: str | None = None  # section 三 sub-rows: the code of the group row spanning them
    note: str = ""


@dataclass(frozen=True)
class Line:
    """A row or column as one template prints it: its code, printed label and the other spellings."""

    item: StatItem
    label: str
    variants: tuple[str, ...] = ()
    columns: tuple[
        str, ...
    ] = ()  # section 二 rows: the column codes the template prints for the row
    exact: bool = False  # matched only as a whole label (3.其他), never inside a longer one

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True)
class Section:
    name: str
    rows: tuple[Line, ...]
    cols: tuple[Line, ...]
    groups: tuple[Line, ...] = ()

    def row(self, code: str) -> Line | None:
        return next((r for r in self.rows if r.code == code), None)

    def col(self, code: str) -> Line | None:
        return next((c for c in self.cols if c.code == code), None)


@dataclass(frozen=True)
class Template:
    id: str
    years: tuple[int, ...]
    markers: tuple[str | dict, ...]
    forbids: tuple[str | dict, ...]
    sections: dict[str, Section]
    quirks: dict = field(default_factory=dict)
    source: str = ""  # the data file it was read from

    def cells(self) -> list[tuple[str, Line, Line]]:
        """Every (section, row, column) slot this layout prints, in reading order."""
        out = []
        for name, sec in self.sections.items():
            for row in sec.rows:
                cols = [sec.col(c) for c in row.columns] if row.columns else list(sec.cols)
                out += [(name, row, col) for col in cols if col is not None]
        return out


def _load_yaml(name: str) -> dict:
    return yaml.safe_load((TEMPLATE_DIR / name).read_text(encoding="utf-8"))


@functools.cache
def _codes() -> dict[tuple[str, str, str], StatItem]:
    items = {}
    for d in _load_yaml("codes.yml")["items"]:
        item = StatItem(
            d["code"], d["section"], d["axis"], d["label"], d.get("group"), d.get("note", "")
        )
        items[(item.section, item.axis, item.code)] = item
    return items


def by_code(section: str, axis: str, code: str) -> StatItem:
    return _codes()[(section, axis, code)]


def _lines(section: str, axis: str, rows: list[dict]) -> tuple[Line, ...]:
    out = []
    for d in rows or []:
        item = by_code(section, axis, d["code"]) if axis != "group" else _group(section, d)
        out.append(
            Line(
                item,
                d["label"],
                tuple(d.get("variants") or ()),
                tuple(d.get("columns") or ()),
                bool(d.get("exact")),
            )
        )
    return tuple(out)


def _group(section: str, d: dict) -> StatItem:
    return StatItem(d["code"], section, "group", d["label"])


def _section(name: str, d: dict, raw: dict[str, dict]) -> Section:
    if "from" in d:
        d = raw[str(d["from"])]["sections"][name]
        if "from" in d:
            raise ValueError(f"section {name}: 'from' must name a template that prints it")
    return Section(
        name,
        _lines(name, "row", d.get("rows")),
        _lines(name, "col", d.get("cols")),
        _lines(name, "group", d.get("groups")),
    )


@functools.cache
def templates() -> tuple[Template, ...]:
    """Every template file, oldest first (the order ties are broken in)."""
    raw = {}
    for path in sorted(TEMPLATE_DIR.glob("*.yml")):
        if path.name == "codes.yml":
            continue
        d = _load_yaml(path.name)
        raw[str(d["id"])] = d | {"_file": path.name}
    out = []
    for tid, d in raw.items():
        sections = {name: _section(name, s, raw) for name, s in d["sections"].items()}
        out.append(
            Template(
                tid,
                tuple(d.get("years") or ()),
                tuple(d.get("markers") or ()),
                tuple(d.get("forbids") or ()),
                sections,
                dict(d.get("quirks") or {}),
                d["_file"],
            )
        )
    return tuple(out)


def template(tid: str) -> Template:
    return next(t for t in templates() if t.id == tid)


STAT_ITEMS: list[StatItem] = list(_codes().values())
