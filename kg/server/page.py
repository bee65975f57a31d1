"""The query page served at ``/``: YASGUI (vendored in static/yasgui/) on ``/sparql``, canned queries.

Everything loads from this server (no CDN, no fonts, no prefix service), so the page works offline:
the page itself holds the canned queries (name, description, text, parameters) as a JSON data block
and no absolute URL; static/query-page.js sets YASGUI up, links result IRIs to ``/entity/...`` and
fetches the prefix table from ``/prefixes``.
"""

from __future__ import annotations

import json
from pathlib import Path

from kg.queries import canned_queries

__all__ = ["STATIC_DIR", "render_page"]

#: The page's scripts and styles, YASGUI's built files among them; served under ``/static``.
STATIC_DIR = Path(__file__).resolve().parent / "static"


def render_page() -> str:
    """The page's HTML, with the canned queries (name, summary, text, parameters) as a JSON data block.

    Examples:
        >>> page = render_page()
        >>> "helpers-in-county" in page and "http://" not in page and "https://" not in page
        True
    """
    examples = [
        {
            "name": q.name,
            "summary": q.summary,
            "text": q.text,
            "params": [
                {"name": p.name, "meaning": p.meaning, "default": p.default, "kind": p.kind} for p in q.params
            ],
        }
        for q in canned_queries().values()
    ]
    # "<" escaped so that no query text can close the <script> element that carries the JSON
    data = json.dumps(examples, ensure_ascii=False).replace("<", "\\u003c")
    return _PAGE.replace("__EXAMPLES__", data)


_PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>kg SPARQL</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="static/yasgui/yasgui.min.css">
<link rel="stylesheet" href="static/query-page.css">
</head><body>
<header><h1 data-t="title">kg SPARQL 查询</h1>
<button id="lang" type="button" data-t="lang">English</button></header>
<p><span data-t="hint">Ctrl+Enter 运行；前缀已预先声明</span>:
<code>kg: kgr: kgp: kgo: kgpl: kgdoc: kgrole: kgm: kga:
rdf: rdfs: owl: xsd: skos: prov: org: schema: foaf: dcterms:</code></p>
<h2 data-t="canned">预设查询</h2>
<ul id="canned-list"></ul>
<form id="params" hidden></form>
<div class="toolbar"><button id="run" type="button" data-t="run">运行</button>
<span data-t="download">下载</span>:
<button id="download-csv" type="button">CSV</button> <button id="download-tsv" type="button">TSV</button>
<button id="download-json" type="button">JSON</button></div>
<div id="yasgui"></div>
<script id="canned" type="application/json">__EXAMPLES__</script>
<script src="static/yasgui/yasgui.min.js"></script>
<script src="static/query-page.js"></script>
</body></html>
"""
