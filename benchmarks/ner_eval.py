"""NER benchmark: entity-level P/R/F1 per type for raw LAC and for the project's NER.

Reads the public sets under ../shared/data/ner (or $KG_NER_DATA); exits cleanly when they are absent.
The project's NER is what the ``kg_mentions`` component puts in ``doc.ents``: the mention finder's
places, bodies and persons first, LAC's entities where no mention overlaps.

    .venv/bin/python benchmarks/ner_eval.py [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

from kg.nlp.lac import shared_tagger
from kg.nlp.mentions import find_mentions, named_entities

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KG_NER_DATA", ROOT.parent / "shared" / "data" / "ner"))

SETS = {
    "MSRA test (SIGHAN gold)": (
        "normalised/msra_sighan2006_test.spans.jsonl",
        {"nr": "PER", "ns": "LOC", "nt": "ORG"},
    ),
    "CLUENER dev": (
        "normalised/cluener2020_dev.spans.jsonl",
        {"name": "PER", "address": "LOC", "organization": "ORG", "government": "ORG", "company": "ORG"},
    ),
}
TYPES = ("PER", "LOC", "ORG")


def load(
    path: Path, mapping: dict[str, str], limit: int | None
) -> list[tuple[str, set[tuple[int, int, str]]]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            gold = {(s, e, mapping[label]) for s, e, label, _ in row["entities"] if label in mapping}
            rows.append((row["text"], gold))
            if limit and len(rows) >= limit:
                break
    return rows


def score(
    gold: list[set[tuple[int, int, str]]], pred: list[set[tuple[int, int, str]]]
) -> dict[str, dict[str, float]]:
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred, strict=True):
        for span in p:
            (tp if span in g else fp)[span[2]] += 1
        for span in g - p:
            fn[span[2]] += 1
    out = {}
    for label in (*TYPES, "micro"):
        t = sum(tp.values()) if label == "micro" else tp[label]
        f_p = sum(fp.values()) if label == "micro" else fp[label]
        f_n = sum(fn.values()) if label == "micro" else fn[label]
        precision = t / (t + f_p) if t + f_p else 0.0
        recall = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = {"p": round(100 * precision, 1), "r": round(100 * recall, 1), "f1": round(100 * f1, 1)}
    return out


def run_set(rows: list[tuple[str, set[tuple[int, int, str]]]]) -> dict[str, object]:
    texts = [t for t, _ in rows]
    gold = [g for _, g in rows]
    tagger = shared_tagger()
    t0 = time.perf_counter()
    tagged = tagger.tag(texts)
    t1 = time.perf_counter()
    lac_pred, kg_pred = [], []
    for text, words in zip(texts, tagged, strict=True):
        spans, pos = [], 0
        for word, tag in words:
            spans.append((pos, pos + len(word), tag))
            pos += len(word)
        lac_pred.append({s for s in spans if s[2] in TYPES})
        kg_pred.append(set(named_entities(spans, find_mentions(text, spans), text)))
    t2 = time.perf_counter()
    chars = sum(map(len, texts))
    return {
        "sentences": len(texts),
        "LAC": score(gold, lac_pred),
        "kg": score(gold, kg_pred),
        "chars_per_s": {
            "LAC (batched)": round(chars / (t1 - t0)),
            "kg NER (LAC + mentions)": round(chars / (t2 - t0)),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="sentences per set (default: all)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"skipped: no NER data at {DATA}")
        return 0
    results = {}
    for name, (relative, mapping) in SETS.items():
        path = DATA / relative
        if not path.exists():
            print(f"skipped {name}: {path} missing")
            continue
        results[name] = run_set(load(path, mapping, args.limit))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    print("| set | system | P | R | F1 | PER F1 | LOC F1 | ORG F1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, result in results.items():
        for system in ("LAC", "kg"):
            s = result[system]
            print(
                f"| {name} | {system} | {s['micro']['p']} | {s['micro']['r']} | {s['micro']['f1']} | "
                f"{s['PER']['f1']} | {s['LOC']['f1']} | {s['ORG']['f1']} |"
            )
    for name, result in results.items():
        print(f"{name}: {result['sentences']} sentences; chars/s {result['chars_per_s']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
