"""The import-linter contracts of pyproject.toml: module layers (also inside kg.builder and kg.extract),
and which module may import click, the NLP libraries and pyvis. ``lint-imports`` runs on the package, and
on a copy with one forbidden import added to show the contracts catch it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("lint-imports")
    if not tool.exists():
        pytest.fail("lint-imports is not installed: import-linter is part of the test extras")
    # the package of ``root`` first on the path, whatever the environment's editable install points at
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(tool), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_package_keeps_every_contract():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "6 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    "module,line,importer,imported",
    [
        (
            "corpus/files.py",
            "import kg.store",
            "kg.corpus",
            "kg.store",
        ),  # a lower layer importing a higher one
        ("derive.py", "from kg.store import GraphStore", "kg.derive", "kg.store"),
        ("views/page.py", "import kg.server", "kg.views", "kg.server"),  # the view is below the server
        ("export.py", "import kg.views", "kg.export", "kg.views"),  # independent siblings
        # the parts of a build: what processes one file knows nothing of the outputs
        ("builder/documents.py", "import kg.builder.outputs", "kg.builder.documents", "kg.builder.outputs"),
        ("rdf.py", "import click", "kg.rdf", "click"),
        ("store/ntriples.py", "import jieba", "kg.store", "jieba"),  # a package is named whole
        # inside kg.extract: the shared helpers below the rules, and rule modules independent of each other
        ("extract/common.py", "import kg.extract.posts", "kg.extract.common", "kg.extract.posts"),
        ("extract/roles.py", "from kg.extract import assists", "kg.extract.roles", "kg.extract.assists"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, importer, imported):
    shutil.copytree(ROOT / "kg", tmp_path / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    path = tmp_path / "kg" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    run = lint_imports(tmp_path)
    assert run.returncode == 1
    assert "5 kept, 1 broken" in run.stdout
    assert f"{importer} is not allowed to import {imported}:" in run.stdout
