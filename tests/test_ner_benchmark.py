"""The project's NER against raw LAC on the public MSRA test set (skipped when the data is absent)."""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def _benchmark():
    spec = importlib.util.spec_from_file_location("ner_eval", ROOT / "benchmarks" / "ner_eval.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_project_ner_is_not_below_lac_on_msra(nlp):
    bench = _benchmark()
    relative, mapping = bench.SETS["MSRA test (SIGHAN gold)"]
    path = bench.DATA / relative
    if not path.exists():
        pytest.skip(f"no MSRA data at {path}")
    result = bench.run_set(bench.load(path, mapping, None))
    assert result["kg"]["micro"]["f1"] >= result["LAC"]["micro"]["f1"]
    assert result["kg"]["ORG"]["f1"] > result["LAC"]["ORG"]["f1"]
