"""Issue 12, endpoint side: no outbound requests, protective headers, fairness under abuse, connection limits.

The real server (`python -m kg serve`) runs on a tiny store written here, so none of this needs the
slow corpus build. Outbound requests are caught by a plain TCP listener on loopback that counts the
connections it accepts; distinct clients are distinct loopback source addresses (127.0.0.x).
"""

from __future__ import annotations

import re
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.server import find_service
from kg.server.pool import QueryRequest
from kg.server.worker import Worker
from kg.store import GraphStore

from .serving import kg_serve

psutil = pytest.importorskip("psutil")

TIMEOUT = 20  # the server's --timeout: every "stopped early" below is measured against it
WORKERS = 3
MEMORY_LIMIT_MIB = 200
REQUEST_TIMEOUT = 2
TRIPLES = 30
# 30^6 = 729 M rows, counted in a stream: minutes of CPU, little memory
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y . ?q ?r ?t }"
# the same rows made DISTINCT: a hash set that grows by ~200 MB a second
HUNGRY = (
    "SELECT (COUNT(*) AS ?n) WHERE { { SELECT DISTINCT ?a ?c ?f ?i ?l WHERE "
    "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?l } } }"
)
LIGHT = "SELECT ?o WHERE { <urn:s1> <urn:p> ?o }"


class Listener:
    """A TCP server on loopback that accepts and counts connections (and closes them at once)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tiny")
    store = GraphStore.open(out / "store")
    for i in range(TRIPLES):
        store.inner.add(
            ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(f"v{i}"), ox.DefaultGraph())
        )
    store.flush()
    del store  # release the writer's lock
    return out / "store"


@pytest.fixture(scope="module")
def server(store_dir, tmp_path_factory):
    """`python -m kg serve` on the tiny store: yields (base URL, psutil.Process); stopped by pid."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    args = [
        *("--graph", str(store_dir.parent)),
        *("--timeout", str(TIMEOUT), "--workers", str(WORKERS)),
        *("--memory-limit", str(MEMORY_LIMIT_MIB), "--request-timeout", str(REQUEST_TIMEOUT)),
    ]
    with kg_serve(args, log) as (base, process):
        yield base, psutil.Process(process.pid)


def client(address: str = "127.0.0.1", timeout: float = 60) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (any 127.0.0.x is loopback on Linux)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


def workers_of(server) -> list[psutil.Process]:
    """The server's live query worker processes (a killed one may linger as a zombie for a moment)."""
    _, process = server
    workers = []
    for child in process.children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline()):
                workers.append(child)
        except psutil.Error:
            pass
    return workers


