"""HTML of the entity and document pages: one stylesheet, no script, every inserted text escaped.

The pages need no script at all: the sentence a link points to is highlighted by CSS ``:target``, so
their Content-Security-Policy allows one inline stylesheet (by hash) and nothing else. Entity names
come from the text, so every name, sentence and attribute goes through ``html.escape``; links are
relative (``../../entity/…``), so the pages work wherever the server is mounted.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.server.highlight import Piece
from kg.views.styles import CLASS_STYLES, OTHER_STYLE, RELATION_STYLES, class_style

__all__ = ["EntityRef", "Evidence", "FactRow", "esc", "link", "marked", "page"]


def esc(text: object) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape(str(text), quote=True)


@dataclass(frozen=True)
class EntityRef:
    """An entity as a page links to it: its path below ``entity/`` (None: not ours), label and class."""

    path: str | None
    label: str
    group: str = "Thing"


@dataclass(frozen=True)
class Evidence:
    """One sentence stating a fact, with its document, offsets in the original file, date and post."""

    text: str
    doc_id: str | None = None
    title: str | None = None
    date: str | None = None
    start: int | None = None
    end: int | None = None
    post: str | None = None


@dataclass
class FactRow:
    """A fact of the graph with the sentences stating it (none for the division table's reference facts)."""

    subject: EntityRef
    relation: str
    object: EntityRef
    evidence: list[Evidence] = field(default_factory=list)


def link(root: str, ref: EntityRef) -> str:
    """The entity's name, linked to its page when it has one, with its class as a tooltip."""
    name = f'<span class="ent-name c-{esc(ref.group)}">{esc(ref.label)}</span>'
    if ref.path is None:
        return name
    return (
        f'<a href="{esc(root)}entity/{esc(ref.path)}" title="{esc(class_style(ref.group).name)}">{name}</a>'
    )


def marked(root: str, items: Iterable[Piece], paths: dict[str, str | None]) -> str:
    """Pieces of text as HTML, mentions as ``<mark>`` coloured by class and named (as displacy does)."""
    out = []
    for piece in items:
        if piece.mark is None:
            out.append(esc(piece.text))
            continue
        group = piece.mark.group
        inner = f'{esc(piece.text)}<span class="lbl">{esc(class_style(group).name)}</span>'
        path = paths.get(piece.mark.key)
        if path is not None:
            inner = f'<a href="{esc(root)}entity/{esc(path)}">{inner}</a>'
        out.append(f'<mark class="ent c-{esc(group)}">{inner}</mark>')
    return "".join(out)


def relation_name(relation: str) -> str:
    """The Chinese name of a relation (the view's edge label)."""
    style = RELATION_STYLES.get(relation)
    return style.name if style else relation


def doc_href(root: str, doc_id: str, start: int | None = None) -> str:
    """Relative link to a document page, at one sentence when ``start`` is given (``#s-<start>``)."""
    from urllib.parse import quote

    anchor = f"#s-{start}" if start is not None else ""
    return f"{root}doc/{quote(doc_id, safe='/')}{anchor}"


def source_line(root: str, evidence: Evidence) -> str:
    """Where a sentence comes from: document (linked to the sentence in it), date, offsets, post."""
    parts = []
    if evidence.doc_id:
        title = f"《{evidence.title}》" if evidence.title else ""
        parts.append(
            f'<a class="src" href="{esc(doc_href(root, evidence.doc_id, evidence.start))}">'
            f"{esc(evidence.doc_id)}{esc(title)}</a>"
        )
        parts.append('<span class="why">在原文中查看</span>')
    if evidence.date:
        parts.append(f"日期：{esc(evidence.date)}")
    if evidence.start is not None and evidence.end is not None:
        parts.append(f"字符 {evidence.start}–{evidence.end}")
    if evidence.post:
        parts.append(f"职务：{esc(evidence.post)}")
    return " · ".join(parts)


def page(title: str, body: str, *, root: str, subtitle: str = "") -> str:
    """A whole page: the shared stylesheet, a header linking the query page and the network view."""
    nav = f'<nav><a href="{esc(root)}">SPARQL 查询</a> · <a href="{esc(root)}view">关系网络图</a></nav>'
    sub = f'<p class="sub">{subtitle}</p>' if subtitle else ""
    return (
        '<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{esc(title)}</title>'
        f"<style>{STYLE}</style></head><body>{nav}<h1>{esc(title)}</h1>{sub}{body}</body></html>\n"
    )


def table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table whose cells are already HTML."""
    cells = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def _class_rules() -> str:
    rules = []
    for name, style in [*CLASS_STYLES.items(), ("Thing", OTHER_STYLE)]:
        # a light background of the class colour, as in the network view's legend
        rules.append(f".c-{name}{{--c:{style.colour}}}")
    return "".join(rules)


STYLE = (
    "body{font:15px/1.7 'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif;"
    "margin:0 auto;max-width:60em;padding:1em 1.5em;color:#222}"
    "nav{font-size:13px;color:#666}h1{font-size:22px;margin:.4em 0 .1em}"
    "h2{font-size:17px;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}"
    ".sub{color:#555;margin:0}.meta,.why{color:#777;font-size:13px}"
    "a{color:#1a5fb4;text-decoration:none}a:hover{text-decoration:underline}"
    "table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ddd;padding:.2em .6em;"
    "text-align:left;vertical-align:top}th{background:#f4f4f4;font-weight:normal;color:#555}"
    ".ent-name{border-bottom:2px solid var(--c,#999)}"
    "mark.ent{background:color-mix(in srgb,var(--c,#999) 22%,white);padding:.1em .25em;margin:0 .1em;"
    "border-radius:.3em;line-height:2;color:inherit}"
    "mark.ent .lbl{font-size:.62em;font-weight:bold;margin-left:.35em;color:#444;vertical-align:middle}"
    "mark.ent a{color:inherit}"
    ".fact{margin:.6em 0 1em}.fact>.head{font-weight:bold}"
    "blockquote{margin:.3em 0 .1em .8em;padding-left:.8em;border-left:3px solid #ddd}"
    ".src-line{margin:0 0 .5em 1.6em;font-size:13px;color:#666}"
    ".chain{font-size:15px}.chain .sep{color:#999;margin:0 .3em}"
    ".doc p{margin:.5em 0}.sent{border-radius:.2em}"
    ".sent.has-fact{background:#fff8d6;-webkit-box-decoration-break:clone;box-decoration-break:clone}"
    ".sent:target{background:#ffe066;box-shadow:0 0 0 2px #e0a800}"
    ".fn{font-size:11px;vertical-align:super;margin-left:.15em}"
    ".warn{background:#fff3cd;border:1px solid #e0c060;padding:.5em .8em;border-radius:.3em}"
    "li:target{background:#ffe066}" + _class_rules()
)
