from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.corpus import (
    Aligned,
    decode_bytes,
    load_corpus,
    normalize_text,
    read_document,
    split_sentences,
    undouble_lines,
)
from kg.corpus.normalise import _traditional_table
from kg.errors import CorpusError
from kg.types import Skipped

from .conftest import CORPUS

UNDOUBLE = [
    ("党建引领促发展党建引领促发展 五力驱动见实效五力驱动见实效", "党建引领促发展 五力驱动见实效"),
    ("签约金额签约金额2424..4848亿元亿元。。", "签约金额24.48亿元。"),
    ("村村““七彩大地七彩大地””旅游项目旅游项目。。", "村“七彩大地”旅游项目。"),
    ("天天向上", "天天向上"),  # genuine reduplication, not a doubled line
    ("人人", "人人"),
    ("一茬接着一茬干，一棒接着一棒跑。", "一茬接着一茬干，一棒接着一棒跑。"),
]


@pytest.mark.parametrize("line,expected", UNDOUBLE)
def test_undouble_lines(line, expected):
    assert undouble_lines(Aligned.of(line)).text == expected


def test_repeated_caption_lines_are_kept_once():
    text = "展区。\n\n\n展区。\n正文。"
    assert normalize_text(text).text == "展区。\n正文。"


JOIN = [
    ("鄂尔多斯市坚持以党建促振兴，聚焦“精\n准”，选派", "鄂尔多斯市坚持以党建促振兴，聚焦“精准”，选派"),
    (
        "621个旗区直属部门、企业及企事业\n\n单位包联其他嘎查村。",
        "621个旗区直属部门、企业及企事业单位包联其他嘎查村。",
    ),  # broken across a blank line
    (" 抓党建引领 激活乡村振兴源动力\n\n多少次推门走访，", "抓党建引领 激活乡村振兴源动力\n多少次推门走访，"),
    ("擦亮品牌\n□中共包头市委组织部\n\n以提升", "擦亮品牌\n□中共包头市委组织部\n以提升"),
    ("不仅要解决“卖难”\n的当务之急。", "不仅要解决“卖难”的当务之急。"),
    ("他说：“好。”\n下一段", "他说：“好。”\n下一段"),
]


@pytest.mark.parametrize("text,expected", JOIN)
def test_join_broken_lines(text, expected):
    assert normalize_text(text).text == expected


def test_private_use_glyphs_removed_and_ellipsis_unified():
    assert normalize_text("五化协同 大抓基层\U0010f0ca\U0010004a⋯").text == "五化协同 大抓基层…"


def test_spaces_around_numbers_removed():
    assert normalize_text("签约项目 182 项，金额 28.77 亿元").text == "签约项目182项，金额28.77亿元"


def _assert_aligned(original: str, aligned: Aligned) -> None:
    assert len(aligned.text) == len(aligned.origin)
    assert list(aligned.origin) == sorted(aligned.origin)
    for char, pos in zip(aligned.text, aligned.origin, strict=True):
        assert 0 <= pos <= len(original)
        if char not in "\n…" and not char.isascii():
            assert original[pos] == char or _traditional_table().get(original[pos]) == char


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_corpus_offsets_point_into_the_original_file(path):
    doc = read_document(path)
    _assert_aligned(doc.original, normalize_text(doc.original))
    # every sentence maps back onto the same characters of the file
    for start, end in split_sentences(doc.text):
        o_start, o_end = doc.original_span(start, end)
        original = doc.original[o_start:o_end]
        assert "".join(c for c in original if c not in "\n ").startswith(
            doc.text[start:end].replace(" ", "")[:1]
        )


def test_no_text_is_lost_except_duplicates():
    """Every CJK character of the file is in the normalised text unless it was a doubled copy."""
    path = CORPUS / "ordos-baolian-zhucun-2022.txt"
    doc = read_document(path)
    kept = set(doc.origin)
    lost = [i for i, c in enumerate(doc.original) if "\u4e00" <= c <= "\u9fff" and i not in kept]
    # the doubled headline and captions at the end of the page account for every dropped character
    assert lost
    dropped = "".join(doc.original[i] for i in lost)
    assert "包联驻村赋能乡村振兴" in dropped
    assert dropped.count("驻村书记黄伟调查农产品种植情况") == 1


@given(st.text(max_size=300))
def test_normalize_never_fails_and_stays_aligned(text):
    aligned = normalize_text(text)
    _assert_aligned(text, aligned)


@given(st.text(max_size=200))
def test_normalize_is_idempotent_on_its_output_text(text):
    once = normalize_text(text).text
    assert normalize_text(once).text == normalize_text(normalize_text(once).text).text


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty file"),
        (b"   \n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
    ],
)
def test_decode_rejects_bad_input(data, message):
    with pytest.raises(CorpusError, match=message):
        decode_bytes(data, name="x.txt")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
def test_decode_supported_encodings(encoding):
    assert decode_bytes("乌审旗图克镇".encode(encoding), name="x.txt") == "乌审旗图克镇"


def test_load_corpus_accounts_for_every_file(tmp_path):
    (tmp_path / "good.txt").write_text("鄂尔多斯市住建局派驻木都柴达木村。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02abc")
    (tmp_path / "notes.md").write_text("not read: reported, never ignored silently", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"good.txt": {"title": "标题"}}), encoding="utf-8")
    items = list(load_corpus(tmp_path))
    assert [i.doc_id for i in items] == ["binary.txt", "empty.txt", "good.txt", "notes.md"]
    assert isinstance(items[0], Skipped) and "binary" in items[0].reason
    assert isinstance(items[1], Skipped) and items[1].reason == "empty file"
    assert items[2].title == "标题"
    assert isinstance(items[3], Skipped) and items[3].reason.startswith(".md is not read (only .txt, .html")


def test_missing_corpus_dir(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        list(load_corpus(tmp_path / "nope"))


def test_corpus_manifest_lists_every_document():
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert sorted(manifest) == sorted(p.name for p in CORPUS.glob("*.txt"))
    for entry in manifest.values():
        assert entry["newspaper"] == "内蒙古日报" and entry["title"]


@pytest.mark.parametrize(
    "raw,expected",
    [
        # a headline followed by a web byline ends there, whatever its last character
        (
            "——记驻石头洼村第一书记马丽\n\n临夏日报记者 王刚 通讯员 李娜\n\n清晨，\n马丽进村。",
            "——记驻石头洼村第一书记马丽\n",
        ),
        ("标题一行\n本报记者 王刚\n正文，\n接着", "标题一行\n本报记者 王刚\n正文，接着"),
        # the items of a list end at their lines' ends: numbered items, labelled fields, dashed records
        (
            "名单如下\n一、石头洼村\n第一书记：马强\n驻村干部：韩梅\n",
            "名单如下\n一、石头洼村\n第一书记：马强\n驻村干部：韩梅",
        ),
        (
            "表扬名单\n马强——县财政局——石头洼村\n韩梅——县医院——王坪村",
            "表扬名单\n马强——县财政局——石头洼村\n韩梅——县医院——王坪村",
        ),
        # a short numbered heading ends at its line
        ("三、镇党委履职情况\n镇党委书记马强主持会议。", "三、镇党委履职情况\n镇党委书记马强"),
    ],
)
def test_headlines_and_list_items_end_their_lines(raw, expected):
    from kg.corpus.normalise import normalize_text

    assert normalize_text(raw).text.startswith(expected)
