"""Entity and document pages, and the network view, in real headless Chromium against the real server.

From the view served by ``kg serve`` to an entity page and from an evidence sentence to its place in the
document (highlighted), with no console error and no request leaving the machine; the view's labels and
date filter; screenshots of both pages for the README (written to docs/ when missing or with
KG_UPDATE_SCREENSHOTS=1).
"""

from __future__ import annotations

import os
import time
import urllib.parse

import pytest

from tests.test_server import server  # noqa: F401  (the module-scoped `kg serve` fixture)
from tests.test_view_browser import ARTIFACTS, ROOT, browser  # noqa: F401  (Chromium, or skipped)

pytestmark = pytest.mark.slow

VILLAGE = "kgr:place/木都柴达木村"
BUREAU = "kgr:org/鄂尔多斯市住建局"
DOC = "ordos-baolian-zhucun-2022.txt"
SCREENSHOTS = {"entity": ROOT / "docs" / "entity-page.png", "document": ROOT / "docs" / "document-page.png"}


class LocalPage:
    """A page whose every request is checked: only the server's own address (and data:) may load."""

    def __init__(self, browser, url: str, *, allowed: str, width: int = 1400, height: int = 900) -> None:  # noqa: F811
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.allowed = allowed
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)
        self.page.goto(url, wait_until="load")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith((self.allowed, "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def until(self, expression: str, timeout: float = 10.0) -> None:
        """Wait until a JavaScript expression is true, polled through evaluate: wait_for_function
        evaluates its predicate inside the page, which the served pages' policy (no eval) forbids."""
        deadline = time.monotonic() + timeout
        while not self.js(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s: {expression}")
            self.page.wait_for_timeout(50)

    def clean(self) -> bool:
        return self.errors == [] and self.blocked == []

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def served_view(browser, server):  # noqa: F811
    base, _ = server
    page = LocalPage(browser, base + "/view", allowed=base + "/")
    page.until("window.kgView && window.kgView.ready", timeout=60)
    yield page
    page.close()


def path_of(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path)


def test_view_links_an_entity_to_its_page(served_view):
    assert served_view.js(f"kgView.focusNode('{VILLAGE}')")
    link = served_view.page.get_by_role("link", name="打开实体页（全部关系、证据与职务）")
    with served_view.page.expect_navigation():
        link.click()
    assert path_of(served_view.page.url) == "/entity/place/木都柴达木村"
    assert served_view.page.locator("h1").text_content() == "木都柴达木村"
    # and on from the entity page to another entity, through the chain of places above it
    with served_view.page.expect_navigation():
        served_view.page.locator(".chain a", has_text="乌审旗").click()
    assert path_of(served_view.page.url) == "/entity/place/150626"
    assert served_view.page.locator("h1").text_content() == "乌审旗"
    assert served_view.clean(), (served_view.errors, served_view.blocked)


def test_evidence_sentence_opens_the_document_at_it(served_view):
    sentence = served_view.js(
        """([from, to]) => {
            const edge = kgView.edges.get({filter: e => e.from === from && e.to === to})[0];
            kgView.showEdge(edge.id);
            const facts = JSON.parse(document.getElementById('kg-data').textContent).details.facts;
            return facts[edge.id][0][2][0];
        }""",
        [BUREAU, VILLAGE],
    )
    text, _, start = sentence[0], sentence[1], sentence[2]
    link = served_view.page.locator("#kg-panel a.kg-doc-link").first
    assert link.get_attribute("href") == f"doc/{DOC}#s-{start}"
    with served_view.page.expect_navigation():
        link.click()
    page = served_view.page
    assert path_of(page.url) == f"/doc/{DOC}" and page.url.endswith(f"#s-{start}")
    target = page.locator(":target")
    assert target.get_attribute("id") == f"s-{start}"
    # the sentence is the highlighted one (CSS :target), and scrolled into view
    assert target.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 224, 102)"
    assert page.locator(f"#s-{start}").evaluate("e => e.innerText").startswith(text[:8])
    assert target.is_visible() and target.evaluate(
        "e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }"
    )
    assert served_view.clean(), (served_view.errors, served_view.blocked)


def test_entity_page_sentence_links_to_the_document(browser, server):  # noqa: F811
    base, _ = server
    page = LocalPage(browser, base + "/entity/person/董晶", allowed=base + "/")
    try:
        marks = page.page.locator("blockquote mark.ent")
        assert (
            marks.count() >= 2 and "人物" in page.page.locator("blockquote mark.c-Person").first.inner_text()
        )
        source = page.page.locator("a.src").first
        href = source.get_attribute("href")
        with page.page.expect_navigation():
            source.click()
        anchor = href.rsplit("#", 1)[1]
        assert page.page.locator(":target").get_attribute("id") == anchor
        assert page.clean(), (page.errors, page.blocked)
    finally:
        page.close()


def test_view_from_disk_has_no_dead_links(browser, corpus_build):  # noqa: F811
    out_dir, _ = corpus_build
    page = LocalPage(browser, (out_dir / "graph.html").as_uri(), allowed="file:")
    try:
        page.page.wait_for_function("window.kgView && window.kgView.ready", timeout=60_000)
        page.js(
            """([from, to]) => {
                const edge = kgView.edges.get({filter: e => e.from === from && e.to === to})[0];
                kgView.showEdge(edge.id);
            }""",
            [BUREAU, VILLAGE],
        )
        panel = page.page.locator("#kg-panel")
        assert DOC in panel.text_content() and panel.locator("a").count() == 0
        page.js(f"kgView.showNode('{VILLAGE}')")
        assert panel.locator("a").count() == 0
        assert page.clean()
    finally:
        page.close()


def overlapping(boxes):
    return [
        (a["text"], b["text"])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    ]


def test_labels_never_collide_and_edge_labels_wait_for_zoom(served_view):
    page = served_view
    page.js("kgNetwork.fit(); kgNetwork.redraw()")
    overview = page.js("kgView.labels")
    assert page.js("kgNetwork.getScale()") < 0.9
    assert [b for b in overview if b["kind"] == "edge"] == []  # unreadable at overview zoom: none
    assert len([b for b in overview if b["kind"] == "node"]) > 50
    assert overlapping(overview) == []
    page.js(f"kgNetwork.moveTo({{position: kgNetwork.getPositions(['{VILLAGE}'])['{VILLAGE}'], scale: 1.6}})")
    page.js("kgNetwork.redraw()")
    zoomed = page.js("kgView.labels")
    assert {"帮扶", "驻村"} <= {b["text"] for b in zoomed if b["kind"] == "edge"}
    assert overlapping(zoomed) == []
    assert page.clean()


def test_hovering_an_edge_shows_its_label_at_overview_zoom(served_view):
    page = served_view
    page.js("kgNetwork.fit(); kgNetwork.redraw()")
    point = page.js(
        """([from, to]) => {
            const edge = kgView.edges.get({filter: e => e.from === from && e.to === to})[0];
            const dom = kgNetwork.canvasToDOM(kgNetwork.body.edges[edge.id].edgeType.getPoint(0.5));
            const box = kgNetwork.canvas.frame.canvas.getBoundingClientRect();
            return {x: box.left + dom.x, y: box.top + dom.y, id: edge.id};
        }""",
        [BUREAU, VILLAGE],
    )
    page.page.mouse.move(point["x"], point["y"])
    page.until(f"kgView.labels.some(b => b.kind === 'edge' && b.id === '{point['id']}')")
    (label,) = [b for b in page.js("kgView.labels") if b["kind"] == "edge"]
    assert label["text"] == "帮扶"
    page.page.mouse.move(5, 890)
    page.until("!kgView.labels.some(b => b.kind === 'edge')")
    assert page.clean()


def test_date_filter_on_the_page(served_view):
    page = served_view
    before = page.js("kgView.edgeView.length")
    page.page.fill("#kg-since", "2023")
    page.page.press("#kg-since", "Enter")
    page.page.locator("#kg-until").focus()  # change fires on leaving the field
    after = page.js("kgView.edgeView.length")
    assert 0 < after < before
    dates = page.js(
        """() => {
            const d = JSON.parse(document.getElementById('kg-data').textContent).details;
            return kgView.edgeView.get().map(e => d.facts[e.id].flatMap(f => f[4] || []));
        }"""
    )
    stated = [found for found in dates if found]
    assert stated and all(any(date.startswith("2023") for date in found) for found in stated)
    assert page.js("kgView.setDates('2020-13', '')") is False
    assert page.page.locator("#kg-since.kg-invalid").count() == 1
    assert page.js("kgView.setDates('', '')") and page.js("kgView.edgeView.length") == before
    assert page.clean()


@pytest.mark.parametrize(
    "which,path", [("entity", "/entity/place/木都柴达木村"), ("document", f"/doc/{DOC}#s-1071")]
)
def test_screenshot(browser, server, which, path):  # noqa: F811
    base, _ = server
    page = LocalPage(browser, base + path, allowed=base + "/", width=1200, height=1000)
    try:
        if "#" in path:  # some of the text before the sentence too, and the page's head if it fits
            page.js("window.scrollBy(0, -420)")
        page.page.wait_for_timeout(200)
        ARTIFACTS.mkdir(exist_ok=True)
        png = page.page.screenshot(path=str(ARTIFACTS / SCREENSHOTS[which].name))
        if not SCREENSHOTS[which].exists() or os.environ.get("KG_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS[which].write_bytes(png)
        assert len(png) > 10_000 and page.clean()
    finally:
        page.close()
