"""Write a network as one standalone, offline HTML page: vis-network inlined, search, filters, side panel.

The page is assembled here rather than by pyvis's template: that template links Bootstrap from a CDN,
builds its DataSets in a way that cannot be filtered, and has no place for a panel. What pyvis
provides is kept: the ``Network`` holding nodes, edges and options, and the vis-network 9.1.2 build
it ships, which is inlined (its source-map pointer removed, so developer tools fetch nothing).

All data (nodes, edges, options, panel details) sits in one ``<script type="application/json">``
element, parsed by ``assets/view.js`` with ``JSON.parse`` (faster than a JavaScript literal of the
same size). Every ``<`` in it is written ``\\u003c``, so no entity name can close the element, and the
script builds the panel with ``textContent``, never ``innerHTML``: names and sentences stay text.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pyvis
from pyvis.network import Network

from kg.views.styles import GLYPHS, RELATION_STYLES, class_style

_VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"


def network_html(net: Network, *, title: str | None = None) -> str:
    """The standalone HTML page of a network: libraries inline, legend and filters, no external references.

    Args:
        net: A network, usually from ``render_network`` (a plain pyvis ``Network`` works too, without
            the panel's evidence).
        title: The page's ``<title>``; by default it names the knowledge graph and counts nodes and edges.

    Returns:
        The HTML text, UTF-8 declared.

    Examples:
        >>> from kg.store import open_store
        >>> from kg.views import render_network
        >>> page = network_html(render_network(open_store()), title="演示")
        >>> "<title>演示</title>" in page, external_references(page)
        (True, [])
    """
    if title is None:
        title = f"知识图谱：{len(net.nodes)} 个实体，{len(net.edges)} 条关系"
    details: dict[str, Any] = getattr(net, "details", {}) or {}
    notes: list[str] = list(getattr(net, "notes", []) or [])
    payload = {"nodes": net.nodes, "edges": net.edges, "options": _plain_options(net), "details": details}
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "<" cannot start "</script>" or "<!--" once escaped; JSON.parse turns \u003c back into "<".
    data = data.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    vis_css, vis_js, view_css, view_js = _assets()
    notes_html = "".join(f"<li>{html.escape(note)}</li>" for note in notes)
    page = _PAGE.format(
        title=html.escape(title),
        vis_css=vis_css,
        view_css=view_css,
        heading=html.escape(title),
        notes=f'<ul id="kg-notes">{notes_html}</ul>' if notes else "",
        legend=_legend_html(net),
        show_all=(
            '<button type="button" id="kg-show-all">显示全部</button>' if details.get("overview") else ""
        ),
        dates=_date_filter_html(details),
        data=data,
        vis_js=vis_js,
        view_js=view_js,
    )
    # Belt and braces: nothing in the page may point to another host, whatever the inputs held.
    page = _EXTERNAL_ATTRIBUTE.sub(r"\1", _EXTERNAL_TAG.sub("", page))
    return page


def network_iframe(net: Network, *, title: str | None = None) -> str:
    """The page of ``network_html`` inside an ``<iframe srcdoc>``, for notebooks (see ``NotebookView``).

    The iframe keeps the page's script and styles apart from the notebook's, and needs no file.

    Examples:
        >>> from kg.store import open_store
        >>> from kg.views import render_network
        >>> frame = network_iframe(render_network(open_store(), height="300px"))
        >>> frame.startswith('<iframe style="width:100%;height:300px')
        True
    """
    page = network_html(net, title=title)
    height = html.escape(str(getattr(net, "height", "600px")))
    return (
        f'<iframe style="width:100%;height:{height};border:1px solid #ccc" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>'
    )


class NotebookView:
    """A network page that Jupyter shows inline (``_repr_html_``: the ``network_iframe`` markup).

    Examples:
        >>> from kg.store import open_store
        >>> from kg.views import render_network
        >>> NotebookView(render_network(open_store()))._repr_html_().startswith("<iframe")
        True
    """

    def __init__(self, net: Network, *, title: str | None = None) -> None:
        self.html = network_iframe(net, title=title)

    def _repr_html_(self) -> str:
        return self.html


#: Flags for opening the page in headless Chromium from a script or a test (in containers, offline):
#: no sandbox, no GPU, and no traffic of the browser's own, so the page's requests are the only ones.
HEADLESS_CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def external_references(html_text: str) -> list[str]:
    """References to other hosts in a page: http(s) or protocol-relative src/href, url(…) and @import.

    Args:
        html_text: An HTML page, scripts and styles included.

    Returns:
        Each distinct reference, in order of first appearance; empty for a self-contained page.

    Examples:
        >>> external_references('<script src="https://static.example/x.js"></script>'
        ...                     '<style>@import "//fonts.example/f.css"; a{background:url(data:,x)}</style>')
        ['https://static.example/x.js', '//fonts.example/f.css']
        >>> external_references('<a href="page.html">相对链接</a>')
        []
    """
    found = (next(group for group in match.groups() if group) for match in _REFERENCE.finditer(html_text))
    return list(dict.fromkeys(found))


def _plain_options(net: Network) -> Any:
    """The network's options as JSON-ready data (pyvis keeps an ``Options`` object until set as a dict)."""
    options = net.options
    if isinstance(options, dict):
        return options
    return json.loads(options.to_json())


@cache
def _assets() -> tuple[str, str, str, str]:
    """vis-network's CSS and script (as pyvis ships them) and the page's own CSS and script."""
    own = resources.files("kg.views") / "assets"
    vis_js = (_VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    return (
        (_VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        _SOURCE_MAP.sub("", vis_js),
        (own / "view.css").read_text(encoding="utf-8"),
        (own / "view.js").read_text(encoding="utf-8"),
    )


def _legend_html(net: Network) -> str:
    """The legend: one checkbox per class and relation in the network, which the script makes filters.

    Colours are ``data-colour`` attributes that the script applies: a ``style`` attribute would need
    ``'unsafe-inline'`` in the Content-Security-Policy that ``kg serve`` sends with the page.
    """
    groups: dict[str, int] = {}
    for node in net.nodes:
        groups[node.get("group", "Thing")] = groups.get(node.get("group", "Thing"), 0) + 1
    relations: dict[str, int] = {}
    for edge in net.edges:
        relation = edge.get("relation") or _relation_of(edge.get("label", ""))
        if relation:
            relations[relation] = relations.get(relation, 0) + 1
    order = {name: i for i, name in enumerate(_class_order())}
    items = []
    for group in sorted(groups, key=lambda g: (order.get(g, len(order)), g)):
        style = class_style(group)
        items.append(
            f'<li><label><input type="checkbox" checked data-group="{html.escape(group)}">'
            f'<span class="kg-glyph" data-colour="{style.colour}">{GLYPHS.get(style.shape, "●")}</span>'
            f'{html.escape(style.name)}<span class="kg-count">{groups[group]}</span></label></li>'
        )
    lines = []
    for relation, line in RELATION_STYLES.items():
        if relation in relations:
            lines.append(
                f'<li><label><input type="checkbox" checked data-relation="{relation}">'
                f'<span class="kg-line" data-colour="{line.colour}"></span>'
                f'{html.escape(line.name)}<span class="kg-count">{relations[relation]}</span></label></li>'
            )
    return (
        '<div class="kg-legend" id="kg-legend">\n<h2>图例 · 实体</h2>\n<ul>\n'
        + "\n".join(items)
        + "\n</ul>\n<h2>关系</h2>\n<ul>\n"
        + "\n".join(lines)
        + "\n</ul>\n</div>"
    )


def _date_filter_html(details: dict[str, Any]) -> str:
    """The date filter (two ISO dates), when some document of the view has a date; view.js applies it."""
    dates = sorted({row[2] for row in details.get("documents", []) if len(row) > 2 and row[2]})
    if not dates:
        return ""
    hint = f"文档日期 {dates[0]}" + (f" 至 {dates[-1]}" if dates[-1] != dates[0] else "")
    return (
        '<div class="kg-dates" id="kg-dates">'
        '<label>日期 <input id="kg-since" type="text" inputmode="numeric" placeholder="起始，如 2021"'
        ' aria-label="起始日期" size="10"></label>'
        '<label>至 <input id="kg-until" type="text" inputmode="numeric" placeholder="截止，如 2023-06"'
        ' aria-label="截止日期" size="10"></label>'
        f'<span class="kg-meta" id="kg-date-hint">{html.escape(hint)}</span></div>'
    )


def _class_order() -> list[str]:
    from kg.views.styles import CLASS_STYLES

    return [*CLASS_STYLES, "Thing"]


def _relation_of(label: str) -> str | None:
    """The relation whose Chinese name starts an edge label (for networks built without ``relation``)."""
    for relation, style in RELATION_STYLES.items():
        if label == style.name or label.startswith(style.name + " ×"):
            return relation
    return None


_URL = r"(?:https?:)?//"
_REFERENCE = re.compile(
    rf"""\b(?:src|href)\s*=\s*["']?\s*({_URL}[^\s"'<>]+)"""
    rf"""|\burl\(\s*["']?\s*({_URL}[^\s"'()]+)"""
    rf"""|@import\s+["']\s*({_URL}[^\s"']+)""",
    re.IGNORECASE,
)
_EXTERNAL_TAG = re.compile(
    rf"""<link\b[^>]*?\bhref\s*=\s*["']?\s*{_URL}[^>]*>"""
    rf"""|<script\b[^>]*?\bsrc\s*=\s*["']?\s*{_URL}[^>]*>\s*</script\s*>""",
    re.IGNORECASE,
)
# Any other markup attribute pointing elsewhere: drop the attribute.
_EXTERNAL_ATTRIBUTE = re.compile(rf"""(<[a-zA-Z][^<>]*?)\s(?:src|href)\s*=\s*(["'])\s*{_URL}[^"']*\2""")
# vis-network's pointer to a source map that is not shipped (developer tools would try to fetch it).
_SOURCE_MAP = re.compile(r"//# sourceMappingURL=[^\s<]+")

# str.format template: literal braces of the page are doubled; the parts are inserted verbatim.
_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{vis_css}</style>
<style>{view_css}</style>
</head>
<body>
<div id="kg-net"></div>
<div id="kg-bar">
<h1>{heading}</h1>
<div class="kg-search">
<input id="kg-search" type="search" placeholder="搜索实体：名称、别名或拼音" autocomplete="off"
 aria-label="搜索实体">
<button type="button" id="kg-fit" title="显示整张图">适应窗口</button>{show_all}
</div>
{dates}
<ul id="kg-results" role="listbox"></ul>
<p id="kg-status"></p>
{notes}
</div>
{legend}
<aside id="kg-panel" hidden>
<button type="button" id="kg-close" title="关闭">×</button>
<div id="kg-panel-body"></div>
</aside>
<script type="application/json" id="kg-data">{data}</script>
<script>{vis_js}</script>
<script>{view_js}</script>
</body>
</html>
"""
