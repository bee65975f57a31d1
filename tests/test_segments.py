"""Long documents in segments: the mentions, facts, cache entry and graph of the document analysed whole."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

import pytest

from kg.cache import entry_path
from kg.corpus import read_document, split_sentences
from kg.nlp.mentions import document_mentions, find_mentions
from kg.nlp.segments import Segment, analyse_words, merge_segments, split_segments
from kg.pipeline import Task, analyse_segment_task, build, process_document, process_long

from .conftest import CORPUS

PAGES = sorted(CORPUS.glob("*.txt"))


@pytest.fixture(scope="module")
def long_file(tmp_path_factory) -> Path:
    """The corpus pages one after another in one file, twice: about 52 000 characters."""
    folder = tmp_path_factory.mktemp("long")
    path = folder / "long.txt"
    path.write_text("\n\n".join(p.read_text(encoding="utf-8") for p in PAGES * 2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tagged(long_file, nlp):
    """The long file's normalised text and its LAC words, tagged whole."""
    from kg.nlp.lac import shared_tagger

    text = read_document(long_file).text
    return text, shared_tagger().tag_text(text)


def _words_in(words, segment: Segment):
    """The words of a segment and its context, from the words of the whole text."""
    return [
        (s - segment.start, e - segment.start, tag)
        for s, e, tag in words
        if segment.start <= s and e <= segment.context_end
    ]


def _analyses(text, words, segments):
    return [
        analyse_words(text[s.start : s.context_end], _words_in(words, s), end=s.end - s.start, start=s.start)
        for s in segments
    ]


# --- cutting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 50, 3_000, 10**9])
def test_segments_cover_the_text_and_cut_where_sentences_start(size):
    text = read_document(PAGES[0]).text
    segments = split_segments(text, size=size, context=(3, 64))
    starts = {s for s, _ in split_sentences(text)}
    assert segments[0].start == 0 and segments[-1].end == len(text)
    for before, after in zip(segments, segments[1:], strict=False):
        assert before.end == after.start
        assert before.end in starts
        assert before.end - before.start >= size
        assert before.context_end == len(text) or before.context_end in starts
        context = split_sentences(text[before.end : before.context_end])
        assert before.context_end == len(text) or len(context) >= 3
        assert before.context_end - before.end >= min(64, len(text) - before.end)
    if size == 10**9:
        assert segments == [Segment(0, len(text), len(text))]


def test_a_sentence_longer_than_a_segment_is_not_cut():
    text = "甲" * 50 + "。乙。"
    assert split_segments(text, size=10, context=(1, 1)) == [Segment(0, 51, 53), Segment(51, 53, 53)]


# --- merging: hand-made LAC words ------------------------------------------------------------------


def test_a_name_running_into_the_next_segment_is_found_through_the_context():
    # LAC leaves a one-character ending outside an organisation's name, even after a line break
    text = "标题是国务院\n办好事。"
    words = [(0, 2, "n"), (2, 3, "v"), (3, 6, "ORG"), (7, 8, "n"), (8, 9, "a"), (9, 10, "n"), (10, 11, "w")]
    whole = find_mentions(text, words)
    assert any(m.start < 7 < m.end for m in whole)  # the whole text reads one name across the cut
    segments = split_segments(text, size=5, context=(1, 1))
    assert [s.end for s in segments] == [7, 11]
    assert merge_segments(text, segments, _analyses(text, words, segments)) == whole
    # without the context the first segment cannot see the ending: the test above is not vacuous
    bare = [Segment(0, 7, 7), Segment(7, 11, 11)]
    assert merge_segments(text, bare, _analyses(text, words, bare)) != whole


