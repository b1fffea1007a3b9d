"""The product's import graph flows one way: nianbao/ → crawler/ → archive/; only nianbao/
imports sample_portals/.

The graph is read from the source with `ast`, every import counted wherever it stands (module level, inside
a function, under `if TYPE_CHECKING:`), relative ones resolved against their package: an import hidden in a
function still ties the two modules together, so hiding one is not a way out of a circle. The reader is
checked first on a small tree of its own that breaks each rule, so an empty graph cannot pass.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("crawler", "archive", "nianbao")
MAX_LINES = 500


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_graph(root: Path, packages=PRODUCT) -> tuple[dict[str, set[str]], dict[str, Path]]:
    """{module: modules it imports} over the packages' .py files, and {module: file}.

    An import names the deepest module it reaches (`from crawler.families import trs` reaches
    crawler.families and crawler.families.trs; `from archive.schema import canonical_url` reaches
    archive.schema). Imports of other top-level names (the standard library, third parties) are kept
    as their top-level name, so `sample_portals` shows up even though it is not read."""
    files = {
        module_name(root, p): p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))
    }
    graph: dict[str, set[str]] = defaultdict(set)

    def nearest(name: str) -> str:
        probe = name
        while probe not in files and "." in probe:
            probe = probe.rsplit(".", 1)[0]
        return probe if probe in files else name.split(".")[0]

    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
            for target in targets:
                reached = nearest(target)
                if reached != name:
                    graph[name].add(reached)
    return graph, files


def against_the_flow(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for source, targets in sorted(graph.items()):
        top = source.split(".")[0]
        for target in sorted(targets):
            to = target.split(".")[0]
            if top == "archive" and to == "crawler":
                bad.append(f"{source} imports {target} (the archive never imports the crawler)")
            if top in ("archive", "crawler") and to == "sample_portals":
                bad.append(
                    f"{source} imports {target} (only the CLI, tests and bench start portals)"
                )
            if top in ("archive", "crawler") and to == "nianbao":
                bad.append(f"{source} imports {target} (only the CLI imports everything)")
    return bad


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def oversized(files: dict[str, Path]) -> list[str]:
    sizes = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in files.items()
    }
    return [f"{name}: {n} lines" for name, n in sorted(sizes.items()) if n > MAX_LINES]


def test_the_reader_finds_what_breaks_the_rules(tmp_path):
    """A small tree with each fault: a function-level import back to the crawler, a relative-import
    circle, a TYPE_CHECKING import of the sample portals, a module too long."""
    files = {
        "archive/__init__.py": "",
        "archive/store.py": "def save():\n    from crawler.items import Item\n",
        "crawler/__init__.py": "",
        "crawler/items.py": "from . import rules\n",
        "crawler/rules.py": "if TYPE_CHECKING:\n    from .items import Item\n",
        "crawler/serve.py": "if TYPE_CHECKING:\n    import sample_portals.server\n",
        "crawler/run.py": "def main():\n    from nianbao.cli import main\n",
        "nianbao/__init__.py": "",
        "nianbao/cli.py": "import crawler.items\nimport archive.store\nimport sample_portals\n"
        + "x = 1\n" * MAX_LINES,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    graph, found = read_graph(tmp_path)
    assert against_the_flow(graph) == [
        "archive.store imports crawler.items (the archive never imports the crawler)",
        "crawler.run imports nianbao.cli (only the CLI imports everything)",
        "crawler.serve imports sample_portals (only the CLI, tests and bench start portals)",
    ]
    assert circles(graph) == [["crawler.items", "crawler.rules"]]
    assert oversized(found) == [f"nianbao.cli: {MAX_LINES + 3} lines"]


def test_no_import_against_the_flow():
    graph, files = read_graph(ROOT)
    assert len(files) > 50 and sum(map(len, graph.values())) > 100  # the whole product was read
    assert against_the_flow(graph) == []


def test_no_circle():
    graph, _ = read_graph(ROOT)
    assert circles(graph) == []


def test_no_product_module_over_500_lines():
    _, files = read_graph(ROOT)
    assert oversized(files) == []


def test_the_distributed_coordinator_runs_without_scrapy():
    """The coordinator writes the archive and seeds Redis; importing Scrapy cost it ≈ 25 MB it never used, and
    numpy (which sqlite-utils imports when it can) ≈ 12 MB."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import crawler.distributed\n"
        "with crawler.distributed._without('numpy', 'pandas'):\n"
        "    import archive.ingest\n"
        "from crawler.registry import load_registry, select_bureaus\n"
        "select_bureaus(load_registry('sample'), None)\n"
        "tops = ('scrapy', 'twisted', 'numpy', 'pandas')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in tops))\n"
        "import numpy, sqlite_utils.db\n"  # hidden only while the writer was imported
        "print(sqlite_utils.db.np is None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]", "True"]


def test_a_distributed_worker_loads_no_archive_writer():
    """A bureaus_redis worker sends its items to Redis; the archive writer's sqlite-utils (and numpy through
    it, ≈ 16 MB a process) is the coordinator's. Nor does it load the remote control's aiohttp (≈ 10 MB), an
    extension that is off. Every component the worker's settings name is loaded, as Scrapy reads them (with
    its base lists: Scrapy imports every key EXTENSIONS lists to compare it with the base, even one set to
    None)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from scrapy.utils.misc import load_object\n"
        "from scrapy.utils.project import get_project_settings\n"
        "from crawler.spiders.bureaus_redis import BureausRedisSpider\n"
        "settings = get_project_settings()\n"
        "BureausRedisSpider.update_settings(settings)\n"
        "names = ['SCHEDULER', 'SCHEDULER_PRIORITY_QUEUE', 'DUPEFILTER_CLASS', 'TWISTED_DNS_RESOLVER',\n"
        "         'REDIS_ITEMS_SERIALIZER']\n"
        "paths = [settings[n] for n in names]\n"
        "for key in ('DOWNLOADER_MIDDLEWARES', 'SPIDER_MIDDLEWARES', 'EXTENSIONS', 'ITEM_PIPELINES'):\n"
        "    paths += [p for p, order in settings.get_component_priority_dict_with_base(key).items() if order is not None]\n"
        "for path in paths:\n"
        "    load_object(path)\n"
        "print(len(paths), sorted(m for m in ('sqlite_utils', 'numpy', 'aiohttp') if m in sys.modules))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_POLITE"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split(maxsplit=1)
    assert int(out[0]) >= 15, out  # the components were found and loaded
    assert out[1].strip() == "[]"


def test_the_registry_names_every_family_and_only_those():
    from crawler.families import ADAPTERS
    from crawler.family_names import FAMILY_NAMES

    assert tuple(ADAPTERS) == FAMILY_NAMES
