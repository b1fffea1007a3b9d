"""`python tests/corpus/build_corpus.py OUT`: the full evaluation corpus in `nianbao eval` format.

The sample-portal pages are not duplicated in git (they are ~3 MB and already committed under
sample_portals/sites): this script copies every detail page with an expect entry derived from its golden
file, every bureau's first column list page (and a JPaaS list answer) with the items it links to, and
the hand-written hard cases kept in tests/corpus/hard/ (each page with its `<name>.expected.json`).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SITES = ROOT / "sample_portals" / "sites"
HARD = Path(__file__).resolve().parent / "hard"


def _flat(bureau_id: str, path: str) -> str:
    return f"{bureau_id}__{path.strip('/').replace('/', '_')}"


def _goldens() -> list[dict]:
    from crawler.evaluate import expectations

    return [{**g, "_page": SITES / name} for name, g in expectations(SITES).items()]


def _detail_expect(g: dict) -> dict:
    exp = {
        "url": g["url"],
        "title": g["title"],
        "published": g["published"],
        # an attachment-only page says nothing itself: its sentences live in the file
        "must_include": [] if "page_text" in g else g["must_include"],
        "must_exclude": g["must_exclude"],
    }
    if g.get("encoding"):
        exp["encoding"] = g["encoding"]
    return exp


def _listed(body: str, goldens: list[dict]) -> list[dict]:
    """The bureau's items whose detail file name the list page mentions (each name holds a unique id)."""
    return [
        {"title": g["title"], "href": g["url"], "date": g["published"]}
        for g in goldens
        if g["url"].rsplit("/", 1)[-1] in body
    ]


def build(out: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from sample_portals import build as portal_build
    from sample_portals.bureaus import BUREAUS

    out.mkdir(parents=True, exist_ok=True)
    expect: dict[str, dict] = {}
    goldens = _goldens()
    for g in goldens:
        name = _flat(g["bureau_id"], g["url"].split("/", 3)[3])
        shutil.copyfile(g["_page"], out / name)
        expect[name] = _detail_expect(g)
    for b in BUREAUS:
        mine = [g for g in goldens if g["bureau_id"] == b.id]
        url = portal_build.column_url(b)
        src = SITES / b.id / portal_build.column_path(b).lstrip("/")
        encoding = "gb18030" if b.family == "legacy" else "utf-8"
        body = src.read_bytes().decode(encoding)
        name = _flat(b.id, portal_build.column_path(b))
        if b.family == "jpaas":
            # the shell lists nothing; the list is the API's answer for page 1, as the server gives it
            store = json.loads(next((SITES / b.id / "_jpaas").glob("*.json")).read_text("utf-8"))
            items = store["items"][:15]
            body = json.dumps(
                {"success": True, "data": {"total": len(store["items"]), "pageNo": 1,
                                           "pageSize": 15, "list": items}},
                ensure_ascii=False,
            )  # fmt: skip
            name = name.rsplit(".", 1)[0] + ".json"
            (out / name).write_text(body, encoding="utf-8")
        else:
            shutil.copyfile(src, out / name)
        exp = {"url": url, "items": _listed(body, mine)}
        if encoding != "utf-8":
            exp["encoding"] = encoding
        expect[name] = exp
    from crawler.evaluate import expectations

    for name, exp in expectations(HARD).items():
        shutil.copyfile(HARD / name, out / name)
        expect[name] = exp
    (out / "expect.json").write_text(
        json.dumps(expect, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return expect


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "build/corpus")
    n = len(build(target))
    print(f"{n} pages with expectations written to {target}")
