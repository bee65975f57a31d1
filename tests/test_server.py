"""kg serve: the real server, started as `python -m kg serve` on the session build, queried over HTTP.

Protocol tests need the build (slow); negotiation and the page are checked without it.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from kg.ontology import KG, KGR
from kg.queries import canned_queries, load_query
from kg.server import QueryRequest, StoreHandle, answer, negotiate, render_page
from kg.server.pool import GRAPH_TYPES, RESULT_TYPES
from kg.store import GraphStore

from .serving import kg_serve

slow = pytest.mark.slow
TIMEOUT = 2  # the server's --timeout, seconds
HELPERS = load_query("helpers-in-county")
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


# --- without a server ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept,offered,expected",
    [
        ("", RESULT_TYPES, "application/sparql-results+json"),
        ("*/*", RESULT_TYPES, "application/sparql-results+json"),
        ("text/csv", RESULT_TYPES, "text/csv"),
        (
            "application/sparql-results+xml;q=0.9, text/tab-separated-values",
            RESULT_TYPES,
            "text/tab-separated-values",
        ),
        ("text/*", RESULT_TYPES, "text/csv"),
        ("application/sparql-results+json, text/turtle;q=0.9", GRAPH_TYPES, "text/turtle"),
        ("application/n-triples", GRAPH_TYPES, "application/n-triples"),
        ("text/csv;q=0", RESULT_TYPES, None),
        ("image/png", GRAPH_TYPES, None),
    ],
)
def test_negotiate(accept, offered, expected):
    assert negotiate(accept, offered) == expected


def test_page_is_offline_and_lists_the_canned_queries():
    page = render_page()
    assert "http://" not in page and "https://" not in page
    # nothing to fetch but this server's own relative paths
    assert re.findall(r'(?:src|href)="([^"]+)"', page) == [
        "static/yasgui/yasgui.min.css",
        "static/query-page.css",
        "static/yasgui/yasgui.min.js",
        "static/query-page.js",
    ]
    for name in canned_queries():
        assert f'"name": "{name}"' in page


def test_answer_in_process_limits_and_errors():
    store = GraphStore.open(None)
    store.inner.add(
        ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("乌审旗"), ox.DefaultGraph())
    )
    status, content_type, body = answer(store, QueryRequest("SELECT ?o WHERE { ?s ?p ?o }", "text/csv"))
    assert (status, content_type, body.decode()) == (200, "text/csv; charset=utf-8", "o\r\n乌审旗\r\n")
    status, _, body = answer(store, QueryRequest("SELECT ?o WHERE { ?s ?p ?o }", max_bytes=10))
    assert (status, body) == (503, b"the result is larger than the limit of 10 bytes; add a LIMIT\n")
    status, _, body = answer(store, QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", "text/csv"))
    assert (status, body) == (
        406,
        b"CONSTRUCT and DESCRIBE results come as text/turtle, application/n-triples\n",
    )
    status, _, body = answer(
        store, QueryRequest("SELECT * WHERE { ?s ?p ?o }", default_graphs=("not an iri",))
    )
    assert status == 400 and body.startswith(b"invalid graph IRI in default-graph-uri or named-graph-uri")


def test_store_handle_follows_the_store_link_of_a_rebuild(tmp_path):
    for version, label in ((1, "旧"), (2, "新")):
        store = GraphStore.open(tmp_path / f"store.{version}")
        store.inner.add(
            ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal(label), ox.DefaultGraph())
        )
        store.flush()
        del store  # release the writer's lock
    link = tmp_path / "store"
    link.symlink_to("store.1")
    handle = StoreHandle(link)
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    assert handle.current().select(query) == [{"o": "旧"}]
    swap = tmp_path / ".store.tmp"
    swap.symlink_to("store.2")
    swap.replace(link)  # what `kg build` does: one atomic rename
    assert handle.current().select(query) == [{"o": "新"}]
    assert handle.version == (tmp_path / "store.2").resolve()


# --- the real server ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(corpus_build, tmp_path_factory):
    """`python -m kg serve` on the build: yields (base URL, out_dir); stopped with SIGTERM by pid."""
    out, _ = corpus_build
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    args = ["--graph", str(out), "--timeout", str(TIMEOUT), "--workers", "3"]
    with kg_serve(args, log) as (base, _):
        yield base, out


def sparql(server, query, *, accept=None, method="GET", **kwargs):
    base, _ = server
    headers = {"accept": accept} if accept else {}
    if method == "GET":
        return httpx.get(base + "/sparql", params={"query": query}, headers=headers, timeout=30, **kwargs)
    return httpx.post(base + "/sparql", data={"query": query}, headers=headers, timeout=30, **kwargs)


HELPER_ROW = ("鄂尔多斯市住建局", "木都柴达木村", str(KG.Village), "乌审旗")


def json_rows(response):
    data = response.json()
    return [tuple(b[v]["value"] for v in data["head"]["vars"]) for b in data["results"]["bindings"]]


@slow
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_as_json_by_default(server, method):
    response = sparql(server, HELPERS, method=method)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert json_rows(response) == [HELPER_ROW]


@slow
def test_post_application_sparql_query(server):
    base, _ = server
    response = httpx.post(
        base + "/sparql", content=HELPERS.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 200 and json_rows(response) == [HELPER_ROW]


@slow
@pytest.mark.parametrize(
    "accept,results_format",
    [
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ],
)
def test_select_by_accept_header(server, accept, results_format):
    response = sparql(server, HELPERS, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    (row,) = list(ox.parse_query_results(response.content, results_format))
    assert tuple(term.value for term in row) == HELPER_ROW


@slow
def test_select_as_csv(server):
    response = sparql(server, HELPERS, accept="text/csv", method="POST")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.text == "helper,place,level,county\r\n" + ",".join(HELPER_ROW) + "\r\n"


@slow
@pytest.mark.parametrize("accept,rdf_format", [("text/turtle", "turtle"), ("application/n-triples", "nt")])
def test_construct_as_turtle_or_ntriples(server, accept, rdf_format):
    response = sparql(server, "CONSTRUCT WHERE { ?p kg:servesIn ?v }", accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.text, format=rdf_format)
    assert (URIRef(str(KGR) + "person/董晶"), KG.servesIn, URIRef(str(KGR) + "place/木都柴达木村")) in graph


@slow
def test_construct_defaults_to_turtle_and_ask_to_json(server):
    assert (
        sparql(server, "DESCRIBE ?p WHERE { ?p kg:servesIn ?v }")
        .headers["content-type"]
        .startswith("text/turtle")
    )
    assert sparql(server, "ASK { ?o kg:assists ?v }").json() == {"head": {}, "boolean": True}


@slow
def test_protocol_dataset_parameters_select_one_document(server):
    base, _ = server
    doc = str(KGR) + "doc/ordos-baolian-zhucun-2022.txt"
    query = "SELECT DISTINCT ?f WHERE { ?d kg:sourceFile ?f }"
    response = httpx.get(base + "/sparql", params={"query": query, "default-graph-uri": doc})
    assert json_rows(response) == [("ordos-baolian-zhucun-2022.txt",)]
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = httpx.post(base + "/sparql", data={"query": named, "named-graph-uri": doc})
    assert json_rows(response) == [(doc,)]


@slow
def test_unacceptable_and_unsupported_requests(server):
    base, _ = server
    assert sparql(server, HELPERS, accept="image/png").status_code == 406
    response = httpx.post(base + "/sparql", content=b"SELECT * {}", headers={"content-type": "text/plain"})
    assert response.status_code == 415
    assert httpx.get(base + "/sparql").status_code == 400
    assert httpx.put(base + "/sparql", content=b"x").status_code == 405


@slow
@pytest.mark.parametrize(
    "query,where",
    [("SELEC ?x WHERE { ?x ?y ?z }", "error at 1:"), ("SELECT ?x WHERE {\n ?x ?y\n}", "error at 3:")],
)
def test_malformed_query_is_400_with_the_parser_message(server, query, where):
    response = sparql(server, query)
    assert response.status_code == 400
    assert response.text.startswith("malformed SPARQL query: " + where)


@slow
def test_undeclared_prefix_is_400_naming_it(server):
    response = sparql(server, "DESCRIBE foo:董晶")
    assert (response.status_code, response.text.strip()) == (400, "unknown prefix foo:")
    assert sparql(server, "DESCRIBE kgp:董晶", accept="text/turtle").status_code == 200


INSERT = "INSERT DATA { <urn:x> kg:servesIn <urn:y> }"


@slow
def test_updates_are_refused_and_the_store_is_unchanged(server):
    base, out = server
    before = sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    attempts = [
        httpx.post(base + "/sparql", data={"update": INSERT}),
        httpx.post(
            base + "/sparql", content=INSERT.encode(), headers={"content-type": "application/sparql-update"}
        ),
        httpx.get(base + "/sparql", params={"update": INSERT}),
        sparql(server, "PREFIX ex: <urn:ex:>\n# a comment\n" + INSERT, method="POST"),
        sparql(server, "DELETE WHERE { ?s ?p ?o }"),
    ]
    for response in attempts:
        assert response.status_code == 403, response.text
        assert response.text == "this endpoint is read-only: SPARQL updates are refused\n"
    assert sparql(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json() == before
    assert sparql(server, "ASK { <urn:x> ?p ?o }").json()["boolean"] is False
    store = GraphStore.open(out / "store", read_only=True)
    assert not store.select("SELECT ?p WHERE { <urn:x> ?p ?o }")


@slow
def test_the_page_lists_canned_queries_and_has_no_external_urls(server):
    base, _ = server
    response = httpx.get(base + "/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "http://" not in response.text and "https://" not in response.text
    assert '<div id="yasgui">' in response.text and 'src="static/query-page.js"' in response.text
    script = httpx.get(base + "/static/query-page.js")
    assert script.status_code == 200 and "http://" not in script.text and "https://" not in script.text
    for name, query in canned_queries().items():
        assert name in response.text and json.dumps(query.summary, ensure_ascii=False) in response.text
    assert httpx.get(base + "/prefixes").json()["kg"] == str(KG._NS)


@slow
def test_slow_query_hits_the_time_limit_and_the_server_recovers(server):
    started = time.monotonic()
    response = sparql(server, SLOW_QUERY)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.text.startswith(f"the query exceeded the time limit of {TIMEOUT} s")
    assert TIMEOUT <= elapsed < TIMEOUT + 15  # generous: CI machines may be loaded
    # the stuck worker was killed and replaced: every worker answers again
    for _ in range(6):
        assert json_rows(sparql(server, HELPERS)) == [HELPER_ROW]


@slow
def test_oversized_queries_are_413(server):
    base, _ = server
    big = "SELECT * WHERE { ?s ?p ?o } LIMIT 1\n# " + "x" * 100_001
    assert sparql(server, big, method="POST").status_code == 413
    response = httpx.post(
        base + "/sparql", content=big.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert response.text == "the query is larger than the limit of 100000 bytes\n"
    # httpx refuses such long URLs itself, so the GET goes through http.client
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("GET", "/sparql?query=" + urllib.parse.quote(big))
        assert connection.getresponse().status == 413
    finally:
        connection.close()
    assert sparql(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # " + "x" * 50_000).status_code == 200


@slow
def test_only_loopback_host_names_are_answered(server):
    base, _ = server
    assert httpx.get(base + "/", headers={"host": "attacker.example"}).status_code == 400
    assert httpx.get(base.replace("127.0.0.1", "localhost") + "/").status_code == 200


@slow
def test_twenty_concurrent_clients(server):
    queries = [load_query(name) for name in canned_queries()]

    def client(i):
        with httpx.Client(timeout=30) as http:
            codes = []
            for k in range(10):
                query = queries[(i + k) % len(queries)]
                response = http.post(server[0] + "/sparql", data={"query": query})
                codes.append(response.status_code)
                if query == HELPERS:
                    assert json_rows(response) == [HELPER_ROW]
            return codes

    with ThreadPoolExecutor(20) as pool:
        codes = [c for codes in pool.map(client, range(20)) for c in codes]
    assert codes == [200] * 200


def test_busy_port_is_one_line_naming_port_and_no_worker_starts(corpus_build):
    out, _ = corpus_build
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kg", "serve", "--graph", str(out), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: port {port} on 127.0.0.1 is in use by another program; choose another with --port"
    ]
    assert "Started server process" not in result.stdout + result.stderr


def test_server_announces_the_url_it_listens_on_even_for_port_0(corpus_build, tmp_path):
    out, _ = corpus_build
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--graph", str(out), "--port", "0", "--workers", "1"],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(600):
            first = log.read_text(encoding="utf-8").partition("\n")[0]
            if first.startswith("kg serve: query page http://127.0.0.1:") or process.poll() is not None:
                break
            time.sleep(0.1)
        url = first.split()[4].rstrip(",")
        assert not url.endswith(":0/"), first
        for _ in range(600):
            try:
                response = httpx.get(url + "sparql", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert response.status_code == 200
        assert first.endswith(f"network view {url}view (Ctrl+C stops)")  # the announced view is served
        assert response.json()["boolean"] is True
    finally:
        process.terminate()
        process.wait(timeout=30)
