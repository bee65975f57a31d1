"""Endpoint under abuse: light-query latency while heavy queries run from clients that hang up after 1 s.

Starts the real server (`python -m kg serve`, 4 workers by default) on a small store written to a
temporary directory. --heavy abusive clients each loop: send a cross-product query that would run for
minutes, hang up after --hang-up seconds, send the next. Meanwhile one well-behaved client sends a
light query (one triple pattern with a bound subject) every 50 ms and records its latency. The
server's memory is the RSS of the server process plus all its children (workers and the resource
tracker), sampled every 0.2 s.

Abusers come from distinct loopback addresses (127.0.0.11, .12, ...), so the per-client share does
not help and only stopping abandoned queries keeps a worker free; --same-client sends all abuse
from one address instead, where the share (all workers but one) holds too.

    .venv/bin/python benchmarks/endpoint_abuse_bench.py [--seconds 30] [--heavy 4] [--workers 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pyoxigraph as ox
from served import kg_serve  # beside this script, so on sys.path when it runs

from kg.store import GraphStore

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?x ?y . ?q ?r ?t }"
LIGHT = "SELECT ?o WHERE { <urn:s1> <urn:p> ?o }"


def write_store(directory: Path, triples: int) -> None:
    store = GraphStore.open(directory / "store")
    for i in range(triples):
        store.inner.add(
            ox.Quad(ox.NamedNode(f"urn:s{i}"), ox.NamedNode("urn:p"), ox.Literal(f"v{i}"), ox.DefaultGraph())
        )
    store.flush()


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:  # a worker being replaced
            pass
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="measuring time")
    parser.add_argument("--heavy", type=int, default=4, help="abusive clients")
    parser.add_argument("--hang-up", type=float, default=1.0, help="seconds before an abuser hangs up")
    parser.add_argument("--workers", type=int, default=4, help="the server's query workers")
    parser.add_argument("--timeout", type=float, default=30.0, help="the server's --timeout")
    parser.add_argument("--same-client", action="store_true", help="all abuse from one address")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_store(out, 30)
        serve = ["--graph", str(out), "--workers", str(args.workers), "--timeout", str(args.timeout)]
        with kg_serve(serve) as (base, server):
            process = psutil.Process(server.pid)
            idle_rss = tree_rss(process)
            stop = threading.Event()
            abuse = Counter[str]()

            def abuser(i: int) -> None:
                address = "127.0.0.11" if args.same_client else f"127.0.0.{11 + i}"
                transport = httpx.HTTPTransport(local_address=address)
                with httpx.Client(transport=transport, timeout=args.hang_up) as http:
                    while not stop.is_set():
                        try:
                            abuse[str(http.post(base + "/sparql", data={"query": HEAVY}).status_code)] += 1
                        except httpx.TimeoutException:
                            abuse["hung up"] += 1

            rss: list[int] = []

            def sample() -> None:
                while not stop.is_set():
                    rss.append(tree_rss(process))
                    time.sleep(0.2)

            threads = [threading.Thread(target=abuser, args=(i,)) for i in range(args.heavy)]
            threads.append(threading.Thread(target=sample))
            for thread in threads:
                thread.start()
            time.sleep(args.hang_up + 0.5)  # measure only once every abuser has hung up at least once
            latencies: list[float] = []
            statuses = Counter[int]()
            transport = httpx.HTTPTransport(local_address="127.0.0.2")
            with httpx.Client(transport=transport, timeout=args.timeout + 30) as http:
                end = time.monotonic() + args.seconds
                while time.monotonic() < end:
                    started = time.perf_counter()
                    response = http.post(base + "/sparql", data={"query": LIGHT})
                    latencies.append(time.perf_counter() - started)
                    statuses[response.status_code] += 1
                    time.sleep(0.05)
            stop.set()
            for thread in threads:
                thread.join()

    ms = sorted(x * 1000 for x in latencies)
    mib = 2**20
    print(
        f"{args.heavy} abusive clients ({'one address' if args.same_client else 'one address each'}), "
        f"hanging up after {args.hang_up:g} s; {args.workers} workers; {len(ms)} light queries in "
        f"{args.seconds:g} s (statuses {dict(statuses)}); abuse outcomes {dict(abuse)}"
    )
    print(
        f"light latency: p50 {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms, "
        f"max {ms[-1]:.1f} ms"
    )
    print(
        f"RSS server + workers: idle {idle_rss / mib:.0f} MiB; under load mean "
        f"{statistics.mean(rss) / mib:.0f} MiB, max {max(rss) / mib:.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
