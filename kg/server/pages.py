"""Entity and document pages of ``kg serve``, with Linked-Data content negotiation; the network view.

- ``/entity/<kind>/<name>`` (the part of a resource IRI after ``kgr:``, e.g. ``entity/person/董晶``):
  names, aliases, pinyin, class, division code and the chain of places above it, every fact in and
  out with each evidence sentence (mentions marked, linked to its place in the document), posts held.
- ``/doc/<doc id>``: the document's normalised text, entities marked by class, each evidence
  sentence an anchor (``#s-<start>``, ``start`` being the offset the store keeps), and the facts found.
- The resource IRIs' own path (``/kgzh/id/person/董晶``, as w3id.org would forward it) answers with
  303 See Other to the page, as "Cool URIs for the Semantic Web" describes.
- ``/view``: the build's network page (``graph.html``), whose panel then links to these pages.

Both pages answer ``Accept: text/turtle`` (or N-Triples) with the resource's triples instead of HTML.
All data comes from SPARQL through the server's query pool (time-limited, read-only workers that
follow rebuilds and predeclare the prefixes ``kg:``, ``kgr:``…); queries that do not depend on each
other run at once, on different workers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kg.ontology import KGR
from kg.rdf import document_iri, entity_iri
from kg.server.guard import page_policy
from kg.server.pool import GRAPH_TYPES, negotiate
from kg.server.render import document_page, entity_page, missing_page
from kg.server.templates import EntityRef, Evidence, FactRow
from kg.views.styles import CLASS_STYLES, RELATION_STYLES

__all__ = ["entity_path", "page_routes"]

HTML = "text/html"
#: What the pages answer in, preferred first: HTML for browsers, RDF for Linked-Data clients.
PAGE_TYPES: dict[str, Any] = {HTML: None, **GRAPH_TYPES}
JSON_RESULTS = "application/sparql-results+json"
VIEW_FILE = "graph.html"

_RELATIONS = " ".join(f"kg:{name}" for name in RELATION_STYLES)
_RELATION_LIST = ", ".join(f"kg:{name}" for name in RELATION_STYLES)
_CLASSES = " ".join(f"kg:{name}" for name in CLASS_STYLES)
_KGR = str(KGR)


def entity_path(iri: str) -> str | None:
    """The path of a resource's page below ``entity/`` (the IRI after ``kgr:``), None for other IRIs.

    Examples:
        >>> entity_path(str(entity_iri("person/董晶"))), entity_path("urn:x")
        ('person/董晶', None)
    """
    return iri[len(_KGR) :] if iri.startswith(_KGR) and len(iri) > len(_KGR) else None


def _root(request: Request) -> str:
    """The relative path from this page back to the server's root: ``../`` per level below it."""
    return "../" * (request.url.path.count("/") - 1)


async def _select(request: Request, sparql: str) -> list[dict[str, str]]:
    """Rows of a SELECT run by the pool, each value as text; a failure raises ``PageError``."""
    status, _, body = await request.app.state.pool.run(
        sparql, JSON_RESULTS, client=request.client.host if request.client else ""
    )
    if status != 200:
        raise PageError(status, body.decode("utf-8", "replace"))
    data = json.loads(body)
    return [{k: v["value"] for k, v in row.items()} for row in data["results"]["bindings"]]


