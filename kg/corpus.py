"""Read a corpus directory into normalised Documents, undoing newspaper page-layout artefacts.

The normalisers are composed by ``normalize_text``. Unlike plain ``str -> str`` functions they map an
``Aligned`` text to an ``Aligned`` text, because every character must remember its offset in the original
file: provenance offsets always point into the file as it is on disk.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.errors import CorpusError
from kg.types import Document, Skipped

MANIFEST_NAME = "manifest.json"
#: Patterns of corpus files that are no documents (gold annotations, notes), one per line.
IGNORE_NAME = ".kgignore"
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
DOCX_SUFFIXES = (".docx",)
#: The files a corpus is built from; every other file is listed too and reported as skipped.
TEXT_SUFFIXES = (".txt", *HTML_SUFFIXES, *PDF_SUFFIXES, *DOCX_SUFFIXES)
#: Why a kind of file the corpus may hold is not read, and what to do instead.
UNSUPPORTED = {
    ".doc": "legacy Word .doc is not read; save it as .docx",
    ".wps": "WPS documents are not read; save it as .docx",
    ".rtf": "RTF is not read; save it as .docx or .txt",
}
MAX_FILE_BYTES = 200_000_000

# Sentence-final punctuation; a line ending in one of these ends a paragraph or at least a sentence.
_TERMINAL = "。！？!?；;…"
_CLOSERS = "”’」』）)"
_MARKERS = ("□", "▲", "■")
_BYLINES = ("□", "■")  # a byline is a line of its own; a caption (▲) may run over several lines
_PUNCT_CATEGORIES = ("P", "S")


# Offsets are kept as machine integers, 4 bytes a character: a tuple of Python ints costs 36 and made
# reading a 50 MB file need 2 GB. MAX_FILE_BYTES keeps every offset far below 2**31.
OFFSET_TYPE = "i"


def offset_array(values: Iterable[int] = ()) -> array[int]:
    """A compact sequence of character offsets."""
    return array(OFFSET_TYPE, values)


@dataclass(frozen=True, slots=True)
class Aligned:
    """Text plus, per character, its offset in the original file."""

    text: str
    origin: Sequence[int]

    @classmethod
    def of(cls, text: str) -> Aligned:
        """Wrap an original text: every character maps to itself."""
        return cls(text, offset_array(range(len(text))))

    def keep(self, mask: list[bool]) -> Aligned:
        """Return the characters whose mask entry is true.

        Examples:
            >>> kept = Aligned.of("ab c").keep([True, True, False, True])
            >>> kept.text, list(kept.origin)
            ('abc', [0, 1, 3])
        """
        if len(mask) != len(self.text):
            raise ValueError(f"mask of {len(mask)} for {len(self.text)} characters")
        # whole runs of kept characters, found in C: joining characters one by one makes an object of
        # 80 bytes per character, 1.4 GB for a 50 MB file
        text: list[str] = []
        origin = offset_array()
        for run in _KEPT_RUN.finditer(bytes(mask)):
            text.append(self.text[run.start() : run.end()])
            origin.extend(self.origin[run.start() : run.end()])
        return Aligned("".join(text), origin)


_KEPT_RUN = re.compile(b"\x01+")


Normalizer = Callable[[Aligned], Aligned]


def _is_private_use(char: str) -> bool:
    return unicodedata.category(char) in ("Co", "Cs") or char in "\ufeff\u200b\u200c\u200d\r"


# Every character _is_private_use accepts, and a few more (unassigned planes), to find candidates fast.
_PRIVATE_USE_CANDIDATE = re.compile("[\ud800-\uf8ff\U000f0000-\U0010ffff\ufeff\u200b-\u200d\r]")


def remove_private_use(aligned: Aligned) -> Aligned:
    """Drop private-use glyphs from the page fonts, zero-width characters, BOMs and carriage returns.

    Examples:
        >>> remove_private_use(Aligned.of("大抓基层\\U0010F0CA")).text
        '大抓基层'
    """
    mask = [True] * len(aligned.text)
    for match in _PRIVATE_USE_CANDIDATE.finditer(aligned.text):
        mask[match.start()] = not _is_private_use(match.group())
    return aligned if all(mask) else aligned.keep(mask)


# full-width letters and digits, the midline ellipsis and wide spaces, each to one character
_UNIFIED: dict[int, int | str] = {
    **{
        code: code - 0xFEE0
        for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for code in range(first, last + 1)
    },
    ord("⋯"): "…",
    0x3000: " ",
    ord("\t"): " ",
}


def unify_characters(aligned: Aligned) -> Aligned:
    """Make full-width letters/digits half-width and spell ``⋯`` as ``…``, one character for one.

    Examples:
        >>> unify_characters(Aligned.of("２０２１年⋯")).text
        '2021年…'
    """
    # most texts have none of these: a regex finds that out in C, str.translate looks up every character
    if _UNIFIABLE.search(aligned.text) is None:
        return aligned
    return Aligned(aligned.text.translate(_UNIFIED), aligned.origin)


_UNIFIABLE = re.compile("[" + "".join(re.escape(chr(code)) for code in _UNIFIED) + "]")


def _char_class(char: str) -> str:
    if char.isspace():
        return "space"
    if unicodedata.category(char)[0] in _PUNCT_CATEGORIES:
        return "punct"
    return "word"


# The class of every character seen so far (with digits apart): a lookup costs a tenth of classifying.
_CLASSES: dict[str, str] = {}


def _runs(line: str) -> Iterator[tuple[int, int, str]]:
    """Maximal runs of one character class, lazily: callers often stop at the first run."""
    start, current = 0, ""
    classes = _CLASSES
    for i, c in enumerate(line):
        cls = classes.get(c)
        if cls is None:
            cls = _char_class(c)
            if cls == "word" and c.isdigit():
                cls = "digit"
            classes[c] = cls
        if cls != current:
            if i:
                yield start, i, current
            start, current = i, cls
    if line:
        yield start, len(line), current


def _undoubled_mask(line: str) -> list[bool] | None:
    """Keep-mask for a line printed doubled run by run (``签约金额签约金额2424..4848亿元亿元``), else None.

    Word and digit runs are doubled as a whole (``XX``), punctuation character by character (``。。``).
    The line must contain a word run of at least four characters so that genuine reduplication
    (``天天``) on short lines is left alone.
    """
    mask = [True] * len(line)
    long_run = False
    for start, end, cls in _runs(line):
        run = line[start:end]
        if cls == "space":
            continue
        if len(run) % 2:
            return None
        half = len(run) // 2
        if cls == "punct":
            if any(run[i] != run[i + 1] for i in range(0, len(run), 2)):
                return None
            for i in range(start + 1, end, 2):
                mask[i] = False
        else:
            if run[:half] != run[half:]:
                return None
            long_run = long_run or len(run) >= 8
            for i in range(start + half, end):
                mask[i] = False
    return mask if long_run else None


def _lines(aligned: Aligned) -> Iterator[Aligned]:
    # lazily: a list of every line would hold a second copy of a long text while it is being rebuilt
    start = 0
    text = aligned.text
    while True:
        end = text.find("\n", start)
        stop = len(text) if end < 0 else end
        yield Aligned(text[start:stop], aligned.origin[start:stop])
        if end < 0:
            return
        start = end + 1


def _strip(line: Aligned) -> Aligned:
    text = line.text
    left = len(text) - len(text.lstrip())
    right = len(text.rstrip())
    return line if (left, right) == (0, len(text)) else Aligned(text[left:right], line.origin[left:right])


def undouble_lines(aligned: Aligned) -> Aligned:
    """Undo headlines and captions printed twice in a row, within a line and as repeated lines.

    Examples:
        >>> undouble_lines(Aligned.of("签约金额签约金额2424..4848亿元亿元。。")).text
        '签约金额24.48亿元。'
        >>> undouble_lines(Aligned.of("展区。\\n\\n展区。\\n正文")).text
        '展区。\\n\\n\\n正文'
    """
    kept: list[Aligned] = []
    previous = None
    for line in _lines(aligned):
        mask = _undoubled_mask(line.text)
        if mask is not None:
            line = line.keep(mask)
        stripped = line.text.strip()
        if stripped and stripped == previous:
            line = Aligned("", ())
        elif stripped:
            previous = stripped
        kept.append(line)
    return _join(kept, "\n")


def _join(lines: list[Aligned], separator: str) -> Aligned:
    text: list[str] = []
    origin = offset_array()
    for i, line in enumerate(lines):
        if i:
            text.append(separator)
            # a separator inherits the offset just after the previous line's last character
            prev = origin[-1] + 1 if origin else (line.origin[0] if line.origin else 0)
            origin.extend([prev] * len(separator))
        text.append(line.text)
        origin.extend(line.origin)
    return Aligned("".join(text), origin)


def _is_standalone(lines: list[Aligned], i: int) -> bool:
    """A short line with blank lines around it: a headline, section label or byline."""
    before = i == 0 or not lines[i - 1].text
    after = i + 1 >= len(lines) or not lines[i + 1].text
    return before and after and len(lines[i].text) <= 40 and not re.search("[，、；]", lines[i].text)


def join_broken_lines(aligned: Aligned) -> Aligned:
    """Rejoin lines broken by the column layout; keep one ``\\n`` between real segments.

    A line break is a segment boundary when the line before ends a sentence, stands alone between blank
    lines (headline, label), or is a byline (``□本报记者 宋爽``) or picture credit (``… 摄``);
    otherwise the lines, even across blank lines, are one paragraph broken by the page layout.

    Examples:
        >>> join_broken_lines(Aligned.of("推动驻村\\n第一书记工作。\\n\\n下一段")).text
        '推动驻村第一书记工作。\\n下一段'
        >>> join_broken_lines(Aligned.of("标题\\n\\n正文，\\n接着")).text
        '标题\\n正文，接着'
    """
    lines = [_strip(line) for line in _lines(aligned)]
    following = [""] * len(lines)  # the next non-blank line after each line
    for i in range(len(lines) - 2, -1, -1):
        following[i] = lines[i + 1].text or following[i + 1]
    segments: list[list[Aligned]] = []
    open_segment = False
    for i, line in enumerate(lines):
        if not line.text:
            continue
        if open_segment:
            segments[-1].append(line)
        else:
            segments.append([line])
        text = line.text.rstrip(_CLOSERS) or line.text
        ends_segment = (
            text[-1] in _TERMINAL
            or _is_standalone(lines, i)
            or line.text.startswith(_BYLINES)
            or following[i].startswith(_MARKERS)
            or line.text.endswith(" 摄")
        )
        open_segment = not ends_segment
    return _join([_join(parts, "") for parts in segments], "\n")


_DIGIT_SPACE = re.compile(r"(?<=\d) +(?=\S)|(?<=\S) +(?=\d)")
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff，。、；：]) +(?=[，。、；：])")


def remove_layout_spaces(aligned: Aligned) -> Aligned:
    """Drop spaces the layout put around numbers (``签约项目 182 项``) and before punctuation.

    Examples:
        >>> remove_layout_spaces(Aligned.of("签约项目 182 项")).text
        '签约项目182项'
    """
    mask = [True] * len(aligned.text)
    for pattern in (_DIGIT_SPACE, _CJK_SPACE):
        for match in pattern.finditer(aligned.text):
            for i in range(match.start(), match.end()):
                mask[i] = False
    return aligned if all(mask) else aligned.keep(mask)


_HTML_DROP = re.compile(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->|<!\[CDATA\[.*?\]\]>")
_HTML_TAG = re.compile(r"(?s)<[^<>]*>")
_HTML_BLOCK = re.compile(r"(?i)</?(p|div|br|li|tr|h[1-6]|table|section|article|header|footer|ul|ol|title)\b")
_HTML_ENTITY = re.compile(r"&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def strip_html(aligned: Aligned) -> Aligned:
    """Text of an HTML page, each character keeping its offset in the page.

    Scripts, styles and comments are dropped, tags removed (block tags become line breaks) and
    character references decoded.

    Examples:
        >>> strip_html(Aligned.of("<p>乌审旗&amp;图克镇</p><script>x()</script>")).text
        '\\n乌审旗&图克镇\\n'
    """
    import html

    text: list[str] = []
    origin: list[int] = []
    pos = 0
    source = aligned.text
    # a dropped block sorts before the tags it starts with, which are then skipped
    spans = sorted(
        [(m.start(), -m.end(), "drop") for m in _HTML_DROP.finditer(source)]
        + [(m.start(), -m.end(), "tag") for m in _HTML_TAG.finditer(source)]
    )
    for start, negative_end, kind in spans:
        end = -negative_end
        if start < pos:
            continue  # a tag inside a dropped script or comment
        _decode_entities(source, pos, start, aligned.origin, text, origin, html.unescape)
        if kind == "tag" and _HTML_BLOCK.match(source, start):
            text.append("\n")
            origin.append(aligned.origin[start])
        pos = end
    _decode_entities(source, pos, len(source), aligned.origin, text, origin, html.unescape)
    return Aligned("".join(text), tuple(origin))


def _decode_entities(
    source: str,
    start: int,
    end: int,
    offsets: Sequence[int],
    text: list[str],
    origin: list[int],
    unescape: Callable[[str], str],
) -> None:
    pos = start
    for match in _HTML_ENTITY.finditer(source, start, end):
        text.extend(source[pos : match.start()])
        origin.extend(offsets[pos : match.start()])
        decoded = unescape(match.group())
        text.extend(decoded)
        origin.extend([offsets[match.start()]] * len(decoded))
        pos = match.end()
    text.extend(source[pos:end])
    origin.extend(offsets[pos:end])


@cache
def _traditional_table() -> dict[str, str]:
    """Traditional -> simplified characters, one for one (OpenCC's TSCharacters), or {} without it."""
    try:
        import opencc  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - a dependency of the package
        return {}
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0] if targets else ""
        if len(source) == 1 and len(target) == 1 and source != target:
            table[source] = target
    return table


