"""Turn the files analysts have (PDF, DOCX, news HTML) into text that ``kg.corpus`` normalises.

A separate module because each format needs a third-party parser (pypdfium2, python-docx,
trafilatura) that plain-text corpora never load; ``kg.corpus`` imports a reader only for a file of
its kind.

- **PDF**: the text layer of each page, pages joined by a newline. Offsets point into that extracted
  text; the page start offsets are returned, so each evidence sentence's page can be derived.
- **DOCX**: the paragraphs (and table cells) of the body, one per line. Word documents have no fixed
  pages, so none are recorded.
- **HTML**: the article as trafilatura finds it (no navigation bar, footer or sidebar) and the title
  from the page's headline, not ``<title>`` text merged with the navigation.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from kg.errors import CorpusError

__all__ = ["Extracted", "HtmlArticle", "read_docx", "read_html", "read_pdf"]


@dataclass(frozen=True)
class Extracted:
    """Text extracted from a binary document.

    Attributes:
        text: The extracted text; provenance offsets point into it.
        page_starts: Offset in ``text`` where each page begins (page 1 first); empty if the format
            has no pages.
    """

    text: str
    page_starts: tuple[int, ...] = field(default=())


@dataclass(frozen=True)
class HtmlArticle:
    """The main text of a news page and what the page says about itself."""

    title: str
    lines: tuple[str, ...]
    date: str = ""


def read_pdf(data: bytes, *, name: str) -> Extracted:
    """The text layer of a PDF, page by page.

    Raises:
        CorpusError: The file is not a readable PDF, is encrypted, or has no text layer (a scan).
    """
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorpusError(f"{name}: not a readable PDF ({exc})") from exc
    try:
        pages: list[str] = []
        for page in pdf:
            textpage = page.get_textpage()
            # PDFium ends lines with \r\n; a lone \n keeps the newline-separated segments of kg.corpus
            pages.append(str(textpage.get_text_range()).replace("\r\n", "\n").replace("\r", "\n"))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if not "".join(pages).strip():
        raise CorpusError(f"{name}: PDF without a text layer (a scan?); run OCR first")
    starts, offset = [], 0
    for text in pages:
        starts.append(offset)
        offset += len(text) + 1  # the newline that joins pages
    return Extracted("\n".join(pages), tuple(starts))


def read_docx(data: bytes, *, name: str) -> Extracted:
    """The paragraphs and table cells of a Word document, one per line, in body order.

    Raises:
        CorpusError: The file is not a readable DOCX (a legacy ``.doc`` renamed, a broken archive).
    """
    import zipfile

    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorpusError(f"{name}: not a readable DOCX file ({exc})") from exc
    lines: list[str] = []
    # walk the body in order, so a table between two paragraphs stays between them
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join(t.text or "" for t in block.iter(qn("w:t"))))
        elif block.tag == qn("w:tbl"):
            for cell in block.iter(qn("w:tc")):
                lines.append("".join(t.text or "" for t in cell.iter(qn("w:t"))))
    text = "\n".join(lines)
    if not text.strip():
        raise CorpusError(f"{name}: DOCX without text")
    return Extracted(text)


def read_html(html: str) -> HtmlArticle:
    """The article of a news page: its headline, main-text lines and date, without navigation or footer.

    Returns an article with no lines when the extractor finds no main text.
    """
    import trafilatura

    found = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,
    )
    if found is None:
        return HtmlArticle("", ())
    data = found.as_dict() if hasattr(found, "as_dict") else dict(found)
    text = str(data.get("text") or "")
    lines = tuple(line.strip() for line in text.split("\n") if line.strip())
    return HtmlArticle(str(data.get("title") or "").strip(), lines, str(data.get("date") or ""))
