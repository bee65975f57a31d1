"""kg: build knowledge graphs of grassroots governance from Chinese news text.

The public API; names are imported lazily so that ``kg --help`` does not pay for spaCy and LAC.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "BuildResult": "kg.pipeline",
    "Candidate": "kg.types",
    "CorpusError": "kg.errors",
    "Document": "kg.types",
    "Entity": "kg.types",
    "Evidence": "kg.types",
    "ExtractionError": "kg.errors",
    "Fact": "kg.types",
    "KG": "kg.ontology",
    "KGError": "kg.errors",
    "Mention": "kg.types",
    "OntologyError": "kg.errors",
    "QueryError": "kg.errors",
    "ResolutionError": "kg.errors",
    "Skipped": "kg.types",
    "StoreError": "kg.errors",
    "add": "kg.pipeline",
    "build": "kg.pipeline",
    "GraphStore": "kg.store",
    "build_graph": "kg.rdf",
    "canned_queries": "kg.queries",
    "load_query": "kg.queries",
    "remove": "kg.pipeline",
    "run_query": "kg.queries",
    "extract_candidates": "kg.extract",
    "load_corpus": "kg.corpus",
    "load_graph": "kg.store",
    "make_nlp": "kg.nlp",
    "network_html": "kg.views",
    "normalize_text": "kg.corpus",
    "query_rows": "kg.store",
    "render_network": "kg.views",
    "resolve_entities": "kg.resolve",
    "run": "kg.pipeline",
    "split_sentences": "kg.corpus",
}

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
