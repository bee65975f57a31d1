"""PDF, DOCX and news HTML read into Documents; files that are not read reported with a reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Literal, Namespace
from rdflib.namespace import XSD

from kg.corpus import list_corpus, load_corpus, read_document
from kg.errors import CorpusError
from kg.rdf import build_graph
from kg.types import Document, Entity, Evidence, Fact, Skipped

DATA = Path(__file__).parent / "data" / "readers"
KG = Namespace("https://w3id.org/kgzh/ontology#")


def make_docx(path: Path) -> Path:
    """A small Word document: a heading, two paragraphs and a one-row table between them."""
    import docx

    document = docx.Document()
    document.add_heading("图克镇帮扶简报", level=1)
    document.add_paragraph("鄂尔多斯市住建局帮扶乌兰什巴台村。")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "单位"
    table.cell(0, 1).text = "乌审旗农牧局"
    document.add_paragraph("驻村工作队继续走访农户。")
    document.save(str(path))
    return path


def test_pdf_pages_and_offsets() -> None:
    doc = read_document(DATA / "two_pages.pdf")
    pages = [int(n) for n in dict(doc.meta)["pages"].split(",")]
    assert pages[0] == 0 and len(pages) == 2
    # the second page starts exactly at its first sentence, in the extracted text offsets point into
    assert doc.original[pages[1] :].startswith("鄂尔多斯市住建局帮扶乌兰什巴台村")
    at = doc.text.index("鄂尔多斯")
    assert doc.original[doc.origin[at] : doc.origin[at] + 4] == "鄂尔多斯"
    assert doc.title == "乌审旗图克镇召开帮扶工作会议。"
    assert doc.text.split("\n") == [
        "乌审旗图克镇召开帮扶工作会议。",
        "各单位汇报了近期进展。",
        "鄂尔多斯市住建局帮扶乌兰什巴台村。",
    ]


def test_docx_paragraphs_and_table_in_order(tmp_path: Path) -> None:
    doc = read_document(make_docx(tmp_path / "brief.docx"))
    assert doc.text.split("\n") == [
        "图克镇帮扶简报",
        "鄂尔多斯市住建局帮扶乌兰什巴台村。",
        "单位",
        "乌审旗农牧局",
        "驻村工作队继续走访农户。",
    ]
    assert doc.original == doc.text  # nothing to normalise: offsets are the extracted text's
    assert "pages" not in dict(doc.meta)


def test_news_html_yields_only_the_article() -> None:
    doc = read_document(DATA / "news.html", meta={})
    assert doc.title == "乌审旗干部入户走访"  # not <title>'s "首页 | 新闻 | …"
    for chrome in ("首页", "关于我们", "热门推荐", "版权所有", "联系电话"):
        assert chrome not in doc.text
    assert doc.text.split("\n")[0] == "乌审旗干部入户走访"
    assert "鄂尔多斯市住建局帮扶乌兰什巴台村" in doc.text
    assert dict(doc.meta)["date"] == "2023-05-16"  # found in the page
    # offsets still point into the HTML file as it is on disk
    at = doc.text.index("鄂尔多斯市住建局")
    start = doc.origin[at]
    assert doc.original[start : start + 8] == "鄂尔多斯市住建局"


def test_manifest_date_wins_over_the_page() -> None:
    doc = read_document(DATA / "news.html", meta={"date": "2023-06-01", "title": "清单标题"})
    assert dict(doc.meta)["date"] == "2023-06-01"
    assert doc.title == "清单标题"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("old.doc", b"\xd0\xcf\x11\xe0", "legacy Word .doc is not read; save it as .docx"),
        ("scan.pdf", b"%PDF-1.4 broken", "not a readable PDF"),
        ("renamed.docx", b"PK\x03\x04 broken", "not a readable DOCX file"),
        ("photo.jpg", b"\xff\xd8\xff", ".jpg is not read (only .txt, .html, .htm, .pdf, .docx)"),
        ("README", b"notes", "a file without extension is not read"),
    ],
)
def test_files_not_read_are_reported(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "news.html", corpus / "news.html")
    (corpus / name).write_bytes(data)
    (corpus / ".DS_Store").write_bytes(b"\x00")
    (corpus / "manifest.json").write_text("{}", encoding="utf-8")
    listed = [p.name for p in list_corpus(corpus)]
    assert listed == sorted(["news.html", name])
    results = {r.doc_id: r for r in load_corpus(corpus)}
    assert isinstance(results["news.html"], Document)
    skipped = results[name]
    assert isinstance(skipped, Skipped)
    assert reason in skipped.reason


def test_read_document_names_the_file_for_a_broken_pdf(tmp_path: Path) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(b"not a pdf at all")
    with pytest.raises(CorpusError, match=r"^bad\.pdf: not a readable PDF"):
        read_document(path)


def test_evidence_carries_its_pdf_page() -> None:
    doc = read_document(DATA / "two_pages.pdf")
    start = doc.original.index("鄂尔多斯")
    sentence = "鄂尔多斯市住建局帮扶乌兰什巴台村。"
    entities = [Entity("a", "鄂尔多斯市住建局", "GovernmentBody"), Entity("b", "乌兰什巴台村", "Village")]
    first = Fact("a", "assists", "b", Evidence(doc.doc_id, sentence, start, start + len(sentence)))
    early = doc.original.index("乌审旗")
    second = Fact(
        "a", "assists", "b", Evidence(doc.doc_id, "乌审旗图克镇召开帮扶工作会议。", early, early + 15)
    )
    graph = build_graph([doc], entities, [first, second])
    pages = {
        int(page): int(offset)
        for page, offset in graph.query(
            "SELECT ?page ?start WHERE { ?a kg:page ?page ; kg:startOffset ?start }",
            initNs={"kg": KG},
        )
    }
    assert pages == {2: start, 1: early}
    assert (None, KG.page, Literal("2", datatype=XSD.integer)) in graph


@pytest.mark.slow
def test_build_of_a_mixed_corpus(tmp_path: Path) -> None:
    """A real build: PDF, DOCX and HTML facts with their provenance, other files reported, SHACL clean."""
    import json

    from kg.pipeline import build
    from kg.store import load_graph

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "two_pages.pdf", corpus / "two_pages.pdf")
    shutil.copy(DATA / "news.html", corpus / "news.html")
    make_docx(corpus / "brief.docx")
    (corpus / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (corpus / "notes.md").write_text("说明", encoding="utf-8")
    out = tmp_path / "out"
    report = build(corpus, out)
    rows = {r["doc_id"]: r for r in report["documents"]}
    assert {d: r["status"] for d, r in rows.items()} == {
        "brief.docx": "ok",
        "news.html": "ok",
        "notes.md": "skipped",
        "old.doc": "skipped",
        "two_pages.pdf": "ok",
    }
    assert rows["old.doc"]["reason"] == "legacy Word .doc is not read; save it as .docx"
    assert rows["news.html"]["title"] == "乌审旗干部入户走访"
    assert report["validation"]["conforms"], report["validation"]
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["documents"] == report["documents"]
    graph = load_graph(out / "graph.ttl")
    found = graph.query(
        """SELECT ?file ?page ?text WHERE {
               ?a kg:evidenceText ?text ; prov:wasDerivedFrom ?doc ; rdf:predicate kg:assists .
               ?doc kg:sourceFile ?file .
               OPTIONAL { ?a kg:page ?page }
           }""",
        initNs={"kg": KG, "prov": Namespace("http://www.w3.org/ns/prov#")},
    )
    by_file = {str(file): (page, str(text)) for file, page, text in found}
    # 鄂尔多斯市住建局帮扶乌兰什巴台村 is stated in all three; only the PDF has pages, and it is on page 2
    assert set(by_file) == {"two_pages.pdf", "brief.docx", "news.html"}
    assert by_file["two_pages.pdf"][0] == Literal("2", datatype=XSD.integer)
    assert by_file["brief.docx"][0] is None and by_file["news.html"][0] is None
    assert all("鄂尔多斯市住建局" in text for _, text in by_file.values())
    # the news page's date came from the page, onto its document node
    assert "2023-05-16" in (out / "graph.ttl").read_text(encoding="utf-8")
