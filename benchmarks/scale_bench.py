"""Scale end to end on the synthetic corpus: build, store, queries, entity pages and view at N megabytes.

Writes ``--size-mb`` megabytes with synthetic_corpus.py (beside this file), then in one run:

- ``kg build`` from scratch with ``--jobs`` processes: wall time and peak RSS of its whole process tree
  (sampled every 0.2 s), the stage timings it reports (documents, resolve, store, Turtle, SHACL, view);
- the store: bytes on disk, triples in the default graph, distinct facts and entities;
- the canned queries (ontology/queries/*.rq, default parameters) on the store, each result written as
  SPARQL JSON by pyoxigraph (what the endpoint answers by default): p50 of ``--reps`` runs each, after
  one warm-up, in wall time and in the CPU time of the querying thread (steadier when other work shares
  the cores);
- the same queries through the results kept per store version (kg.queries.cache), as ``kg query`` and
  ``kg serve``'s ``/query/<name>`` answer them: the first call on a store version (the query run and its
  result kept: p50 of ``--reps`` runs, the kept results deleted before each) and later calls (read back),
  as JSON and as the first page of 100 rows; then over HTTP from a real ``kg serve --no-warm``: the
  first request for each listing's page on a fresh version, and the p50 of ``--reps`` later ones; and
  the time the server's warming process takes for a version (every canned query, default parameters);
- an entity page's queries, as ``kg serve`` runs them (kg.server.pages: every statement whose subject
  or object is the entity with its sentence, offsets, post and source file; its chain of places; its
  posts; the names of everything shown): p50 over ``--entities`` entities drawn with a fixed seed from
  the persons, villages and bodies of the build;
- ``kg view`` of the whole build: wall time and the page's size.

    .venv/bin/python benchmarks/scale_bench.py --size-mb 10 --jobs 2 --keep /tmp/scale10
    .venv/bin/python benchmarks/scale_bench.py --queries-only /tmp/scale10/out   # an existing build
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from build_bench import run_build  # beside this script, so on sys.path when it runs
from synthetic_corpus import write_corpus

ROOT = Path(__file__).resolve().parents[1]

ENTITIES = """
SELECT ?e WHERE {
  VALUES ?class { kg:Person kg:Village kg:GovernmentBody kg:Enterprise }
  ?e a ?class .
} ORDER BY ?e
"""


def p50(run: Any, reps: int) -> tuple[float, float, int]:
    """Median wall and thread-CPU seconds of ``reps`` runs of ``run`` after one warm-up; its rows."""
    rows = run()
    wall, cpu = [], []
    for _ in range(reps):
        started, started_cpu = time.perf_counter(), time.thread_time()
        run()
        cpu.append(time.thread_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return statistics.median(wall), statistics.median(cpu), rows


def measure_queries(store_dir: Path, reps: int, entities: int, seed: int) -> dict[str, Any]:
    """Canned-query p50s and entity-page p50 on the store of a build."""
    from kg.queries import canned_queries, query_text
    from kg.store import GraphStore

    store = GraphStore.open(store_dir, read_only=True)

    def written(text: str) -> int:
        data = query_text(store, text, "json")[0]
        return len(json.loads(data)["results"]["bindings"])

    canned = {}
    for name, query in sorted(canned_queries().items()):
        wall, cpu, rows = p50(lambda q=query: written(q.text), reps)
        canned[name] = {"p50_ms": wall * 1000, "cpu_p50_ms": cpu * 1000, "rows": rows}
    iris = [str(row["e"]) for row in store.select(ENTITIES)]
    chosen = random.Random(seed).sample(iris, min(entities, len(iris)))
    page_times, page_rows = [], []
    for iri in chosen:
        wall, _, rows = p50(lambda i=iri: entity_page_queries(store, i), reps)
        page_times.append(wall)
        page_rows.append(rows)
    return {
        "canned": canned,
        "canned_p50_ms": statistics.median(c["p50_ms"] for c in canned.values()),
        "canned_max_p50_ms": max(c["p50_ms"] for c in canned.values()),
        "entity_p50_ms": statistics.median(page_times) * 1000,
        "entity_max_p50_ms": max(page_times) * 1000,
        "entity_rows_median": statistics.median(page_rows),
        "entities_measured": len(chosen),
    }


def measure_kept(out_dir: Path, reps: int) -> dict[str, Any]:
    """First and later calls of every canned query through the kept results, in process and over HTTP.

    Deletes the store version's kept results (``store/results``, derived data) before each first call.
    """
    from kg.queries import canned_queries
    from kg.queries.cache import CACHE_DIR, ResultCache
    from kg.queries.kept import cached_query_text, kept_result, warm_canned

    store_dir = out_dir / "store"
    results = store_dir.resolve() / CACHE_DIR

    def first_page(text: str) -> None:
        entry = kept_result(ResultCache(store_dir), text, "tsv")[0]
        assert entry is not None
        entry.tsv_rows(0, 100)

    kept: dict[str, Any] = {}
    for name, query in sorted(canned_queries().items()):
        cold = []
        for _ in range(reps):
            shutil.rmtree(results, ignore_errors=True)
            started = time.perf_counter()
            cached_query_text(store_dir, query.text, "json")
            cold.append(time.perf_counter() - started)
        hit_wall, hit_cpu, _ = p50(lambda q=query: cached_query_text(store_dir, q.text, "json"), reps)
        page_wall, _, _ = p50(lambda q=query: first_page(q.text), reps)
        kept[name] = {
            "first_p50_ms": statistics.median(cold) * 1000,
            "later_p50_ms": hit_wall * 1000,
            "later_cpu_p50_ms": hit_cpu * 1000,
            "page_p50_ms": page_wall * 1000,
        }
    shutil.rmtree(results, ignore_errors=True)
    started = time.perf_counter()
    warm_canned(store_dir)
    warm_s = time.perf_counter() - started
    shutil.rmtree(results, ignore_errors=True)
    http = measure_http(out_dir, reps)
    for name, row in http.items():
        kept[name].update(row)
    return {
        "kept": kept,
        "warm_s": warm_s,
        **{
            f"{key}_median_ms": statistics.median(row[f"{key}_ms"] for row in kept.values())
            for key in ("first_p50", "later_p50", "page_p50", "http_first", "http_later_p50")
        },
        **{
            f"{key}_max_ms": max(row[f"{key}_ms"] for row in kept.values())
            for key in ("first_p50", "later_p50", "page_p50", "http_first", "http_later_p50")
        },
    }


def measure_http(out_dir: Path, reps: int) -> dict[str, dict[str, float]]:
    """Each listing's first page from a real ``kg serve --no-warm``: the first request, then a p50."""
    import httpx
    from served import kg_serve  # beside this script, so on sys.path when it runs

    from kg.queries import canned_queries

    with kg_serve(["--graph", str(out_dir), "--no-warm"]) as (base, _server):
        timings = {}
        with httpx.Client(timeout=600) as client:
            for name in sorted(canned_queries()):
                started = time.perf_counter()
                assert client.get(f"{base}/query/{name}").status_code == 200
                first = time.perf_counter() - started
                later = []
                for _ in range(reps):
                    started = time.perf_counter()
                    assert client.get(f"{base}/query/{name}").status_code == 200
                    later.append(time.perf_counter() - started)
                timings[name] = {
                    "http_first_ms": first * 1000,
                    "http_later_p50_ms": statistics.median(later) * 1000,
                }
        return timings


