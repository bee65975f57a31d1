"""Check a graph against the SHACL shapes in ontology/shapes.ttl; the one place that runs a SHACL engine.

The shapes say what a well-formed build is: every entity has one ``@zh`` label and ``@zh`` aliases, the
five relations respect their domains and ranges, every fact has a ``kg:Assertion`` and every assertion
carries its evidence, offsets and source document. ``validate_graph`` returns the results as plain
``Violation`` tuples, so callers (``kg validate``, the build report) need neither pyshacl nor rdflib's
SHACL vocabulary.

The ontology is mixed into a copy of the data graph before validation, so ``sh:class kg:Organisation``
accepts a ``kg:PartyBody`` through ``rdfs:subClassOf`` without running RDFS or OWL inference.

Two engines apply the same shapes. ``pyshacl`` (``kg validate --full``) is the reference: complete
SHACL-SPARQL and the messages of every constraint. ``rudof`` (pyrudof, the Rust validator of the
rudof project), the default of ``kg validate`` and of the build, gives the same conformance and the
same violations on the corpus build and on every broken graph of tests/test_validate.py (it
ignores ``sh:message`` on ``sh:lessThanOrEquals`` only, so the shape's message is looked up here).
benchmarks/shacl_bench.py measures both.

Like ``store`` this module imports rdflib: pyshacl takes and returns rdflib graphs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from pyshacl import validate as shacl_validate
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import OntologyError
from kg.ontology import ONTOLOGY_PATH, PREFIXES, load_ontology, parse_project_turtle

__all__ = [
    "ENGINES",
    "SHAPES_PATH",
    "ValidationReport",
    "Violation",
    "compact",
    "format_report",
    "load_shapes",
    "prepare_validation",
    "validate_graph",
    "validate_ntriples",
]

SHAPES_PATH = ONTOLOGY_PATH.parent / "shapes.ttl"

#: SHACL engines, the fast one first: ``rudof`` (pyrudof) and ``pyshacl`` (the reference, ``--full``).
ENGINES: tuple[str, ...] = ("rudof", "pyshacl")

SH = Namespace("http://www.w3.org/ns/shacl#")

# Longest namespace first, so that a namespace that is a prefix of another never wins wrongly.
_COMPACT = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


class Violation(NamedTuple):
    """One SHACL result: the node at fault, the property concerned (if any), what is wrong, how bad.

    ``focus`` and ``path`` are full IRIs (or blank-node ids); the message shortens IRIs to the
    project's prefixes (``kgr:place/木都柴达木村``) for people to read.
    """

    focus: str
    path: str | None
    message: str
    severity: str


@dataclass(frozen=True)
class ValidationReport:
    """Whether a graph conforms to the shapes, and every violation found, sorted.

    Examples:
        >>> ValidationReport(True).as_dict()
        {'conforms': True, 'violations': []}
    """

    conforms: bool
    violations: list[Violation] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form, for report.json and ``kg validate --json``."""
        return {"conforms": self.conforms, "violations": [v._asdict() for v in self.violations]}


def compact(iri: str) -> str:
    """An IRI shortened with the project's prefixes, for messages; other IRIs are left whole.

    Examples:
        >>> compact("https://w3id.org/kgzh/id/place/木都柴达木村")
        'kgr:place/木都柴达木村'
        >>> compact("http://example.org/x")
        'http://example.org/x'
    """
    for prefix, namespace in _COMPACT:
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _compact_text(text: str) -> str:
    for prefix, namespace in _COMPACT:
        text = text.replace(namespace, f"{prefix}:")
    return text


def load_shapes(path: Path = SHAPES_PATH) -> Graph:
    """Parse a SHACL shapes file (the project's ontology/shapes.ttl by default).

    Raises:
        OntologyError: The file is missing or is not valid Turtle.
    """
    return parse_project_turtle(
        path, missing="shapes file not found; run kg from a source checkout or restore ontology/shapes.ttl"
    )


@functools.cache
def _default_graphs() -> tuple[Graph, Graph]:
    # Parsed once per process: the build validates on every run and pyshacl never changes them.
    return load_shapes(), load_ontology()


@functools.lru_cache(maxsize=64)
def _prepare(text: str) -> Query:
    return prepareQuery(text)


