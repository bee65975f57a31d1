"""Undo newspaper page-layout artefacts, one ``Aligned -> Aligned`` normaliser each, composed in order."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path

from kg.corpus.aligned import Aligned, offset_array

# Sentence-final punctuation; a line ending in one of these ends a paragraph or at least a sentence.
_TERMINAL = "。！？!?；;…"
_CLOSERS = "”’」』）)"
_MARKERS = ("□", "▲", "■")
_BYLINES = ("□", "■")  # a byline is a line of its own; a caption (▲) may run over several lines
_PUNCT_CATEGORIES = ("P", "S")
# A line that opens an item of a list (一、 2. （三） ①) or a labelled field (第一书记：): the line before it
# ends there; and a record line with two dashes between its fields (姓名——派出单位——所驻村) ends itself.
_LIST_ITEM = re.compile(
    "(?:[一二三四五六七八九十]+、|\\d+[.、．](?!\\d)|[（(][一二三四五六七八九十\\d]+[）)]|[①-⑳]"
    "|[\u4e00-\u9fff]{0,4}(?:书记|干部|队员|队长|主任|单位)[：:])"
)


def _is_numbered_heading(line: str) -> bool:
    """A short numbered line without a comma (三、镇党委履职情况, （二）驻村干部强队伍): a heading."""
    numbered = _NUMBERED.match(line)
    return numbered is not None and len(line) - numbered.end() <= 16 and not re.search("[，,；;：:]", line)


_NUMBERED = re.compile("(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)])")


def _is_record(line: str) -> bool:
    """A record line of a list, its fields set apart by dashes (姓名——派出单位——所驻村)."""
    return line.count("——") >= 2


# A byline line of web news (广西日报记者 韦丽娟 通讯员 黄振东, （记者 张琳）, 本报讯 记者 王刚): the
# line before it is a headline, whatever its ending.
_BYLINE = re.compile(
    "[（(]?(?:本报讯|本报|[\u4e00-\u9fff]{0,10}?(?:日报|晚报|新闻网|融媒体中心|电视台|报社))?"
    "[ 　]*(?:记者|通讯员|特约记者)[ 　]"
)


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
    previous_listed = False  # the line before opened an item of a list: items end at their line's end
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
            or _BYLINE.match(following[i]) is not None
            or _LIST_ITEM.match(following[i]) is not None
            or _is_record(line.text)
            or _is_record(following[i])
            or (_LIST_ITEM.match(line.text) is not None and previous_listed)
            or _is_numbered_heading(line.text)
            or (_BYLINE.match(line.text) is not None and len(line.text) <= 40)
            or line.text.endswith(" 摄")
        )
        open_segment = not ends_segment
        previous_listed = _LIST_ITEM.match(line.text) is not None or _is_record(line.text)
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
