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
    "KG",
    "KGError",
    "Mention",
    "OntologyError",
    "QueryError",
    "ResolutionError",
    "Skipped",
    "StoreError",
    "__version__",
    "build",
    "build_graph",
    "extract_candidates",
    "load_corpus",
    "load_graph",
    "make_nlp",
    "network_html",
    "normalize_text",
    "query_rows",
    "render_network",
    "resolve_entities",
    "run",
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
