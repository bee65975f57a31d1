"""Query benchmark: ontology/queries/*.rq on Oxigraph and on rdflib, on 100k and 1M synthetic triples.

The data comes from synthetic.py (beside this file): a seeded synthetic build of the project's own
shape, made by kg.rdf, one named graph per document plus, as the default graph, their union and the
triples kg.derive adds to it.

Each backend runs in a child process of its own, so peak RSS (getrusage; tracemalloc cannot see
Oxigraph's Rust allocations) is separable: (a) kg.store.GraphStore (Oxigraph on disk, bulk-loaded from
N-Quads and compacted, as ``kg build`` leaves it), (b) an in-memory rdflib Dataset parsing the same
N-Quads. Every query runs once to warm up, then up to --reps times within --budget seconds per query;
a single run past --timeout seconds is stopped (rdflib by an alarm, Oxigraph by killing its per-query
child process) and shown as "> N s".

    .venv/bin/python benchmarks/query_bench.py [--sizes 100k 1M] [--reps 20] [--queries DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synthetic import generate, parse_size  # beside this script, so on sys.path when it runs

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "ontology" / "queries"


# --- measuring, in child processes ---------------------------------------------------------------


def rss_mb() -> float:
    """Peak resident set size of this process so far, MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class RunTimeoutError(Exception):
    """A single run took longer than --timeout."""


def _alarm(*_: Any) -> None:
    raise RunTimeoutError


def time_query(run: Callable[[], int], reps: int, budget: float) -> dict[str, Any]:
    """One warm-up run, then up to ``reps`` timed runs while their total stays within ``budget`` s."""
    t0 = time.perf_counter()
    rows = run()
    warm = time.perf_counter() - t0
    times: list[float] = []
    if warm * reps > budget:
        times.append(warm)  # too slow to repeat: the warm-up run is the only sample
    while len(times) < reps and sum(times) <= budget and not (times and warm * reps > budget):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "reps": len(times),
        "rows": rows,
    }


def oxigraph_load(data: Path, store_dir: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    from kg.store import GraphStore

    baseline = rss_mb()
    started = time.perf_counter()
    store = GraphStore.open(store_dir)
    store.inner.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    load = time.perf_counter() - started
    disk = sum(f.stat().st_size for f in store_dir.rglob("*") if f.is_file())
    return {
        "load_s": load,
        "quads": len(store),
        "peak_rss_mb": rss_mb(),
        "baseline_rss_mb": baseline,
        "disk_mb": disk / 2**20,
    }


def oxigraph_query(store_dir: Path, text: str, args: argparse.Namespace) -> dict[str, Any]:
    from kg.store import GraphStore

    store = GraphStore.open(store_dir, read_only=True)
    result = time_query(lambda: sum(1 for _ in store.query(text)), args.reps, args.budget)
    return {**result, "peak_rss_mb": rss_mb()}


def rdflib_all(data: Path, queries: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    from rdflib import Dataset

    from kg.ontology import prefix_declarations

    warnings.simplefilter("ignore")  # rdflib's Dataset parser warns about its own deprecated API
    baseline = rss_mb()
    started = time.perf_counter()
    dataset = Dataset()
    dataset.parse(str(data), format="nquads")
    load = time.perf_counter() - started
    quads = sum(len(g) for g in dataset.graphs())  # every graph: named ones and the default
    prefixes = prefix_declarations()
    results: dict[str, Any] = {}
    signal.signal(signal.SIGALRM, _alarm)  # rdflib is pure Python, so an alarm can stop a run
    for name, text in queries.items():
        signal.alarm(args.timeout)
        try:
            results[name] = time_query(
                lambda t=text: sum(1 for _ in dataset.query(prefixes + t)), args.reps, args.budget
            )
        except RunTimeoutError:
            results[name] = {"timeout": args.timeout}
        finally:
            signal.alarm(0)
    return {
        "load_s": load,
        "quads": quads,
        "peak_rss_mb": rss_mb(),
        "baseline_rss_mb": baseline,
        "queries": results,
    }


def child(args: argparse.Namespace) -> None:
    queries = load_queries(Path(args.queries))
    if args.child == "oxigraph-load":
        result = oxigraph_load(Path(args.data), Path(args.store))
    elif args.child == "oxigraph-query":
        result = oxigraph_query(Path(args.store), queries[args.query], args)
    else:
        result = rdflib_all(Path(args.data), queries, args)
    json.dump(result, sys.stdout)


def load_queries(directory: Path) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(directory.glob("*.rq"))}


# --- the parent: generate, run the children, print the tables -------------------------------------


def run_child(mode: str, args: argparse.Namespace, timeout: float | None = None, **extra: str) -> Any:
    command = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--queries",
        args.queries,
        "--reps",
        str(args.reps),
        "--budget",
        str(args.budget),
        "--timeout",
        str(args.timeout),
    ]
    for key, value in extra.items():
        command += [f"--{key}", value]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    if done.returncode:
        raise SystemExit(f"{mode} child failed:\n{done.stderr}")
    return json.loads(done.stdout)


