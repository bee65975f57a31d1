"""Engines that process documents: in this process, in a pool of processes, or on a Dask cluster.

An engine maps ``kg.builder.documents.process_documents`` over chunks of files and the segments of
long files, and yields one ``DocResult`` per file; which files to process is the caller's choice.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from kg.builder.documents import (
    DocResult,
    Task,
    analyse_segment_task,
    chunk_tasks,
    process_documents,
    process_long,
    split_long,
)
from kg.divisions import division_table
from kg.errors import KGError
from kg.signals import stop_workers, workers_ignore_sigint

ENGINES = ("local", "dask")


def _init_worker(threads: int) -> None:
    from kg.nlp.lac import THREADS_ENV

    # a worker started after the submitting block (segments of a long file) ignores Ctrl-C too
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ[THREADS_ENV] = str(threads)


# Below this many bytes of files a build runs in its own process: starting workers (a process each,
# importing and loading the models) costs more than the second core saves. Measured on the corpus
# pages on 2 cores: 78 kB build in half the time without workers, 311 kB as fast either way.
POOL_MIN_BYTES = 400_000


def _needs_workers(short: list[Task], long: list[Task], jobs: int) -> bool:
    """Whether the files are worth starting ``jobs`` worker processes for."""
    if jobs <= 1:
        return False
    if long:
        return True  # their segments are spread over the workers
    size = 0
    for task in short:
        try:
            size += os.path.getsize(task.path)
        except OSError:
            continue  # processing reports why it cannot be read
    return size >= POOL_MIN_BYTES


def run_local(tasks: list[Task], jobs: int, segment_chars: int) -> Iterator[DocResult]:
    """Process files here (``jobs`` 1, or a single chunk) or in a pool of ``jobs`` spawned processes.

    Results come in no fixed order; long files are read here and their segments spread over the pool.
    """
    short, long = split_long(tasks, segment_chars)
    if not _needs_workers(short, long, jobs):
        jobs = 1
    chunks = chunk_tasks(short, workers=jobs)
    if jobs <= 1 or (not long and len(chunks) <= 1):
        for chunk in chunks:
            yield from process_documents(chunk)
        for task in long:
            yield process_long(task, partial(map, analyse_segment_task), segment_chars=segment_chars)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: onnxruntime's thread pools do not survive a fork of a process that used them;
    # one onnxruntime thread per worker, since the workers already use every core
    context = multiprocessing.get_context("spawn")
    threading.Thread(target=_import_output_modules, daemon=True).start()
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(1,))
    finished = False
    try:
        # every chunk is queued first: the workers process them while this process reads long files,
        # whose segments queue behind them; workers keep their pipeline between tasks. Submitting
        # starts the workers: Ctrl-C is the parent's alone (kg.signals)
        with workers_ignore_sigint(), _main_script_hidden():
            futures = [pool.submit(process_documents, chunk) for chunk in chunks]
        for n, task in enumerate(long):
            # after the last long document's segments nothing is left for the workers: they exit
            # before its merge, which would otherwise hold its memory beside theirs
            release = partial(pool.shutdown, wait=True) if n == len(long) - 1 else None
            analyse = partial(pool.map, analyse_segment_task)
            yield process_long(task, analyse, segment_chars=segment_chars, analysed=release)
        for future in futures:
            yield from future.result()
        finished = True
    except KeyboardInterrupt:
        stop_workers(pool)
        raise
    finally:
        # once every result is in, the workers exit while the build writes its outputs
        pool.shutdown(wait=not finished, cancel_futures=not finished)


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start spawned workers without running this process's main script in each of them.

    spawn runs the parent's ``__main__`` in every new process (as ``__mp_main__``), so that functions
    defined there can be unpickled. The workers' functions all live in ``kg``, and the main script
    is the ``kg`` command: its imports (click, rdflib, pyvis, IPython ...) cost every worker 0.3 s
    before its first document (``python -m kg`` never had the cost: spawn skips ``__main__``
    modules). Workers start on submission, so hiding the script's file and module name meanwhile
    is enough.
    """
    main = sys.modules["__main__"]
    saved: dict[str, Any] = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__dict__["__spec__"] = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def _import_output_modules() -> None:
    """Import what writing the outputs needs while the workers run, instead of after them."""
    # imported here, not at the top: kg.views brings pyvis and networkx, a quarter of a second that
    # a build without workers (`kg add` of an article) may never need
    from kg.views.layout import import_layout_engine

    import_layout_engine()
    import pypinyin  # noqa: F401  (about half a second: its tables)

    division_table()  # the reference facts of the assembly; half a second, then cached
    from kg.validate import prepare_validation

    prepare_validation()  # pyshacl's import and the shapes: the SHACL check then runs without the GIL