class PageError(Exception):
    """A query behind a page failed: the pool's status and message are passed on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _gather(*calls: Callable[[], Awaitable[list[dict[str, str]]]]) -> list[list[dict[str, str]]]:
    """Run independent queries at once; results in the order given."""
    results: list[list[dict[str, str]]] = [[] for _ in calls]

    async def one(i: int) -> None:
        results[i] = await calls[i]()

    async with anyio.create_task_group() as group:
        for i in range(len(calls)):
            group.start_soon(one, i)
    return results


def _html(request: Request, text: str, status: int = 200) -> Response:
    return HTMLResponse(
        text, status_code=status, headers={"content-security-policy": page_policy(text), "vary": "Accept"}
    )


async def _rdf(request: Request, media: str, construct: str) -> Response:
    status, content_type, body = await request.app.state.pool.run(
        construct, media, client=request.client.host if request.client else ""
    )
    return Response(body, status_code=status, headers={"content-type": content_type, "vary": "Accept"})


def _wanted(request: Request) -> str | None:
    return negotiate(request.headers.get("accept", ""), PAGE_TYPES)


def _not_acceptable() -> Response:
    return PlainTextResponse(
        f"this page comes as {', '.join(PAGE_TYPES)}\n", status_code=406, headers={"vary": "Accept"}
    )


# --- entity pages --------------------------------------------------------------------------------


def _facts_query(iri: str) -> str:
    # Each fact about the entity with each assertion stating it, and the facts no assertion records
    # (reference facts of the division table) once, without evidence. Shaped for Oxigraph on a large
    # store: the assertions are found from the entity (rdf:subject or rdf:object), and "no assertion"
    # is a NOT EXISTS on one pattern from the entity with the rest in an inner EXISTS. An OPTIONAL of
    # several patterns, or a NOT EXISTS of several, is evaluated over every assertion in the graph
    # instead: 65 s for one person on the 10 MB synthetic build, against 4 ms this way.
    return f"""
SELECT ?s ?p ?o ?text ?start ?end ?file ?title ?date ?post WHERE {{
    {{
        VALUES ?p {{ {_RELATIONS} }}
        {{ ?a rdf:subject <{iri}> ; rdf:predicate ?p ; rdf:object ?o . BIND(<{iri}> AS ?s) }}
        UNION {{ ?a rdf:object <{iri}> ; rdf:predicate ?p ; rdf:subject ?s . BIND(<{iri}> AS ?o) }}
        ?a a kg:Assertion .
        ?s ?p ?o .
        OPTIONAL {{ ?a kg:evidenceText ?text }} OPTIONAL {{ ?a kg:startOffset ?start }}
        OPTIONAL {{ ?a kg:endOffset ?end }} OPTIONAL {{ ?a kg:post ?post }}
        OPTIONAL {{ ?a dcterms:date ?adate }}
        OPTIONAL {{ ?a prov:wasDerivedFrom ?doc .
                   OPTIONAL {{ ?doc kg:sourceFile ?file }} OPTIONAL {{ ?doc dcterms:title ?title }}
                   OPTIONAL {{ ?doc dcterms:date ?ddate }} }}
        BIND(COALESCE(?adate, ?ddate) AS ?date)
    }} UNION {{
        VALUES ?p {{ {_RELATIONS} }}
        {{
            <{iri}> ?p ?o . BIND(<{iri}> AS ?s)
            FILTER NOT EXISTS {{
                ?b rdf:subject <{iri}>
                FILTER EXISTS {{ ?b rdf:predicate ?p ; rdf:object ?o ; a kg:Assertion }}
            }}
        }} UNION {{
            ?s ?p <{iri}> . BIND(<{iri}> AS ?o)
            FILTER NOT EXISTS {{
                ?b rdf:object <{iri}>
                FILTER EXISTS {{ ?b rdf:predicate ?p ; rdf:subject ?s ; a kg:Assertion }}
            }}
        }}
    }}
    FILTER(isIRI(?s) && isIRI(?o))
}}"""


def _chain_query(iri: str) -> str:
    # kg:within is the derived transitive closure of kg:locatedIn (reference facts included); an
    # ancestor with more ancestors of its own is lower down the chain
    return f"""
SELECT ?a (COUNT(DISTINCT ?up) AS ?depth) WHERE {{
    <{iri}> kg:within ?a . OPTIONAL {{ ?a kg:within ?up }}
}} GROUP BY ?a"""


def _posts_query(iri: str) -> str:
    # the membership's patterns inside each branch, so each is looked up from the entity; joined to
    # the UNION after it, Oxigraph would read every membership in the graph (1.7 s at 10 MB); the
    # source file in a nested OPTIONAL for the same reason (every membership has its document, and
    # every document one kg:sourceFile: kg/rdf.py)
    membership = "a kg:Membership ; org:member ?person ; kg:post ?post ; org:organization|org:hasSite ?unit"
    return f"""
