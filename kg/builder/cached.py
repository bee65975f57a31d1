"""Use the per-document cache in a build: take a file's entry when it still stands for it, write new ones.

The entry format is ``kg.cache``'s; this module decides which entry stands for which file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg import cache
from kg.builder.documents import DocResult, Task
from kg.cache import EntryKey
from kg.errors import StoreError


def cached_result(out_dir: Path, task: Task) -> DocResult | None:
    """The cached result of a file if its entry was made from the same bytes, manifest entry and code."""
    try:
        digest = hashlib.sha256(Path(task.path).read_bytes()).hexdigest()
    except OSError:
        return None  # processing reports why it cannot be read
    entry = cache.lookup(out_dir, EntryKey(task.doc_id, digest, task.meta))
    return None if entry is None else DocResult(task.doc_id, entry.info, entry.candidates, cached=True)


def store_result(out_dir: Path, task: Task, result: DocResult) -> None:
    """Write the cache entry of a freshly processed file (nothing for a file that was skipped).

    Raises:
        StoreError: The entry cannot be written.
    """
    if result.info is not None:
        cache.write_entry(
            out_dir, EntryKey(task.doc_id, result.info.sha256, task.meta), result.info, result.candidates
        )


def report_results(
    out_dir: Path, report: dict[str, Any], *, leave_out: Iterable[str] = ()
) -> list[DocResult]:
    """The per-document results of the build that wrote ``report``, in report order.

    Each comes from the cache entry of the file's version the build used (the report's sha256).

    Args:
        out_dir: The output directory of the build.
        report: Its report.json.
        leave_out: Documents not to read (``remove`` does not need their entries).

    Raises:
        StoreError: A document's entry is missing, damaged or of another version of the file (a later
            build that failed); ``kg build`` again repairs it.
    """
    skip = set(leave_out)
    results = []
    for row in report["documents"]:
        if row["status"] != "ok" or row["doc_id"] in skip:
            continue
        entry = cache.read_entry(out_dir, row["doc_id"])
        if entry is None or entry.info.sha256 != row.get("sha256", entry.info.sha256):
            raise StoreError(
                f"{out_dir}: the cache entry of {row['doc_id']} is missing, damaged or of another version "
                "of the file; run `kg build` again"
            )
        results.append(DocResult(row["doc_id"], entry.info, entry.candidates, cached=True))
    return results
