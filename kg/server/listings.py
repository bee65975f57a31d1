"""Canned queries as pages of ``kg serve``: ``/query/<name>``, a page of rows at a time, and downloads.

A whole-graph listing has tens of thousands of rows at 10 MB of news and hundreds of thousands at
100 MB: more than a browser table or a glance can take, and seconds to compute. So the page shows
``PAGE_SIZE`` rows (``?page=2``, ``?size=`` up to ``MAX_PAGE_SIZE``) with links to the next and
previous pages, a form for the query's parameters, and links to the whole result as CSV, TSV, JSON
or XML (``?format=csv``). Both come from the results kept for the store's current version
(``kg.queries.cache``): the first request on a version computes the result, in a worker under the
server's time limit, every later one reads it back (a page is one seek into the kept TSV). A whole
download is streamed from the kept file, so the result size limit of ``/sparql`` (which holds a
result in memory) does not apply to it.

Rows are shown as ``kg query`` shows them (IRIs as valid prefixed names), IRIs of the graph's
resources linked to their entity pages. Like the other pages, it runs no script and escapes every
value; its Content-Security-Policy lets its parameter form submit to this server only.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import AsyncIterator
from typing import BinaryIO
from urllib.parse import quote, urlencode

import anyio.to_thread
import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from kg.errors import QueryError
from kg.queries import CannedQuery, bind_params, canned_queries, display_text
from kg.server.guard import page_policy
from kg.server.pages import entity_path
from kg.server.templates import esc, page, table
from kg.server.worker import KEPT_TYPE, ROWS_TYPE

__all__ = ["DOWNLOADS", "MAX_PAGE_SIZE", "PAGE_SIZE", "listing_routes", "listing_page"]

#: Rows a page shows unless ``?size=`` asks for another number.
PAGE_SIZE = 100
#: The most rows one page shows.
MAX_PAGE_SIZE = 1000
#: ``?format=`` values and the media type each downloads as.
DOWNLOADS = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
}
_CONTROLS = ("page", "size", "format")
ROOT = "../"  # from /query/<name> back to the server's root


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _text(status: int, message: str) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status)


def _positive(request: Request, name: str, default: int, most: int) -> int | None:
    value = request.query_params.get(name, str(default))
    return int(value) if value.isdigit() and 1 <= int(value) <= most else None


async def listing(request: Request) -> Response:
    """``/query/<name>``: a page of the canned query's rows, or the whole result with ``?format=``."""
    name = request.path_params["name"]
    canned = canned_queries()
    if name not in canned:
        close = difflib.get_close_matches(name, list(canned), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return _text(404, f"no canned query {name!r}{hint}; canned queries: {', '.join(canned)}")
    query = canned[name]
    values = {k: v for k, v in request.query_params.items() if k not in _CONTROLS}
    try:
        sparql = bind_params(name, query.text, values)
    except QueryError as exc:
        return _text(400, str(exc))
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in DOWNLOADS:
            return _text(400, f"format={fmt!r}: use one of {', '.join(DOWNLOADS)}")
        return await _download(request, sparql, f"{name}.{fmt}", DOWNLOADS[fmt])
    number = _positive(request, "page", 1, 10**9)
    size = _positive(request, "size", PAGE_SIZE, MAX_PAGE_SIZE)
    if number is None or size is None:
        return _text(400, f"page= is a page number from 1, size= a number of rows from 1 to {MAX_PAGE_SIZE}")
    status, content_type, body = await request.app.state.pool.run(
        sparql, "", client=_client(request), keep=True, rows=((number - 1) * size, size)
    )
    if status != 200 or content_type != ROWS_TYPE:
        return Response(body, status_code=status, headers={"content-type": content_type})
    data = json.loads(body)
    parsed = ox.parse_query_results(data["tsv"].encode("utf-8"), ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)  # the worker pages SELECT results only
    variables = [v.value for v in parsed.variables]
    rows = [tuple(row) for row in parsed]
    text = listing_page(query, values, variables, rows, total=int(data["rows"]), number=number, size=size)
    return HTMLResponse(text, headers={"content-security-policy": page_policy(text, forms=True)})


async def _download(request: Request, sparql: str, filename: str, media: str) -> Response:
    """The whole result, streamed from where the worker kept it (or as the worker answered it)."""
    status, content_type, body = await request.app.state.pool.run(
        sparql, media, client=_client(request), keep=True
    )
    attachment = {"content-disposition": f'attachment; filename="{filename}"'}
    if status == 200 and content_type == KEPT_TYPE:
        where = json.loads(body)
        try:
            # opened now: the file stays readable even if a new version deletes it meanwhile
            kept = open(where["path"], "rb")  # noqa: SIM115 - closed by the stream
        except OSError:
            return _text(503, "the kept result went with its store version (a rebuild); try again")
        kept.seek(where["start"])
        return StreamingResponse(_chunks(kept), headers={"content-type": where["type"], **attachment})
    headers = {"content-type": content_type, **(attachment if status == 200 else {})}
    return Response(body, status_code=status, headers=headers)


async def _chunks(kept: BinaryIO) -> AsyncIterator[bytes]:
    try:
        while chunk := await anyio.to_thread.run_sync(kept.read, 2**20):
            yield chunk
    finally:
        kept.close()


def _cell(term: object) -> str:
    shown = esc(display_text(term))
    if isinstance(term, ox.NamedNode):
        path = entity_path(term.value)
        if path is not None:
            return f'<a href="{ROOT}entity/{esc(quote(path, safe="/"))}">{shown}</a>'
    return shown


def _href(values: dict[str, str], **controls: object) -> str:
    return "?" + urlencode({**values, **{k: str(v) for k, v in controls.items()}})


def listing_page(
    query: CannedQuery,
    values: dict[str, str],
    variables: list[str],
    rows: list[tuple[object, ...]],
    *,
    total: int,
    number: int,
    size: int,
) -> str:
    """The HTML of one page of a canned query's rows: parameters, pager, table, downloads."""
    given = {k: v for k, v in values.items() if v}
    sized = {"size": size} if size != PAGE_SIZE else {}
    form = ""
    if query.params:
        fields = "".join(
            f'<label>{esc(p.name)}（{esc(p.meaning)}） <input name="{esc(p.name)}" '
            f'value="{esc(values.get(p.name, p.default))}"></label> '
            for p in query.params
        )
        form = f'<form method="get">{fields}<button type="submit">运行</button></form>'
    first = (number - 1) * size
    pages = max(1, -(-total // size))
    nav = []
    if number > 1:
        nav.append(f'<a href="{esc(_href(given, page=number - 1, **sized))}" rel="prev">上一页</a>')
    nav.append(f"第 {number} / {pages} 页")
    if number < pages:
        nav.append(f'<a href="{esc(_href(given, page=number + 1, **sized))}" rel="next">下一页</a>')
    counts = f"共 {total:,} 行，显示第 {first + 1:,}–{first + len(rows):,} 行" if rows else f"共 {total:,} 行"
    downloads = " ".join(
        f'<a href="{esc(_href(given, format=fmt))}" download>{fmt.upper()}</a>' for fmt in DOWNLOADS
    )
    body = (
        f'<p class="sub">{esc(query.summary)}</p>{form}'
        f'<p class="meta">{counts} · {" · ".join(nav)} · 全部下载：{downloads}</p>'
        + (table([esc(v) for v in variables], ([_cell(t) for t in row] for row in rows)) if rows else "")
    )
    return page(query.name, body, root=ROOT)


def listing_routes() -> list[Route]:
    """The routes of this module, for ``kg.server.app.create_app``."""
    return [Route("/query/{name}", listing, methods=["GET", "HEAD"])]
