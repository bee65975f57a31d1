"""Canned queries as pages of `kg serve` (kg.server.listings) and the kept answers behind them.

Without a server: the page's HTML, and a worker's kept answers against its direct ones. With the real
server (slow): every canned query's downloads against `kg query`'s direct results, pages of rows, the
background warming, and a listing that follows `kg add` and `kg remove` on the running server.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kg.pipeline import add, remove
from kg.queries import canned_queries, query_text
from kg.queries.cache import CACHE_DIR, ResultCache
from kg.server.guard import page_policy
from kg.server.listings import listing_page
from kg.server.worker import KEPT_TYPE, ROWS_TYPE, QueryRequest, answer
from kg.store import GraphStore

from .conftest import CORPUS, numbered_store
from .serving import kg_serve

slow = pytest.mark.slow
ROWS = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"


def _store(path: Path, n: int) -> GraphStore:
    return numbered_store(path, n, lambda i: f"<b>{i}</b>")  # markup the page must escape


def test_a_kept_answer_is_the_direct_answer_and_pages_are_its_rows(tmp_path):
    store = _store(tmp_path / "store.1", 30)
    cache = ResultCache(tmp_path / "store.1")
    for accept in ("text/csv", "application/sparql-results+json", "application/sparql-results+xml", ""):
        direct = answer(store, QueryRequest(ROWS, accept))
        for _ in range(2):  # computed, then read back
            status, media, body = answer(store, QueryRequest(ROWS, accept, max_bytes=100, keep=True), cache)
            where = json.loads(body)  # where it lies, for the server to stream: no size limit applies
            assert (status, media, where["type"]) == (200, KEPT_TYPE, direct[1])
            with open(where["path"], "rb") as kept:
                kept.seek(where["start"])
                assert kept.read() == direct[2]
        assert answer(store, QueryRequest(ROWS, accept, keep=True), None) == direct  # nothing kept
    tsv = query_text(store, ROWS, "tsv")[0].splitlines()
    for cache_or_none in (cache, None):
        status, media, body = answer(store, QueryRequest(ROWS, keep=True, rows=(10, 5)), cache_or_none)
        assert (status, media) == (200, ROWS_TYPE)
        assert json.loads(body) == {"rows": 30, "tsv": "\n".join([tsv[0], *tsv[11:16]]) + "\n"}
    small = QueryRequest(ROWS, "text/csv", max_bytes=100, keep=True)
    assert answer(store, small, None)[0] == 503  # made in memory where nothing can be kept: limited


def test_the_page_escapes_values_and_links_its_neighbours():
    query = canned_queries()["person-posts"]
    rows = [(ox.Literal("<script>x</script>"), ox.NamedNode("https://w3id.org/kgzh/id/person/董晶"))]
    text = listing_page(query, {"name": "董晶"}, ["a", "b"], rows, total=250, number=2, size=100)
    assert "<script>x" not in text and "&lt;script&gt;x&lt;/script&gt;" in text
    assert 'href="../entity/person/%E8%91%A3%E6%99%B6"' in text
    assert 'href="?name=%E8%91%A3%E6%99%B6&amp;page=1" rel="prev"' in text
    assert 'href="?name=%E8%91%A3%E6%99%B6&amp;page=3" rel="next"' in text
    assert "第 2 / 3 页" in text and "共 250 行，显示第 101–101 行" in text
    assert 'href="?name=%E8%91%A3%E6%99%B6&amp;format=csv" download' in text
    assert '<input name="name" value="董晶">' in text
    policy = page_policy(text, forms=True)
    assert "form-action 'self'" in policy and "script-src 'none'" in policy


# --- the real server ----------------------------------------------------------------------------------


@pytest.fixture
def build_copy(corpus_build, tmp_path):
    out, _ = corpus_build
    copy = tmp_path / "build"
    shutil.copytree(out, copy, symlinks=True, ignore=shutil.ignore_patterns(CACHE_DIR, ".lock"))
    return copy


def _eventually(check, seconds: float = 60):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@slow
def test_downloads_pages_and_warming_on_the_real_server(build_copy, tmp_path):
    store = GraphStore.open(build_copy / "store", read_only=True)
    results = build_copy / "store" / CACHE_DIR
    with kg_serve(["--graph", str(build_copy)], tmp_path / "serve.log") as (base, _):
        # the warming process keeps every canned query's TSV for this version on its own
        assert _eventually(lambda: len(list(results.glob("[0-9a-f]*"))) >= len(canned_queries()))
        for name, query in canned_queries().items():
            for fmt in ("csv", "tsv", "json", "xml"):
                response = httpx.get(f"{base}/query/{name}", params={"format": fmt}, timeout=60)
                assert response.status_code == 200, response.text
                assert response.text == query_text(store, query.text, fmt)[0], (name, fmt)
                assert response.headers["content-disposition"] == f'attachment; filename="{name}.{fmt}"'
        rows = query_text(store, canned_queries()["leaders"].text, "tsv")[0].count("\n") - 1
        assert rows > 4
        page = httpx.get(f"{base}/query/leaders", params={"page": 2, "size": 2}, timeout=60)
        assert page.status_code == 200 and f"共 {rows:,} 行，显示第 3–4 行" in page.text
        assert "form-action 'self'" in page.headers["content-security-policy"]
        assert page.text.count("<tr>") == 3  # the head and two rows
        bad = httpx.get(f"{base}/query/leaders", params={"size": 0}, timeout=60)
        assert bad.status_code == 400
        assert httpx.get(f"{base}/query/leader", timeout=60).text.startswith(
            "no canned query 'leader' (did you mean leaders?)"
        )
        unknown = httpx.get(f"{base}/query/person-posts", params={"nme": "x"}, timeout=60)
        assert unknown.status_code == 400 and "did you mean name?" in unknown.text


NEW = "兴安盟突泉县水泉镇胜泉村。突泉县农业农村局派驻水泉镇胜泉村驻村第一书记杜伟华说，村里新建了养殖场。"


@slow
def test_a_listing_on_the_running_server_follows_add_and_remove(build_copy, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    new = tmp_path / "tuquan-new-2024.txt"
    new.write_text(NEW, encoding="utf-8")
    with kg_serve(["--graph", str(build_copy)], tmp_path / "serve.log") as (base, _):

        def listing() -> str:
            response = httpx.get(f"{base}/query/facts-per-document", params={"format": "csv"}, timeout=60)
            assert response.status_code == 200, response.text
            return response.text

        def page() -> str:
            return httpx.get(f"{base}/query/facts-per-document", timeout=60).text

        before, before_page = listing(), page()
        assert "tuquan-new-2024.txt" not in before
        add([new], build_copy, corpus_dir=corpus)
        direct = query_text(
            GraphStore.open(build_copy / "store", read_only=True),
            canned_queries()["facts-per-document"].text,
            "csv",
        )[0]
        assert "tuquan-new-2024.txt" in direct
        assert _eventually(lambda: listing() == direct, 30)
        assert "tuquan-new-2024.txt" in page()
        # the warming process moved on to the new version by itself
        kept = build_copy / "store" / CACHE_DIR
        assert _eventually(lambda: len(list(kept.glob("[0-9a-f]*"))) >= len(canned_queries()))
        remove(build_copy, ["tuquan-new-2024.txt"])
        assert _eventually(lambda: listing() == before, 30)
        assert page() == before_page
