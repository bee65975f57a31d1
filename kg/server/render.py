"""Assemble the entity, document and not-found pages from what ``kg.server.pages`` read from the store.

Pure functions from plain data to HTML text (through ``kg.server.templates``), so that the layout is
tested without a server.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.server.highlight import Mark, find_mentions, normalised_span, pieces
from kg.server.sources import SourceText
from kg.server.templates import (
    EntityRef,
    Evidence,
    FactRow,
    doc_href,
    esc,
    link,
    marked,
    page,
    relation_name,
    source_line,
    table,
)
from kg.views.network import pinyin
from kg.views.styles import class_style

__all__ = ["document_page", "entity_page", "missing_page"]


def _fact_head(root: str, fact: FactRow) -> str:
    return f"{link(root, fact.subject)} —{esc(relation_name(fact.relation))}→ {link(root, fact.object)}"


def _sentence(
    root: str, evidence: Evidence, names: list[tuple[str, str, str]], paths: dict[str, str | None]
) -> str:
    marks = find_mentions(evidence.text, names)
    return marked(root, pieces(evidence.text, marks), paths)


def entity_page(
    root: str,
    *,
    iri: str,
    key: str,
    me: EntityRef,
    aliases: list[str],
    code: str | None,
    chain: list[EntityRef],
    facts: list[FactRow],
    posts: Sequence[tuple[EntityRef, str, EntityRef, str]],
    highlight: dict[str, tuple[list[str], str]],
    paths: dict[str, str | None],
) -> str:
    """The page of one entity: what it is, where it lies, every fact with its sentences, posts held."""
    style = class_style(me.group)
    toned, _ = pinyin(me.label)
    rows = [
        ("名称", esc(me.label)),
        ("类别", f'<span class="ent-name c-{esc(me.group)}">{esc(style.name)}</span>'),
        ("拼音", esc(toned)),
    ]
    if aliases:
        rows.append(("别名", esc("、".join(aliases))))
    if code:
        rows.append(("行政区划代码", f"<code>{esc(code)}</code>"))
    if chain:
        steps = '<span class="sep">›</span>'.join(link(root, ref) for ref in chain)
        rows.append(
            ("所属地区", f'<span class="chain">{steps}<span class="sep">›</span>{esc(me.label)}</span>')
        )
    rows.append(("IRI", f'<code>kgr:{esc(key)}</code><br><code class="meta">{esc(iri)}</code>'))
    body = [table(["项目", "内容"], rows)]
    names_of = {x: [(n, x, group) for n in names] for x, (names, group) in highlight.items()}
    path_key = {ref_path: x for x, ref_path in paths.items() if ref_path is not None}
    body.append(f"<h2>关系与证据（{len(facts)}）</h2>")
    if not facts:
        body.append('<p class="meta">图中没有这个实体的关系。</p>')
    documents: dict[str, str | None] = {}
    for n, fact in enumerate(facts, 1):
        ends = [path_key.get(ref.path or "", "") for ref in (fact.subject, fact.object)]
        names = [item for x in ends for item in names_of.get(x, [])]
        body.append(f'<div class="fact" id="f-{n}"><div class="head">{_fact_head(root, fact)}</div>')
        if not fact.evidence:
            why = "来自行政区划表的参考事实" if fact.relation == "locatedIn" else "图中没有陈述这条关系的句子"
            body.append(f'<p class="meta">（无证据句：{why}）</p>')
        for evidence in fact.evidence:
            body.append(f"<blockquote>{_sentence(root, evidence, names, paths)}</blockquote>")
            body.append(f'<p class="src-line">——{source_line(root, evidence)}</p>')
            if evidence.doc_id:
                documents.setdefault(evidence.doc_id, evidence.title)
        body.append("</div>")
    if posts:
        body.append(f"<h2>职务（{len(posts)}）</h2>")
        body.append(
            table(
                ["人物", "职务", "单位或地点", "来源文档"],
                [
                    (
                        link(root, person),
                        esc(post),
                        link(root, unit),
                        f'<a href="{esc(doc_href(root, file))}">{esc(file)}</a>' if file else "",
                    )
                    for person, post, unit, file in posts
                ],
            )
        )
    if documents:
        items = "".join(
            f'<li><a href="{esc(doc_href(root, doc_id))}">{esc(doc_id)}</a>'
            + (f"《{esc(title)}》" if title else "")
            + "</li>"
            for doc_id, title in sorted(documents.items())
        )
        body.append(f"<h2>来源文档（{len(documents)}）</h2><ul>{items}</ul>")
    subtitle = f"{esc(style.name)} · {esc(toned)} · <code>kgr:{esc(key)}</code>"
    return page(me.label, "".join(body), root=root, subtitle=subtitle)


def document_page(
    root: str,
    *,
    doc_id: str,
    info: dict[str, str],
    facts: list[FactRow],
    names: list[tuple[str, str, str]],
    paths: dict[str, str | None],
    source: SourceText,
) -> str:
    """The page of one document: its text with entities marked and evidence sentences anchored, its facts."""
    title = info.get("title") or doc_id
    meta = [f"文件：{esc(doc_id)}"]
    if info.get("newspaper"):
        meta.append(f"报纸：{esc(info['newspaper'])}")
    if info.get("date"):
        meta.append(f"日期：{esc(info['date'])}")
    meta.append(f"{len(facts)} 条关系")
    # each distinct evidence sentence once, by its start offset in the original file
    sentences: dict[int, tuple[Evidence, list[int]]] = {}
    for n, fact in enumerate(facts, 1):
        for evidence in fact.evidence:
            if evidence.start is not None:
                sentences.setdefault(evidence.start, (evidence, []))[1].append(n)
    body: list[str] = []
    unplaced = dict(sentences)
    document = source.document
    if document is None:
        where = f"（{esc(source.path)}）" if source.path is not None else ""
        body.append(
            f'<p class="warn">原文不可用：{esc(source.problem)}{where}。下面只列出图中保存的证据句。</p>'
        )
    else:
        if source.changed:
            body.append(
                '<p class="warn">原文文件在构建之后已被修改：下面是它现在的内容，证据句的位置可能已不准确；'
                "重新运行 kg build 可更新。</p>"
            )
        text_html, unplaced = _text(root, document.text, document.origin, sentences, names, paths)
        body.append(f'<h2>原文</h2><div class="doc">{text_html}</div>')
    if unplaced:
        heading = "证据句" if document is None else "未能在原文中定位的证据句"
        body.append(f"<h2>{heading}</h2><ul>")
        for start, (evidence, numbers) in sorted(unplaced.items()):
            refs = "".join(f'<a class="fn" href="#f-{n}">[{n}]</a>' for n in numbers)
            marks = find_mentions(evidence.text, names)
            inner = marked(root, pieces(evidence.text, marks), paths)
            body.append(f'<li class="sent" id="s-{start}">{inner}{refs}</li>')
        body.append("</ul>")
    body.append(f"<h2>本文中的关系（{len(facts)}）</h2><ol>")
    for n, fact in enumerate(facts, 1):
        where = " ".join(
            f'<a href="#s-{e.start}">原文位置 {e.start}–{e.end}</a>'
            + (f"（职务：{esc(e.post)}）" if e.post else "")
            for e in fact.evidence
            if e.start is not None
        )
        body.append(f'<li id="f-{n}">{_fact_head(root, fact)} <span class="meta">{where}</span></li>')
    body.append("</ol>")
    subtitle = " · ".join(meta)
    return page(title, "".join(body), root=root, subtitle=subtitle)


def _text(
    root: str,
    text: str,
    origin: Sequence[int],
    sentences: dict[int, tuple[Evidence, list[int]]],
    names: list[tuple[str, str, str]],
    paths: dict[str, str | None],
) -> tuple[str, dict[int, tuple[Evidence, list[int]]]]:
    """The text as paragraphs, evidence sentences as anchored spans; also the sentences not found in it."""
    spans: list[tuple[int, int, int]] = []  # normalised start, end, original start
    unplaced: dict[int, tuple[Evidence, list[int]]] = {}
    for start, (evidence, numbers) in sorted(sentences.items()):
        span = normalised_span(origin, text, start, evidence.end or start, evidence.text)
        if span is None or (spans and span[0] < spans[-1][1]):  # not there, or overlapping the one before
            unplaced[start] = (evidence, numbers)
        else:
            spans.append((span[0], span[1], start))
    marks = find_mentions(text, names)
    out: list[str] = []
    paragraph_start = 0
    for paragraph_end in [*(i for i, c in enumerate(text) if c == "\n"), len(text)]:
        out.append(_paragraph(root, text, paragraph_start, paragraph_end, spans, marks, sentences, paths))
        paragraph_start = paragraph_end + 1
    return "".join(out), unplaced


def _paragraph(
    root: str,
    text: str,
    start: int,
    end: int,
    spans: list[tuple[int, int, int]],
    marks: list[Mark],
    sentences: dict[int, tuple[Evidence, list[int]]],
    paths: dict[str, str | None],
) -> str:
    if not text[start:end].strip():
        return ""
    out = ["<p>"]
    pos = start
    for span_start, span_end, original in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start > pos:
            out.append(marked(root, pieces(text[pos:span_start], marks, offset=pos), paths))
        numbers = sentences[original][1]
        refs = "".join(f'<a class="fn" href="#f-{n}">[{n}]</a>' for n in numbers)
        inner = marked(root, pieces(text[span_start:span_end], marks, offset=span_start), paths)
        title = f"陈述了 {len(numbers)} 条关系"
        out.append(f'<span class="sent has-fact" id="s-{original}" title="{title}">{inner}{refs}</span>')
        pos = span_end
    if pos < end:
        out.append(marked(root, pieces(text[pos:end], marks, offset=pos), paths))
    out.append("</p>")
    return "".join(out)


def missing_page(root: str, name: str, similar: list[EntityRef], *, documents: bool = False) -> str:
    """The 404 page: what was asked for, and entities (or documents) it may have meant."""
    kind = "文档" if documents else "实体"
    body = [f"<p>图中没有{kind} <code>{esc(name)}</code>。</p>"]
    if similar:
        body.append("<p>你要找的可能是：</p><ul>")
        for ref in similar:
            href = doc_href(root, ref.label) if documents else f"{root}entity/{ref.path}"
            body.append(f'<li><a href="{esc(href)}">{esc(ref.label)}</a>')
            if not documents and ref.path:
                body.append(f' <code class="meta">kgr:{esc(ref.path)}</code>')
            body.append("</li>")
        body.append("</ul>")
    return page(f"未找到{kind}", "".join(body), root=root)
