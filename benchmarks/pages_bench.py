"""Entity and document page benchmark: every page of a build, fetched from a real ``kg serve``.

Starts ``python -m kg serve`` on the build (OUT_DIR, default: builds corpus/ into a temporary
directory first), lists every entity taking part in a relation and every document through the
endpoint, fetches each page once to warm up and then --rounds times, one request at a time, and prints
the latency per kind of page (p50, p95, max) as the client sees it, HTML and Turtle.

    .venv/bin/python benchmarks/pages_bench.py [OUT_DIR] [--rounds 5] [--workers 4]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from served import kg_serve  # beside this script, so on sys.path when it runs

from kg.server.pages import entity_path

ROOT = Path(__file__).resolve().parents[1]
ENTITIES = """
SELECT DISTINCT ?e WHERE {
    VALUES ?p { kg:assists kg:heads kg:worksFor kg:servesIn kg:locatedIn }
    { ?e ?p ?o } UNION { ?s ?p ?e }
    FILTER(isIRI(?e))
} ORDER BY ?e"""
DOCUMENTS = "SELECT ?file WHERE { ?d a kg:Document ; kg:sourceFile ?file } ORDER BY ?file"


def column(base: str, query: str) -> list[str]:
    response = httpx.get(base + "/sparql", params={"query": query}, timeout=60)
    response.raise_for_status()
    data = response.json()
    (name,) = data["head"]["vars"]
    return [row[name]["value"] for row in data["results"]["bindings"]]


def timings(base: str, paths: list[str], rounds: int, accept: str) -> list[float]:
    client = httpx.Client(base_url=base, headers={"accept": accept}, timeout=60)
    for path in paths:  # warm-up: the workers' caches, the document files
        client.get(path).raise_for_status()
    seconds = []
    for _ in range(rounds):
        for path in paths:
            started = time.perf_counter()
            client.get(path).raise_for_status()
            seconds.append(time.perf_counter() - started)
    return seconds


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"{statistics.median(ms):7.1f} {p95:7.1f} {ms[-1]:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out_dir
        if out is None:
            out = Path(scratch) / "build"
            subprocess.run(
                [sys.executable, "-m", "kg", "build", str(ROOT / "corpus"), "--out", str(out), "-q"],
                check=True,
            )
        serve = ["--graph", str(out), "--workers", str(args.workers)]
        with kg_serve(serve) as (base, _server):
            entities = [f"/entity/{path}" for e in column(base, ENTITIES) if (path := entity_path(e))]
            documents = ["/doc/" + quote(f, safe="/") for f in column(base, DOCUMENTS)]
            print(f"{len(entities)} entity pages, {len(documents)} document pages, {args.rounds} rounds")
            print(f"{'page':<22} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
            for name, paths, accept in (
                ("entity, HTML", entities, "text/html"),
                ("entity, Turtle", entities, "text/turtle"),
                ("document, HTML", documents, "text/html"),
            ):
                print(f"{name:<22} {summary(timings(base, paths, args.rounds, accept))}")


if __name__ == "__main__":
    main()
