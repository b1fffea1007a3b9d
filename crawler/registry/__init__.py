"""The bureau registry: which portals nianbao crawls and how each one is shaped.

The registry is hand-edited YAML, so every mistake is reported at once with the file, the row (index and
id) and the field it sits in: a contributor fixing a 300-row file should not need one run per typo.

Every URL of a row (homepage, columns, overrides ending in `_url`) must be one nianbao may fetch
(crawler/addresses.py): http(s), no user-info, a real port, a public host. A row whose portal runs on this
machine — the sample and test portals — says so with `allow_loopback: true`, which admits 127.0.0.0/8 and
::1 for that row and nothing else; the downloader then lets that row's host names resolve to loopback too.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from crawler.addresses import url_problem
from crawler.bureau import Bureau
from crawler.family_names import (
    FAMILY_NAMES as FAMILIES,  # = crawler.families.ADAPTERS (test_imports)
)

__all__ = [
    "FAMILIES",
    "select_bureaus",
    "LEVELS",
    "OVERRIDE_KEYS",
    "Bureau",
    "RegistryError",
    "is_url_override",
    "load_registry",
]

HERE = Path(__file__).resolve().parent
NAMED = {
    "sample": HERE / "sample.yml",
    "bureaus": HERE / "bureaus.yml",
    "faults": HERE / "faults.yml",  # the fault-injection portal (sample_portals/faults.py)
}

LEVELS = ("province", "city", "county")

# Per-bureau knobs an operator may set; anything else is a typo that would otherwise be ignored silently.
OVERRIDE_KEYS: dict[str, tuple[type, ...]] = {
    "obey_robots": (bool,),
    "per_page": (int,),
    "download_delay": (int, float),
    "hanweb_unit_ids": (list,),
    "hanweb_proxy_url": (str,),
    "pages_per_request": (int,),
    "max_pages": (int,),
    # safety caps (crawler/bounds.py): list pages per column, requests per bureau
    "max_pages_per_column": (int,),
    "max_pages_per_bureau": (int,),
    "jpaas_api_url": (str,),
}

REQUIRED = ("id", "name", "level", "province", "region_code", "homepage", "family")
OPTIONAL = ("columns", "verified", "overrides", "allow_loopback")

# A slug: matches "henan-jtt", "yiyang-jtj", "xinjiang-jtyst".
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A six-digit administrative division code: matches "410000", "430900", "341221".
_REGION_RE = re.compile(r"^\d{6}$")
_NO_OVERRIDES: MappingProxyType = MappingProxyType({})


class RegistryError(ValueError):
    """Every problem found in one registry file, one per line."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s) in the registry:\n{lines}")


def is_url_override(key: str) -> bool:
    """Overrides naming an endpoint (`hanweb_proxy_url`, `jpaas_api_url`) are fetched like columns."""
    return key.endswith("_url")


def _check_row(index: int, row: Any, problems: list[str]) -> Bureau | None:
    if not isinstance(row, dict):
        problems.append(f"row {index}: expected a mapping, got {type(row).__name__}")
        return None
    rid = row.get("id")
    where = f"row {index} (id={rid!r})"
    before = len(problems)

    def bad(fieldname: str, msg: str) -> None:
        problems.append(f"{where}, field {fieldname!r}: {msg}")

    for key in row:
        if key not in REQUIRED and key not in OPTIONAL:
            bad(key, "unknown field")
    for key in REQUIRED:
        if key not in row or row[key] in (None, ""):
            bad(key, "missing")
    for key in ("id", "name", "province"):
        if key in row and row[key] not in (None, "") and not isinstance(row[key], str):
            bad(key, f"expected text, got {row[key]!r}")
    if isinstance(rid, str) and rid and not _SLUG_RE.match(rid):
        bad("id", f"{rid!r} is not a slug (lowercase letters, digits and single hyphens)")
    level = row.get("level")
    if level not in (None, "") and level not in LEVELS:
        bad("level", f"{level!r} is not one of {', '.join(LEVELS)}")
    code = row.get("region_code")
    if code not in (None, ""):
        # YAML reads an unquoted 110000 as an int; accept it, but never a 5- or 7-digit code.
        if isinstance(code, int) and not isinstance(code, bool):
            code = str(code)
        if not isinstance(code, str) or not _REGION_RE.match(code):
            bad("region_code", f"{row.get('region_code')!r} is not a six-digit division code")
    loopback = row.get("allow_loopback", False)
    if not isinstance(loopback, bool):
        bad("allow_loopback", f"expected true or false, got {loopback!r}")
        loopback = False
    homepage = row.get("homepage")
    if homepage not in (None, ""):
        problem = url_problem(homepage, loopback)
        if problem:
            bad("homepage", f"{homepage!r}: {problem}")
    family = row.get("family")
    if family not in (None, "") and family not in FAMILIES:
        bad("family", f"{family!r} is not one of {', '.join(FAMILIES)}")
    columns = row.get("columns")
    if columns is None:
        columns = []
    if not isinstance(columns, list):
        bad("columns", f"expected a list of URLs, got {columns!r}")
        columns = []
    for i, col in enumerate(columns):
        problem = url_problem(col, loopback)
        if problem:
            bad("columns", f"item {i}: {col!r}: {problem}")
    verified = row.get("verified", False)
    if not isinstance(verified, bool):
        bad("verified", f"expected true or false, got {verified!r}")
    overrides = row.get("overrides")
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict):
        bad("overrides", f"expected a mapping, got {overrides!r}")
        overrides = {}
    for key, value in overrides.items():
        if key not in OVERRIDE_KEYS:
            bad("overrides", f"unknown key {key!r} (known: {', '.join(sorted(OVERRIDE_KEYS))})")
            continue
        kinds = OVERRIDE_KEYS[key]
        # bool is an int in Python; `per_page: true` is still a mistake.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(k.__name__ for k in kinds)
            bad("overrides", f"{key}: expected {names}, got {value!r}")
        elif is_url_override(key):
            problem = url_problem(value, loopback)
            if problem:
                bad("overrides", f"{key}: {value!r}: {problem}")

    if len(problems) > before:
        return None
    # Every process of a national crawl keeps the whole registry (3,300 rows): the values thousands of rows
    # share (level, province, family) are kept once, and so is the empty mapping of a row without overrides.
    return Bureau(
        id=rid,
        name=row["name"],
        level=sys.intern(level),
        province=sys.intern(row["province"]),
        region_code=code,
        homepage=homepage,
        family=sys.intern(family),
        columns=tuple(columns),
        verified=verified,
        allow_loopback=loopback,
        overrides=MappingProxyType(dict(overrides)) if overrides else _NO_OVERRIDES,
    )


