"""SHACL engines on the project's shapes: pyrudof (builds, ``kg validate``) against pyshacl (``--full``).

For each graph.ttl given, parses it once with rdflib (as ``kg validate`` does), then validates it
with ``kg.validate.validate_graph`` on each engine, each after a warm-up on a small graph (shapes and
ontology parsed, as in a long-running process), best of ``--repeat`` runs. Reports seconds, the
triples per second and whether the two reports are equal (conformance and every violation).

    .venv/bin/python benchmarks/shacl_bench.py build/graph.ttl /tmp/synthetic/out/graph.ttl
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.store import load_graph  # noqa: E402
from kg.validate import ENGINES, ValidationReport, validate_graph  # noqa: E402


def timed(graph: object, engine: str, repeat: int) -> tuple[float, ValidationReport]:
    best, report = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        report = validate_graph(graph, engine=engine)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    assert report is not None
    return best, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graphs", nargs="+", type=Path, help="graph.ttl files of builds")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    from rdflib import Graph

    for engine in ENGINES:  # warm-up: shapes, ontology, prepared queries
        validate_graph(Graph(), engine=engine)
    print("| graph | triples | pyrudof | pyshacl | speed-up | same report |")
    print("|---|---:|---:|---:|---:|---|")
    for path in args.graphs:
        graph = load_graph(path)
        fast_s, fast = timed(graph, "rudof", args.repeat)
        full_s, full = timed(graph, "pyshacl", args.repeat)
        same = "yes" if fast == full else "NO"
        verdict = f"{same} (conforms: {fast.conforms}, {len(full.violations)} violations)"
        times = f"{fast_s:.2f} s | {full_s:.2f} s | {full_s / fast_s:.1f}x"
        print(f"| {path} | {len(graph):,} | {times} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