TRADITIONAL_SHARE = 0.05
_CJK = re.compile("[\u4e00-\u9fff]+")  # by runs: a match per character costs a list entry per character


@cache
def _traditional_deletions() -> dict[int, None]:
    """A ``str.translate`` table that deletes every traditional character of the conversion table."""
    return dict.fromkeys(map(ord, _traditional_table()))


@cache
def _simplified_codes() -> dict[int, str]:
    """The conversion table as ``str.translate`` takes it."""
    return {ord(source): target for source, target in _traditional_table().items()}


def to_simplified(aligned: Aligned) -> Aligned:
    """Convert a text written in traditional characters to simplified ones, character for character.

    Only texts where traditional-only characters make up a noticeable share are converted, so a
    simplified text with the odd traditional name stays as written.

    Examples:
        >>> to_simplified(Aligned.of("烏審旗圖克鎮烏蘭什巴台村黨支部書記")).text
        '乌审旗图克镇乌兰什巴台村党支部书记'
    """
    text = aligned.text
    # counted in C (a regular expression, str.translate): a Python loop over the characters costs more
    cjk = len(text) - len(_CJK.sub("", text))
    traditional = len(text) - len(text.translate(_traditional_deletions()))
    if not cjk or traditional / cjk < TRADITIONAL_SHARE:
        return aligned
    # str.translate, not a join over the characters, which would make an object of each
    return Aligned(text.translate(_simplified_codes()), aligned.origin)


