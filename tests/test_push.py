"""kg push against a real Oxigraph server (the ``oxigraph`` binary from the PyPI package of that name)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.errors import StoreError
from kg.push import DEFAULT_GRAPH, push_build
from kg.rdf import DIVISIONS_GRAPH, document_iri
from kg.store import STORE_DIR, GraphStore

from .serving import free_port

pytestmark = pytest.mark.slow

BUREAU = "https://w3id.org/kgzh/id/org/鄂尔多斯市住建局"
VILLAGE = "https://w3id.org/kgzh/id/place/木都柴达木村"
ASSISTS = "https://w3id.org/kgzh/ontology#assists"
ORDOS = "ordos-baolian-zhucun-2022.txt"


def oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "oxigraph"
    return str(beside_python) if beside_python.exists() else shutil.which("oxigraph")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A fresh Oxigraph server on a free loopback port: its base URL."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server binary is missing: pip install oxigraph")
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    log = (location.parent / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=1)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph did not start on port {port}; see {log.name}")
            time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def sparql_json(base: str, query: str) -> dict:
    """The server's SPARQL JSON results of ``query``."""
    response = httpx.post(
        f"{base}/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def select(base: str, query: str) -> list[dict[str, str]]:
    rows = sparql_json(base, query)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def ask(base: str, query: str) -> bool:
    return bool(sparql_json(base, query)["boolean"])


def counts_per_graph(base: str) -> dict[str, int]:
    rows = select(base, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: int(row["n"]) for row in rows}


def local_counts(out: Path) -> dict[str, int]:
    store = GraphStore.open(out / STORE_DIR, read_only=True)
    rows = store.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]: row["n"] for row in rows}


def test_push_sends_one_named_graph_per_document(server, corpus_build):
    out, report = corpus_build
    pushed = push_build(out, f"{server}/store")
    expected = local_counts(out)
    docs = {str(document_iri(row["doc_id"])) for row in report["documents"] if row["status"] == "ok"}
    assert set(expected) == docs | {str(DIVISIONS_GRAPH)}  # the reference facts travel too
    assert {p.graph: p.triples for p in pushed} == expected
    assert all(p.status in (201, 204) for p in pushed)
    assert counts_per_graph(server) == expected
    graph = str(document_iri(ORDOS))
    assert ask(server, f"ASK {{ GRAPH <{graph}> {{ <{BUREAU}> <{ASSISTS}> <{VILLAGE}> }} }}")


def test_push_twice_replaces(server, corpus_build):
    out, _ = corpus_build
    push_build(out, f"{server}/store")
    first = counts_per_graph(server)
    again = push_build(out, f"{server}/store")
    assert counts_per_graph(server) == first
    assert all(p.status == 204 for p in again)  # replaced, not created


def test_push_default_graph(server, corpus_build):
    out, report = corpus_build
    pushed = push_build(out, f"{server}/store", default=True)
    assert pushed[-1].graph == DEFAULT_GRAPH
    assert pushed[-1].triples == report["counts"]["triples"]
    rows = select(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(rows[0]["n"]) == report["counts"]["triples"]
    assert ask(server, f"ASK {{ <{BUREAU}> <{ASSISTS}> <{VILLAGE}> }}")


def test_http_error_is_reported(server, corpus_build):
    out, _ = corpus_build
    with pytest.raises(
        StoreError, match=r"^PUT .*/query\?graph=.* failed: HTTP 4\d\d .*Graph Store Protocol"
    ):
        push_build(out, f"{server}/query")  # the query endpoint does not take PUT


def test_unreachable_server_is_reported(corpus_build):
    out, _ = corpus_build
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    with pytest.raises(StoreError, match=r"cannot reach the SPARQL server .*is it running"):
        push_build(out, endpoint, timeout=5)


def test_missing_build(tmp_path):
    with pytest.raises(StoreError, match="no store here; run `kg build` first"):
        push_build(tmp_path, "http://127.0.0.1:9/store")


# --- command line --------------------------------------------------------------------------------


def test_cli_push(server, corpus_build):
    out, report = corpus_build
    endpoint = f"{server}/store"
    result = CliRunner().invoke(main, ["push", "--endpoint", endpoint, "--graph", str(out), "--default"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    expected = local_counts(out)
    assert len(lines) == len(expected) + 2
    graph = str(document_iri(ORDOS))
    assert any(line.startswith(f"PUT <{graph}>: {expected[graph]} triples (HTTP 20") for line in lines)
    triples = report["counts"]["triples"]
    assert lines[-2].startswith(f"PUT default graph: {triples} triples (HTTP 20")
    assert lines[-1] == (
        f"pushed {len(expected)} named graphs ({sum(expected.values())} triples) "
        f"and the default graph ({triples} triples) to {endpoint}"
    )


def test_cli_quiet(server, corpus_build):
    out, _ = corpus_build
    endpoint = f"{server}/store"
    result = CliRunner().invoke(main, ["push", "--endpoint", endpoint, "--graph", str(out), "-q"])
    expected = local_counts(out)
    assert (result.exit_code, result.output) == (
        0,
        f"pushed {len(expected)} named graphs ({sum(expected.values())} triples) to {endpoint}\n",
    )


def test_cli_http_error_exits_1(server, corpus_build):
    out, _ = corpus_build
    result = CliRunner().invoke(main, ["push", "--endpoint", f"{server}/query", "--graph", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: PUT {server}/query?graph=")


def test_cli_needs_an_endpoint():
    result = CliRunner().invoke(main, ["push"])
    assert result.exit_code == 2
    assert "Missing option '--endpoint'" in result.output