def entity_page_queries(store: Any, iri: str) -> int:
    """The queries ``kg serve`` runs for an entity page, in turn; the number of its fact rows."""
    from kg.server import pages  # its query builders: what the page asks is what is measured

    facts = store.select(pages._facts_query(iri))
    chain = store.select(pages._chain_query(iri))
    posts = store.select(pages._posts_query(iri))
    involved = {iri} | {row[k] for row in facts for k in ("s", "o")} | {row["a"] for row in chain}
    involved |= {row[k] for row in posts for k in ("person", "unit")}
    store.select(pages._names_query(involved))
    return len(facts)


def print_queries(queries: dict[str, Any]) -> None:
    print(
        f"| canned queries p50 (median / slowest) | {queries['canned_p50_ms']:.1f} ms / "
        f"{queries['canned_max_p50_ms']:.1f} ms |"
    )
    if "kept" in queries:
        for key, what in [
            ("first_p50", "kept, first call on a version, JSON"),
            ("later_p50", "kept, later calls, JSON"),
            ("page_p50", "kept, first page of 100 rows"),
            ("http_first", "HTTP /query/NAME, first request on a version"),
            ("http_later_p50", "HTTP /query/NAME, later requests"),
        ]:
            median, slowest = queries[key + "_median_ms"], queries[key + "_max_ms"]
            print(f"| {what} (median / slowest) | {median:.1f} ms / {slowest:.1f} ms |")
        print(f"| warming every canned query (default parameters) | {queries['warm_s']:.1f} s |")
    print(
        f"| entity facts with evidence p50 (median / slowest of {queries['entities_measured']}) | "
        f"{queries['entity_p50_ms']:.1f} ms / {queries['entity_max_p50_ms']:.1f} ms |"
    )
    for name, row in queries["canned"].items():
        kept = queries.get("kept", {}).get(name)
        more = (
            f"; kept: first {kept['first_p50_ms']:.0f} ms, later {kept['later_p50_ms']:.1f} ms, page "
            f"{kept['page_p50_ms']:.2f} ms; HTTP page first {kept['http_first_ms']:.0f} ms, later "
            f"{kept['http_later_p50_ms']:.1f} ms"
            if kept
            else ""
        )
        direct = f"{row['p50_ms']:.1f} ms (CPU {row['cpu_p50_ms']:.1f} ms; {row['rows']} rows"
        print(f"|   {name} | {direct}{more}) |")


