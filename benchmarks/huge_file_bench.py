"""One huge file: `kg build` of a single ~50 MB document, wall time and peak memory at --jobs 2 and 1.

Writes one file of at least ``--size-mb`` megabytes into a temporary directory: the corpus pages
(corpus/*.txt) one after another, again and again, each copy with its numbers shifted by the copy's
number (3 becomes 3+k), so the sentences of one copy differ from those of another as news pages
would. Then, for each ``--jobs`` value, times ``kg build`` into a fresh output directory and samples
the resident memory of its whole process tree (the build and its workers, summed) five times a
second with psutil, and its CPU time (all processes: above the wall time, more than one core worked).

    .venv/bin/python benchmarks/huge_file_bench.py --size-mb 50 --jobs 2 1
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NUMBER = re.compile(r"\d+")


def make_huge_file(path: Path, size_mb: float) -> tuple[int, int]:
    """Write the corpus pages into ``path`` until it holds ``size_mb`` megabytes; (bytes, characters)."""
    pages = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    size = chars = copy = 0
    with path.open("w", encoding="utf-8") as handle:
        while size < size_mb * 1_000_000:
            for page in pages:
                shifted = _NUMBER.sub(lambda m, k=copy: str(int(m.group()) + k), page)
                text = shifted.rstrip("\n") + "\n\n"
                handle.write(text)
                size += len(text.encode("utf-8"))
                chars += len(text)
            copy += 1
    return size, chars


def tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, summed (0 once it is gone)."""
    import psutil

    try:
        process = psutil.Process(pid)
        family = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in family:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            continue  # a worker that just exited
    return total


def run_build(corpus: Path, out: Path, jobs: int) -> dict[str, float]:
    """Time one `kg build` and sample the peak RSS of its process tree."""
    command = [str(ROOT / ".venv" / "bin" / "kg"), "build", str(corpus), "--out", str(out)]
    command += ["--jobs", str(jobs), "-q"]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(command)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    if code:
        raise SystemExit(f"kg build --jobs {jobs} failed with exit code {code}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {
        "jobs": jobs,
        "seconds": seconds,
        "cpu_s": _children_cpu() - cpu_before,
        "peak_rss_mb": peak / 2**20,
        "facts": report["counts"]["facts_total"],
        "triples": report["counts"]["triples"],
    }


def _children_cpu() -> float:
    """CPU seconds of the waited-for child processes (kg build and, through it, its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0)
    parser.add_argument("--jobs", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--keep", type=Path, default=None, help="keep the file and builds here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-huge-bench-")) if args.keep is None else args.keep
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    size, chars = make_huge_file(corpus / "huge.txt", args.size_mb)
    print(f"one file: {size / 1e6:.1f} MB, {chars:,} characters")
    print("| --jobs | wall time | CPU time | peak RSS (all processes) | facts | triples |")
    print("|---:|---:|---:|---:|---:|---:|")
    try:
        for jobs in args.jobs:
            out = work / f"out-{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            row = run_build(corpus, out, jobs)
            print(
                f"| {jobs} | {row['seconds']:.0f} s | {row['cpu_s']:.0f} s | {row['peak_rss_mb']:,.0f} MB | "
                f"{row['facts']:,} | {row['triples']:,} |",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
