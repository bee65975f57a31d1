"""Query results kept per store version (kg.queries.cache, kg.queries.kept): equal to uncached results,
never served for another version, whole under concurrency, bounded on disk.

The fast tests use small stores written here; the slow ones a real build (the session's corpus
build, copied so that its results stay its own) and `kg add`, `kg remove` and `kg build` on it.
"""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.queries import FORMATS, canned_queries, query_text
from kg.queries.cache import CACHE_DIR, PAGE_ROWS, ResultCache, store_stamp
from kg.queries.kept import cached_query_text, kept_result, warm_canned
from kg.store import GraphStore

from .conftest import CORPUS, numbered_store
from .conftest import EXAMPLE as EX

slow = pytest.mark.slow

ROWS = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"


def _store(path: Path, n: int) -> Path:
    """A store version at ``path`` with ``n`` triples (subjects s0000..), and a ``store`` link to it."""
    path.mkdir(parents=True)
    numbered_store(
        path / "store.1", n, lambda i: f"值\t{i}\n"
    )  # a tab and a newline to escape; closed at once
    (path / "store").symlink_to("store.1")
    return path / "store"


def test_every_format_equals_the_uncached_result_on_first_and_later_calls(tmp_path):
    link = _store(tmp_path / "out", 250)
    store = GraphStore.open(link, read_only=True)
    for fmt in FORMATS:
        expected = query_text(store, ROWS, fmt, max_width=8)
        first = cached_query_text(link, ROWS, fmt, max_width=8)
        again = cached_query_text(link, ROWS, fmt, max_width=8)
        # the TSV every format is made from is kept on the first call of any format
        assert first == (*expected, fmt == "tsv" and fmt != FORMATS[0]), fmt
        assert again == (*expected, True), fmt
    empty = "SELECT ?s WHERE { ?s <urn:none> ?o }"
    for fmt in FORMATS:
        assert (
            cached_query_text(link, empty, fmt)[:2]
            == query_text(store, empty, fmt)
            == (
                query_text(store, empty, fmt)[0],
                True,
            )
        )
    ask = "ASK { ?s ?p ?o }"
    assert cached_query_text(link, ask, "json")[0] == query_text(store, ask, "json")[0]
    described = f"DESCRIBE <{EX}s0001>"
    assert cached_query_text(link, described, "csv")[0] == query_text(store, described, "csv")[0]


def test_a_page_of_rows_is_the_rows_of_the_whole_tsv(tmp_path):
    link = _store(tmp_path / "out", 2 * PAGE_ROWS + 7)
    entry, hit = kept_result(ResultCache(link), ROWS, "tsv")
    assert entry is not None and not hit and entry.rows == 2 * PAGE_ROWS + 7
    header, *lines = entry.body().split(b"\n")[:-1]
    for start, count in [(0, 5), (PAGE_ROWS - 2, 4), (2 * PAGE_ROWS + 5, 10), (500, 3)]:
        assert entry.tsv_rows(start, count) == (header, lines[start : start + count])


def test_a_new_store_version_starts_without_the_results_of_the_last(tmp_path):
    link = _store(tmp_path / "out", 3)
    before = cached_query_text(link, ROWS, "csv")[0]
    # what a build does: a copy of the version (RocksDB's files only), changed, and the link swapped
    GraphStore.open(link, read_only=True).inner.backup(str(tmp_path / "out" / "store.2"))
    assert not (tmp_path / "out" / "store.2" / CACHE_DIR).exists()
    store = GraphStore.open(tmp_path / "out" / "store.2")
    store.inner.add(
        ox.Quad(ox.NamedNode(f"{EX}new"), ox.NamedNode(f"{EX}p"), ox.Literal("x"), ox.DefaultGraph())
    )
    store.flush()
    del store
    (tmp_path / "out" / "store").unlink()
    (tmp_path / "out" / "store").symlink_to("store.2")
    after, _, hit = cached_query_text(link, ROWS, "csv")
    assert not hit and after != before and f"{EX}new" in after


def test_results_copied_along_or_a_store_written_in_place_are_not_served(tmp_path):
    link = _store(tmp_path / "out", 3)
    version = link.resolve()
    cached_query_text(link, ROWS, "tsv")
    stamp = store_stamp(version)
    store = GraphStore.open(link, read_only=True)
    del store
    assert store_stamp(version) == stamp  # reading changes nothing
    store = GraphStore.open(version)  # a writer, in place
    store.inner.add(
        ox.Quad(ox.NamedNode(f"{EX}late"), ox.NamedNode(f"{EX}p"), ox.Literal("y"), ox.DefaultGraph())
    )
    store.flush()
    del store
    assert store_stamp(version) != stamp
    text, _, hit = cached_query_text(link, ROWS, "tsv")
    assert not hit and f"{EX}late" in text
    # a version copied whole, results and all, under another name
    shutil.copytree(version, tmp_path / "out" / "store.7")
    assert not cached_query_text(tmp_path / "out" / "store.7", ROWS, "tsv")[2]


def test_the_least_recently_read_results_go_past_the_size_bound(tmp_path):
    link = _store(tmp_path / "out", 50)
    cache = ResultCache(link, max_bytes=1)  # keeps only the entry just made
    queries = [f"{ROWS} LIMIT {n}" for n in (10, 20, 30)]
    for sparql in queries:
        assert kept_result(cache, sparql, "tsv")[0] is not None
    kept = [p.name for p in (link.resolve() / CACHE_DIR).iterdir() if not p.name.startswith(".")]
    assert kept == [cache.key(queries[-1], "tsv")]
    assert kept_result(cache, queries[0], "tsv")[1] is False  # computed again


