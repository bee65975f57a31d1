import kg

API = [
    "BuildResult",
    "Candidate",
    "CorpusError",
    "Document",
    "Entity",
    "Evidence",
    "ExtractionError",
    "Fact",
    "GraphStore",
    "KG",
    "KGError",
    "Mention",
    "OntologyError",
    "QueryError",
    "ResolutionError",
    "Skipped",
    "StoreError",
    "__version__",
    "add",
    "build",
    "build_graph",
    "canned_queries",
    "extract_candidates",
    "load_corpus",
    "load_graph",
    "load_query",
    "make_nlp",
    "network_html",
    "normalize_text",
    "query_rows",
    "remove",
    "render_network",
    "resolve_entities",
    "run",
    "run_query",
    "split_sentences",
]


def test_public_api_is_pinned_and_sorted():
    assert kg.__all__ == sorted(kg.__all__)
    assert kg.__all__ == sorted(API)


def test_every_public_name_resolves():
    for name in kg.__all__:
        assert getattr(kg, name) is not None


def test_error_tree():
    for name in [
        "CorpusError",
        "ExtractionError",
        "OntologyError",
        "QueryError",
        "ResolutionError",
        "StoreError",
    ]:
        assert issubclass(getattr(kg, name), kg.KGError)