NORMALIZERS: tuple[Normalizer, ...] = (
    remove_private_use,
    unify_characters,
    to_simplified,
    undouble_lines,
    join_broken_lines,
    remove_layout_spaces,
)
#: For texts whose lines are paragraphs as marked up (an HTML article, a DOCX): nothing to rejoin.
ARTICLE_NORMALIZERS: tuple[Normalizer, ...] = (
    remove_private_use,
    unify_characters,
    to_simplified,
    remove_layout_spaces,
)


def normalize_text(
    original: str, *, normalizers: tuple[Normalizer, ...] = NORMALIZERS, start: Aligned | None = None
) -> Aligned:
    """Apply the normalisers in order, keeping the map to original offsets.

    Examples:
        >>> a = normalize_text("鄂尔多斯市坚持\\n以党建促振兴。")
        >>> a.text, a.origin[7]
        ('鄂尔多斯市坚持以党建促振兴。', 8)
    """
    aligned = start if start is not None else Aligned.of(original)
    for normalizer in normalizers:
        aligned = normalizer(aligned)
    return aligned


_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』)）]*|\n")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Half-open spans of the sentences of a normalised text, without the newline separators.

    Examples:
        >>> t = "他说：“好。”我们走！\\n标题"
        >>> [t[s:e] for s, e in split_sentences(t)]
        ['他说：“好。”', '我们走！', '标题']
    """
    spans, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() if match.group() == "\n" else match.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def decode_bytes(data: bytes, *, name: str) -> str:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030.

    Raises:
        CorpusError: The bytes are empty, binary, or in no supported encoding.

    Examples:
        >>> decode_bytes("党建".encode("gb18030"), name="a.txt")
        '党建'
    """
    if not data.strip():
        raise CorpusError(f"{name}: empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{name}: invalid UTF-16 at byte {exc.start}") from exc
    if b"\x00" in data:
        raise CorpusError(f"{name}: binary file (contains NUL bytes), not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorpusError(f"{name}: not UTF-8, UTF-16 or GB18030 text; re-encode it as UTF-8")


def read_manifest(corpus_dir: Path) -> dict[str, dict[str, str]]:
    """Read ``manifest.json`` (file name -> {title, newspaper, date, ...}); missing means empty.

    Raises:
        CorpusError: The manifest exists but is not a JSON object of objects.
    """
    path = corpus_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: unreadable manifest: {exc}") from exc
    documents = data.get("documents", data) if isinstance(data, dict) else None
    if not isinstance(documents, dict) or not all(isinstance(v, dict) for v in documents.values()):
        raise CorpusError(f"{path}: expected an object mapping file names to objects")
    return {k: {kk: str(vv) for kk, vv in v.items() if vv is not None} for k, v in documents.items()}


def read_document(path: Path, *, doc_id: str | None = None, meta: dict[str, str] | None = None) -> Document:
    """Read and normalise one file: plain text, HTML, PDF or DOCX.

    For PDF and DOCX the document's ``original`` is the extracted text (offsets point into it), and a
    PDF's page start offsets go to ``meta["pages"]`` (comma-separated), so every evidence sentence's
    page can be found. For an HTML page only the article counts; offsets still point into the page.

    Raises:
        CorpusError: The file cannot be read, is too large, empty, binary, undecodable or of a kind
            that is not read.
    """
    doc_id = doc_id or display_path(path.name)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise CorpusError(f"{doc_id}: {UNSUPPORTED.get(suffix) or _unsupported(suffix)}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(f"{doc_id}: file of {size} bytes exceeds the {MAX_FILE_BYTES}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{doc_id}: cannot read: {exc.strerror or exc}") from exc
    meta = dict(meta or {})
    found_title = ""
    if suffix in PDF_SUFFIXES + DOCX_SUFFIXES:
        from kg.readers import read_docx, read_pdf

        extracted = (read_pdf if suffix in PDF_SUFFIXES else read_docx)(data, name=doc_id)
        original = extracted.text
        if extracted.page_starts:
            meta["pages"] = ",".join(map(str, extracted.page_starts))
        # a PDF's lines are layout lines (rejoined as in a newspaper file); a DOCX's are paragraphs
        aligned = normalize_text(
            original, normalizers=NORMALIZERS if extracted.page_starts else ARTICLE_NORMALIZERS
        )
    else:
        original = decode_bytes(data, name=doc_id)
        if suffix in HTML_SUFFIXES or original.lstrip()[:200].lower().startswith(("<!doctype html", "<html")):
            start, found_title, date = _html_article(original)
            if date and not meta.get("date"):
                meta["date"] = date
            # the extractor's lines are the page's paragraphs: no layout lines to rejoin or undouble
            article = start is not None
            aligned = normalize_text(
                original,
                start=start or strip_html(Aligned.of(original)),
                normalizers=ARTICLE_NORMALIZERS if article else NORMALIZERS,
            )
        else:
            aligned = normalize_text(original)
    if not aligned.text.strip():
        raise CorpusError(f"{doc_id}: no text left after normalisation")
    title = meta.pop("title", "") or found_title or aligned.text.split("\n", 1)[0][:60]
    return Document(
        doc_id=doc_id,
        text=aligned.text,
        original=original,
        origin=aligned.origin,
        title=title,
        meta=tuple(sorted(meta.items())),
    )


def _unsupported(suffix: str) -> str:
    kinds = ", ".join(TEXT_SUFFIXES)
    return f"{suffix or 'a file without extension'} is not read (only {kinds}); convert it or move it out"


def _html_article(original: str) -> tuple[Aligned | None, str, str]:
    """The article of a page as an Aligned text with offsets into the page, its title and date.

    The extractor (trafilatura) returns plain lines; each is found again in the page's text, in order,
    so offsets still point into the HTML file. A page where that fails, or where no article is found,
    gives None: it is then read whole, tags stripped.
    """
    from kg.readers import read_html

    stripped = strip_html(Aligned.of(original))
    article = read_html(original)
    lines = list(article.lines)
    if article.title and (not lines or lines[0] != article.title):
        lines.insert(0, article.title)
    text: list[str] = []
    origin: list[int] = []
    pos = 0
    for number, line in enumerate(lines):
        at = stripped.text.find(line, pos)
        if at < 0 and number == 0 and line == article.title:
            continue  # a title only in <title> or a meta tag: not part of the text
        if at < 0:
            return None, article.title, article.date
        if text:
            text.append("\n")
            origin.append(stripped.origin[pos - 1])
        text.extend(line)
        origin.extend(stripped.origin[at : at + len(line)])
        pos = at + len(line)
    if not text:
        return None, article.title, article.date
    return Aligned("".join(text), tuple(origin)), article.title, article.date


def display_path(path: Path | str) -> str:
    r"""A path as text that can always be written out: bytes of a name that are not UTF-8 as ``\xNN``.

    Python keeps such bytes as lone surrogates, which no UTF-8 file, JSON report or IRI accepts.

    Examples:
        >>> display_path(os.fsdecode(b"corpus/\xff\xfe.txt"))
        'corpus/\\xff\\xfe.txt'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def document_id(path: Path, corpus_dir: Path) -> str:
    """The id of a corpus file: its path below the corpus with ``/`` separators, as ``display_path`` shows it.

    Examples:
        >>> document_id(Path("corpus/2023/a.txt"), Path("corpus"))
        '2023/a.txt'
    """
    return display_path(path.relative_to(corpus_dir).as_posix())


def list_corpus(corpus_dir: Path, *, exclude: Iterable[Path] = ()) -> list[Path]:
    """The files of a corpus directory (recursively), sorted by relative path.

    Args:
        corpus_dir: The corpus directory.
        exclude: Directories whose files are no part of the corpus, such as the build's own output
            directory placed inside the corpus (its graph.html would be read back as a document).

    Raises:
        CorpusError: The directory does not exist or is not a directory.
    """
    if not corpus_dir.exists():
        raise CorpusError(f"{corpus_dir}: corpus directory does not exist")
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: not a directory")
    root = corpus_dir.resolve()
    skipped = []
    for folder in exclude:
        try:
            parts = folder.resolve().relative_to(root).parts
        except ValueError:
            continue  # outside the corpus: nothing to leave out
        if parts:  # the corpus directory itself is never left out
            skipped.append(parts)
    ignored = read_ignore(corpus_dir)
    found: list[tuple[str, Path]] = []
    _walk(corpus_dir, (), set(skipped), ignored, found)
    return [path for _, path in sorted(found)]


def _walk(
    folder: Path,
    parts: tuple[str, ...],
    skipped: set[tuple[str, ...]],
    ignored: tuple[str, ...],
    found: list[tuple[str, Path]],
) -> None:
    """Add the corpus files below ``folder`` (``parts`` below the corpus) to ``found``.

    One ``scandir`` per folder, whose entries know their kind without another system call each: at
    tens of thousands of files this listing is repeated by every build and ``kg add``. A broken link
    is listed too (and reported unreadable), and so is a file of a kind that is not read (reported
    skipped with the reason): nothing is left out silently, except the manifest, hidden files and
    folders (.git, .DS_Store), the excluded folders, what .kgignore names, and links to folders
    (which are not followed).
    """
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except PermissionError:
        return  # an unreadable folder has no files to list
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not entry.is_symlink() and (*parts, entry.name) not in skipped:
                _walk(folder / entry.name, (*parts, entry.name), skipped, ignored, found)
            continue
        if not (entry.is_file() or entry.is_symlink()):
            continue  # a socket or a named pipe is no document
        relative = "/".join((*parts, entry.name))
        if relative != MANIFEST_NAME and not _ignored(relative, ignored):
            found.append((relative, folder / entry.name))


def read_ignore(corpus_dir: Path) -> tuple[str, ...]:
    """The patterns of ``.kgignore`` in the corpus directory: one per line, ``#`` comments, blank lines.

    A pattern ending in ``/`` names a folder (``gold/``); any other is matched with shell wildcards
    against the path below the corpus and against the file name (``old/*.txt``, ``draft-*``).

    Raises:
        CorpusError: The file exists but cannot be read as UTF-8 text.
    """
    path = corpus_dir / IGNORE_NAME
    if not path.is_file():
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: unreadable: {exc}") from exc
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))


def _ignored(relative: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``.kgignore`` leaves out a file, by its path below the corpus.

    Examples:
        >>> _ignored("gold/a.jsonl", ("gold/",)), _ignored("a.txt", ("gold/", "draft-*"))
        (True, False)
    """
    from fnmatch import fnmatchcase

    name = relative.rpartition("/")[2]
    return any(
        relative.startswith(pattern)
        if pattern.endswith("/")
        else fnmatchcase(relative, pattern) or fnmatchcase(name, pattern)
        for pattern in patterns
    )


def load_corpus(corpus_dir: Path) -> Iterator[Document | Skipped]:
    """Yield every text file of the corpus as a Document, or as Skipped with the reason.

    Raises:
        CorpusError: The corpus directory or its manifest is unusable.
    """
    manifest = read_manifest(corpus_dir)
    for path in list_corpus(corpus_dir):
        doc_id = document_id(path, corpus_dir)
        try:
            yield read_document(path, doc_id=doc_id, meta=manifest.get(doc_id))
        except CorpusError as exc:
            yield Skipped(doc_id, str(exc).removeprefix(f"{doc_id}: "))