def wait_until_idle(server, deadline: float = 60) -> None:
    """Wait until every worker is started and idle (no earlier test's query still burning CPU)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        workers = workers_of(server)
        try:
            if len(workers) == WORKERS and all(p.cpu_percent(0.2) < 20 for p in workers):
                return
        except psutil.Error:
            pass
    pytest.fail("the workers did not become idle")


# --- SERVICE, without a server ------------------------------------------------------------------------

U = "http://127.0.0.1:1234/"
CALLS_OUT = [  # each runs a service call in pyoxigraph (checked below), so each must be found
    f"SELECT * WHERE {{ SERVICE <{U}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{U}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERVICESILENT <{U}> {{ ?s ?p ?o }} }}",  # keywords need no word boundary
    f"SELECT * WHERE {{ {{ ?a ?b ?c }}SERVICE<{U}>{{?s ?p ?o}} }}",
    f"SELECT * WHERE {{ ?a ?b ?c.SERVICE <{U}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?a <urn:p> 'v1'SERVICE <{U}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ VALUES ?x {{ 1 }}SERVICE <{U}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ VALUES ?x {{ 1 }} ?a ?b ?c FILTER(true)SERVICE <{U}> {{ ?s ?p ?o }} }}",
    f"PREFIX : <{U}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?a ?b ?c FILTER EXISTS {{ SERVICE <{U}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ # a comment\n SERVICE <{U}> {{ ?s ?p ?o }} }}",
    f"BASE <{U}> SELECT * WHERE {{ SERVICE <x> {{ ?s ?p ?o }} }}",
    # a less-than whose right side looks like the start of an IRI, then a string that hides nothing
    f"SELECT * WHERE {{ ?a ?b ?c FILTER(!(?c<'>'))SERVICE <{U}> {{ ?s ?p ?o }} FILTER(?c!='x') }}",
    # an escaped quote in a local name starts no string
    f"PREFIX e: <urn:> SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ ?a e:q\\' ?z }} SERVICE <{U}> {{ ?s ?p ?o }} "
    "FILTER(?c != 'x') }",
]
HARMLESS = [  # "service" that is not the keyword
    'SELECT * WHERE { ?s ?p "SERVICE" }',
    "SELECT * WHERE { ?s ?p '''a\nSERVICE <http://x/> { } ''' }",
    "SELECT * WHERE { ?s <http://example.org/service> ?o }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x/> {}",
    "SELECT ?service WHERE { ?service ?p $SERVICE }",
    "PREFIX schema: <http://schema.org/> SELECT * WHERE { ?s schema:serviceType ?o }",
    'SELECT * WHERE { ?s ?p "x"@service }',
    "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o > 1) }",
]


@pytest.mark.parametrize("query", CALLS_OUT)
def test_find_service_finds_every_form_that_calls_out(query):
    assert find_service(query) is not None


@pytest.mark.parametrize("query", HARMLESS)
def test_find_service_ignores_strings_iris_comments_and_names(query):
    assert find_service(query) is None


def test_the_refused_forms_really_call_out_in_pyoxigraph(listener):
    """Keeps CALLS_OUT honest: each form makes pyoxigraph connect, so each is an attack to refuse."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s1"), ox.NamedNode("urn:p"), ox.Literal("v1")))
    silent = []
    for query in CALLS_OUT:
        before = listener.connections
        try:
            list(store.query(query.replace(U, listener.url)))
        except (OSError, RuntimeError):  # the listener's answer is no SPARQL result
            pass
        except SyntaxError:
            silent.append(query)
            continue
        time.sleep(0.05)
        if listener.connections == before:
            silent.append(query)
    assert silent == []


# --- SERVICE and the network, on the server ---------------------------------------------------------

SERVICE_QUERY = "SELECT * WHERE {{ SERVICE <{}> {{ ?s ?p ?o }} }}"


def test_service_is_refused_by_get_and_post_and_nothing_connects(server, listener):
    base, _ = server
    query = SERVICE_QUERY.format(listener.url)
    responses = [
        httpx.get(base + "/sparql", params={"query": query}),
        httpx.post(base + "/sparql", data={"query": query}),
        httpx.post(base + "/sparql", content=query, headers={"content-type": "application/sparql-query"}),
        httpx.post(base + "/sparql", data={"query": f"SELECT * {{ ?s ?p ?o }}SERVICE<{listener.url}>{{}}"}),
    ]
    for response in responses:
        assert response.status_code == 400
        assert response.text.startswith("SERVICE is refused: this endpoint never makes outbound requests")
        assert response.text.count("\n") == 1
    time.sleep(0.5)
    assert listener.connections == 0


def test_a_string_saying_service_still_runs(server):
    base, _ = server
    response = httpx.post(
        base + "/sparql", data={"query": 'SELECT ?o WHERE { ?s ?p ?o FILTER(?o != "SERVICE") }'}
    )
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == TRIPLES


def test_from_load_and_dataset_iris_never_fetch(server, listener):
    base, _ = server
    url = listener.url
    asks = [
        ({"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"}, 200),
        ({"query": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}, 200),
        ({"query": f"CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}"}, 200),
        ({"query": f"DESCRIBE <{url}>"}, 200),
        ({"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"}, 200),
        ({"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": url}, 200),
        ({"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": url}, 200),
        ({"update": f"LOAD <{url}>"}, 403),
        ({"query": f"LOAD <{url}>"}, 403),
        ({"query": f"SELECT * {{}} LOAD <{url}>"}, 400),  # not an update: the parser rejects it
    ]
    for data, status in asks:
        response = httpx.post(base + "/sparql", data=data)
        assert response.status_code == status, (data, response.text)
        if status == 200:  # the remote graph is just a name: an empty graph here
            assert "urn:s1" not in response.text
    time.sleep(0.5)
    assert listener.connections == 0