class _PreparedQueryGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pyshacl runs a SPARQL constraint once per focus node with the same text; rdflib would parse and
    translate it every time, which made validation four times slower on the corpus build.
    """

    def query(self, query_object: str | Query, *args: Any, **kwargs: Any) -> Result:
        if isinstance(query_object, str) and not kwargs.get("initNs"):
            query_object = _prepare(query_object)
        return super().query(query_object, *args, **kwargs)


def validate_graph(
    graph: Graph, *, shapes: Graph | None = None, ontology: Graph | None = None, engine: str = "pyshacl"
) -> ValidationReport:
    """Validate a graph against the SHACL shapes, with the ontology's class hierarchy in scope.

    Args:
        graph: The graph to check, e.g. ``kg.store.load_graph(out_dir / "graph.ttl")``; not changed.
        shapes: SHACL shapes; ontology/shapes.ttl when omitted.
        ontology: Ontology mixed into the data; ontology/kg.ttl when omitted.
        engine: ``"pyshacl"`` (the reference) or ``"rudof"`` (the fast one), see ``ENGINES``.

    Returns:
        ``conforms`` and the violations, sorted by focus node, path and message.

    Raises:
        OntologyError: The shapes or ontology cannot be read, or pyshacl cannot apply the shapes.

    Examples:
        >>> validate_graph(Graph()).conforms
        True
    """
    if engine not in ENGINES:
        raise OntologyError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    if shapes is None or ontology is None:
        default_shapes, default_ontology = _default_graphs()
        shapes = default_shapes if shapes is None else shapes
        ontology = default_ontology if ontology is None else ontology
    if engine == "rudof":
        return _validate_rudof(graph, shapes, ontology)
    data = _PreparedQueryGraph()
    data.addN((s, p, o, data) for s, p, o in graph)
    data.addN((s, p, o, data) for s, p, o in ontology)
    try:
        # inplace: ``data`` is already our own copy; pyshacl would otherwise copy it once more
        conforms, results, _ = shacl_validate(
            data, shacl_graph=shapes, inplace=True, allow_warnings=True, allow_infos=True
        )
    except Exception as exc:  # pyshacl raises its own error types for unusable shapes
        raise OntologyError(f"SHACL validation could not run: {exc}; check ontology/shapes.ttl") from exc
    assert isinstance(results, Graph)
    # set: one value can break two constraints that share a message (sh:datatype and sh:languageIn)
    violations = sorted(
        set(_violations(results)), key=lambda v: (v.focus, v.path or "", v.message, v.severity)
    )
    return ValidationReport(bool(conforms), violations)


def validate_ntriples(
    data: str, *, shapes: Graph | None = None, ontology: Graph | None = None
) -> ValidationReport:
    """``validate_graph`` with the ``rudof`` engine, on a graph given as N-Triples text.

    The build hands over the store's own N-Triples dump, so the graph need not be an rdflib graph.
    pyrudof releases the GIL while it reads and validates, so this may run in a thread beside other
    work (the build writes graph.ttl meanwhile).

    Args:
        data: The graph as N-Triples (lines in any order; repeated lines count once).
        shapes: SHACL shapes; ontology/shapes.ttl when omitted.
        ontology: Ontology mixed into the data; ontology/kg.ttl when omitted.

    Raises:
        OntologyError: The shapes or ontology cannot be read, or pyrudof cannot apply the shapes.

    Examples:
        >>> validate_ntriples("").conforms
        True
    """
    if shapes is None or ontology is None:
        default_shapes, default_ontology = _default_graphs()
        shapes = default_shapes if shapes is None else shapes
        ontology = default_ontology if ontology is None else ontology
    return _rudof_report(data + "\n" + _ontology_ntriples(ontology), shapes)


def prepare_validation() -> None:
    """Load what ``validate_ntriples`` needs (shapes, ontology, pyrudof) ahead of the first call.

    A parallel build calls this while its workers run, so that the validation of its outputs is
    left with the work pyrudof does without the GIL.
    """
    import pyrudof  # type: ignore[import-untyped, unused-ignore]  # noqa: F401

    shapes, ontology = _default_graphs()
    _ontology_ntriples(ontology)
    _shapes_turtle(shapes)


@functools.lru_cache(maxsize=4)
def _shapes_turtle(shapes: Graph) -> str:
    return shapes.serialize(format="turtle")


def _validate_rudof(graph: Graph, shapes: Graph, ontology: Graph) -> ValidationReport:
    """``validate_graph`` on pyrudof: the data and ontology handed over as N-Triples text."""
    from kg.store import ntriples_lines

    # kg.store's N-Triples writer: several times faster than rdflib's serialiser on large graphs
    return _rudof_report("\n".join(ntriples_lines(graph)) + "\n" + _ontology_ntriples(ontology), shapes)


def _rudof_report(data: str, shapes: Graph) -> ValidationReport:
    """Validate N-Triples ``data`` (the ontology included) against ``shapes`` on pyrudof."""
    import pyrudof  # type: ignore[import-untyped, unused-ignore]

    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    try:
        rudof.read_data(data, format=pyrudof.RDFFormat.NTriples, reader_mode=pyrudof.ReaderMode.Strict)
        rudof.read_shacl(_shapes_turtle(shapes))
        report = rudof.validate_shacl()
    except pyrudof.RudofError as exc:
        raise OntologyError(f"SHACL validation could not run: {exc}; check ontology/shapes.ttl") from exc
    found = set(_rudof_violations(report.violations, _compared_messages(shapes)))
    violations = sorted(found, key=lambda v: (v.focus, v.path or "", v.message, v.severity))
    return ValidationReport(bool(report.conforms), violations)


@functools.lru_cache(maxsize=4)
def _ontology_ntriples(ontology: Graph) -> str:
    from kg.store import ntriples_lines

    return "\n".join(ntriples_lines(ontology)) + "\n"


def _compared_messages(shapes: Graph) -> dict[str, str]:
    """``sh:message`` of the property shapes with ``sh:lessThanOrEquals``, by ``sh:path`` IRI."""
    messages = {}
    for shape in shapes.subjects(SH.lessThanOrEquals, None):
        path, message = shapes.value(shape, SH.path), shapes.value(shape, SH.message)
        if isinstance(path, URIRef) and message is not None:
            messages[str(path)] = str(message)
    return messages


def _rudof_violations(entries: Iterable[Any], compared: dict[str, str]) -> Iterable[Violation]:
    """The entries of pyrudof's report as the ``Violation`` values ``_violations`` makes of pyshacl's."""
    for entry in entries:
        message = str(entry.message or f"violates {entry.constraint_component}")
        if len(message) >= 2 and message[0] == message[-1] == '"':  # the literal's N-Triples form
            message = message[1:-1].replace('\\"', '"')
        component = str(entry.constraint_component)
        if component == str(SH.LessThanOrEqualsConstraintComponent) and str(entry.path) in compared:
            message = compared[str(entry.path)]  # pyrudof writes its own text here, not sh:message
        message = _compact_text(message)
        # as for pyshacl: SPARQL-based messages name the value themselves
        sparql = component == str(SH.SPARQLConstraintComponent)
        if entry.value is not None and entry.value != entry.focus_node and not sparql:
            message += f" (value: {_render_text(str(entry.value))})"
        severity = str(entry.severity or "Violation").rpartition("#")[2]
        yield Violation(str(entry.focus_node), str(entry.path) if entry.path else None, message, severity)


def _render_text(value: str) -> str:
    """A value as pyrudof gives it (IRIs bare, literals in N-Triples form with ``xsd:`` already short)."""
    return _compact_text(value) if value.startswith('"') else compact(value)


def _violations(results: Graph) -> Iterable[Violation]:
    nm = Graph().namespace_manager
    for prefix, namespace in PREFIXES.items():
        nm.bind(prefix, namespace, override=True, replace=True)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        severity = results.value(result, SH.resultSeverity)
        component = results.value(result, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        message = _compact_text("; ".join(messages) or f"violates {component}")
        # SPARQL-based messages name the value themselves; the core ones are fixed text
        if value is not None and value != focus and component != SH.SPARQLConstraintComponent:
            message += f" (value: {_render(value, nm)})"
        yield Violation(
            _identifier(focus),
            _path_text(path, results),
            message,
            str(severity).rpartition("#")[2] if severity else "Violation",
        )


def _identifier(node: Node | None) -> str:
    return "" if node is None else str(node)


def _path_text(path: Node | None, results: Graph) -> str | None:
    if path is None:
        return None
    if isinstance(path, BNode):  # the shapes use only inverse paths among the complex ones
        inverse = results.value(path, SH.inversePath)
        return f"^{inverse}" if inverse is not None else str(path)
    return str(path)


def _render(value: Node, nm: Any) -> str:
    if isinstance(value, URIRef):
        return compact(str(value))
    if isinstance(value, Literal):
        return str(value.n3(nm))
    return str(value)


def format_report(report: ValidationReport) -> str:
    """Human-readable text: ``conforms``, or one line per violation and a count.

    Examples:
        >>> format_report(ValidationReport(True))
        'conforms'
        >>> print(format_report(ValidationReport(False, [Violation(
        ...     "https://w3id.org/kgzh/id/person/张三", "http://www.w3.org/2000/01/rdf-schema#label",
        ...     "an entity needs exactly one rdfs:label", "Violation")])))
        Violation: kgr:person/张三 rdfs:label: an entity needs exactly one rdfs:label
        does not conform: 1 violation
    """
    if report.conforms and not report.violations:
        return "conforms"
    lines = []
    for v in report.violations:
        where = compact(v.focus) + (f" {compact(v.path)}" if v.path else "")
        lines.append(f"{v.severity}: {where}: {v.message}")
    n = len(report.violations)
    verdict = "conforms" if report.conforms else "does not conform"
    lines.append(f"{verdict}: {n} violation{'s' if n != 1 else ''}")
    return "\n".join(lines)