SELECT DISTINCT ?person ?unit ?post ?file WHERE {{
    {{ ?m org:member <{iri}> ; {membership} }}
    UNION {{ ?m org:organization <{iri}> ; {membership} }}
    UNION {{ ?m org:hasSite <{iri}> ; {membership} }}
    OPTIONAL {{ ?m prov:wasDerivedFrom ?doc OPTIONAL {{ ?doc kg:sourceFile ?file }} }}
}}"""


def _names_query(iris: set[str]) -> str:
    values = " ".join(f"<{iri}>" for iri in sorted(iris))
    return f"""
SELECT ?x ?kind ?v WHERE {{
    VALUES ?x {{ {values} }}
    {{ ?x rdfs:label ?v BIND("label" AS ?kind) }} UNION {{ ?x skos:altLabel ?v BIND("alt" AS ?kind) }}
    UNION {{ ?x a ?v BIND("class" AS ?kind) }} UNION {{ ?x kg:divisionCode ?v BIND("code" AS ?kind) }}
}}"""


def _entity_construct(iri: str) -> str:
    # the assertion's patterns inside each branch, so each starts from the entity: joined to a UNION,
    # Oxigraph would read every assertion in the graph first (3 s at 10 MB)
    return f"""
CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> . ?a ?ap ?ao }} WHERE {{
    {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }}
    UNION {{ ?a rdf:subject <{iri}> ; a kg:Assertion ; ?ap ?ao }}
    UNION {{ ?a rdf:object <{iri}> ; a kg:Assertion ; ?ap ?ao }}
}}"""


class Names:
    """Labels, aliases, classes and codes of a set of IRIs, read with one query."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.label: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = defaultdict(list)
        self.classes: dict[str, set[str]] = defaultdict(set)
        self.code: dict[str, str] = {}
        for row in rows:
            x, kind, value = row["x"], row["kind"], row["v"]
            if kind == "label":
                self.label.setdefault(x, value)
            elif kind == "alt":
                self.aliases[x].append(value)
            elif kind == "class":
                self.classes[x].add(value.rsplit("#", 1)[-1])
            else:
                self.code[x] = value

    def group(self, iri: str) -> str:
        """The most specific styled class (``CLASS_STYLES`` order), else ``Thing``."""
        return next((name for name in CLASS_STYLES if name in self.classes.get(iri, ())), "Thing")

    def ref(self, iri: str) -> EntityRef:
        label = self.label.get(iri) or unquote(iri.rstrip("/").rsplit("/", 1)[-1])
        return EntityRef(entity_path(iri), label, self.group(iri))

    def known(self, iri: str) -> bool:
        return iri in self.label or iri in self.classes

    def all_names(self, iri: str) -> list[str]:
        return [n for n in [self.label.get(iri, ""), *sorted(self.aliases.get(iri, []))] if n]


def _evidence(row: dict[str, str]) -> Evidence | None:
    if "text" not in row and "file" not in row:
        return None
    return Evidence(
        row.get("text", ""),
        row.get("file"),
        row.get("title"),
        row.get("date"),
        int(row["start"]) if "start" in row else None,
        int(row["end"]) if "end" in row else None,
        row.get("post"),
    )


def _fact_rows(facts: list[dict[str, str]], names: Names) -> dict[tuple[str, str, str], FactRow]:
    """One row per fact (subject, relation, object) of the query rows, with each evidence once."""
    rows: dict[tuple[str, str, str], FactRow] = {}
    for row in facts:
        triple = (row["s"], row["p"].rsplit("#", 1)[-1], row["o"])
        fact = rows.setdefault(triple, FactRow(names.ref(triple[0]), triple[1], names.ref(triple[2])))
        found = _evidence(row)
        if found is not None and found not in fact.evidence:
            fact.evidence.append(found)
    return rows


