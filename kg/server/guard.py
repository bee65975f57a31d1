"""What a request may not do: SPARQL ``SERVICE`` (an outbound request) and being framed, sniffed or scripted.

``SERVICE`` makes Oxigraph fetch from any host and port, and pyoxigraph has no switch to turn that
off, so the query text is checked before any worker sees it. Oxigraph's parser is a PEG whose
keywords need no word boundary (``1SERVICE<…>`` and ``?o.SERVICE<…>`` both run a service call), so a
``\\bSERVICE\\b`` regex is not enough. The check instead blanks what the parser reads as strings,
comments and IRIs, then refuses every ``service`` not inside a variable or prefixed name. Where ``<``
could be a less-than instead of an IRI and skipping it could hide text (the span holds a quote,
``#`` or ``)``), nothing is blanked at all: a rare false refusal beats a hidden keyword. Workers are
also started without network access where the OS allows it (``sandbox``), so a miss here still
cannot reach a host.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["RESULT_POLICY", "SECURITY_HEADERS", "SecurityHeaders", "find_service", "page_policy"]

# tried in this order at each position, as the parser does
_STRING = re.compile(
    r'"""(?:"{0,2}(?:[^"\\]|\\.))*"""'
    r"|'''(?:'{0,2}(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'",
    re.DOTALL,
)
_IRI = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
_COMMENT = re.compile(r"#[^\r\n]*")
# characters that can desynchronise the scan if a less-than operator is taken for an IRI
_AMBIGUOUS = re.compile(r"['#)]")
_NAME_CHAR = re.compile(r"[\w\u00B7\u0300-\u036F\u203F\u2040]")
_SERVICE = re.compile("service", re.IGNORECASE)


def _blank(sparql: str) -> str | None:
    """The query with strings, IRIs and comments replaced by spaces; None when a ``<`` is ambiguous."""
    out: list[str] = []
    i, n = 0, len(sparql)
    while i < n:
        char = sparql[i]
        match = None
        if char in "\"'":
            match = _STRING.match(sparql, i)
        elif char == "<":
            match = _IRI.match(sparql, i)
            if match and _AMBIGUOUS.search(match.group()):
                return None
        elif char == "#":
            match = _COMMENT.match(sparql, i)
        elif char == "\\" and i + 1 < n:
            # outside strings a backslash only escapes a character of a local name (ex:a\'b);
            # kept as name characters so that the quote or # it escapes starts nothing
            out.append("__")
            i += 2
            continue
        if match:
            out.append(" " * (match.end() - i))
            i = match.end()
        else:
            out.append(char)
            i += 1
    return "".join(out)


def find_service(sparql: str) -> int | None:
    """Offset of the first ``SERVICE`` keyword in a query, or None when it has none.

    Not a keyword: ``service`` inside a string, IRI or comment, a variable (``?service``) or a
    prefixed name (``schema:serviceType``).

    Examples:
        >>> find_service('SELECT * WHERE { ?s ?p "SERVICE" . ?s schema:serviceType ?service }') is None
        True
        >>> find_service("SELECT * WHERE { ?s ?p 1SERVICE <http://127.0.0.1/> { ?s ?p ?o } }")
        24
    """
    text = _blank(sparql)
    if text is None:
        text = sparql.replace("\\", "_")  # ambiguous: search everything, strings and IRIs included
    for match in _SERVICE.finditer(text):
        start = match.start()
        while start > 0 and _NAME_CHAR.match(text[start - 1]):
            start -= 1
        # a variable, a prefixed or local name, a blank node label or a language tag goes on
        if start > 0 and text[start - 1] in "?$:@":
            continue
        return match.start()
    return None


def _sha256(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)

#: Policy for everything but the page: results never need to run, load or embed anything.
RESULT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


# the one <style> element the vendored YASGUI 4.6.2 inserts at run time (its fixed text, by hash);
# tests/test_query_page_browser.py fails on a console error if an update changes it
_YASGUI_STYLE = "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='"


def page_policy(page: str, *, forms: bool = False) -> str:
    """A Content-Security-Policy allowing exactly the page's inline scripts and styles (by hash).

    For pages made whole by the server (entity and document pages, the network view): nothing is
    loaded from anywhere, not even from this server, except what the page itself holds. ``forms``
    lets the page's forms submit to this server (a listing's parameters), and nowhere else.

    Examples:
        >>> page_policy("<style>p{}</style><script>go()</script>").split("; ")[1]
        "script-src 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"
    """
    scripts, styles = _inline_hashes(page)
    policy = _policy(
        "script-src " + (" ".join(scripts) or "'none'"),
        "style-src " + (" ".join(styles) or "'none'"),
    )
    return policy.replace("form-action 'none'", "form-action 'self'") if forms else policy


def query_page_policy(page: str) -> str:
    """The query page's Content-Security-Policy: its inline parts by hash, scripts and styles from here.

    The page talks only to this server (``connect-src 'self'``); its JSON data block has a type, so
    browsers do not run it and it needs no hash.

    Examples:
        >>> query_page_policy("<style>p{}</style><script>go()</script>").split("; ")[1]
        "script-src 'self' 'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"
    """
    scripts, styles = _inline_hashes(page)
    return _policy(
        # 'self': the vendored YASGUI and the page's own script and styles, served by this server
        "script-src " + " ".join(["'self'", *scripts]),
        "style-src " + " ".join(["'self'", *styles, _YASGUI_STYLE]),
        # YASGUI's table and editor set style="" attributes; <style> elements stay hash-only
        "style-src-attr 'unsafe-inline'",
    )


def _inline_hashes(page: str) -> tuple[list[str], list[str]]:
    """The CSP hash sources of a page's inline scripts and of its inline styles."""
    inline = _INLINE.findall(page)
    return (
        [_sha256(body) for kind, body in inline if kind == "script"],
        [_sha256(body) for kind, body in inline if kind == "style"],
    )


def _policy(*sources: str) -> str:
    """A policy that denies by default, with ``sources`` for scripts and styles and the fixed rest."""
    fixed = ["connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]
    return "; ".join(["default-src 'none'", *sources, *fixed])


#: Sent with every response of the app.
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware adding ``SECURITY_HEADERS`` and a Content-Security-Policy to every response.

    Outermost, so that the Host check's 400 and Starlette's 404/405 carry them too. ``policies`` maps
    a path to its policy; other paths get ``RESULT_POLICY``, unless the response brings its own (the
    entity and document pages, whose inline style differs by page, send ``page_policy`` of their text).
    """

    def __init__(self, app: ASGIApp, *, policies: dict[str, str]) -> None:
        self.app = app
        self.policies = policies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.policies.get(scope["path"], RESULT_POLICY)
        extra = [
            (k.encode(), v.encode())
            for k, v in {**SECURITY_HEADERS, "content-security-policy": policy}.items()
        ]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                own = [v for k, v in headers if k.lower() == b"content-security-policy"]
                added = [(k, own[0] if own and k == b"content-security-policy" else v) for k, v in extra]
                names = {extra_name for extra_name, _ in added}
                kept = [(k, v) for k, v in headers if k.lower() not in names]
                message["headers"] = kept + added
            await send(message)

        await self.app(scope, receive, send_with_headers)