def resolve(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, str) and name_or_path in NAMED:
        return NAMED[name_or_path]
    return Path(name_or_path)


# libyaml's parser when PyYAML was built with it (the wheels are), else PyYAML's own: same results.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A top-level row of a registry that is one YAML sequence: "- id: nat-0001" at the start of a line.
# Continuation lines of a row are indented, so a line that starts with "- " (or is "-") begins a new row.
_ROW_START = re.compile(r"^-(?: |$)", re.MULTILINE)


def _load(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)


def _parse(text: str) -> Any:
    """The document's data. A registry that is one top-level sequence is parsed a row at a time: parsed
    whole, PyYAML holds the node tree of every row at once, and a national registry of 3,300 rows (0.9 MB)
    cost each process that loads it ≈ 53 MB it kept (every scrapy-redis worker loads it) and 3.6 s. Anything
    else (a mapping with a `bureaus` list, anchors across rows, a syntax error) is parsed whole, so its data
    and its error messages, with their line numbers, are the document's own."""
    starts = [m.start() for m in _ROW_START.finditer(text)]
    head = text[: starts[0]] if starts else text
    if not starts or any(
        line.strip() and not line.lstrip().startswith("#") for line in head.splitlines()
    ):
        return _load(text)
    try:
        return [
            row
            for begin, end in zip(starts, [*starts[1:], len(text)], strict=True)
            for row in _load(text[begin:end]) or []
        ]
    except yaml.YAMLError:
        return _load(text)  # raises with the document's line numbers


def load_registry(name_or_path: str | Path) -> list[Bureau]:
    """Load and validate a registry: "sample", "bureaus" or the path of a YAML file.

    The file is either a list of rows or a mapping with a `bureaus` list (room for file-level notes).
    """
    path = resolve(name_or_path)
    try:
        data = _parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(path, ["file not found"]) from None
    except yaml.YAMLError as exc:
        raise RegistryError(path, [f"not valid YAML: {exc}"]) from None
    if isinstance(data, dict) and "bureaus" in data:
        data = data["bureaus"]
    if not isinstance(data, list):
        raise RegistryError(
            path, ["expected a list of bureau rows (or a mapping with a 'bureaus' list)"]
        )
    problems: list[str] = []
    bureaus: list[Bureau] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(data):
        bureau = _check_row(index, row, problems)
        rid = row.get("id") if isinstance(row, dict) else None
        if isinstance(rid, str) and rid:
            if rid in seen:
                problems.append(
                    f"row {index} (id={rid!r}), field 'id': duplicate of row {seen[rid]}"
                )
            else:
                seen[rid] = index
        if bureau is not None:
            bureaus.append(bureau)
    if problems:
        raise RegistryError(path, problems)
    return bureaus


def select_bureaus(bureaus: list[Bureau], wanted: str | None) -> list[Bureau]:
    """The bureaus `wanted` names (comma-separated ids), all of them when it is empty."""
    if not wanted:
        return bureaus
    ids = [w.strip() for w in wanted.split(",") if w.strip()]
    known = {b.id for b in bureaus}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(
            f"unknown bureau id(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [b for b in bureaus if b.id in ids]