def test_a_name_found_in_one_segment_is_found_again_in_another():
    # 代村 is a village where it follows its town; alone, only the whole document's names find it
    text = "卞庄街道代村修路。代村的人说好。"
    words = [(0, 6, "LOC"), (6, 8, "v"), (8, 9, "w"), (9, 11, "n"), (11, 12, "u"), (12, 13, "n")]
    words += [(13, 14, "v"), (14, 15, "a"), (15, 16, "w")]
    whole = find_mentions(text, words)
    assert [m.surface for m in whole if m.start >= 9] == ["代村"]
    segments = split_segments(text, size=5, context=(1, 1))
    assert [s.end for s in segments] == [9, 16]
    analyses = _analyses(text, words, segments)
    assert analyses[1].found.names == frozenset()  # the second segment alone does not know the name
    assert merge_segments(text, segments, analyses) == whole


# --- merging: real text and LAC -------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("size", [300, 2_000, 12_000])
def test_segments_give_the_mentions_of_the_whole_text(tagged, size):
    text, words = tagged
    whole = find_mentions(text, words)
    segments = split_segments(text, size=size)
    analyses = _analyses(text, words, segments)
    assert len(segments) > 2
    assert merge_segments(text, segments, analyses) == whole
    if size == 300:  # short segments miss names of others: merging them as they are would differ
        naive = document_mentions(text, [a.found for a in analyses])
        assert naive != whole


@pytest.mark.slow
def test_lac_tags_a_segment_as_it_tags_it_inside_the_whole_text(tagged):
    from kg.nlp.lac import shared_tagger

    text, words = tagged
    for segment in split_segments(text, size=5_000)[1:4]:
        local = text[segment.start : segment.context_end]
        assert shared_tagger().tag_text(local) == _words_in(words, segment)


# --- the build ------------------------------------------------------------------------------------


def test_a_long_file_that_cannot_be_read_is_skipped_with_its_reason(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\x00" * 5_000)
    result = process_long(Task(str(path), "bad.txt"), partial(map, analyse_segment_task), segment_chars=1_000)
    assert result.info is None
    assert result.reason == "binary file (contains NUL bytes), not text"


def _pid_and_analysis(item):
    return os.getpid(), analyse_segment_task(item)


@pytest.mark.slow
def test_segments_of_one_document_run_on_both_workers(long_file):
    task = Task(str(long_file), long_file.name)
    context = multiprocessing.get_context("spawn")
    pids = []

    def analyse(items):
        for pid, analysis in pool.map(_pid_and_analysis, items):
            pids.append(pid)
            yield analysis

    with ProcessPoolExecutor(2, mp_context=context) as pool:
        result = process_long(task, analyse, segment_chars=5_000)
    assert len(pids) >= 10 and len(set(pids)) == 2
    whole = process_document(task)
    assert result.info == whole.info
    assert result.candidates == whole.candidates


def _build(corpus: Path, out: Path, **options) -> dict:
    report = build(corpus, out, **options)
    assert report["counts"]["documents"] == {"ok": 1}
    return report


@pytest.fixture(scope="module")
def whole_build(long_file, tmp_path_factory):
    """The long file built with segmentation off."""
    out = tmp_path_factory.mktemp("whole")
    return out, _build(long_file.parent, out, segment_chars=10**9)


def _same_outputs(a: Path, b: Path, doc_id: str) -> None:
    assert (a / "graph.ttl").read_bytes() == (b / "graph.ttl").read_bytes()
    assert entry_path(a, doc_id).read_bytes() == entry_path(b, doc_id).read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_document_above_the_threshold_builds_as_if_whole(long_file, whole_build, tmp_path, jobs):
    chars = len(read_document(long_file).text)
    threshold = chars - 2_000 if jobs == 1 else 8_000  # just above it, and several times above
    out = tmp_path / "out"
    report = _build(long_file.parent, out, jobs=jobs, segment_chars=threshold)
    whole_out, whole_report = whole_build
    assert report["counts"] == whole_report["counts"]
    assert report["counts"]["facts_total"] > 50
    _same_outputs(out, whole_out, long_file.name)


@pytest.mark.slow
def test_the_dask_engine_shares_segments_out_with_the_same_output(long_file, whole_build, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        _build(long_file.parent, out, engine="dask", scheduler=cluster.scheduler_address, segment_chars=8_000)
    _same_outputs(out, whole_build[0], long_file.name)