#: How long ``--scheduler`` may take to answer before the build gives up.
SCHEDULER_TIMEOUT_S = 5


def run_dask(tasks: list[Task], scheduler: str | None, segment_chars: int) -> Iterator[DocResult]:
    """Process files on the Dask cluster at ``scheduler`` (a local one if None); results in task order.

    Raises:
        KGError: No Dask scheduler answers at ``scheduler``.
        ImportError: dask.distributed is not installed.
    """
    try:
        from dask.distributed import Client, as_completed
    except ImportError as exc:
        raise ImportError("the dask engine needs dask.distributed: pip install 'dask[distributed]'") from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        # refused, unreachable, not an address, or something else answering (its bytes misread as a
        # frame length, seen as a MemoryError): in every case there is no scheduler to use
        except Exception as exc:
            if isinstance(exc, (OSError, TimeoutError)):
                why = f"nothing answered within {SCHEDULER_TIMEOUT_S} s"
            elif isinstance(exc, ValueError):
                why = "not an address Dask understands, e.g. tcp://host:8786"
            else:
                why = "something other than a Dask scheduler answered"
            raise KGError(
                f"--scheduler {scheduler}: no Dask scheduler ({why}); "
                "check the address or leave out --scheduler for a local cluster"
            ) from None
    else:
        client = Client(processes=True, dashboard_address=None)
    try:
        short, long = split_long(tasks, segment_chars)
        futures = client.map(process_documents, chunk_tasks(short), pure=False)
        results: dict[str, DocResult] = {}
        for task in long:
            analyse = partial(_dask_map, client, analyse_segment_task)
            results[task.doc_id] = process_long(task, analyse, segment_chars=segment_chars)
        for future in as_completed(futures):
            for result in future.result():
                results[result.doc_id] = result
            future.release()
        yield from (results[t.doc_id] for t in tasks)
    finally:
        client.close()


def _dask_map(client: Any, function: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
    """``map`` on a Dask cluster: results in order, each released once taken."""
    futures = client.map(function, list(items), pure=False)
    for future in futures:
        yield future.result()
        future.release()


def default_jobs() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def analyse_ahead(tasks: list[Task], segment_chars: int) -> Callable[[], dict[str, DocResult]]:
    """Start processing a few files in a forked process at once; the returned call collects the results.

    ``kg add`` of an article spends about as long loading the models and analysing the article as it
    does reading the results of every other document from the snapshot; the two are independent, so
    the article is analysed in a child process (a fork: no imports again, the models not loaded yet
    in the parent) while the parent reads. The call returns the results by document id, or {} when
    the child failed (the caller then processes the files itself, and reports their errors).
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_analyse_and_send, args=(tasks, segment_chars, sending), daemon=True)
    child.start()
    sending.close()

    def collect() -> dict[str, DocResult]:
        try:
            results: list[DocResult] = receiving.recv()
        except (EOFError, OSError):
            results = []  # the child died: the caller processes the files itself
        finally:
            receiving.close()
            child.join()
        return {r.doc_id: r for r in results}

    return collect


def _analyse_and_send(tasks: list[Task], segment_chars: int, sending: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's, which then ends this process
    try:
        results = list(run_local(tasks, 1, segment_chars))
    except BaseException:  # noqa: BLE001 - any failure: the parent processes the files itself
        results = []
    sending.send(results)
    sending.close()
