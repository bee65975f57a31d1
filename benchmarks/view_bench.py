"""Benchmark the network page on synthetic graphs of the project's shape, in headless Chromium.

For each size: HTML size, time to generate the page (``render_network`` + ``network_html`` on an
Oxigraph store), time from navigation start until vis-network first draws, and frames per second
while zooming in and out from the whole-graph view (real wheel events on the canvas, counted by
vis's ``afterDrawing``). ``--baseline`` adds plain pyvis with the same static layout (its template,
default options, physics off) as the anchor to beat.

Usage::

    .venv/bin/python benchmarks/view_bench.py                    # 500, 2000, 10000, 50000 nodes
    .venv/bin/python benchmarks/view_bench.py --sizes 2000 --baseline --keep /tmp/pages

Needs playwright (pip install playwright) and Chromium at /usr/bin/chromium (or --chromium PATH).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.ontology import KG, KGR, bind_prefixes
from kg.store import GraphStore
from kg.views import network_html, render_network
from kg.views.page import HEADLESS_CHROMIUM_ARGS

ORGANISATION_CLASSES = ["PartyBody", "GovernmentBody", "Enterprise", "Cooperative", "WorkTeam"]


def synthetic_graph(size: int, *, seed: int = 0) -> Graph:
    """A graph of about ``size`` entities shaped like the corpus: places in a 5-level tree, bodies
    helping villages, people heading or working for bodies and serving in villages, every fact with
    an evidence sentence from one of ``size / 50`` documents.

    Per block of 100 entities: 1 banner, 5 towns, 38 villages, 25 bodies, 31 people; one city per 8
    banners; about 1.3 facts per entity, as in the corpus.
    """
    rng = random.Random(seed)
    graph = Graph()
    bind_prefixes(graph)
    add = graph.add
    documents = [KGR[f"doc/synthetic-{i:05d}.txt"] for i in range(max(1, size // 50))]
    for i, doc in enumerate(documents):
        add((doc, RDF.type, KG.Document))
        add((doc, KG.sourceFile, Literal(f"synthetic-{i:05d}.txt")))
        add((doc, DCTERMS.title, Literal(f"第{i}号报道：抓党建促乡村振兴", lang="zh")))
    counter = 0

    def entity(kind: str, cls: str, name: str, *aliases: str) -> URIRef:
        node = KGR[f"{kind}/{name}"]
        add((node, RDF.type, KG[cls]))
        add((node, RDFS.label, Literal(name, lang="zh")))
        for alias in aliases:
            add((node, SKOS.altLabel, Literal(alias, lang="zh")))
        return node

    def fact(s: URIRef, p: str, o: URIRef, sentence: str, post: str = "") -> None:
        nonlocal counter
        counter += 1
        add((s, KG[p], o))
        node = KGR[f"assertion/{counter:08d}"]
        start = rng.randrange(20_000)
        for triple in [
            (node, RDF.type, KG.Assertion),
            (node, RDF.subject, s),
            (node, RDF.predicate, KG[p]),
            (node, RDF.object, o),
            (node, KG.evidenceText, Literal(sentence, lang="zh")),
            (node, KG.startOffset, Literal(start, datatype=XSD.integer)),
            (node, KG.endOffset, Literal(start + len(sentence), datatype=XSD.integer)),
            (node, PROV.wasDerivedFrom, rng.choice(documents)),
        ]:
            add(triple)
        if post:
            add((node, KG.post, Literal(post, lang="zh")))

    province = entity("place", "Province", "内蒙古自治区", "内蒙古")
    all_villages: list[URIRef] = []
    city = province
    for block in range(max(1, size // 100)):
        if block % 8 == 0:
            city = entity("place", "City", f"第{block // 8}市")
            fact(city, "locatedIn", province, f"第{block // 8}市位于内蒙古自治区中部。")
        banner = entity("place", "County", f"第{block}旗", f"{block}旗")
        fact(banner, "locatedIn", city, f"第{block}旗隶属第{block // 8}市，全旗推进乡村振兴。")
        towns = []
        for t in range(5):
            town = entity("place", "Township", f"第{block}旗{t}镇")
            fact(town, "locatedIn", banner, f"第{block}旗{t}镇地处旗境东部，党建引领成效明显。")
            towns.append(town)
        villages = []
        for v in range(38):
            village = entity("place", "Village", f"{block}旗{v}村")
            fact(village, "locatedIn", towns[v % 5], f"{block}旗{v}村位于镇区北部，是帮扶重点村。")
            villages.append(village)
        all_villages.extend(villages)
        bodies = []
        for b in range(25):
            body = entity("org", ORGANISATION_CLASSES[b % 5], f"第{block}旗第{b}单位")
            if b % 3 == 0:
                fact(body, "locatedIn", rng.choice(villages), f"第{block}旗第{b}单位设在村里。")
            for _ in range(rng.randint(1, 2)):
                village = rng.choice(villages if rng.random() < 0.9 else all_villages)
                fact(body, "assists", village, f"第{block}旗第{b}单位派驻工作队帮扶该村发展产业。")
            bodies.append(body)
        for p in range(31):
            person = entity("person", "Person", f"干部{block}-{p}")
            body = rng.choice(bodies)
            relation, post = ("heads", "书记") if rng.random() < 0.5 else ("worksFor", "副主任")
            fact(person, relation, body, f"干部{block}-{p}任第{block}旗该单位{post}。", post)
            if p % 4 == 0:
                fact(person, "servesIn", rng.choice(villages), f"干部{block}-{p}驻村任第一书记。", "第一书记")
    return graph


def pyvis_baseline(store: GraphStore) -> str:
    """Plain pyvis with kg's static layout: its template, default options, physics off."""
    from pyvis.network import Network

    kg_net = render_network(store, overview_threshold=10**9)
    net = Network(height="800px", width="100%", directed=True, cdn_resources="in_line")
    net.nodes = [
        {k: n[k] for k in ("id", "label", "title", "color", "shape", "x", "y") if k in n}
        for n in kg_net.nodes
    ]
    net.node_ids = [n["id"] for n in net.nodes]
    net.node_map = {n["id"]: n for n in net.nodes}
    net.edges = [{k: e[k] for k in ("from", "to", "label", "title", "color", "arrows")} for e in kg_net.edges]
    net.toggle_physics(False)
    return str(net.generate_html())


