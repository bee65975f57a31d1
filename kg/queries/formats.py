"""Write SPARQL results: the W3C JSON, XML, CSV and TSV result formats, and aligned tables for terminals.

Writers take any iterable of rows (tuples of pyoxigraph terms, ``None`` when unbound) and yield text
chunks, so the SPARQL server streams large results through the same code that ``kg query`` uses.

Examples:
    >>> import pyoxigraph as ox
    >>> "".join(iter_rows(["n"], [(ox.Literal("乌审旗", language="zh"),)], "tsv"))
    '?n\\n"乌审旗"@zh\\n'
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from kg.errors import QueryError
from kg.ontology import prefixed_name

__all__ = ["FORMATS", "cell_width", "display_text", "format_boolean", "format_table", "iter_rows"]

#: Result formats for SELECT and ASK queries (CONSTRUCT and DESCRIBE always give Turtle).
FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml")

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_XML_START = (
    '<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
)

Term = Any  # a pyoxigraph NamedNode, BlankNode, Literal or (RDF-star) Triple
Row = Sequence[Term | None]


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: _json_term(t) for k, t in parts.items()}}
    out: dict[str, Any] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:  # simple literals carry no datatype in SPARQL JSON
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return "<triple>" + "".join(f"<{k}>{_xml_term(t)}</{k}>" for k, t in parts.items()) + "</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{xml_escape(term.value)}</literal>"
    if term.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{xml_escape(term.value)}</literal>"
    return f"<literal>{xml_escape(term.value)}</literal>"


def _csv_quote(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_field(term: Term | None) -> str:
    # SPARQL 1.1 CSV: IRIs and literals by their bare text (no language or datatype), bnodes as _:id
    if term is None:
        return ""
    return _csv_quote(str(term) if isinstance(term, (ox.BlankNode, ox.Triple)) else term.value)


def iter_rows(
    variables: Sequence[str], rows: Iterable[Row], fmt: str, *, max_width: int = 0
) -> Iterator[str]:
    """Write SELECT results, chunk by chunk, as ``table``, ``csv``, ``tsv``, ``json`` or ``xml``.

    ``json``, ``xml``, ``csv`` and ``tsv`` follow the W3C SPARQL 1.1 result formats; ``table`` is for
    terminals (and reads every row first to size the columns).

    Args:
        variables: Column names, without ``?``.
        rows: Tuples of pyoxigraph terms or ``None``, in column order.
        fmt: One of ``FORMATS``.
        max_width: For ``table``: longest cell in terminal columns (0: no limit).

    Raises:
        QueryError: ``fmt`` is not a known format.
    """
    if fmt == "table":
        yield format_table(variables, rows, max_width=max_width)
    elif fmt == "csv":
        yield ",".join(_csv_quote(v) for v in variables) + "\r\n"
        for row in rows:
            yield ",".join(_csv_field(t) for t in row) + "\r\n"
    elif fmt == "tsv":
        # terms in N-Triples syntax, whose escapes keep tabs and newlines out of the values
        yield "\t".join(f"?{v}" for v in variables) + "\n"
        for row in rows:
            yield "\t".join("" if t is None else str(t) for t in row) + "\n"
    elif fmt == "json":
        head = json.dumps(list(variables), ensure_ascii=False)
        yield '{"head": {"vars": ' + head + '}, "results": {"bindings": ['
        for i, row in enumerate(rows):
            bindings = {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
            yield ("," if i else "") + "\n" + json.dumps(bindings, ensure_ascii=False)
        yield "\n]}}\n"
    elif fmt == "xml":
        yield _XML_START
        yield (
            "<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>\n<results>\n"
        )
        for row in rows:
            cells = (
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            yield "<result>" + "".join(cells) + "</result>\n"
        yield "</results>\n</sparql>\n"
    else:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")


def format_boolean(value: bool, fmt: str) -> str:
    """An ASK answer in a result format (``true``/``false`` on one line for table, csv and tsv)."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if fmt == "xml":
        return _XML_START + f"<head/><boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
    if fmt not in FORMATS:
        raise QueryError(f"unknown result format {fmt!r}; use one of {', '.join(FORMATS)}")
    return ("true" if value else "false") + "\n"


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