def measure_view(out: Path) -> dict[str, float]:
    """Wall time of ``kg view`` on the whole build, and the page's megabytes."""
    page = out / "scale-view.html"
    command = [str(ROOT / ".venv" / "bin" / "kg"), "view", "--graph", str(out), "--out", str(page)]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return {"seconds": time.perf_counter() - started, "mb": page.stat().st_size / 1e6}


def directory_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.resolve().rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=10.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--reps", type=int, default=5, help="timed runs per query (after a warm-up)")
    parser.add_argument("--entities", type=int, default=20, help="entities whose page query is timed")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpus and build here")
    parser.add_argument("--json", type=Path, default=None, help="also write the measurements here")
    parser.add_argument(
        "--queries-only", type=Path, default=None, metavar="OUT_DIR", help="only the queries, on this build"
    )
    args = parser.parse_args()
    if args.queries_only is not None:
        queries = measure_queries(args.queries_only / "store", args.reps, args.entities, args.seed)
        queries.update(measure_kept(args.queries_only, args.reps))
        if args.json:
            args.json.write_text(json.dumps(queries, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print("| measure | value |\n|---|---:|")
        print_queries(queries)
        return 0
    work = Path(tempfile.mkdtemp(prefix="kg-scale-")) if args.keep is None else args.keep
    corpus, out = work / "corpus", work / "out"
    if not (corpus / "manifest.json").exists():
        write_corpus(corpus, args.size_mb, seed=args.seed)
    files = len(list(corpus.glob("*.txt")))
    size = sum(p.stat().st_size for p in corpus.glob("*.txt"))
    build = run_build(corpus, out, args.jobs)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    queries = measure_queries(out / "store", args.reps, args.entities, args.seed)
    queries.update(measure_kept(out, args.reps))
    view = measure_view(out)
    result = {
        "corpus": {"files": files, "mb": size / 1e6, "chars": build["chars"]},
        "build": build,
        "timings_s": report["timings_s"],
        "counts": {
            k: report["counts"][k] for k in ("entities_total", "facts", "facts_total", "evidence", "triples")
        },
        "store_mb": directory_bytes(out / "store") / 1e6,
        # above 1 M triples a build writes no graph.ttl unless asked (kg.builder.outputs)
        "graph_ttl_mb": (out / "graph.ttl").stat().st_size / 1e6 if (out / "graph.ttl").exists() else 0.0,
        "queries": queries,
        "view": view,
    }
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    timings = ", ".join(f"{k} {v:.1f}" for k, v in report["timings_s"].items())
    print(f"corpus: {files} files, {size / 1e6:.1f} MB, {build['chars']:,} characters")
    print("| measure | value |\n|---|---:|")
    print(f"| kg build --jobs {args.jobs} | {build['seconds']:.0f} s ({build['chars_per_s']:,.0f} chars/s) |")
    print(f"| stages (s) | {timings} |")
    print(f"| peak RSS (all processes) | {build['peak_rss_mb']:,.0f} MB |")
    counts = report["counts"]
    print(f"| distinct facts / entities | {counts['facts_total']:,} / {counts['entities_total']:,} |")
    print(f"| triples (default graph) | {report['counts']['triples']:,} |")
    print(f"| store on disk / graph.ttl | {result['store_mb']:,.0f} MB / {result['graph_ttl_mb']:,.0f} MB |")
    print_queries(queries)
    print(f"| kg view (whole graph) | {view['seconds']:.1f} s, {view['mb']:.1f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
