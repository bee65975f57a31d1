"""The query page served at ``/``: a form, a results table and the canned queries, with no external URL.

Everything is inline (no CDN, no fonts, no images), so the page works offline; the prefix table it
uses to shorten IRIs is fetched from ``/prefixes`` so that not even a namespace IRI appears in it.
"""

from __future__ import annotations

import json

from kg.queries import canned_queries

__all__ = ["render_page"]


def render_page() -> str:
    """The page's HTML, with the canned queries (name, first comment line, text) as clickable examples.

    Examples:
        >>> page = render_page()
        >>> "helpers-in-county" in page and "http://" not in page and "https://" not in page
        True
    """
    examples = [{"name": q.name, "summary": q.summary, "text": q.text} for q in canned_queries().values()]
    # "<" escaped so that no query text can close the <script> element that carries the JSON
    data = json.dumps(examples, ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.replace("__EXAMPLES__", data)


_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>kg SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em; color: #222 }
textarea { width: 100%; height: 16em; font: 13px monospace; box-sizing: border-box }
#examples button { margin: 0 .4em .4em 0 }
table { border-collapse: collapse; margin-top: 1em }
td, th { border: 1px solid #ccc; padding: .2em .5em; text-align: left; vertical-align: top }
th { background: #f3f3f3 }
#status { margin-left: 1em; color: #555 }
.error { color: #b00; white-space: pre-wrap }
pre { white-space: pre-wrap }
</style></head><body>
<h1>kg SPARQL endpoint</h1>
<p>Read-only queries over the knowledge graph at <code>/sparql</code>; the prefixes <code>kg: kgr: rdf: rdfs:
owl: xsd: skos: prov: org: schema: foaf: dcterms:</code> are predeclared. Ctrl+Enter runs the query.</p>
<div id="examples"></div>
<textarea id="query" spellcheck="false">SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20</textarea>
<p><button id="run">Run</button><span id="status"></span></p>
<div id="results"></div>
<script id="canned" type="application/json">__EXAMPLES__</script>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let prefixes = {};
fetch("prefixes").then((r) => r.json()).then((p) => { prefixes = p; }).catch(() => {});
function compact(iri) {
  for (const [name, ns] of Object.entries(prefixes)) {
    if (iri.startsWith(ns)) return name + ":" + iri.slice(ns.length);
  }
  return "<" + iri + ">";
}
function show(term) {
  if (!term) return "";
  if (term.type === "uri") return compact(term.value);
  if (term.type === "bnode") return "_:" + term.value;
  if (term.type === "triple") {
    return "<< " + ["subject", "predicate", "object"].map((k) => show(term.value[k])).join(" ") + " >>";
  }
  return term.value + (term["xml:lang"] ? "@" + term["xml:lang"] : "");
}
function cell(tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}
function render(data) {
  const out = $("results");
  if ("boolean" in data) { out.replaceChildren(cell("p", "ASK: " + data.boolean)); return 1; }
  const table = document.createElement("table"), head = document.createElement("tr");
  data.head.vars.forEach((v) => head.append(cell("th", v)));
  table.append(head);
  for (const binding of data.results.bindings) {
    const row = document.createElement("tr");
    data.head.vars.forEach((v) => row.append(cell("td", show(binding[v]))));
    table.append(row);
  }
  out.replaceChildren(table);
  return data.results.bindings.length;
}
function fail(text) {
  const message = cell("p", text);
  message.className = "error";
  $("results").replaceChildren(message);
  $("status").textContent = "";
}
async function run() {
  const started = performance.now();
  $("status").textContent = "running…";
  try {
    const response = await fetch("sparql", {method: "POST", body: $("query").value, headers: {
      "Content-Type": "application/sparql-query",
      "Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
    const text = await response.text(), ms = Math.round(performance.now() - started);
    if (!response.ok) { fail(response.status + ": " + text); return; }
    if ((response.headers.get("content-type") || "").includes("json")) {
      $("status").textContent = render(JSON.parse(text)) + " rows, " + ms + " ms";
    } else {
      $("results").replaceChildren(cell("pre", text));
      $("status").textContent = ms + " ms";
    }
  } catch (error) { fail(String(error)); }
}
for (const q of JSON.parse($("canned").textContent)) {
  const button = cell("button", q.name);
  button.title = q.summary;
  button.className = "example";
  button.onclick = () => { $("query").value = q.text; run(); };
  $("examples").append(button);
}
$("run").onclick = run;
$("query").addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) run(); });
</script></body></html>
"""
