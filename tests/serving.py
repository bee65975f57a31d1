"""Start the real `kg serve` for a test, as the benchmarks do (benchmarks/served.py), failing the test.

A server that exits or stays silent for 60 s fails the test with its log.
"""

from __future__ import annotations

import importlib.util
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import ROOT


def _served():
    spec = importlib.util.spec_from_file_location("served", ROOT / "benchmarks" / "served.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_SERVED = _served()
free_port = _SERVED.free_port


@contextmanager
def kg_serve(args: list[str], log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m kg serve ARGS --port P` logging to ``log``: yields (base URL, process) once it answers."""
    with _SERVED.kg_serve(args, log, fail=pytest.fail) as served:
        yield served
