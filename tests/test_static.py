"""Static checks in the test suite, so CI (which runs ``make test``) fails on a lint or type error.

mypy runs with the ``--strict`` configuration in pyproject.toml; ruff with the project's rules.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    # the venv's own copy, next to the interpreter running the tests
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    located = shutil.which(name)
    if located is None:
        pytest.fail(f"{name} is not installed: it is part of the test extras")
    return located


@pytest.mark.slow
def test_mypy_strict_passes_on_the_package():
    run = subprocess.run(
        [_tool("mypy"), "--no-incremental"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success" in run.stdout


def test_ruff_passes_on_code_tests_and_benchmarks():
    run = subprocess.run(
        [_tool("ruff"), "check", "kg", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_code_tests_and_benchmarks_are_formatted_as_ruff_formats_them():
    run = subprocess.run(
        [_tool("ruff"), "format", "--check", "kg", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
