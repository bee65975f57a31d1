"""Write SPARQL results: the W3C JSON, XML, CSV and TSV result formats, and aligned tables for terminals.

The W3C formats are written by pyoxigraph's own serialisers (``QuerySolutions.serialize``), straight
from a live query result, in Rust and without a Python object per term: about twice as fast as the
writers this module used to hold, and one implementation of the formats' escaping rules for the
CLI, the SPARQL server and notebooks alike. A result already read into rows (``kg.queries.Result``)
is handed back to them as SPARQL TSV, each term in pyoxigraph's own N-Triples form. Only the
terminal table is written here.

Examples:
    >>> import pyoxigraph as ox
    >>> rows = solutions_from_rows(["n"], [(ox.Literal("乌审旗", language="zh"),)])
    >>> serialize_results(rows, "tsv").decode()
    '?n\\n"乌审旗"@zh\\n'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import IO, Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.ontology import prefixed_name

__all__ = [
    "FORMATS",
    "RESULT_FORMATS",
    "boolean_result",
    "cell_width",
    "display_text",
    "format_table",
    "serialize_results",
    "solutions_from_rows",
]

#: The W3C result formats for SELECT and ASK queries, written by pyoxigraph.
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}

#: Result formats for SELECT and ASK queries (CONSTRUCT and DESCRIBE always give Turtle).
FORMATS: tuple[str, ...] = ("table", *RESULT_FORMATS)

Term = Any  # a pyoxigraph NamedNode, BlankNode, Literal or (RDF-star) Triple
Row = Sequence[Term | None]


def serialize_results(
    results: ox.QuerySolutions | ox.QueryBoolean, fmt: str, output: IO[bytes] | None = None
) -> bytes | None:
    """Write a SELECT or ASK result in a W3C format with pyoxigraph's serialiser.

    Args:
        results: A live result of ``Store.query`` (consumed), or one from ``solutions_from_rows``.
        fmt: ``csv``, ``tsv``, ``json`` or ``xml``.
        output: A binary file to write to, in chunks of a few kilobytes; ``None`` returns the bytes.

    Raises:
        QueryError: ``fmt`` is not one of ``RESULT_FORMATS``.
    """
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(RESULT_FORMATS)}")
    return results.serialize(output, format=RESULT_FORMATS[fmt])


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Triple):  # str() gives the terms alone; TSV wants a triple term
        return f"<<( {_tsv_term(term.subject)} {term.predicate} {_tsv_term(term.object)} )>>"
    return str(term)  # pyoxigraph's N-Triples form, which SPARQL TSV uses for every term


def solutions_from_rows(variables: Sequence[str], rows: Iterable[Row]) -> ox.QuerySolutions:
    """Rows already read (tuples of pyoxigraph terms, ``None`` when unbound) as pyoxigraph solutions again.

    pyoxigraph's writers take only its own result objects, so the rows go through SPARQL TSV, whose
    terms are exactly pyoxigraph's N-Triples forms and parse back to equal terms.
    """
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    results = ox.parse_query_results(("\n".join(lines) + "\n").encode(), ox.QueryResultsFormat.TSV)
    assert isinstance(results, ox.QuerySolutions)  # a header line makes it a SELECT result
    return results


def boolean_result(value: bool) -> ox.QueryBoolean:
    """An ASK answer as a pyoxigraph result, for its writers."""
    results = ox.parse_query_results(b"true" if value else b"false", ox.QueryResultsFormat.TSV)
    assert isinstance(results, ox.QueryBoolean)
    return results


# The table writer.


def display_text(term: Term | None) -> str:
    """How a term reads in a table: IRIs shortened by the project's prefixes, literals by their text.

    Examples:
        >>> display_text(ox.NamedNode("https://w3id.org/kgzh/id/place/乌审旗"))
        'kgpl:乌审旗'
        >>> display_text(ox.Literal("乌审旗", language="zh"))
        '乌审旗'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        # a valid prefixed name, which can be pasted into a query
        return prefixed_name(term.value) or f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return " ".join(term.value.split())  # one line per row, whatever the text holds
    return str(term)


def cell_width(text: str) -> int:
    """Terminal columns a text takes: two for wide and full-width (CJK) characters, none for combining.

    Examples:
        >>> cell_width("乌审旗"), cell_width("abc"), cell_width("ＡＢ")
        (6, 3, 4)
    """
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


def _clip(text: str, width: int) -> str:
    if width <= 0 or cell_width(text) <= width:
        return text
    out, used = [], 0
    for c in text:
        w = cell_width(c)
        if used + w > width - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_width(text))


def format_table(variables: Sequence[str], rows: Iterable[Row], *, max_width: int = 0) -> str:
    """An aligned text table, column widths counted in terminal cells, with a row count below.

    Examples:
        >>> print(format_table(["place", "n"], [(ox.Literal("乌审旗"), ox.Literal("1"))]), end="")
        place   n
        ------  -
        乌审旗  1
        (1 row)
    """
    cells = [[_clip(display_text(t), max_width) for t in row] for row in rows]
    widths = [max([cell_width(v), *(cell_width(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    lines = ["  ".join(_pad(v, w) for v, w in zip(variables, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'' if len(cells) == 1 else 's'})")
    return "\n".join(lines) + "\n"
