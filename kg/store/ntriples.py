"""Spell RDF terms and triples in N-Triples: the canonical text graphs are hashed, compared and loaded by."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from kg.errors import StoreError


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def ntriples_term(term: Any) -> str:
    """One term in N-Triples syntax.

    Examples:
        >>> ntriples_term(Literal('说："好"\\n', lang="zh"))
        '"说：\\\\"好\\\\"\\\\n"@zh'
    """
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return str(term)  # pyoxigraph spells its terms in N-Triples (kg.rdf makes them)
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f'"{_escape(str(term))}"@{term.language}'
        if term.datatype and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f'"{_escape(str(term))}"^^<{term.datatype}>'
        return f'"{_escape(str(term))}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    raise StoreError(f"cannot serialise RDF term {term!r}")


def ntriples_lines(triples: Iterable[tuple[Any, Any, Any]]) -> list[str]:
    """Distinct N-Triples lines of the triples, sorted: a canonical text for hashing and loading.

    ``kg.rdf`` makes pyoxigraph terms, whose ``str`` is their N-Triples spelling; rdflib terms (SHACL
    shapes, graphs parsed by rdflib) are spelled by ``ntriples_term``.
    """
    lines = set()
    for s, p, o in triples:
        if isinstance(p, ox.NamedNode):
            lines.add(f"{s} {p} {o} .")
        else:
            lines.add(f"{ntriples_term(s)} {ntriples_term(p)} {ntriples_term(o)} .")
    return sorted(lines)
