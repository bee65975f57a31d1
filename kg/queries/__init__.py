"""Run SPARQL queries on a build and format their results; the canned analyst queries in ontology/queries/.

A subpackage: loading and running here, the result writers in ``kg.queries.formats``.

One engine answers every query: Oxigraph. A ``GraphStore`` is queried directly; an rdflib graph is
first copied into an in-memory Oxigraph store, with the triples ``kg.derive`` adds to a build, so a
query means the same thing (same SPARQL dialect, same predeclared prefixes, same derived triples)
whether it runs on a build's store, on a graph.ttl file or on a graph in a notebook, and this module
needs no rdflib of its own.

Results are materialised into a ``Result`` (variables and rows of pyoxigraph terms, a boolean, or
triples) for tables, records and DataFrames; ``query_text`` and the SPARQL server write the W3C
formats straight from the live result with pyoxigraph's serialisers (``kg.queries.formats``).

Examples:
    >>> from kg.store import GraphStore
    >>> result = run_query(GraphStore.open(None), "ASK { ?s ?p ?o }")
    >>> result.kind, result.boolean
    ('ask', False)
    >>> format_result(result, "json")
    '{"head":{},"boolean":false}'
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import QueryError
from kg.ontology import QUERY_PREFIXES, undeclared_prefix
from kg.queries.formats import (
    FORMATS,
    RESULT_FORMATS,
    Term,
    boolean_result,
    cell_width,
    display_text,
    format_table,
    serialize_results,
    solutions_from_rows,
)
from kg.queries.params import QueryParam, bind_params, parse_params
from kg.store import GraphStore

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped, unused-ignore]
    from rdflib import Graph

__all__ = [
    "FORMATS",
    "QUERIES_DIR",
    "RESULT_FORMATS",
    "QueryParam",
    "CannedQuery",
    "Result",
    "canned_queries",
    "cell_width",
    "display_text",
    "bind_params",
    "check_prefixes",
    "execute",
    "format_result",
    "format_table",
    "load_query",
    "plain_value",
    "query_text",
    "reads_named_graphs",
    "run_canned",
    "run_query",
    "serialize_results",
    "zh_hint",
]

#: Where the canned queries live: one ``NAME.rq`` file each, with a ``#`` header comment.
QUERIES_DIR = Path(__file__).resolve().parents[2] / "ontology" / "queries"

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class CannedQuery:
    """A query shipped in ontology/queries/: its name (file stem), header comment and text."""

    name: str
    description: str
    text: str
    path: Path

    @property
    def summary(self) -> str:
        """The first paragraph of the description, on one line."""
        return " ".join(self.description.split("\n\n")[0].split())

    @property
    def params(self) -> tuple[QueryParam, ...]:
        """The parameters its header declares (``# param name: meaning = default``)."""
        return parse_params(self.text)


def _header(text: str) -> str:
    """The leading ``#`` comment block of a query, without the ``#`` marks."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[1:].strip())
    return "\n".join(lines).strip()


def canned_queries(directory: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """The canned analyst queries, by name, sorted by name.

    Args:
        directory: Folder of ``.rq`` files; the project's ontology/queries/ by default.

    Returns:
        One ``CannedQuery`` per ``.rq`` file; empty when the folder does not exist.

    Examples:
        >>> "helpers-in-county" in canned_queries()
        True
    """
    queries = {}
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        queries[path.stem] = CannedQuery(path.stem, _header(text), text, path)
    return queries


def load_query(name_or_path: str | Path) -> str:
    """The text of a query given as a canned name, a ``.rq`` file, or literal SPARQL.

    Args:
        name_or_path: ``"helpers-in-county"``, ``"my/query.rq"`` or ``"SELECT ..."``.

    Returns:
        The SPARQL text.

    Raises:
        QueryError: A ``.rq`` file that cannot be read, or a bare word that names no canned query.

    Examples:
        >>> load_query("ASK { ?s ?p ?o }")
        'ASK { ?s ?p ?o }'
        >>> load_query("leaders").startswith("#")
        True
    """
    text = str(name_or_path)
    canned = canned_queries()
    if text in canned:
        return canned[text].text
    path = Path(text)
    looks_like_path = not any(c in text for c in " \t\n{}")
    if (
        isinstance(name_or_path, Path)
        or path.suffix in (".rq", ".sparql")
        or (looks_like_path and path.is_file())
    ):
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"{path}: cannot read the query file: {exc}") from exc
    if _NAME.fullmatch(text):
        # a bare word is never a SPARQL query, so it is a misspelt canned name
        close = difflib.get_close_matches(text, list(canned), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise QueryError(
            f"unknown query {text!r}{hint}: not a canned query name, a .rq file or SPARQL text; "
            f"canned queries: {', '.join(canned) or 'none'} (see `kg query --list`)"
        )
    return text


@dataclass(frozen=True)
class Result:
    """The result of one query: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE.

    Attributes:
        kind: ``"select"``, ``"ask"`` or ``"graph"``.
        variables: Column names of a SELECT result, without ``?``.
        rows: One tuple of pyoxigraph terms (``None`` when unbound) per solution.
        boolean: The answer of an ASK query.
        triples: The triples of a CONSTRUCT or DESCRIBE query.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[Any, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        """SELECT rows as dicts of plain Python values (IRIs and text as str, numbers as int/float)."""
        return [{v: plain_value(t) for v, t in zip(self.variables, row, strict=True)} for row in self.rows]

    def to_dataframe(self) -> pandas.DataFrame:
        """The rows as a pandas DataFrame (columns: the variables; triples: subject, predicate, object).

        Raises:
            QueryError: The result is an ASK answer, which has no rows.
        """
        import pandas  # type: ignore[import-untyped, unused-ignore]

        if self.kind == "ask":
            raise QueryError("an ASK query gives a boolean, not a table")
        if self.kind == "graph":
            rows = [
                [plain_value(t.subject), plain_value(t.predicate), plain_value(t.object)]
                for t in self.triples
            ]
            return pandas.DataFrame(rows, columns=["subject", "predicate", "object"])
        return pandas.DataFrame(self.records(), columns=list(self.variables))

    def to_turtle(self) -> str:
        """The triples of a CONSTRUCT or DESCRIBE result as Turtle with the project's prefixes."""
        # the resource prefixes too, so that a DESCRIBE shows kgp:董晶 rather than kgr:person\\/董晶
        data = ox.serialize(self.triples, format=ox.RdfFormat.TURTLE, prefixes=dict(QUERY_PREFIXES))
        text = (data or b"").decode()
        return text if text.endswith("\n") or not text else text + "\n"


_COMMENT_LINE = re.compile(r"(?m)^\s*#.*$")
_GRAPH_KEYWORD = re.compile(r"(?i)\bGRAPH\b")


def reads_named_graphs(sparql: str) -> bool:
    """Whether a query has a ``GRAPH`` pattern (comment lines aside).

    Examples:
        >>> reads_named_graphs("# no GRAPH here\\nSELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
        True
        >>> reads_named_graphs("# GRAPH in a comment only\\nSELECT * WHERE { ?s ?p ?o }")
        False
    """
    return bool(_GRAPH_KEYWORD.search(_COMMENT_LINE.sub("", sparql)))


def plain_value(term: Term | None) -> Any:
    """A pyoxigraph term as a plain Python value: numbers as int/float, booleans as bool, else its text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype.endswith(("#integer", "#int", "#long", "#short", "#nonNegativeInteger")):
                return int(term.value)
            if datatype.endswith(("#decimal", "#double", "#float")):
                return float(term.value)
        except ValueError:  # an ill-typed literal keeps its lexical form
            return term.value
        if datatype.endswith("#boolean"):
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def execute(store_or_graph: GraphStore | Graph, sparql: str) -> Any:
    """Run a query and return pyoxigraph's lazy result (QuerySolutions, QueryBoolean or QueryTriples).

    Raises:
        QueryError: The query is malformed or fails.
    """
    store = store_or_graph if isinstance(store_or_graph, GraphStore) else _copy_to_oxigraph(store_or_graph)
    return store.query(sparql)


def check_prefixes(sparql: str) -> None:
    """Raise on the first prefix a query uses without it being declared, predeclared or in the query.

    Raises:
        QueryError: ``unknown prefix X:``.

    Examples:
        >>> check_prefixes("DESCRIBE kgp:董晶")
        >>> check_prefixes("SELECT * { foo:x ?p ?o }")
        Traceback (most recent call last):
        kg.errors.QueryError: unknown prefix foo:
    """
    prefix = undeclared_prefix(sparql)
    if prefix is not None:
        raise QueryError(f"unknown prefix {prefix}:")


_PLAIN_STRING = re.compile(r'("(?:[^"\\\n]|\\.)*")(?![@^"])')


def zh_hint(store_or_graph: GraphStore | Graph, sparql: str) -> str | None:
    """A hint for a SELECT query without rows that ``@zh`` on its plain strings would fill.

    Labels in the graph are ``@zh`` literals, and ``"乌审旗"`` does not equal ``"乌审旗"@zh``. Ask only
    after an empty result: this runs the ``@zh`` version of the query.

    Returns:
        One line saying how many rows the ``@zh`` version gives, or ``None`` (no plain string in the
        query, or the ``@zh`` version finds nothing either).
    """
    tagged, count = _PLAIN_STRING.subn(lambda m: m.group(1) + "@zh", sparql)
    if not count:
        return None
    try:
        again = run_query(store_or_graph, tagged)
    except QueryError:
        return None
    if not again.rows:
        return None
    example = _PLAIN_STRING.search(sparql)
    shown = example.group(1) if example else '"…"'
    return (
        f"hint: no rows, but with @zh on its plain strings ({shown}@zh rather than {shown}) the query "
        f"gives {len(again.rows)}: labels in the graph are Chinese-tagged literals"
    )


def run_canned(store_or_graph: GraphStore | Graph, name: str, /, **params: str) -> Result:
    """Run a canned query by name with its parameters.

    Examples: ``run_canned(store, "person-posts", name="董晶")``; the first two arguments are
    positional-only, so a parameter may be called ``name``.

    Raises:
        QueryError: An unknown query name or parameter (the message lists the known ones), a value of
            the wrong kind, or a failing query.
    """
    canned = canned_queries()
    if name not in canned:
        load_query(name)  # raises the message with the near names
        raise QueryError(f"unknown query {name!r}")
    text = bind_params(name, canned[name].text, {k: str(v) for k, v in params.items()})
    return run_query(store_or_graph, text)


def _copy_to_oxigraph(graph: Graph) -> GraphStore:
    # Oxigraph rather than rdflib's own engine: one dialect and one set of result types everywhere;
    # derived triples recomputed, so a graph from before they existed answers the canned queries too
    store = GraphStore.open(None)
    store.replace_default_graph(graph)
    store.rederive()
    return store


def run_query(store_or_graph: GraphStore | Graph, sparql: str) -> Result:
    """Run a SPARQL query (prefixes predeclared) on a store or an rdflib graph; the whole result.

    Args:
        store_or_graph: A ``GraphStore`` (e.g. ``GraphStore.open(out / "store", read_only=True)``)
            or an rdflib ``Graph``.
        sparql: Query text; ``load_query`` turns canned names and files into text.

    Returns:
        A ``Result``; ``result.to_dataframe()`` gives a pandas DataFrame.

    Raises:
        QueryError: The query is malformed or fails.
    """
    raw = execute(store_or_graph, sparql)
    if isinstance(raw, ox.QuerySolutions):
        variables = tuple(v.value for v in raw.variables)
        return Result("select", variables, tuple(tuple(row) for row in raw))
    if isinstance(raw, ox.QueryBoolean):
        return Result("ask", boolean=bool(raw))
    return Result("graph", triples=tuple(raw))


def format_result(result: Result, fmt: str = "table", *, max_width: int = 0) -> str:
    """A whole result as text: SELECT and ASK in ``fmt``, CONSTRUCT and DESCRIBE always as Turtle.

    ``table`` is written here; the W3C formats by pyoxigraph, exactly as ``query_text`` and the
    SPARQL server write them (no newline after a CSV or TSV ASK answer, none after JSON or XML).

    Raises:
        QueryError: ``fmt`` is not one of ``FORMATS``.
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    if result.kind == "graph":
        return result.to_turtle()
    if result.kind == "ask":
        if fmt == "table":
            return ("true" if result.boolean else "false") + "\n"
        return _text(serialize_results(boolean_result(bool(result.boolean)), fmt))
    if fmt == "table":
        return format_table(result.variables, result.rows, max_width=max_width)
    return _text(serialize_results(solutions_from_rows(result.variables, result.rows), fmt))


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8")


def query_text(
    store_or_graph: GraphStore | Graph, sparql: str, fmt: str = "table", *, max_width: int = 0
) -> tuple[str, bool]:
    """Run a query and write its whole result as text, as ``format_result(run_query(...))`` would.

    The W3C formats of a SELECT or ASK result are written straight from the live result by pyoxigraph,
    never read into Python terms: about twice as fast on large results (README, "Speed and memory").

    Returns:
        The text, and whether the result is a SELECT result without rows (for ``zh_hint``).

    Raises:
        QueryError: ``fmt`` is unknown, or the query is malformed or fails.

    Examples:
        >>> from kg.store import GraphStore
        >>> query_text(GraphStore.open(None), "SELECT ?s WHERE { ?s ?p ?o }", "csv")
        ('s\\r\\n', True)
    """
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "table":
        result = run_query(store_or_graph, sparql)
        return format_result(result, fmt, max_width=max_width), result.kind == "select" and not result.rows
    raw = execute(store_or_graph, sparql)
    if isinstance(raw, ox.QueryTriples):
        return Result("graph", triples=tuple(raw)).to_turtle(), False
    try:
        data = serialize_results(raw, fmt) or b""
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors surface while writing
        raise QueryError(f"SPARQL query failed: {exc}") from exc
    return data.decode("utf-8"), isinstance(raw, ox.QuerySolutions) and _no_rows(data, fmt)


def _no_rows(data: bytes, fmt: str) -> bool:
    """Whether a written SELECT result has no solutions: its first row, parsed back, is missing."""
    if fmt == "csv":  # CSV cannot be parsed back (it drops datatypes), but its header is one line
        return data.find(b"\r\n") == len(data) - 2
    parsed = ox.parse_query_results(data, RESULT_FORMATS[fmt])
    return isinstance(parsed, ox.QuerySolutions) and next(iter(parsed), None) is None
