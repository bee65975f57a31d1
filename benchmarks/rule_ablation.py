"""What each general extraction rule earns on held-out text: scores with the rule switched off.

Reads the real news excerpts of ../shared/data/relations (or $KG_RELATIONS_DATA) and exits cleanly when
they are absent. The NLP stage runs once per document; then extraction, resolution and scoring run
once with every rule and once per rule switched off, reporting micro P/R and TP/FP on the development
part (d01-d20) and the test part (d21-d30). Only scores are printed: never a test miss.

    .venv/bin/python benchmarks/rule_ablation.py
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kg.extract as extract
from kg.corpus import read_document
from kg.evaluate import evaluate, load_gold, select_documents
from kg.nlp import shared_nlp
from kg.rdf import build_graph
from kg.resolve import resolve_entities

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KG_RELATIONS_DATA", ROOT.parent / "shared" / "data" / "relations"))
PARTS = {"development": ("d0?.txt", "d1?.txt", "d20.txt"), "test": ("d2[1-9].txt", "d30.txt")}
_NEVER = re.compile("(?!x)x")

# rule -> (name in kg.extract, what stands in for it when it is off)
RULES: dict[str, tuple[str, Any]] = {
    "work teams (X驻Y村工作队)": ("find_teams", lambda *a, **k: []),
    "a team entering a village": ("_entered_place", lambda *a, **k: None),
    "units composing a team": ("_composing_units", lambda *a, **k: []),
    "a unit sending a person (选派P到Y村)": ("_sent_persons", lambda *a, **k: None),
    "bodies named by their kind (校, 支行)": ("kind_word_mentions", lambda *a, **k: []),
    "posts implying their body (副校长)": ("implied_body", lambda *a, **k: None),
    "该村, 该镇": ("place_anaphora", lambda *a, **k: []),
    "posts after a verb (担任, 是)": ("_TAKES_POST", _NEVER),
    "posts between commas": ("_APPOSITION", _NEVER),
    "posts before the name (作为…，P)": ("_AS_POST", _NEVER),
    "the helper after the cue (…的帮扶单位是X)": ("_IDENTIFIES", _NEVER),
    "bodies listed together share a cue": ("_coordinated", lambda last, orgs, text: [last]),
    "names NER missed in a list of persons": ("_unread_names", lambda *a, **k: []),
    "posts after 是/有/和 and verbs of posts": ("_POST_OPENERS", ("\0",)),
    "bodies listed before 帮扶单位": ("_HELPER_NOUN", _NEVER),
    "a cue whose object comes later (帮扶以来，该村)": ("_NO_OBJECT", _NEVER),
    "a body inside 在…的率领下 is no helper": ("_LED_BY", _NEVER),
    "roles, partners, 来自, 被派驻到 (_roles)": ("_roles", lambda *a, **k: None),
    "locations stated in words (位于, 所辖)": ("_stated_locations", lambda *a, **k: None),
    "a place's parent is the unit right above it": ("_immediate_parents", lambda c: c),
}


def main() -> int:
    if not (DATA / "gold.jsonl").exists():
        print(f"skipped: no relation data at {DATA}")
        return 0
    docs = [read_document(p, doc_id=p.name) for p in sorted((DATA / "texts").glob("*.txt"))]
    nlp = shared_nlp()
    mentions = {d.doc_id: nlp(d.text)._.mentions for d in docs}
    gold = load_gold(DATA)
    parts = {name: select_documents(gold, patterns) for name, patterns in PARTS.items()}

    def score() -> list[str]:
        candidates = [c for d in docs for c in extract.extract_candidates(d, mentions[d.doc_id])]
        entities, facts = resolve_entities(candidates)
        graph = build_graph(docs, entities, facts)
        cells = []
        for chosen in parts.values():
            micro = evaluate(graph, gold, docs=chosen).micro
            cells.append(f"{micro.precision:.3f} / {micro.recall:.3f} ({micro.tp} / {micro.fp})")
        return cells

    print("| rules | development P / R (TP / FP) | test P / R (TP / FP) |")
    print("|---|---:|---:|")
    print("| all | " + " | ".join(score()) + " |")
    for label, (attribute, stand_in) in RULES.items():
        original: Callable[..., Any] | re.Pattern[str] = getattr(extract, attribute)
        setattr(extract, attribute, stand_in)
        try:
            print(f"| without {label} | " + " | ".join(score()) + " |")
        finally:
            setattr(extract, attribute, original)
    return 0


if __name__ == "__main__":
    sys.exit(main())
