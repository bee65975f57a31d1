"""Incremental builds, retraction, the persistent store, and the process-parallel engine."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import build, remove
from kg.store import GraphStore

from .conftest import CORPUS

pytestmark = pytest.mark.slow

A = "乌审旗图克镇乌兰什巴台村。鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"
B = "走进乌审旗图克镇乌兰什巴台村集体企业。胜泉村驻村第一书记杜伟华介绍说。"


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(A, encoding="utf-8")
    (corpus / "b.txt").write_text(B, encoding="utf-8")
    return corpus


def _rows(report):
    return {r["doc_id"]: r for r in report["documents"]}


def test_rebuild_reprocesses_only_changed_documents(small_corpus, tmp_path):
    out = tmp_path / "out"
    first = build(small_corpus, out)
    assert not any(r["cached"] for r in first["documents"])
    again = build(small_corpus, out)
    assert all(r["cached"] for r in again["documents"])
    assert again["store"]["replaced"] == 0 and again["store"]["unchanged"] == 2
    (small_corpus / "b.txt").write_text(B + "兴安盟突泉县水泉镇胜泉村。", encoding="utf-8")
    third = build(small_corpus, out)
    assert _rows(third)["a.txt"]["cached"] and not _rows(third)["b.txt"]["cached"]
    assert third["store"]["replaced"] == 1
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "水泉镇" in ttl


def test_store_has_one_named_graph_per_document(small_corpus, tmp_path):
    out = tmp_path / "out"
    build(small_corpus, out)
    store = GraphStore.open(out / "store", read_only=True)
    # the documents' graphs and the reference facts of the division table
    assert [n.rsplit("/", 1)[1] for n in store.graph_names()] == ["a.txt", "b.txt", "divisions"]
    rows = store.select("SELECT ?v WHERE { ?v kg:locatedIn ?t . ?t rdfs:label '图克镇'@zh }")
    assert [r["v"].rsplit("/", 1)[1] for r in rows] == ["乌兰什巴台村"]


def test_remove_retracts_a_document_but_keeps_shared_entities(small_corpus, tmp_path):
    out = tmp_path / "out"
    build(small_corpus, out)
    report = remove(out, ["b.txt"])
    assert [r["doc_id"] for r in report["documents"]] == ["a.txt"]
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "杜伟华" not in ttl  # only b.txt said so
    assert "乌兰什巴台村" in ttl  # a.txt mentions it too
    store = GraphStore.open(out / "store", read_only=True)
    assert len(store.graph_names()) == 2  # a.txt's and the division table's
    assert not store.select("SELECT ?p WHERE { ?p rdfs:label '杜伟华'@zh }")
    assert store.select("SELECT ?p WHERE { ?p rdfs:label '乌兰什巴台村'@zh }")


def test_remove_derives_kg_within_again(small_corpus, tmp_path):
    (small_corpus / "b.txt").write_text(B + "兴安盟突泉县水泉镇胜泉村。", encoding="utf-8")
    out = tmp_path / "out"
    build(small_corpus, out)
    within = "SELECT ?s ?name WHERE { ?s kg:within ?o ; rdfs:label ?name . ?o rdfs:label '突泉县'@zh }"
    store = GraphStore.open(out / "store", read_only=True)
    assert {str(r["name"]) for r in store.select(within)} == {"水泉镇", "胜泉村"}
    del store
    report = remove(out, ["b.txt"])
    store = GraphStore.open(out / "store", read_only=True)
    assert not store.select(within)  # only b.txt placed anything in 突泉县
    closure = {(r["s"], r["o"]) for r in store.select("SELECT ?s ?o WHERE { ?s kg:locatedIn+ ?o }")}
    assert {(r["s"], r["o"]) for r in store.select("SELECT ?s ?o WHERE { ?s kg:within ?o }")} == closure
    every_derived = "VALUES ?p { kg:within kg:inCounty kg:inTownship kg:activeIn }"
    derived = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {every_derived} ?s ?p ?o }}")
    assert report["store"]["derived"] == derived[0]["n"] >= len(closure) > 0


def test_cli_remove_unknown_document(small_corpus, tmp_path):
    out = tmp_path / "out"
    build(small_corpus, out)
    result = CliRunner().invoke(main, ["remove", "nope.txt", "--graph", str(out)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {out}: not in the build: nope.txt (see report.json)"
    misspelt = CliRunner().invoke(main, ["remove", "a.tx", "--graph", str(out)])
    assert misspelt.exit_code == 1
    assert misspelt.output.strip() == (
        f"Error: {out}: not in the build: a.tx (did you mean a.txt?) (see report.json)"
    )


def test_parallel_build_equals_sequential(tmp_path, monkeypatch):
    from kg.builder import engines

    monkeypatch.setattr(engines, "POOL_MIN_BYTES", 0)  # workers even for this small corpus
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("gold"))
    one, two = tmp_path / "one", tmp_path / "two"
    build(corpus, one, jobs=1)
    build(corpus, two, jobs=2)
    assert (one / "graph.ttl").read_bytes() == (two / "graph.ttl").read_bytes()
    report = json.loads((two / "report.json").read_text(encoding="utf-8"))
    assert report["engine"] == {"name": "local", "jobs": 2}


def test_killed_build_leaves_previous_outputs_intact(small_corpus, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "out"
    build(small_corpus, out)
    before = {name: (out / name).read_bytes() for name in ("graph.ttl", "graph.html", "report.json")}
    # a bigger corpus so that the second build is still processing when it is killed
    for i in range(80):  # several chunks of documents, so the kill lands between two of them
        (small_corpus / f"extra{i:02d}.txt").write_text(A * 60 + str(i), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(small_corpus), "--out", str(out), "--jobs", "1", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cache = out / "cache"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(cache.glob("*.jsonl"))) < 3:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    after = {name: (out / name).read_bytes() for name in before}
    assert after == before
    store = GraphStore.open(out / "store", read_only=True)
    assert len(store.graph_names()) == 3  # two documents and the division table
    del store
    # a rerun succeeds and reuses what the killed run cached
    report = build(small_corpus, out)
    assert report["counts"]["documents"] == {"ok": 82}
    assert any(r["cached"] for r in report["documents"] if r["doc_id"].startswith("extra"))
    assert len([p for p in out.glob("store.*") if p.is_dir()]) == 1
