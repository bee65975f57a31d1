"""The corpus view in real headless Chromium: offline, drawn in full, searchable, clickable to evidence.

Driven by Playwright for Python against Debian's /usr/bin/chromium (no `playwright install`). Every
request the page makes is routed through ``offline_page``: file: and data: URLs pass, anything else
is recorded and aborted, and the tests assert that nothing was. Screenshots go to test-artifacts/
and, when missing or with KG_UPDATE_SCREENSHOTS=1, to docs/corpus-view.png for the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kg.views.page import HEADLESS_CHROMIUM_ARGS

pytestmark = pytest.mark.slow

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
DOCS_SCREENSHOT = ROOT / "docs" / "corpus-view.png"
VILLAGE = "kgr:place/木都柴达木村"
BUREAU = "kgr:org/鄂尔多斯市住建局"
RELATIONS_QUERY = """
SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
    { ?s kg:assists|kg:heads|kg:worksFor|kg:servesIn|kg:locatedIn ?o }
    UNION { ?o kg:assists|kg:heads|kg:worksFor|kg:servesIn|kg:locatedIn ?s }
    FILTER(isIRI(?s) && isIRI(?o))
}"""
# every relation triple: the facts sentences state and the division table's reference facts
TRIPLES_QUERY = """
SELECT (COUNT(*) AS ?n) WHERE {
    SELECT DISTINCT ?s ?p ?o WHERE {
        VALUES ?p { kg:assists kg:heads kg:worksFor kg:servesIn kg:locatedIn }
        ?s ?p ?o
    }
}"""


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile; new_context() a fresh session on top.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(HEADLESS_CHROMIUM_ARGS))
        yield browser
        browser.close()


class OfflinePage:
    """A page whose every request is checked: only file: and data: URLs may load."""

    def __init__(self, browser, url: str, *, width: int = 1400, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function("window.kgView && window.kgView.ready", timeout=60_000)

    def _route(self, route) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def corpus_page(browser, corpus_build):
    out_dir, _ = corpus_build
    page = OfflinePage(browser, (out_dir / "graph.html").as_uri())
    yield page
    page.close()


@pytest.fixture
def fresh_page(browser, corpus_build):
    out_dir, _ = corpus_build
    page = OfflinePage(browser, (out_dir / "graph.html").as_uri())
    yield page
    page.close()


def test_page_loads_offline_without_errors(corpus_page, corpus_build):
    out_dir, _ = corpus_build
    assert corpus_page.errors == []
    assert corpus_page.blocked == []
    assert corpus_page.requests == [(out_dir / "graph.html").as_uri()]


def test_every_entity_and_relation_is_drawn(corpus_page, corpus_build, corpus_graph):
    from kg.store import query_rows

    _, report = corpus_build
    (row,) = query_rows(corpus_graph, RELATIONS_QUERY)
    (triples,) = query_rows(corpus_graph, TRIPLES_QUERY)
    drawn = corpus_page.js(
        "[kgNetwork.body.nodeIndices.length, kgNetwork.body.edgeIndices.length,"
        " kgView.nodes.length, kgView.edges.length]"
    )
    assert drawn == [row["n"], triples["n"]] * 2
    assert triples["n"] > report["counts"]["facts_total"]  # the table's ancestors are drawn too
    assert corpus_page.js("document.getElementById('kg-status').textContent") == (
        f"显示 {row['n']}/{row['n']} 个实体，{drawn[1]}/{drawn[1]} 条关系"
    )


def test_search_box_focuses_a_named_node(fresh_page):
    page = fresh_page.page
    before = fresh_page.js("kgNetwork.getViewPosition()")
    page.fill("#kg-search", "木都柴达木村")
    assert page.locator("#kg-results li").first.text_content().startswith("木都柴达木村")
    fresh_page.js(
        "window.kgFocused = false; kgNetwork.once('animationFinished', () => { window.kgFocused = true; })"
    )
    page.press("#kg-search", "Enter")
    page.wait_for_function("window.kgFocused", timeout=10_000)
    assert fresh_page.js("kgNetwork.getSelectedNodes()") == [VILLAGE]
    after = fresh_page.js("kgNetwork.getViewPosition()")
    assert (round(after["x"]), round(after["y"])) != (round(before["x"]), round(before["y"]))
    # the node is now in the middle of the canvas
    centre = fresh_page.js(f"kgNetwork.canvasToDOM(kgNetwork.getPositions(['{VILLAGE}'])['{VILLAGE}'])")
    size = fresh_page.js(
        "[kgNetwork.canvas.frame.canvas.clientWidth, kgNetwork.canvas.frame.canvas.clientHeight]"
    )
    assert abs(centre["x"] - size[0] / 2) < 2 and abs(centre["y"] - size[1] / 2) < 2
    assert page.locator("#kg-panel h2").text_content() == "木都柴达木村"
    assert fresh_page.errors == [] and fresh_page.blocked == []


@pytest.mark.parametrize("query", ["mudouchaidamu", "MuDou", "市住建局"])  # pinyin as the tooltip reads it
def test_search_finds_pinyin_and_aliases(corpus_page, query):
    found = corpus_page.js("(q) => kgView.matches(q).map(m => m.id)", query)
    assert found[0] in (VILLAGE, BUREAU)


def test_clicking_an_edge_shows_its_evidence(fresh_page):
    page = fresh_page.page
    edge_id, sentence = fresh_page.js(
        """([from, to]) => {
            const edge = kgView.edges.get({filter: e => e.from === from && e.to === to})[0];
            const facts = JSON.parse(document.getElementById('kg-data').textContent).details.facts;
            return [edge.id, facts[edge.id][0][2][0][0]];
        }""",
        [BUREAU, VILLAGE],
    )
    assert "木都柴达木村" in sentence
    # Put the edge's midpoint at the middle of the canvas, zoomed in, then click there like a person.
    point = fresh_page.js(
        """(id) => {
            const edge = kgNetwork.body.edges[id];
            const mid = edge.edgeType.getPoint(0.5);
            kgNetwork.moveTo({position: mid, scale: 1.5});
            const dom = kgNetwork.canvasToDOM(mid);
            const box = kgNetwork.canvas.frame.canvas.getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        edge_id,
    )
    page.wait_for_timeout(100)  # one frame, so that hit-testing sees the moved view
    page.mouse.click(point["x"], point["y"])
    panel = page.locator("#kg-panel")
    panel.wait_for(state="visible")
    assert fresh_page.js("kgView.selected") == {"edge": edge_id}
    text = panel.text_content()
    assert "鄂尔多斯市住建局 —帮扶→ 木都柴达木村" in text
    assert f"「{sentence}」" in text
    assert "ordos-baolian-zhucun-2022.txt" in text  # the source document
    assert fresh_page.errors == []