def measure_oxigraph(data: Path, queries: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Load once, then each query in a process of its own, so a run past --timeout can be killed."""
    store = data.with_suffix(".oxigraph")
    result = run_child("oxigraph-load", args, data=str(data), store=str(store))
    result["queries"] = {}
    for name in queries:
        try:
            # a warm-up run within the timeout is followed by runs within the budget, or by none
            # when it alone would exhaust the budget (time_query), so this bounds a healthy child
            measured = run_child(
                "oxigraph-query", args, args.timeout + args.budget + 30, store=str(store), query=name
            )
        except subprocess.TimeoutExpired:
            measured = {"timeout": args.timeout}
        result["queries"][name] = measured
        result["peak_rss_mb"] = max(result["peak_rss_mb"], measured.get("peak_rss_mb", 0))
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds * 1000:.0f}"


def cell(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return "—"
    if "timeout" in result:
        return f"> {result['timeout']} s"
    note = "" if result["reps"] >= 5 else f" ({result['reps']} run{'s' if result['reps'] > 1 else ''})"
    return f"{ms(result['p50'])} / {ms(result['p95'])}{note}"


def speedup(ox_r: dict[str, Any], rdf_r: dict[str, Any]) -> float | None:
    """rdflib p50 / Oxigraph p50; a lower bound when rdflib timed out; None when Oxigraph did."""
    if "timeout" in ox_r or "skipped" in rdf_r:
        return None
    return float(rdf_r.get("timeout", rdf_r.get("p50", 0))) / ox_r["p50"]


def report(runs: dict[int, dict[str, Any]], queries: list[str]) -> str:
    sizes = sorted(runs)
    head = [
        f"{label(n)} Oxigraph p50 / p95 ms | {label(n)} rdflib p50 / p95 ms | {label(n)} ×" for n in sizes
    ]
    lines = ["| query | " + " | ".join(head) + " |", "|---|" + "---:|---:|---:|" * len(sizes)]
    for q in queries:
        row = [q]
        for n in sizes:
            ox_r, rdf_r = runs[n]["oxigraph"]["queries"][q], runs[n]["rdflib"]["queries"][q]
            ratio = speedup(ox_r, rdf_r)
            text = "?" if ratio is None else f"{'> ' if 'timeout' in rdf_r else ''}{ratio:.0f}"
            if "rows" in ox_r and "rows" in rdf_r and ox_r["rows"] != rdf_r["rows"]:
                text += f" (rows {ox_r['rows']} ≠ {rdf_r['rows']})"
            row += [cell(ox_r), cell(rdf_r), text]
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "| size | backend | quads | load s | peak RSS MB (Δ) | on disk MB | median × |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        ratios = [
            r
            for q in queries
            if (r := speedup(runs[n]["oxigraph"]["queries"][q], runs[n]["rdflib"]["queries"][q])) is not None
        ]
        for backend in ("oxigraph", "rdflib"):
            r = runs[n][backend]
            if "skipped" in r:
                continue
            median = f"{statistics.median(ratios):.0f}" if backend == "oxigraph" and ratios else ""
            disk = f"{r['disk_mb']:.0f}" if "disk_mb" in r else "in memory"
            lines.append(
                f"| {label(n)} | {backend} | {r['quads']:,} | {r['load_s']:.1f} | {r['peak_rss_mb']:.0f} "
                f"({r['peak_rss_mb'] - r['baseline_rss_mb']:+.0f}) | {disk} | {median} |"
            )
    return "\n".join(lines)


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["100k", "1M"], help="default-graph triples")
    parser.add_argument("--reps", type=int, default=20, help="timed runs per query (after a warm-up)")
    parser.add_argument("--queries", default=str(QUERIES), help="directory of .rq files")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds of timed runs per query")
    parser.add_argument("--timeout", type=int, default=120, help="seconds for a single run")
    parser.add_argument("--json", help="also write the raw measurements here")
    parser.add_argument("--no-rdflib", action="store_true", help="measure Oxigraph only (to try out queries)")
    parser.add_argument(
        "--child", choices=["oxigraph-load", "oxigraph-query", "rdflib"], help=argparse.SUPPRESS
    )
    for hidden in ("--data", "--store", "--query"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    queries = list(load_queries(Path(args.queries)))
    if not queries:
        raise SystemExit(f"no .rq files in {args.queries}")
    runs: dict[int, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="kg-query-bench-") as tmp:
        for size in map(parse_size, args.sizes):
            data = Path(tmp) / f"synthetic-{size}.nq"
            t0 = time.perf_counter()
            stats = generate(size, args.seed, data)
            print(f"{label(size)}: generated {stats} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            runs[size] = {"generated": stats, "oxigraph": measure_oxigraph(data, queries, args)}
            print(f"{label(size)}: Oxigraph measured", file=sys.stderr)
            if args.no_rdflib:
                runs[size]["rdflib"] = {"skipped": True, "queries": {q: {"skipped": True} for q in queries}}
            else:
                runs[size]["rdflib"] = run_child("rdflib", args, data=str(data))
                print(f"{label(size)}: rdflib measured", file=sys.stderr)
            shutil.rmtree(data.with_suffix(".oxigraph"))
            data.unlink()
            if args.json:  # after every size, so a long run leaves what it measured
                Path(args.json).write_text(json.dumps({label(n): r for n, r in runs.items()}, indent=1))
    print(report(runs, queries))
    print()
    print(goals(runs, queries))


def goals(runs: dict[int, dict[str, Any]], queries: list[str]) -> str:
    largest = max(runs)
    results = runs[largest]["oxigraph"]["queries"]
    slow = [q for q in queries if "timeout" in results[q] or results[q]["p50"] >= 0.2]
    ratios = [
        r for q in queries if (r := speedup(results[q], runs[largest]["rdflib"]["queries"][q])) is not None
    ]
    median = statistics.median(ratios) if ratios else 0.0
    return (
        f"Goal: Oxigraph p50 < 200 ms for every query at {label(largest)}: "
        + ("met" if not slow else f"NOT met by {', '.join(slow)}")
        + f"\nGoal: median speed-up >= 20× at {label(largest)}: "
        + (f"{median:.0f}× -> {'met' if median >= 20 else 'NOT met'}" if ratios else "n/a (no rdflib runs)")
    )


if __name__ == "__main__":
    main()
