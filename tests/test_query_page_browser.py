"""The query page (``kg serve``'s ``/``) in real headless Chromium: YASGUI offline, canned queries with
parameters, IRIs linked to entity pages, CSV download, no console error, no request off the machine;
and a canned query's own page (``/query/<name>``): its form, its pages of rows, its whole download.

Runs `python -m kg serve` on a small store; every request the page makes is routed through a handler
that lets loopback URLs through and records and aborts anything else. The screenshot goes to
test-artifacts/ and, when missing or with KG_UPDATE_SCREENSHOTS=1, to docs/query-page.png for the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from kg.ontology import KG, KGR
from kg.store import GraphStore
from kg.views.page import HEADLESS_CHROMIUM_ARGS

from .serving import kg_serve

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "query-page.png"


def node(key: str) -> URIRef:
    return URIRef(f"{KGR}{key}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python -m kg serve` on a store of two banners with a helped village each; yields the base URL."""
    graph = Graph()
    for county, village, helper in [
        ("乌审旗", "木都柴达木村", "鄂尔多斯市住建局"),
        ("巴林右旗", "上石村", "中级法院"),
    ]:
        graph.add((node(f"place/{county}"), RDFS.label, Literal(county, lang="zh")))
        graph.add((node(f"place/{county}"), RDF.type, KG.County))
        graph.add((node(f"place/{village}"), RDFS.label, Literal(village, lang="zh")))
        graph.add((node(f"place/{village}"), RDF.type, KG.Village))
        graph.add((node(f"place/{village}"), KG.locatedIn, node(f"place/{county}")))
        graph.add((node(f"org/{helper}"), RDFS.label, Literal(helper, lang="zh")))
        graph.add((node(f"org/{helper}"), KG.assists, node(f"place/{village}")))
    root = tmp_path_factory.mktemp("page")
    store = GraphStore.open(root / "store")
    store.replace_default_graph(graph)
    store.flush()
    del store
    with kg_serve(["--graph", str(root), "--workers", "1"], root / "serve.log") as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(HEADLESS_CHROMIUM_ARGS))
        yield browser
        browser.close()


