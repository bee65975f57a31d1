"""The Dask engine on a real cluster: `dask scheduler` and two `dask worker` processes, against `--jobs 2`.

Writes ``--size-mb`` megabytes with synthetic_corpus.py (beside this file), then in one run:

- starts ``dask scheduler`` on a free loopback port and two ``dask worker`` processes (one process and
  one thread each, as the local engine's two workers), waits until both have joined;
- times ``kg build --engine dask --scheduler tcp://…`` (fresh output directory) and samples the resident
  memory of the build, the scheduler and the workers together;
- times ``kg build --jobs 2`` (the local engine) on the same corpus the same way;
- checks that both builds wrote the same graph.ttl, and stops the cluster.

    .venv/bin/python benchmarks/dask_bench.py --size-mb 1
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from build_bench import tree_rss  # beside this script, so on sys.path when it runs
from served import free_port
from synthetic_corpus import write_corpus

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
WORKERS = 2
JOIN_TIMEOUT_S = 120


class Cluster:
    """A scheduler and ``WORKERS`` workers as separate processes, as an analyst would start them."""

    def __init__(self, work: Path) -> None:
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.log = (work / "cluster.log").open("wb")
        port = self.address.rsplit(":", 1)[1]
        self.processes = [
            subprocess.Popen(
                [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"],
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
        ]
        for n in range(WORKERS):
            self.processes.append(
                subprocess.Popen(
                    [
                        str(BIN / "dask"),
                        "worker",
                        self.address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--name",
                        f"kg-bench-{n}",
                        "--local-directory",
                        str(work / f"worker-{n}"),
                    ],
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                )
            )
        self._wait_for_workers()

    def _wait_for_workers(self) -> None:
        from dask.distributed import Client

        deadline = time.monotonic() + JOIN_TIMEOUT_S
        while True:  # the scheduler itself may not listen yet
            try:
                with Client(self.address, timeout=5) as client:
                    client.wait_for_workers(WORKERS, timeout=max(1.0, deadline - time.monotonic()))
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the cluster did not start; see {self.log.name}") from None
                time.sleep(0.5)

    def rss(self) -> int:
        return sum(tree_rss(p.pid) for p in self.processes)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.log.close()


def timed_build(corpus: Path, out: Path, extra: list[str], cluster: Cluster | None) -> dict[str, float]:
    """Wall time of one ``kg build`` and the peak RSS of it plus the cluster's processes."""
    command = [str(BIN / "kg"), "build", str(corpus), "--out", str(out), "-q", *extra]
    started = time.perf_counter()
    proc = subprocess.Popen(command)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid) + (cluster.rss() if cluster else 0))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    stop.set()
    sampler.join()
    if code:
        raise SystemExit(f"kg build {' '.join(extra)} failed with exit code {code}")
    seconds = time.perf_counter() - started
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    chars = sum(r.get("chars", 0) for r in report["documents"])
    return {"seconds": seconds, "chars_per_s": chars / seconds, "peak_rss_mb": peak / 2**20, "chars": chars}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, default=None, help="keep the corpus and both builds here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-dask-bench-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus"
    files, size = write_corpus(corpus, args.size_mb)
    os.environ.setdefault("PYTHONPATH", str(ROOT))  # the workers import the same kg as this script
    cluster = Cluster(work)
    try:
        dask = timed_build(
            corpus, work / "out-dask", ["--engine", "dask", "--scheduler", cluster.address], cluster
        )
    finally:
        cluster.stop()
    local = timed_build(corpus, work / "out-local", ["--jobs", str(WORKERS)], None)
    same = (work / "out-dask" / "graph.ttl").read_bytes() == (work / "out-local" / "graph.ttl").read_bytes()
    print(f"corpus: {files} files, {size / 1e6:.1f} MB, {local['chars']:,} characters")
    print("| engine | wall time | chars/s | peak RSS (build + cluster) |\n|---|---:|---:|---:|")
    for name, row in (("dask, scheduler + 2 workers", dask), (f"local, --jobs {WORKERS}", local)):
        print(
            f"| {name} | {row['seconds']:.1f} s | {row['chars_per_s']:,.0f} | {row['peak_rss_mb']:,.0f} MB |"
        )
    print(f"graph.ttl identical: {'yes' if same else 'NO'}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