async def entity(request: Request) -> Response:
    """``/entity/<kind>/<name>``: the entity page, or its triples as Turtle / N-Triples by ``Accept``."""
    key = request.path_params["key"]
    if key.startswith("doc/"):
        return RedirectResponse(f"{_root(request)}doc/{quote(key[4:], safe='/')}", status_code=303)
    iri = str(entity_iri(key))
    media = _wanted(request)
    if media is None:
        return _not_acceptable()
    try:
        if media != HTML:
            return await _rdf(request, media, _entity_construct(iri))
        facts, chain, posts = await _gather(
            lambda: _select(request, _facts_query(iri)),
            lambda: _select(request, _chain_query(iri)),
            lambda: _select(request, _posts_query(iri)),
        )
        involved = {iri} | {r[k] for r in facts for k in ("s", "o")} | {r["a"] for r in chain}
        involved |= {r[k] for r in posts for k in ("person", "unit")}
        names = Names(await _select(request, _names_query(involved)))
        if not names.known(iri) and not facts:
            similar = await _select(request, _similar_query(key.rsplit("/", 1)[-1]))
            refs = [names_of_row(row) for row in similar]
            return _html(request, missing_page(_root(request), f"kgr:{key}", refs), status=404)
    except PageError as exc:
        return PlainTextResponse(str(exc), status_code=exc.status)
    rows = _fact_rows(facts, names)
    for fact in rows.values():
        fact.evidence.sort(key=lambda e: (e.doc_id or "", e.start or 0, e.post or ""))
    ancestors = [names.ref(r["a"]) for r in sorted(chain, key=lambda r: (int(r["depth"]), r["a"]))]
    highlight = {
        x: (names.all_names(x), names.group(x)) for x in involved if x in names.label or x in names.aliases
    }
    post_rows = sorted(
        {(names.ref(r["person"]), r["post"], names.ref(r["unit"]), r.get("file", "")) for r in posts},
        key=lambda p: (p[0].label, p[2].label, p[1], p[3]),
    )
    text = entity_page(
        _root(request),
        iri=iri,
        key=key,
        me=names.ref(iri),
        aliases=sorted(names.aliases.get(iri, [])),
        code=names.code.get(iri),
        chain=ancestors,
        facts=sorted(rows.values(), key=lambda f: (f.relation, f.subject.label, f.object.label)),
        posts=post_rows,
        highlight=highlight,
        paths={x: entity_path(x) for x in involved},
    )
    return _html(request, text)


def _similar_query(name: str) -> str:
    literal = json.dumps(name, ensure_ascii=False)
    # the name as the labels hold it (kg/rdf.py tags every label and alias @zh; a plain string too, for
    # graphs from elsewhere), so each is one index lookup: FILTER(STR(?v) = ...) read every label in
    # the graph (6 s at 10 MB)
    return f"""
SELECT DISTINCT ?x ?label WHERE {{
    VALUES ?v {{ {literal}@zh {literal} }}
    {{ ?x rdfs:label ?v }} UNION {{ ?x skos:altLabel ?v }}
    ?x rdfs:label ?label .
}} LIMIT 20"""


def names_of_row(row: dict[str, str]) -> EntityRef:
    return EntityRef(entity_path(row["x"]), row["label"])


# --- document pages ------------------------------------------------------------------------------


