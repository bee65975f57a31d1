"""Result writers: a large SELECT result written in each W3C format by pyoxigraph, or read into Python.

On a build's store (``--store``) or a seeded synthetic one (synthetic.py beside this file, loaded into
an in-memory Oxigraph store), the query ``SELECT * WHERE { ?s ?p ?o } LIMIT N`` is timed, query
included, median CPU time of the thread over ``--reps`` runs:

- ``iterate``: reading every solution into Python tuples and nothing more, the least that a writer in
  Python pays before writing anything (``kg.queries.run_query`` does this);
- ``json``, ``xml``, ``csv``, ``tsv``: ``kg.queries.query_text``, pyoxigraph's serialiser writing
  straight from the live result, as ``kg query --format`` and the SPARQL endpoint do;
- ``read, then json``: ``format_result(run_query(...), "json")``, rows read first and handed back to
  pyoxigraph's writer (the notebook path).

    .venv/bin/python benchmarks/writers_bench.py [--rows 100000] [--store OUT_DIR/store]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthetic import generate  # beside this script, so on sys.path when it runs


def cpu_ms(run: Callable[[], Any], reps: int) -> float:
    """Median thread CPU milliseconds of ``reps`` runs after one warm-up."""
    run()
    times = []
    for _ in range(reps):
        started = time.thread_time()
        run()
        times.append(time.thread_time() - started)
    return statistics.median(times) * 1000


def main() -> int:
    import pyoxigraph as ox

    from kg.queries import format_result, query_text, run_query
    from kg.store import GraphStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--store", type=Path, default=None, help="a build's store (default: synthetic)")
    args = parser.parse_args()
    if args.store is not None:
        store = GraphStore.open(args.store, read_only=True)
    else:
        store = GraphStore.open(None)
        with tempfile.TemporaryDirectory(prefix="kg-writers-") as tmp:
            data = Path(tmp) / "synthetic.nq"
            generate(args.rows, 7, data)
            store.inner.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    query = f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT {args.rows}"
    print(f"| writer | {args.rows:,} rows, CPU ms |\n|---|---:|")
    print(f"| iterate | {cpu_ms(lambda: [tuple(row) for row in store.query(query)], args.reps):.0f} |")
    for fmt in ("json", "xml", "csv", "tsv"):
        print(f"| {fmt} | {cpu_ms(lambda f=fmt: query_text(store, query, f), args.reps):.0f} |")
    read_then_json = cpu_ms(lambda: format_result(run_query(store, query), "json"), args.reps)
    print(f"| read, then json | {read_then_json:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
