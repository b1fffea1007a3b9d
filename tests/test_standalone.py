"""The repository stands alone: no tracked file reads a path outside it.

A user clones nianbao into an empty folder; anything the code, tests, demo or benchmarks read must come
with the clone. `.ci/run` proves it by testing a clone made in an empty temporary folder; this test names
the offending file and line when someone writes such a path, before CI does.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Paths of a developer's machine or of folders beside the clone: matches "/work/shared/seeds/004.txt",
# "../shared/seeds", "/home/alice/nianbao", "/root/data", "parents[2] / \"shared\"".
_OUTSIDE = re.compile(
    r"(?<![\w.])/(?:work|home|root|Users|mnt)/\w"
    r"|\.\./shared\b"
    r"|parents\[\d+\]\s*/\s*[\"']shared[\"']"
)
_TEXT_SUFFIXES = {".py", ".yml", ".yaml", ".toml", ".cfg", ".md", ".sh", ".txt", ".json", ""}


def _tracked() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    # this file names the patterns it looks for; the rendered sample sites are checked by their builder
    return [
        ROOT / line
        for line in out.splitlines()
        if not line.startswith("sample_portals/sites/") and line != "tests/test_standalone.py"
    ]


def test_no_tracked_file_names_a_path_outside_the_repository():
    offending = []
    for path in _tracked():
        if path.suffix not in _TEXT_SUFFIXES or not path.is_file():
            continue
        if path.name == "Makefile" or path.suffix or path.parent.name == ".ci":
            text = path.read_text(encoding="utf-8", errors="replace")
            for n, line in enumerate(text.splitlines(), 1):
                if _OUTSIDE.search(line):
                    offending.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offending, "paths outside the repository:\n" + "\n".join(offending)


def test_the_seed_texts_are_the_projects_own_test_data():
    from sample_portals.seeds import SEEDS_DIR

    assert SEEDS_DIR.resolve().is_relative_to(ROOT)
    assert len(sorted(SEEDS_DIR.glob("*.txt"))) == 5


def test_ci_tests_a_clone_in_an_empty_folder():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "git clone" in run and "mktemp -d" in run and "make test" in run