def test_a_worker_cannot_reach_the_network_even_past_the_check(store_dir, listener):
    """The second defence: a worker asked directly (no SERVICE check) still connects nowhere."""
    if subprocess.run(["unshare", "-Urn", "true"], capture_output=True).returncode != 0:
        pytest.skip("this kernel refuses unprivileged network namespaces")
    worker = Worker(store_dir, 0)
    try:
        assert worker.wait_ready(60) and worker.isolated
        status, _, body = worker.ask(
            QueryRequest(SERVICE_QUERY.format(listener.url)), 30, stop=threading.Event(), memory_limit=0
        )
    finally:
        worker.kill()
    assert status == 500 and b"SPARQL query failed" in body
    assert listener.connections == 0


# --- headers ------------------------------------------------------------------------------------------

HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def test_every_response_carries_the_security_headers(server):
    base, _ = server
    responses = [
        httpx.get(base + "/"),
        httpx.get(base + "/prefixes"),
        httpx.get(base + "/sparql", params={"query": LIGHT}),
        httpx.get(base + "/sparql", params={"query": "SELEC"}),
        httpx.post(base + "/sparql", data={"update": "CLEAR ALL"}),
        httpx.get(base + "/nowhere"),
        httpx.put(base + "/sparql"),
        httpx.get(base + "/", headers={"host": "attacker.example"}),
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 400, 403, 404, 405, 400]
    for response in responses:
        for name, value in HEADERS.items():
            assert response.headers[name] == value, (response.url, name)
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        if response.url.path != "/":  # the page's own policy is tested below
            assert response.headers["content-security-policy"].startswith("default-src 'none';")
            assert "script-src" not in response.headers["content-security-policy"]


def test_the_page_policy_allows_only_its_own_scripts_and_styles(server):
    base, _ = server
    response = httpx.get(base + "/")
    policy = dict(d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";"))
    # no inline script or style: everything executable comes from this server's /static
    assert re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL) == []
    assert re.findall(r"<style>(.*?)</style>", response.text, re.DOTALL) == []
    sources = re.findall(r'<script src="([^"]+)"', response.text)
    assert sources == ["static/yasgui/yasgui.min.js", "static/query-page.js"]
    for source in sources:
        assert httpx.get(f"{base}/{source}").status_code == 200
    assert policy["script-src"] == "'self'"
    # 'self' and the one fixed <style> YASGUI inserts, by hash; style="" attributes only may be inline
    assert policy["style-src"].startswith("'self' 'sha256-") and len(policy["style-src"].split()) == 2
    assert policy["style-src-attr"] == "'unsafe-inline'"
    assert policy["default-src"] == "'none'" and policy["connect-src"] == "'self'"
    assert response.headers["content-security-policy"].count("unsafe-inline") == 1
    assert "unsafe-eval" not in response.headers["content-security-policy"]


# --- fairness -----------------------------------------------------------------------------------------


def hang_up_after(base: str, address: str, query: str, seconds: float) -> str:
    """Send ``query`` from ``address`` and hang up after ``seconds`` (or return the status if faster)."""
    with client(address, timeout=seconds) as http:
        try:
            return str(http.post(base + "/sparql", data={"query": query}).status_code)
        except httpx.TimeoutException:
            return "hung up"


def worker_pids(server) -> set[int]:
    return {p.pid for p in workers_of(server)}


def test_a_query_whose_client_hangs_up_is_stopped_and_its_worker_freed(server):
    """Every worker gets a heavy query from a client that hangs up after 1 s; a light query then
    answers long before the heavy queries' time limit, on fresh workers."""
    base, _ = server
    wait_until_idle(server)
    before = worker_pids(server)
    addresses = [f"127.0.0.{10 + i}" for i in range(WORKERS)]  # one client each: no per-client cap here
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(lambda a: hang_up_after(base, a, HEAVY, 1.0), addresses))
    assert outcomes == ["hung up"] * WORKERS
    started = time.monotonic()
    with client("127.0.0.20") as http:
        response = http.post(base + "/sparql", data={"query": LIGHT})
    assert response.status_code == 200 and response.json()["results"]["bindings"][0]["o"]["value"] == "v1"
    assert time.monotonic() - started < TIMEOUT / 2  # without the stop: a wait for the 20 s limit
    assert not before & worker_pids(server)  # each heavy query's worker was killed and replaced


