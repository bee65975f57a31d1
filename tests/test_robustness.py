"""Bad and unusual inputs: every file either builds or is reported as skipped with its reason."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.corpus import normalize_text, read_document
from kg.extract import extract_candidates
from kg.types import Document

from .conftest import CORPUS

pytestmark = pytest.mark.slow

SENTENCE = "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"
TRADITIONAL = "鄂爾多斯市住建局派駐烏審旗嘎魯圖鎮木都柴達木村駐村第一書記董晶說。"


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("bad")
    (corpus / "gb18030.txt").write_bytes(SENTENCE.encode("gb18030"))
    (corpus / "gbk.txt").write_bytes(SENTENCE.encode("gbk"))
    (corpus / "utf16.txt").write_bytes(SENTENCE.encode("utf-16"))  # with BOM
    (corpus / "utf8-bom.txt").write_bytes(SENTENCE.encode("utf-8-sig"))
    (corpus / "traditional.txt").write_text(TRADITIONAL, encoding="utf-8")
    (corpus / "page.html").write_text(
        "<!DOCTYPE html><html><head><title>新闻</title><style>p{color:red}</style>"
        "<script>var a='<p>假的</p>';</script></head><body><p>乌审旗图克镇乌兰什巴台村&nbsp;发展产业。</p>"
        f"<div>{SENTENCE}</div><!-- 注释 --></body></html>",
        encoding="utf-8",
    )
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blank.txt").write_text("  \n\n \t", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "dangling.txt").symlink_to(corpus / "no-such-file")
    locked = corpus / "locked.txt"
    locked.write_text(SENTENCE, encoding="utf-8")
    locked.chmod(0)
    # ten megabytes on one line: the corpus's pages run together, without a single line break
    pages = "".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))).replace("\n", "")
    (corpus / "one-line.txt").write_text(pages * (10_000_000 // len(pages.encode()) + 1), encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def bad_build(bad_corpus, tmp_path_factory):
    from kg.pipeline import build

    out = tmp_path_factory.mktemp("bad-out")
    report = build(bad_corpus, out, jobs=2)
    return out, report


def _rows(report):
    return {r["doc_id"]: r for r in report["documents"]}


def test_every_file_is_accounted_for(bad_corpus, bad_build):
    _, report = bad_build
    assert set(_rows(report)) == {p.name for p in bad_corpus.iterdir()}


@pytest.mark.parametrize(
    "name", ["gb18030.txt", "gbk.txt", "utf16.txt", "utf8-bom.txt", "traditional.txt", "page.html"]
)
def test_encodings_scripts_and_html_build_with_their_facts(bad_build, name):
    out, report = bad_build
    row = _rows(report)[name]
    assert row["status"] == "ok"
    assert row["facts"] >= 3  # assists, worksFor, servesIn, locatedIn from the one sentence


@pytest.mark.parametrize(
    "name,reason",
    [
        ("empty.txt", "empty file"),
        ("blank.txt", "empty file"),
        ("binary.txt", "binary file"),
        ("dangling.txt", "cannot read"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(bad_build, name, reason):
    _, report = bad_build
    row = _rows(report)[name]
    assert row["status"] == "skipped"
    assert reason in row["reason"]


def test_unreadable_file(bad_build):
    _, report = bad_build
    row = _rows(report)["locked.txt"]
    if os.geteuid() == 0:  # root reads it anyway
        assert row["status"] == "ok"
    else:
        assert row["status"] == "skipped" and "Permission denied" in row["reason"]


def test_ten_megabyte_single_line_builds(bad_build):
    _, report = bad_build
    row = _rows(report)["one-line.txt"]
    assert row["status"] == "ok" and row["chars"] > 3_000_000
    assert row["facts"] > 100


def test_html_evidence_offsets_point_into_the_page(bad_corpus, bad_build):
    from kg.store import GraphStore

    out, _ = bad_build
    page = (bad_corpus / "page.html").read_text(encoding="utf-8")
    store = GraphStore.open(out / "store", read_only=True)
    rows = store.select(
        "SELECT ?s ?e ?t WHERE { ?a kg:startOffset ?s ; kg:endOffset ?e ; kg:evidenceText ?t ; "
        "prov:wasDerivedFrom ?d . ?d kg:sourceFile 'page.html' }"
    )
    assert rows
    for row in rows:
        assert page[row["s"] : row["e"]].startswith(row["t"][:5])


def test_report_on_disk_matches(bad_build):
    out, report = bad_build
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["counts"] == report["counts"]


# --- fuzzing ---------------------------------------------------------------------------------------

chinese = st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF)
mixed = st.one_of(chinese, st.sampled_from(list("村镇旗市局委党支部书记、。，“”（）\n □▲")), st.characters())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(mixed, max_size=400))
def test_fuzz_reader_and_extractor(nlp, tmp_path, text):
    path = tmp_path / "fuzz.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        doc = read_document(path)
    except Exception as exc:  # only the reader's own error is allowed
        from kg.errors import CorpusError

        assert isinstance(exc, CorpusError)
        return
    original = doc.original
    assert all(0 <= o < len(original) for o in doc.origin)
    candidates = extract_candidates(doc, nlp(doc.text)._.mentions)
    for c in candidates:
        assert 0 <= c.evidence.start <= c.evidence.end <= len(original)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(), max_size=300))
def test_fuzz_normalizer_offsets(text):
    aligned = normalize_text(text)
    assert len(aligned.origin) == len(aligned.text)
    assert all(0 <= o <= len(text) for o in aligned.origin)


def test_extract_on_empty_document(nlp):
    doc = Document("e.txt", "", "", ())
    assert extract_candidates(doc, []) == []
