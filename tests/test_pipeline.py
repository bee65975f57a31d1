"""End-to-end: the real build of corpus/ and the command line."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, Graph
from rdflib.compare import isomorphic

from kg.cli import main
from kg.ontology import KG, RELATIONS
from kg.views import external_references

from .conftest import CORPUS

pytestmark = pytest.mark.slow


def labelled_facts(graph: Graph) -> set[tuple[str, str, str]]:
    names: dict = {}
    for s, _, o in graph.triples((None, RDFS.label, None)):
        names.setdefault(s, set()).add(str(o))
    facts = set()
    for rel in RELATIONS:
        for s, _, o in graph.triples((None, KG[rel], None)):
            for sn in names.get(s, ()):
                for on in names.get(o, ()):
                    facts.add((sn, rel, on))
    return facts


REQUIRED = [
    ("鄂尔多斯市住建局", "assists", "木都柴达木村"),
    ("董晶", "servesIn", "木都柴达木村"),
    ("乌兰什巴台村", "locatedIn", "图克镇"),
    ("呼和浩特铁路运输中级法院", "assists", "上石村"),
]


@pytest.mark.parametrize("fact", REQUIRED)
def test_corpus_build_has_the_required_facts(corpus_graph, fact):
    assert fact in labelled_facts(corpus_graph)


def test_short_name_is_an_alias(corpus_graph):
    from rdflib import SKOS, Literal

    court = next(corpus_graph.subjects(RDFS.label, Literal("呼和浩特铁路运输中级法院", lang="zh")))
    assert Literal("呼铁中院", lang="zh") in set(corpus_graph.objects(court, SKOS.altLabel))


def test_all_five_relations_present(corpus_build):
    _, report = corpus_build
    assert set(report["counts"]["facts"]) == set(RELATIONS)
    assert all(n > 0 for n in report["counts"]["facts"].values())


def test_report_accounts_for_every_document(corpus_build):
    out, report = corpus_build
    on_disk = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert on_disk["counts"] == report["counts"]
    assert sorted(r["doc_id"] for r in report["documents"]) == sorted(p.name for p in CORPUS.glob("*.txt"))
    assert all(r["status"] == "ok" and r["facts"] > 0 for r in report["documents"])
    assert report["counts"]["entities_total"] == sum(report["counts"]["entities"].values())
    assert {"documents", "resolve", "turtle", "view", "store", "total"} <= set(report["timings_s"])


def test_every_entity_has_a_zh_label(corpus_graph):
    typed = set(corpus_graph.subjects(RDF.type, None))
    assertions = set(corpus_graph.subjects(RDF.type, KG.Assertion))
    documents = set(corpus_graph.subjects(RDF.type, KG.Document))
    for entity in typed - assertions - documents:
        labels = list(corpus_graph.objects(entity, RDFS.label))
        assert len(labels) == 1 and labels[0].language == "zh", entity


def test_evidence_offsets_match_the_original_files(corpus_graph):
    rows = corpus_graph.query(
        """PREFIX kg: <https://w3id.org/kgzh/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?text ?start ?end ?file WHERE { ?a kg:evidenceText ?text ; kg:startOffset ?start ;
        kg:endOffset ?end ; prov:wasDerivedFrom ?d . ?d kg:sourceFile ?file }"""
    )
    checked = 0
    for row in rows:
        original = (CORPUS / str(row.file)).read_text(encoding="utf-8")
        span = original[int(row.start) : int(row.end)]
        # the evidence is the normalised sentence: the original span minus line breaks and layout
        assert re.sub(r"\s", "", span)[:4] == re.sub(r"\s", "", str(row.text))[:4]
        assert re.sub(r"\s", "", span)[-2:] == re.sub(r"\s", "", str(row.text))[-2:]
        checked += 1
    assert checked > 50


def test_build_is_deterministic(corpus_build, tmp_path):
    from kg.pipeline import build

    out, _ = corpus_build
    build(CORPUS, tmp_path)
    assert (tmp_path / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()
    assert (tmp_path / "graph.html").read_bytes() == (out / "graph.html").read_bytes()


def test_turtle_round_trips(corpus_build):
    out, _ = corpus_build
    first = Graph().parse(out / "graph.ttl")
    again = Graph().parse(data=first.serialize(format="turtle"), format="turtle")
    assert isomorphic(first, again)


def test_html_view_is_offline(corpus_build):
    out, _ = corpus_build
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert external_references(html) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "木都柴达木村" in html and "vis.Network" in html


def test_cli_build_and_eval(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["build", str(CORPUS), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "5 documents built (0 unchanged), 0 skipped" in result.output
    result = runner.invoke(main, ["eval", str(CORPUS / "gold"), "--graph", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["relations"]) == set(RELATIONS)


def test_cli_missing_corpus_is_one_clear_line(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {tmp_path / 'nope'}: corpus directory does not exist"


def test_cli_nothing_buildable_exits_nonzero_and_reports(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "bin.txt").write_bytes(b"\x00\x01")
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no document could be built" in result.output
    assert "empty.txt: empty file" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert {r["status"] for r in report["documents"]} == {"skipped"}


def test_cli_skips_bad_files_but_builds_the_rest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(
        "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。", encoding="utf-8"
    )
    (corpus / "empty.txt").write_bytes(b"")
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "skipped empty.txt: empty file" in result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["documents"] == {"ok": 1, "skipped": 1}


def test_python_dash_m_kg_works():
    result = subprocess.run(
        [sys.executable, "-m", "kg", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "kg, version 0.1.0"


def test_build_reports_shacl_conformance(corpus_build):
    _, report = corpus_build
    assert report["validation"]["conforms"] is True
    assert report["validation"]["violations"] == []


def test_a_cache_entry_gives_back_the_candidates_it_was_written_with(tmp_path):
    from kg.cache import EntryKey, lookup, write_entry
    from kg.pipeline import Task, process_documents

    paths = sorted(CORPUS.glob("*.txt"))
    results = process_documents([Task(str(p), p.name) for p in paths])
    assert sum(len(r.candidates) for r in results) > 50
    for result in results:
        assert result.info is not None
        key = EntryKey(result.doc_id, result.info.sha256)
        write_entry(tmp_path, key, result.info, result.candidates)
        entry = lookup(tmp_path, key)
        assert entry is not None
        assert (entry.info, entry.candidates) == (result.info, result.candidates)
    # each sentence once: the entries are smaller than the texts' characters times three
    size = sum(p.stat().st_size for p in (tmp_path / "cache").iterdir())
    assert size < 3 * sum(len(p.read_text(encoding="utf-8")) for p in paths)


@pytest.mark.parametrize("pool_min_bytes,workers", [(None, False), (0, True)])
def test_worker_processes_start_only_for_enough_text(tmp_path, monkeypatch, pool_min_bytes, workers):
    """corpus/ (78 kB) builds in the process itself with --jobs 2, unless the threshold is lowered."""
    psutil = pytest.importorskip("psutil")
    from kg import pipeline
    from kg.builder import engines

    if pool_min_bytes is not None:
        monkeypatch.setattr(engines, "POOL_MIN_BYTES", pool_min_bytes)
    children: list[int] = []

    def progress(doc_id: str) -> None:  # called while the documents are processed
        children.append(len(psutil.Process().children(recursive=True)))

    report = pipeline.build(CORPUS, tmp_path / "out", jobs=2, progress=progress)
    assert report["counts"]["documents"] == {"ok": 5}
    assert len(children) == 5
    assert (max(children) >= 2) is workers


def test_the_collector_pause_ends_with_its_block_even_on_error():
    import gc

    from kg.builder.heap import collector_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block keeps it paused
            pass
        assert not gc.isenabled()
        raise RuntimeError("a failed build")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # paused by someone else before: left as it was
    finally:
        gc.enable()