def _fetch_counting(args: tuple[str, str]) -> bytes:
    link, log = args
    cache = ResultCache(Path(link))

    def write(out):  # noqa: ANN001, ANN202 - a test's write function
        with open(log, "a", encoding="utf-8") as f:
            f.write("computed\n")
        return {"kind": "select", "empty": False, **_slow_tsv(out)}

    entry, _ = cache.fetch(cache.key("q", "tsv"), write)
    assert entry is not None
    return entry.body()


def _slow_tsv(out):  # noqa: ANN001, ANN202
    import time

    for i in range(20):
        out.write(f"<{EX}s{i}>\n".encode())
        time.sleep(0.01)  # long enough for the other processes to arrive while this one writes
    return {}


def test_concurrent_first_requests_compute_once_and_all_read_the_whole_entry(tmp_path):
    link = _store(tmp_path / "out", 1)
    log = tmp_path / "log"
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        bodies = pool.map(_fetch_counting, [(str(link), str(log))] * 4)
    assert len(set(bodies)) == 1 and bodies[0].count(b"\n") == 20
    assert log.read_text(encoding="utf-8") == "computed\n"


# --- on a real build ------------------------------------------------------------------------------------


@pytest.fixture
def build_copy(corpus_build, tmp_path):
    """A copy of the session's corpus build (store link and all), so its kept results are its own."""
    out, _ = corpus_build
    copy = tmp_path / "build"
    shutil.copytree(out, copy, symlinks=True, ignore=shutil.ignore_patterns(CACHE_DIR, ".lock"))
    return copy


def _kg_query(*args: str) -> str:
    result = CliRunner().invoke(main, ["query", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@slow
def test_every_canned_query_in_every_format_is_the_same_cached_and_uncached(build_copy):
    store = GraphStore.open(build_copy / "store", read_only=True)
    for name, query in canned_queries().items():
        for fmt in FORMATS:
            expected = query_text(store, query.text, fmt, max_width=60)
            first = cached_query_text(build_copy / "store", query.text, fmt, max_width=60)
            assert first[:2] == expected and first[2] == (fmt == "tsv"), (name, fmt)
            assert cached_query_text(build_copy / "store", query.text, fmt, max_width=60) == (*expected, True)
            uncached = _kg_query(name, "--graph", str(build_copy), "-f", fmt, "--no-cache")
            assert _kg_query(name, "--graph", str(build_copy), "-f", fmt) == uncached, (name, fmt)
    assert any(query_text(store, q.text, "tsv")[0].count("\n") > 5 for q in canned_queries().values())


@slow
def test_warming_keeps_every_canned_query_with_its_default_parameters(build_copy):
    assert set(warm_canned(build_copy / "store").values()) == {True}
    for query in canned_queries().values():
        assert kept_result(ResultCache(build_copy / "store"), query.text, "tsv")[1] is True


NEW = "兴安盟突泉县水泉镇胜泉村。突泉县农业农村局派驻水泉镇胜泉村驻村第一书记杜伟华说，村里新建了养殖场。"


@slow
def test_kg_query_follows_add_remove_and_rebuild_never_serving_an_old_result(build_copy, tmp_path):
    def listing() -> str:
        text = _kg_query("facts-per-document", "--graph", str(build_copy), "-f", "csv")
        assert text == _kg_query("facts-per-document", "--graph", str(build_copy), "-f", "csv", "--no-cache")
        return text

    before = listing()
    assert listing() == before  # read back
    new = tmp_path / "tuquan-new-2024.txt"
    new.write_text(NEW, encoding="utf-8")
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    runner = CliRunner()
    added = runner.invoke(main, ["add", str(new), "--out", str(build_copy), "--corpus", str(corpus)])
    assert added.exit_code == 0, added.output
    after_add = listing()
    assert after_add != before and "tuquan-new-2024.txt" in after_add
    removed = runner.invoke(main, ["remove", "tuquan-new-2024.txt", "--graph", str(build_copy)])
    assert removed.exit_code == 0, removed.output
    assert listing() == before
    (corpus / "tuquan-new-2024.txt").write_text(NEW, encoding="utf-8")
    rebuilt = runner.invoke(main, ["build", str(corpus), "--out", str(build_copy), "-q"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert listing() == after_add


def test_what_a_killed_writer_left_goes_and_what_a_live_one_writes_stays(tmp_path):
    from filelock import FileLock

    link = _store(tmp_path / "out", 5)
    cache = ResultCache(link)
    folder = link.resolve() / CACHE_DIR
    folder.mkdir()
    orphan = folder / f".{'a' * 64}.x1.tmp"  # its writer died: no one holds its lock
    orphan.write_bytes(b"partial")
    live = folder / f".{'b' * 64}.x2.tmp"
    live.write_bytes(b"being written")
    with FileLock(folder / f".{'b' * 64}.lock"):
        assert kept_result(cache, ROWS, "tsv")[0] is not None
    assert not orphan.exists() and live.exists()


def test_where_nothing_can_be_kept_the_query_runs_as_before(tmp_path):
    link = _store(tmp_path / "out", 5)
    (link.resolve() / CACHE_DIR).write_text("not a folder", encoding="utf-8")  # so nothing can be written
    store = GraphStore.open(link, read_only=True)
    for _ in range(2):
        assert cached_query_text(link, ROWS, "json") == (*query_text(store, ROWS, "json"), False)
    assert kept_result(ResultCache(link), ROWS, "tsv") == (None, False)
