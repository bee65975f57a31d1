"""The SPARQL endpoint under load: 20 concurrent clients x 1 000 requests, with bad ones mixed in."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from kg.queries import canned_queries, load_query

from .serving import kg_serve

httpx = pytest.importorskip("httpx")
psutil = pytest.importorskip("psutil")

pytestmark = pytest.mark.slow

CLIENTS = 20
REQUESTS = 1_000


def _tree_rss(process: psutil.Process) -> int:
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])


@pytest.fixture(scope="module")
def endpoint(corpus_build, tmp_path_factory):
    out, _ = corpus_build
    log = tmp_path_factory.mktemp("load") / "serve.log"
    with kg_serve(["--graph", str(out), "--timeout", "20"], log) as (base, process):
        yield base, psutil.Process(process.pid)


def test_twenty_clients_a_thousand_requests_each(endpoint):
    base, process = endpoint
    good = [load_query(name) for name in canned_queries()]
    bad = [("SELEC ?x WHERE {", 400), ("SELECT * WHERE { ?s ?p ?o }" + " " * 200_000, 413)]

    def client(i: int) -> list[tuple[int, int]]:
        outcomes = []
        with httpx.Client(timeout=60) as http:
            for k in range(REQUESTS):
                if k % 25 == 24:  # every 25th request is malformed or oversized
                    query, expected = bad[(i + k) % 2]
                else:
                    query, expected = good[(i + k) % len(good)], 200
                response = http.post(base + "/sparql", data={"query": query})
                outcomes.append((response.status_code, expected))
        return outcomes

    with ThreadPoolExecutor(CLIENTS) as pool:
        warm = list(pool.map(client, range(CLIENTS // 4)))  # let workers start and caches fill
        rss_before = _tree_rss(process)
        outcomes = [o for chunk in pool.map(client, range(CLIENTS)) for o in chunk]
    rss_after = _tree_rss(process)
    assert len(outcomes) == CLIENTS * REQUESTS and warm
    wrong = [(got, expected) for got, expected in outcomes if got != expected]
    assert wrong == []
    assert process.is_running()
    # memory is stable: a thousand requests per client do not grow the server by more than a quarter
    assert rss_after < rss_before * 1.25 + 50 * 2**20