def test_canned_query_with_a_parameter_offline(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    blocked: list[str] = []
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def route(handle) -> None:
        if urlsplit(handle.request.url).hostname in (
            "127.0.0.1",
            "localhost",
        ) or handle.request.url.startswith(("data:", "blob:")):
            handle.continue_()
        else:
            blocked.append(handle.request.url)
            handle.abort()

    context.route("**/*", route)
    page.goto(server + "/", wait_until="load")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
    assert page.locator("h1").inner_text() == "kg SPARQL 查询"

    page.click("button.example[data-name='helpers-in-county']")
    field = page.locator("#params input[name='countyName']")
    assert field.input_value() == "乌审旗"
    field.fill("巴林右旗")
    loaded = page.evaluate("kgYasgui.getTab().getQuery()")
    assert 'VALUES ?countyName { "巴林右旗"@zh }' in loaded
    # the prefixes it uses are declared, so the editor flags nothing
    assert f"PREFIX kg: <{KG._NS}>\n" in loaded and f"PREFIX rdfs: <{RDFS}>\n" in loaded
    page.click("#run")
    page.wait_for_selector(".yasr table tbody td .iri", timeout=30_000)
    assert page.locator(".yasqe .parseErrorIcon").count() == 0
    cells = page.locator(".yasr table tbody tr").first.locator("td").all_inner_texts()
    # row number, helper, place, level, county: labels without "@zh", the class as a prefixed name
    assert [c.strip() for c in cells[1:]] == ["中级法院", "上石村", "kg:Village", "巴林右旗"]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "query-page.png"), full_page=True)
    if not DOCS_SCREENSHOT.exists() or os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(ARTIFACTS / "query-page.png", DOCS_SCREENSHOT)

    # a result IRI links to the entity page on this server
    page.evaluate(
        "(q) => { kgYasgui.getTab().setQuery(q); }", "SELECT ?org WHERE { ?org kg:assists kgpl:上石村 }"
    )
    page.click("#run")
    page.wait_for_selector(".yasr table tbody td a.iri >> text=kgo:中级法院", timeout=30_000)
    # typed without PREFIX lines the editor flags the prefix, and the server, which predeclares it, answers
    assert page.locator(".yasqe .parseErrorIcon").count() == 1
    href = page.locator(".yasr table tbody td a.iri").first.get_attribute("href")
    assert href == "entity/org/%E4%B8%AD%E7%BA%A7%E6%B3%95%E9%99%A2"

    # following it opens the entity's page (from there to a document at its evidence sentence:
    # tests/test_pages_browser.py, on a real build)
    with page.expect_navigation():
        page.locator(".yasr table tbody td a.iri").first.click()
    assert urlsplit(page.url).path == "/entity/org/%E4%B8%AD%E7%BA%A7%E6%B3%95%E9%99%A2"
    assert "中级法院" in page.locator("h1").inner_text()
    assert "上石村" in page.locator("body").inner_text()  # the fact, out of the entity
    page.go_back()
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
    page.evaluate(
        "(q) => { kgYasgui.getTab().setQuery(q); }", "SELECT ?org WHERE { ?org kg:assists kgpl:上石村 }"
    )
    page.click("#run")
    page.wait_for_selector(".yasr table tbody td a.iri >> text=kgo:中级法院", timeout=30_000)

    with page.expect_download() as download_info:
        page.click("#download-csv")
    saved = tmp_path / "result.csv"
    download_info.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").splitlines() == ["org", f"{KGR}org/中级法院"]

    page.click("#lang")
    assert page.locator("h1").inner_text() == "kg SPARQL query"
    page.click("#lang")

    # an IRI parameter takes a prefixed name only; anything else keeps the default and is marked
    page.click("button.example[data-name='fact-evidence']")
    page.locator("#params input[name='relation']").fill("kg:heads")
    assert "VALUES ?relation { kg:heads }" in page.evaluate("kgYasgui.getTab().getQuery()")
    page.locator("#params input[name='relation']").fill("kg:heads } ?s ?p ?o {")
    assert "VALUES ?relation { kg:assists }" in page.evaluate("kgYasgui.getTab().getQuery()")
    assert page.locator("#params input.invalid").count() == 1
    page.locator("#params input[name='subjectName']").fill('x" } ?s ?p ?o { "')
    assert 'VALUES ?subjectName { "x\\" } ?s ?p ?o { \\""@zh }' in page.evaluate(
        "kgYasgui.getTab().getQuery()"
    )

    context.close()
    assert blocked == []
    assert errors == []


def test_a_canned_listing_page_by_page_from_the_query_page(browser, server, corpus_build, tmp_path):
    """/query/<name>: reached from /, its parameter form submits under the page's CSP, pages, download."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server + "/", wait_until="load")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
    with page.expect_navigation():
        page.locator("#canned-list li:has(button[data-name='helpers-in-county']) a.rows").click()
    assert urlsplit(page.url).path == "/query/helpers-in-county"
    assert page.locator("h1").inner_text() == "helpers-in-county"
    assert page.locator("table tr").nth(1).locator("td").all_inner_texts() == [
        "鄂尔多斯市住建局",
        "木都柴达木村",
        "kg:Village",
        "乌审旗",
    ]
    page.locator("input[name='countyName']").fill("巴林右旗")
    with page.expect_navigation():
        page.click("form button[type='submit']")
    assert "countyName=" in page.url
    assert page.locator("table tr").nth(1).locator("td").first.inner_text() == "中级法院"

    out, _ = corpus_build
    build = tmp_path / "build"
    shutil.copytree(out, build, symlinks=True, ignore=shutil.ignore_patterns("results", ".lock"))
    with kg_serve(["--graph", str(build), "--no-warm"], tmp_path / "serve.log") as (base, _):
        page.goto(base + "/query/leaders?size=2", wait_until="load")
        assert "第 1 / " in page.locator("p.meta").inner_text()
        first = page.locator("table tr").nth(1).inner_text()
        with page.expect_navigation():
            page.click("a[rel='next']")
        assert "page=2" in page.url and "显示第 3–4 行" in page.locator("p.meta").inner_text()
        assert page.locator("table tr").nth(1).inner_text() != first
        with page.expect_download() as download_info:
            page.click("a[download]:text('CSV')")
        saved = tmp_path / "leaders.csv"
        download_info.value.save_as(saved)
        assert download_info.value.suggested_filename == "leaders.csv"
        assert len(saved.read_text(encoding="utf-8").splitlines()) > 4  # the whole listing
    context.close()
    assert errors == []