# Records the first afterDrawing of pyvis's global `network` (assigned by its template) or of kg's page.
_HOOK = """
(() => {
  window.__bench = {};
  let net;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return net; },
    set(value) {
      net = value;
      value.once("afterDrawing", () => { window.__bench.firstDraw = performance.now(); });
    },
  });
})();
"""

_ZOOM = """
async (duration) => {
  const net = window.kgNetwork || window.network;
  const canvas = net.canvas.frame.canvas;
  const rect = canvas.getBoundingClientRect();
  net.fit();
  await new Promise((resolve) => setTimeout(resolve, 500));
  let draws = 0;
  const count = () => { draws += 1; };
  net.on("afterDrawing", count);
  const start = performance.now();
  let events = 0;
  await new Promise((resolve) => {
    const step = () => {
      if (performance.now() - start >= duration) return resolve();
      // Ten steps in, ten out: the view stays around the whole graph, the costliest frame.
      const direction = Math.floor(events / 10) % 2 === 0 ? -1 : 1;
      events += 1;
      canvas.dispatchEvent(new WheelEvent("wheel", {
        deltaY: 100 * direction, clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2,
        bubbles: true, cancelable: true,
      }));
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
  const seconds = (performance.now() - start) / 1000;
  net.off("afterDrawing", count);
  return draws / seconds;
}
"""


def measure_page(browser: Any, path: Path, *, zoom_seconds: float = 2.0) -> dict[str, Any]:
    """Open a page in a fresh context with every non-file request blocked; time first draw and zoom."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        blocked: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.startswith(("file:", "data:")):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.add_init_script(_HOOK)
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        page.wait_for_function(
            "(window.kgView && window.kgView.timings.firstDraw) || window.__bench.firstDraw",
            timeout=300_000,
            polling=50,
        )
        first = page.evaluate(
            "(window.kgView && window.kgView.timings.firstDraw) || window.__bench.firstDraw"
        )
        drawn = page.evaluate(
            "window.kgView ? [kgView.nodeView.length, kgView.edgeView.length]"
            " : [network.body.nodeIndices.length, network.body.edgeIndices.length]"
        )
        fps = page.evaluate(_ZOOM, zoom_seconds * 1000)
        return {"first_draw_s": first / 1000, "fps": fps, "drawn": drawn, "blocked": len(blocked)}
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,10000,50000")
    parser.add_argument("--baseline", action="store_true", help="also measure plain pyvis")
    parser.add_argument("--repeat", type=int, default=1, help="page loads per size (median reported)")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated pages here")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("needs playwright: pip install playwright", file=sys.stderr)
        return 2
    out_dir = args.keep or Path(tempfile.mkdtemp(prefix="view-bench-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=list(HEADLESS_CHROMIUM_ARGS))
        for size in (int(s) for s in args.sizes.split(",")):
            graph = synthetic_graph(size)
            store = GraphStore.open(None)
            store.replace_default_graph(graph)
            del graph
            started = time.perf_counter()
            net = render_network(store)
            page = network_html(net)
            generate = time.perf_counter() - started
            path = out_dir / f"kg-{size}.html"
            path.write_text(page, encoding="utf-8")
            variants = [("kg view", path, generate, len(net.nodes), len(net.edges))]
            if args.baseline:
                started = time.perf_counter()
                base = pyvis_baseline(store)
                base_path = out_dir / f"pyvis-{size}.html"
                base_path.write_text(base, encoding="utf-8")
                variants.append(
                    ("pyvis", base_path, time.perf_counter() - started, len(net.nodes), len(net.edges))
                )
            for name, file, seconds, nodes, edges in variants:
                runs = [measure_page(browser, file) for _ in range(args.repeat)]
                row = {
                    "variant": name,
                    "nodes": nodes,
                    "edges": edges,
                    "drawn": runs[0]["drawn"],
                    "html_mb": file.stat().st_size / 1e6,
                    "generate_s": seconds,
                    "first_draw_s": statistics.median(r["first_draw_s"] for r in runs),
                    "fps": statistics.median(r["fps"] for r in runs),
                    "blocked": sum(r["blocked"] for r in runs),
                }
                rows.append(row)
                print(_format_row(row), flush=True)
        browser.close()
    print()
    print(
        "| variant | nodes | edges | drawn at open (nodes/edges) | HTML MB | generate s "
        "| first draw s | zoom fps |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(_format_row(row))
    if args.keep is None:
        shutil.rmtree(out_dir, ignore_errors=True)
    return 0


def _format_row(row: dict[str, Any]) -> str:
    drawn = "{}/{}".format(*row["drawn"])
    return (
        f"| {row['variant']} | {row['nodes']} | {row['edges']} | {drawn} | {row['html_mb']:.1f} | "
        f"{row['generate_s']:.1f} | {row['first_draw_s']:.2f} | {row['fps']:.1f} |"
    )


if __name__ == "__main__":
    sys.exit(main())