def test_one_client_cannot_hold_every_worker(server):
    """One client sends as many heavy queries as there are workers; another client's query still
    answers while they run, because one worker always stays out of the first client's reach."""
    base, _ = server
    wait_until_idle(server)
    done: list[str] = []

    def heavy(_: int) -> None:
        done.append(hang_up_after(base, "127.0.0.30", HEAVY, 8.0))

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(heavy, i) for i in range(WORKERS)]
        time.sleep(1.0)  # let the heavy queries take their workers
        with client("127.0.0.31") as http:
            response = http.post(base + "/sparql", data={"query": LIGHT})
        answered_while_heavy_ran = not done
        for future in futures:
            future.result()
    assert response.status_code == 200
    assert answered_while_heavy_ran, done
    assert done == ["hung up"] * WORKERS


def test_a_light_client_is_answered_while_heavy_clients_on_every_address_hold_the_workers(server):
    """Clients that have kept workers busy lately send heavy queries from as many addresses as there
    are workers (so neither the per-client share nor a hang-up frees one); a client new to the server
    is still answered while they all run, on the worker kept for light clients."""
    base, _ = server
    wait_until_idle(server)
    addresses = [f"127.0.0.{40 + i}" for i in range(WORKERS)]
    with ThreadPoolExecutor(WORKERS) as pool:  # a first round makes these clients heavy users
        assert (
            list(pool.map(lambda a: hang_up_after(base, a, HEAVY, 1.5), addresses)) == ["hung up"] * WORKERS
        )
    done: list[str] = []

    def heavy(address: str) -> None:
        done.append(hang_up_after(base, address, HEAVY, 8.0))

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(heavy, a) for a in addresses]
        time.sleep(1.0)  # let the heavy queries take (or wait for) their workers
        with client("127.0.0.49") as http:
            response = http.post(base + "/sparql", data={"query": LIGHT})
        answered_while_heavy_ran = not done
        for future in futures:
            future.result()
    assert response.status_code == 200 and response.json()["results"]["bindings"][0]["o"]["value"] == "v1"
    assert answered_while_heavy_ran, done


def test_a_query_over_the_memory_limit_gets_503_and_a_fresh_worker(server):
    base, _ = server
    wait_until_idle(server)
    before = worker_pids(server)
    response = httpx.post(base + "/sparql", data={"query": HUNGRY}, timeout=TIMEOUT + 30)
    assert response.status_code == 503
    assert response.text == (
        f"the query used more than the memory limit of {MEMORY_LIMIT_MIB} MiB per query worker and was "
        "stopped; narrow it (LIMIT, more specific patterns) or restart the server with a larger "
        "--memory-limit\n"
    )
    assert len(before - worker_pids(server)) == 1  # exactly that worker was replaced
    for _ in range(WORKERS * 2):  # and every worker answers again
        assert httpx.post(base + "/sparql", data={"query": LIGHT}).status_code == 200


# --- connection limits --------------------------------------------------------------------------------


def raw_connection(base: str) -> socket.socket:
    host, port = base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=TIMEOUT)
    return sock


def read_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_silent_connection_gets_408_and_is_closed(server):
    base, _ = server
    with raw_connection(base) as sock:
        reply = read_all(sock)  # returns once the server closes the connection
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert reply.endswith(f"the request head did not arrive within {REQUEST_TIMEOUT} s\n".encode())


def test_a_trickled_request_head_is_cut_off(server):
    base, _ = server
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40
    with raw_connection(base) as sock:
        started = time.monotonic()
        try:
            for byte in head:  # a byte every 0.1 s: 8 s in all, four times the limit
                sock.send(bytes([byte]))
                time.sleep(0.1)
            cut_off = False
        except OSError:
            cut_off = True
        reply = b"" if cut_off else read_all(sock)
    assert cut_off or reply.startswith(b"HTTP/1.1 408 ")
    assert time.monotonic() - started < len(head) * 0.1 + TIMEOUT


def test_a_trickled_body_gets_408(server):
    base, _ = server
    with raw_connection(base) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/sparql-query\r\n"
            b"content-length: 100\r\n\r\nSELECT"
        )
        reply = read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408 ")
    assert reply.endswith(f"the request body did not arrive within {REQUEST_TIMEOUT} s\n".encode())


def test_an_idle_keep_alive_connection_is_closed(server):
    base, _ = server
    with raw_connection(base) as sock:
        sock.sendall(b"GET /prefixes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        reply = read_all(sock)  # the response, then the close once the connection has idled
    assert reply.startswith(b"HTTP/1.1 200 ") and reply.count(b"HTTP/1.1") == 1