def test_clicking_a_node_lists_its_facts_documents_and_posts(fresh_page):
    page = fresh_page.page
    point = fresh_page.js(
        """(id) => {
            const pos = kgNetwork.getPositions([id])[id];
            kgNetwork.moveTo({position: pos, scale: 1.5});
            const dom = kgNetwork.canvasToDOM(pos);
            const box = kgNetwork.canvas.frame.canvas.getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y};
        }""",
        VILLAGE,
    )
    page.wait_for_timeout(100)
    page.mouse.click(point["x"], point["y"])
    page.locator("#kg-panel").wait_for(state="visible")
    text = page.locator("#kg-panel").text_content()
    assert "木都柴达木村" in text and "mù dōu chái dá mù cūn" in text
    assert "董晶 —驻村→ 木都柴达木村" in text and "职务：驻村第一书记" in text
    assert "来源文档" in text


def test_relation_and_class_filters(fresh_page):
    page = fresh_page.page
    counts = "[kgView.nodeView.length, kgView.edgeView.length]"
    nodes, edges = fresh_page.js(counts)
    located = fresh_page.js("kgView.edges.get({filter: e => e.relation === 'locatedIn'}).length")
    page.uncheck('#kg-legend input[data-relation="locatedIn"]')
    narrowed = fresh_page.js(counts)
    assert narrowed[1] == edges - located and narrowed[0] < nodes
    assert fresh_page.js("kgNetwork.body.edgeIndices.length") == edges - located
    page.check('#kg-legend input[data-relation="locatedIn"]')
    assert fresh_page.js(counts) == [nodes, edges]
    page.uncheck('#kg-legend input[data-group="Person"]')
    groups = fresh_page.js("kgView.nodeView.get().map(n => n.group)")
    assert "Person" not in groups and len(groups) < nodes
    # searching for a hidden entity turns its class back on
    assert fresh_page.js("kgView.search('董晶')") == "kgr:person/董晶"
    assert page.is_checked('#kg-legend input[data-group="Person"]')
    assert fresh_page.errors == []


def test_level_view_aggregates_in_the_browser(browser, corpus_build, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    out_dir, _ = corpus_build
    out = tmp_path / "county.html"
    result = CliRunner().invoke(
        main, ["view", "--graph", str(out_dir), "--level", "county", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    page = OfflinePage(browser, out.as_uri())
    try:
        groups = set(page.js("kgView.nodeView.get().map(n => n.group)"))
        assert not groups & {"Village", "Township"}
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()


def test_screenshot(browser, corpus_build):
    """The README picture: the whole corpus graph, and the panel with one edge's evidence."""
    out_dir, _ = corpus_build
    page = OfflinePage(browser, (out_dir / "graph.html").as_uri(), width=1600, height=900)
    try:
        page.js(
            """([from, to]) => {
                // Fit the graph into the part of the window the panel leaves free.
                const free = {width: kgNetwork.canvas.frame.canvas.clientWidth - 480, height: 900 - 140};
                const xs = [], ys = [];
                for (const p of Object.values(kgNetwork.getPositions())) { xs.push(p.x); ys.push(p.y); }
                const box = {left: Math.min(...xs) - 60, right: Math.max(...xs) + 60,
                             top: Math.min(...ys) - 60, bottom: Math.max(...ys) + 60};
                const scale = Math.min(free.width / (box.right - box.left),
                                       free.height / (box.bottom - box.top));
                const centre = {x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2};
                kgNetwork.moveTo({scale, position: {x: centre.x + 230 / scale, y: centre.y - 40 / scale}});
                const edge = kgView.edges.get({filter: e => e.from === from && e.to === to})[0];
                kgNetwork.selectEdges([edge.id]);
                kgView.showEdge(edge.id);
            }""",
            [BUREAU, VILLAGE],
        )
        page.page.wait_for_timeout(300)
        ARTIFACTS.mkdir(exist_ok=True)
        png = page.page.screenshot(path=str(ARTIFACTS / "corpus-view.png"))
        if not DOCS_SCREENSHOT.exists() or os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            DOCS_SCREENSHOT.write_bytes(png)
        assert len(png) > 10_000
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()