def _doc_queries(doc: str) -> tuple[str, str, str]:
    meta = f"SELECT ?p ?o WHERE {{ <{doc}> ?p ?o }}"
    # FILTER IN rather than VALUES: with VALUES first, Oxigraph starts from every assertion of each
    # relation and then looks for the document's (4 s at 10 MB); this way from the document's (7 ms)
    facts = f"""
SELECT ?s ?p ?o ?text ?start ?end ?post WHERE {{
    ?a prov:wasDerivedFrom <{doc}> ; a kg:Assertion ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
    FILTER(?p IN ({_RELATION_LIST}))
    OPTIONAL {{ ?a kg:evidenceText ?text }} OPTIONAL {{ ?a kg:startOffset ?start }}
    OPTIONAL {{ ?a kg:endOffset ?end }} OPTIONAL {{ ?a kg:post ?post }}
}}"""
    entities = f"""
SELECT ?x ?kind ?v WHERE {{
    VALUES ?c {{ {_CLASSES} }}
    GRAPH <{doc}> {{
        ?x a ?c .
        {{ ?x rdfs:label ?v BIND("label" AS ?kind) }} UNION {{ ?x skos:altLabel ?v BIND("alt" AS ?kind) }}
        UNION {{ ?x a ?v BIND("class" AS ?kind) }}
    }}
}}"""
    return meta, facts, entities


async def document(request: Request) -> Response:
    """``/doc/<doc id>``: the document page, or the document's named graph by ``Accept``."""
    doc_id = request.path_params["doc_id"]
    doc = str(document_iri(doc_id))
    media = _wanted(request)
    if media is None:
        return _not_acceptable()
    try:
        if media != HTML:
            return await _rdf(
                request, media, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}"
            )
        meta_q, facts_q, entities_q = _doc_queries(doc)
        meta, facts, entity_rows = await _gather(
            lambda: _select(request, meta_q),
            lambda: _select(request, facts_q),
            lambda: _select(request, entities_q),
        )
        if not meta:
            similar = await _select(
                request,
                "SELECT ?x ?label WHERE { ?x a kg:Document ; kg:sourceFile ?label } "
                "ORDER BY ?label LIMIT 200",
            )
            refs = [EntityRef(None, row["label"]) for row in similar]
            return _html(request, missing_page(_root(request), doc_id, refs, documents=True), status=404)
    except PageError as exc:
        return PlainTextResponse(str(exc), status_code=exc.status)
    from kg.server.sources import read_source

    names = Names(entity_rows)
    info = {row["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]: row["o"] for row in meta}
    rows = _fact_rows(facts, names)
    source = read_source(request.app.state.build_dir, info.get("sourceFile", doc_id))
    text = document_page(
        _root(request),
        doc_id=doc_id,
        info=info,
        facts=sorted(
            rows.values(),
            key=lambda f: (min((e.start or 0) for e in f.evidence or [Evidence("")]), f.relation),
        ),
        names=[(n, x, names.group(x)) for x in names.label for n in names.all_names(x)],
        paths={x: entity_path(x) for x in names.label},
        source=source,
    )
    return _html(request, text)


async def resource(request: Request) -> Response:
    """A resource IRI's own path (``/kgzh/id/…``): 303 See Other to its page, keeping the negotiation."""
    key = request.path_params["key"]
    target = f"doc/{key[4:]}" if key.startswith("doc/") else f"entity/{key}"
    depth = request.url.path.count("/") - 1
    return RedirectResponse(
        "../" * depth + quote(target, safe="/"), status_code=303, headers={"vary": "Accept"}
    )


async def view(request: Request) -> Response:
    """The build's network page (``graph.html``); its panel links to the entity and document pages."""
    path: Path = request.app.state.build_dir / VIEW_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return PlainTextResponse(f"this build has no {VIEW_FILE}; run kg build\n", status_code=404)
    return _html(request, text)


def page_routes() -> list[Route]:
    """The routes of this module, for ``kg.server.app.create_app``."""
    base = urlsplit(_KGR).path  # /kgzh/id/
    return [
        Route("/entity/{key:path}", entity, methods=["GET", "HEAD"]),
        Route("/doc/{doc_id:path}", document, methods=["GET", "HEAD"]),
        Route(base + "{key:path}", resource, methods=["GET", "HEAD"]),
        Route("/view", view, methods=["GET", "HEAD"]),
    ]
