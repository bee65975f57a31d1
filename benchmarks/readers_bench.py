"""Benchmark reading the inputs analysts have: a news HTML page, a PDF and a DOCX, per document.

Times ``kg.corpus.read_document`` (extraction plus normalisation, no NLP) on generated documents of
``--paragraphs`` paragraphs of the project's own sentences: an HTML page with navigation, sidebar and
footer around the article (trafilatura), a DOCX (python-docx) and, when fpdf2 and a Chinese font are
installed, a PDF with one page per ten paragraphs (pypdfium2). Reports the median of ``--repeat`` runs.

Usage::

    .venv/bin/python benchmarks/readers_bench.py
    .venv/bin/python benchmarks/readers_bench.py --paragraphs 200 --repeat 5
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kg.corpus import read_document

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SENTENCES = (
    "鄂尔多斯市住建局帮扶乌兰什巴台村，为村里修建了新的文化活动室。",
    "乌审旗图克镇的干部来到村里，逐户了解村民的生产情况。",
    "驻村工作队表示，下一步将继续做好产业帮扶，让更多农户增加收入。",
)


def paragraphs(count: int) -> list[str]:
    return [f"第{n + 1}段。" + SENTENCES[n % len(SENTENCES)] * 3 for n in range(count)]


def write_html(path: Path, texts: list[str]) -> Path:
    body = "".join(f"<p>{t}</p>\n" for t in texts)
    nav = "<nav><a href='/'>首页</a> <a href='/news'>新闻</a> <a href='/about'>关于我们</a></nav>"
    path.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>首页 | 新闻</title></head><body>{nav}"
        f"<div class='sidebar'><p>热门推荐</p></div><article><h1>帮扶简报</h1>{body}</article>"
        "<footer><p>版权所有</p></footer></body></html>",
        encoding="utf-8",
    )
    return path


def write_docx(path: Path, texts: list[str]) -> Path:
    import docx

    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_pdf(path: Path, texts: list[str]) -> Path | None:
    try:
        from fpdf import FPDF
    except ImportError:
        return None
    if not FONT.exists():
        return None
    pdf = FPDF()
    pdf.add_font("wqy", fname=str(FONT), collection_font_number=0)
    pdf.set_font("wqy", size=11)
    for start in range(0, len(texts), 10):
        pdf.add_page()
        pdf.multi_cell(0, 7, "\n".join(texts[start : start + 10]))
    pdf.output(str(path))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    texts = paragraphs(args.paragraphs)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "html": write_html(folder / "page.html", texts),
            "docx": write_docx(folder / "brief.docx", texts),
            "pdf": write_pdf(folder / "pages.pdf", texts),
        }
        print(f"{args.paragraphs} paragraphs, median of {args.repeat} runs")
        for kind, path in files.items():
            if path is None:
                print(f"{kind:>5}: skipped (needs fpdf2 and {FONT})")
                continue
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                doc = read_document(path)
                times.append(time.perf_counter() - started)
            size = path.stat().st_size
            print(
                f"{kind:>5}: {statistics.median(times) * 1000:8.1f} ms  "
                f"{size / 1024:7.1f} KiB file  {len(doc.text):7d} characters of text"
            )


if __name__ == "__main__":
    main()
