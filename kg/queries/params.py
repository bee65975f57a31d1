"""Parameters of canned queries: declared in the ``.rq`` header, substituted as escaped SPARQL terms.

A header line ``# param county: 县/区/旗的名称 = 乌审旗`` declares a parameter ``county`` with its
meaning and default; the query body binds it with ``VALUES ?county { "乌审旗"@zh }``, so the file
is valid SPARQL as it stands. A value given at run time replaces the inside of that ``VALUES`` block
with one term built here (a string literal with every special character escaped, an integer, or a
checked prefixed name), never with the raw text, so a value cannot inject SPARQL.

Examples:
    >>> [p.name for p in parse_params("# param county: 县的名称 = 乌审旗\\nSELECT ...")]
    ['county']
    >>> sparql_term("a\\"b")
    '"a\\\\"b"@zh'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.errors import QueryError
from kg.ontology import QUERY_PREFIXES

__all__ = ["QueryParam", "bind_params", "parse_params", "sparql_term"]

_PARAM_LINE = re.compile(r"^#\s*param\s+([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*?)\s*=\s*(.*?)\s*$")
_INTEGER = re.compile(r"[+-]?[0-9]+")
# a prefixed name of a declared prefix with a plain local part (no escapes needed)
_PREFIXED = re.compile(
    r"([A-Za-z][A-Za-z0-9_-]*):([A-Za-z_0-9\u00C0-\uFFFF][A-Za-z_0-9\u00B7\u00C0-\uFFFF.-]*)"
)


@dataclass(frozen=True)
class QueryParam:
    """One parameter of a canned query: its name (the ``VALUES`` variable), meaning and default value."""

    name: str
    meaning: str
    default: str

    @property
    def kind(self) -> str:
        """``"integer"``, ``"iri"`` (a prefixed name, e.g. ``kg:assists``) or ``"text"``: from the default."""
        if _INTEGER.fullmatch(self.default):
            return "integer"
        match = _PREFIXED.fullmatch(self.default)
        if match and match.group(1) in QUERY_PREFIXES:
            return "iri"
        return "text"


def parse_params(text: str) -> tuple[QueryParam, ...]:
    """The parameters a query's leading ``#`` header declares, in header order."""
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM_LINE.match(line)
        if match:
            params.append(QueryParam(*match.groups()))
    return tuple(params)


def sparql_term(value: str, kind: str = "text") -> str:
    """A value as one SPARQL term: an escaped ``@zh`` string literal, an integer, or a prefixed name.

    Raises:
        QueryError: An integer parameter given a non-integer, or an IRI parameter given anything but a
            prefixed name of a predeclared prefix.

    Examples:
        >>> sparql_term("乌审旗")
        '"乌审旗"@zh'
        >>> sparql_term("2", "integer")
        '2'
        >>> sparql_term("kg:heads", "iri")
        'kg:heads'
    """
    if kind == "integer":
        if not _INTEGER.fullmatch(value):
            raise QueryError(f"expected an integer, got {value!r}")
        return str(int(value))
    if kind == "iri":
        match = _PREFIXED.fullmatch(value)
        if not match or match.group(1) not in QUERY_PREFIXES:
            raise QueryError(f"expected a prefixed name such as kg:assists, got {value!r}")
        return value
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"@zh'


def bind_params(name: str, text: str, values: dict[str, str]) -> str:
    """A canned query's text with the given parameters bound in their ``VALUES`` blocks.

    Args:
        name: The query's name, for messages.
        text: The query text, whose header declares the parameters.
        values: Parameter name → value as typed; parameters left out keep their default.

    Returns:
        The query text with each given parameter's ``VALUES ?name { ... }`` holding the new term.

    Raises:
        QueryError: A parameter the query does not declare (the message lists those it does), or a
            value of the wrong kind.

    Examples:
        >>> q = '# param county: 县 = 乌审旗\\nSELECT * { VALUES ?county { "乌审旗"@zh } }'
        >>> bind_params("q", q, {"county": '巴林"右旗'}).splitlines()[1]
        'SELECT * { VALUES ?county { "巴林\\\\"右旗"@zh } }'
    """
    declared = {p.name: p for p in parse_params(text)}
    for key, value in values.items():
        param = declared.get(key)
        if param is None:
            known = ", ".join(declared) or "none"
            close = difflib.get_close_matches(key, list(declared), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise QueryError(f"unknown parameter {key!r} of query {name}{hint}; its parameters: {known}")
        try:
            term = sparql_term(value, param.kind)
        except QueryError as exc:
            raise QueryError(f"parameter {key} of query {name}: {exc}") from exc
        block = re.compile(r"(VALUES\s+\?" + re.escape(key) + r"\s*\{)[^}]*(\})")
        # a function replacement: the term is inserted as is, never read as a regex template
        text, count = block.subn(_replacement(term), text, count=1)
        if not count:
            raise QueryError(f"query {name} declares parameter {key} but has no VALUES ?{key} block")
    return text


def _replacement(term: str) -> Callable[[re.Match[str]], str]:
    return lambda m: f"{m.group(1)} {term} {m.group(2)}"
