"""`kg add` and incremental rebuilds: after adding, changing or removing documents, the outputs equal a
clean build of the same corpus (graph.ttl bytes, every quad of the store, the report's counts)."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import add, build, remove
from kg.store import GraphStore

pytestmark = pytest.mark.slow

A = "乌审旗图克镇乌兰什巴台村。鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"
B = "走进乌审旗图克镇乌兰什巴台村集体企业。胜泉村驻村第一书记杜伟华介绍说。"
C = "兴安盟突泉县水泉镇胜泉村。突泉县农业农村局派驻水泉镇胜泉村驻村第一书记杜伟华说，村里新建了养殖场。"
B2 = "走进乌审旗图克镇乌兰什巴台村集体企业。乌兰什巴台村党支部书记王海军介绍说。"
D = "鄂尔多斯市财政局帮扶乌审旗图克镇乌兰什巴台村。市财政局驻村工作队队长李明说。"
# a village of the same name as a.txt's and b.txt's, in another banner's township
E = "达拉特旗树林召镇乌兰什巴台村。达拉特旗农牧局派驻树林召镇乌兰什巴台村驻村第一书记张伟说。"


@pytest.fixture(autouse=True, params=["update", "reload"])
def store_mode(request, monkeypatch):
    """Every test both ways: graph by graph (as for a few documents in a large build) and in bulk."""
    import kg.builder.staging

    monkeypatch.setattr(kg.builder.staging, "UPDATE_SHARE", 1.0 if request.param == "update" else 0.0)
    return request.param


def _corpus(root, files):
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _quads(out):
    store = GraphStore.open(out / "store", read_only=True)
    try:
        return sorted(str(q) for q in store.inner)
    finally:
        del store


def _counts(out):
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report["counts"], report["store"]["triples"], report["store"]["derived"]


def assert_equals_clean_build(out, corpus, tmp_path, **options):
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    build(corpus, clean, **options)
    for name in ("graph.ttl", "graph.html"):
        assert (out / name).exists() == (clean / name).exists()
        if (clean / name).exists():
            assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert _quads(out) == _quads(clean)
    assert _counts(out) == _counts(clean)


@pytest.fixture
def built(tmp_path):
    corpus = _corpus(tmp_path / "corpus", {"a.txt": A, "b.txt": B})
    out = tmp_path / "out"
    build(corpus, out)
    return corpus, out


def test_add_a_new_file_equals_a_clean_build(built, tmp_path, store_mode):
    corpus, out = built
    new = _corpus(tmp_path / "inbox", {"c.txt": C}) / "c.txt"
    result = CliRunner().invoke(main, ["add", str(new), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("new c.txt (")
    assert (corpus / "c.txt").read_text(encoding="utf-8") == C  # the corpus keeps it for later builds
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    rows = {r["doc_id"]: r for r in report["documents"]}
    assert not rows["c.txt"]["cached"] and rows["a.txt"]["cached"] and rows["b.txt"]["cached"]
    assert rows["c.txt"]["source"] == str(new.resolve()) and rows["a.txt"]["source"] == "a.txt"
    # a.txt states nothing c.txt changes: its graph is left as it was
    assert report["store"]["unchanged"] >= 1 and report["store"]["replaced"] >= 1
    assert report["store"]["mode"] == store_mode
    # of the four graphs (a, b, c, the division table), a.txt's is not even made: no entity of it changed
    assert report["store"]["compared"] <= 3
    assert "杜伟华" in (out / "graph.ttl").read_text(encoding="utf-8")
    assert_equals_clean_build(out, corpus, tmp_path)
    # a later build of the corpus keeps the added file and the record of where it came from
    again = build(corpus, out)
    assert again["store"]["replaced"] == 0
    assert again["store"]["compared"] == 1  # the division table's graph, made from all entities
    assert {r["doc_id"]: r["source"] for r in again["documents"]}["c.txt"] == str(new.resolve())


def test_add_a_changed_file_equals_a_clean_build(built, tmp_path):
    corpus, out = built
    changed = _corpus(tmp_path / "inbox", {"b.txt": B2}) / "b.txt"
    report = add([changed], out)
    assert report["added"] == {"b.txt": "changed"}
    assert (corpus / "b.txt").read_text(encoding="utf-8") == B2
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "王海军" in ttl and "杜伟华" not in ttl
    assert_equals_clean_build(out, corpus, tmp_path)
    # adding the same bytes again changes nothing
    assert add([changed], out)["added"] == {"b.txt": "unchanged"}
    assert_equals_clean_build(out, corpus, tmp_path)


def test_several_additions_then_a_removal_equal_clean_builds(built, tmp_path):
    corpus, out = built
    inbox = _corpus(tmp_path / "inbox", {"c.txt": C, "d.txt": D})
    add([inbox / "c.txt"], out)
    add([inbox / "d.txt"], out)
    assert_equals_clean_build(out, corpus, tmp_path)
    remove(out, ["c.txt"])
    without = tmp_path / "without"
    shutil.copytree(corpus, without, ignore=shutil.ignore_patterns("c.txt"))
    assert_equals_clean_build(out, without, tmp_path)


def test_a_place_name_made_ambiguous_by_an_add_and_unambiguous_by_a_removal(built, tmp_path):
    corpus, out = built
    before = json.loads((out / "report.json").read_text(encoding="utf-8"))["counts"]["entities"]
    add([_corpus(tmp_path / "inbox", {"e.txt": E}) / "e.txt"], out)
    after = json.loads((out / "report.json").read_text(encoding="utf-8"))["counts"]["entities"]
    assert after["Village"] > before["Village"]  # the second 乌兰什巴台村 is an entity of its own
    assert_equals_clean_build(out, corpus, tmp_path)
    remove(out, ["e.txt"])
    (corpus / "e.txt").unlink()
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["counts"]["entities"] == before
    assert_equals_clean_build(out, corpus, tmp_path)


def test_removing_the_only_document_of_an_entity_drops_it(built, tmp_path):
    corpus, out = built
    add([_corpus(tmp_path / "inbox", {"d.txt": D}) / "d.txt"], out)
    assert "李明" in (out / "graph.ttl").read_text(encoding="utf-8")
    remove(out, ["d.txt"])
    (corpus / "d.txt").unlink()
    assert "李明" not in (out / "graph.ttl").read_text(encoding="utf-8")
    assert not any("李明" in quad for quad in _quads(out))
    assert_equals_clean_build(out, corpus, tmp_path)


def test_without_whole_outputs_the_store_still_equals_a_clean_build(built, tmp_path):
    corpus, out = built
    inbox = _corpus(tmp_path / "inbox", {"c.txt": C})
    report = add([inbox / "c.txt"], out, whole_outputs=False)
    assert not (out / "graph.ttl").exists() and not (out / "graph.html").exists()  # none left stale
    assert set(report["not_written"]) == {"graph.ttl", "graph.html"}
    assert "kg export --format turtle" in report["not_written"]["graph.ttl"]
    assert_equals_clean_build(out, corpus, tmp_path, whole_outputs=False)


def test_add_refuses_what_it_cannot_add(built, tmp_path):
    corpus, out = built
    runner = CliRunner()
    missing = tmp_path / "nope.txt"
    result = runner.invoke(main, ["add", str(missing), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {missing}: no such file"
    table = _corpus(tmp_path / "inbox", {"t.csv": "a,b"}) / "t.csv"
    result = runner.invoke(main, ["add", str(table), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"Error: {table}: not a kind of file the build reads (.txt,")
    assert not (corpus / "t.csv").exists()
    empty = tmp_path / "empty"
    result = runner.invoke(main, ["add", str(tmp_path / "inbox" / "t.csv"), "--out", str(empty)])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {empty}: no build report; run `kg build` first"


def test_a_rebuild_takes_unchanged_documents_from_the_store_versions_snapshot(built, tmp_path):
    corpus, out = built
    assert (out / "store" / "results.pickle").is_file()
    entries = sorted((out / "cache").glob("*.jsonl"))
    assert len(entries) == 2
    for entry in entries:  # damaged entries would be processed again: the snapshot is read instead
        entry.write_text("damaged\n", encoding="utf-8")
    report = build(corpus, out)
    assert all(r["cached"] for r in report["documents"])
    (corpus / "a.txt").write_text(A + "。", encoding="utf-8")  # a changed file is never taken from it
    report = build(corpus, out)
    assert {r["doc_id"]: r["cached"] for r in report["documents"]} == {"a.txt": False, "b.txt": True}


def test_a_few_changed_documents_go_into_the_snapshots_delta_which_reads_back_as_a_clean_builds(
    built, tmp_path, monkeypatch
):
    import kg.builder.cached
    from kg.builder.cached import DELTA_FILE, SNAPSHOT_FILE, load_snapshot

    corpus, out = built
    whole = (out / "store" / SNAPSHOT_FILE).read_bytes()
    inbox = _corpus(tmp_path / "inbox", {"c.txt": C, "d.txt": D, "b.txt": B2})
    add([inbox / "c.txt"], out)
    add([inbox / "d.txt", inbox / "b.txt"], out)
    remove(out, ["c.txt"])
    (corpus / "c.txt").unlink()
    # the snapshot itself was carried over untouched; the delta holds c (gone), d and the new b
    assert (out / "store" / SNAPSHOT_FILE).read_bytes() == whole
    assert (out / "store" / DELTA_FILE).is_file()
    clean = tmp_path / "clean"
    build(corpus, clean)
    assert not (clean / "store" / DELTA_FILE).exists()
    assert load_snapshot(out / "store") == load_snapshot(clean / "store")
    # the delta of another snapshot file (a run killed between the two writes) is not applied
    (out / "store" / SNAPSHOT_FILE).unlink()
    (out / "store" / SNAPSHOT_FILE).write_bytes(whole)
    assert set(load_snapshot(out / "store")) == {"a.txt", "b.txt"}
    # once the delta would hold too many records, the snapshot is written whole again
    monkeypatch.setattr(kg.builder.cached, "DELTA_FLOOR", 0)
    monkeypatch.setattr(kg.builder.cached, "DELTA_SHARE", 0.0)
    (corpus / "a.txt").write_text(A + "。", encoding="utf-8")
    build(corpus, out)
    assert not (out / "store" / DELTA_FILE).exists()
    build(corpus, clean)
    assert load_snapshot(out / "store") == load_snapshot(clean / "store")


def test_a_snapshot_that_would_run_code_is_refused_as_no_snapshot(tmp_path):
    import os
    import pickle

    from kg.builder.cached import load_plain
    from kg.builder.staging import Resolution

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {tmp_path / 'ran'}",))

    with pytest.raises(pickle.UnpicklingError):
        load_plain(pickle.dumps(("version", {"a": Payload()})))
    assert not (tmp_path / "ran").exists()
    assert load_plain(pickle.dumps(("v", {"a": (1, "x", frozenset({"k"}))}))) == (
        "v",
        {"a": (1, "x", frozenset({"k"}))},
    )
    plain = Resolution("v", {}, {})
    allowed = frozenset({("kg.builder.staging", "Resolution")})
    assert load_plain(pickle.dumps(plain), allowed) == plain


def test_a_documents_digest_changes_with_every_field_of_its_info_and_facts():
    """A field the digest left out would let a changed graph pass as unchanged."""
    import dataclasses

    from kg.builder.staging import _document_digest
    from kg.types import DocumentInfo, Evidence, Fact

    info = DocumentInfo("a.txt", "题", (("date", "2024-01-01"),), "ab" * 32, 40)
    stated = Evidence("a.txt", "王强在县财政局工作。", 0, 10)
    fact = Fact("person/王强", "worksFor", "org/县财政局", stated, "")
    digest = _document_digest(info, [fact])
    assert _document_digest(info, [fact]) == digest
    for f in dataclasses.fields(DocumentInfo):
        if f.name != "doc_id":
            changed = dataclasses.replace(info, **{f.name: 7 if f.type in ("int", int) else ("x",)})
            assert _document_digest(changed, [fact]) != digest, f.name
    for f in dataclasses.fields(Fact):
        if f.name != "evidence":
            assert _document_digest(info, [dataclasses.replace(fact, **{f.name: "x"})]) != digest, f.name
    for f in dataclasses.fields(Evidence):
        if f.name != "doc_id":  # the document's own: its id is in the info
            value = 99 if f.type in ("int", int) else "另一句。"
            evidence = dataclasses.replace(fact.evidence, **{f.name: value})
            assert _document_digest(info, [dataclasses.replace(fact, evidence=evidence)]) != digest, f.name
    assert _document_digest(info, []) != digest
