"""Score a built graph against hand-made gold facts: precision, recall and F1 per relation.

Matching (corpus/gold/README.md): facts are distinct (relation, subject, object); a predicted fact
matches a gold fact when the relation is equal and the predicted subject's and object's labels
(``rdfs:label`` or ``skos:altLabel``) each equal one of the gold names.
"""

from __future__ import annotations

import fnmatch
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph

from kg.errors import CorpusError
from kg.ontology import RELATIONS
from kg.store import query_rows


@dataclass(frozen=True)
class GoldFact:
    """One annotated fact: names of subject and object (first = canonical), relation, evidence."""

    doc: str
    subject: tuple[str, ...]
    predicate: str
    object: tuple[str, ...]
    evidence: str


@dataclass(frozen=True)
class PredictedFact:
    """A fact of the graph with every name of its subject and object, and one evidence sentence."""

    subject: str
    predicate: str
    object: str
    subject_names: frozenset[str]
    object_names: frozenset[str]
    evidence: str
    docs: frozenset[str]


@dataclass
class Score:
    """Counts and ratios for one relation (or all).

    ``tp`` counts predicted facts that match gold and ``found`` counts gold facts that some prediction
    matches; they differ only when two predictions match one gold fact or the reverse.
    """

    tp: int = 0
    fp: int = 0
    found: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.found / (self.found + self.fn) if self.found + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "found": self.found,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Evaluation:
    """Scores per relation and micro-averaged, with the false positives and misses."""

    scores: dict[str, Score]
    micro: Score
    false_positives: list[PredictedFact] = field(default_factory=list)
    misses: list[GoldFact] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "relations": {r: s.as_dict() for r, s in self.scores.items()},
            "micro": self.micro.as_dict(),
            "false_positives": [
                {
                    "s": f.subject,
                    "p": f.predicate,
                    "o": f.object,
                    "evidence": f.evidence,
                    "docs": sorted(f.docs),
                }
                for f in self.false_positives
            ],
            "misses": [
                {
                    "doc": g.doc,
                    "s": list(g.subject),
                    "p": g.predicate,
                    "o": list(g.object),
                    "evidence": g.evidence,
                }
                for g in self.misses
            ],
        }


def load_gold(gold_dir: Path) -> list[GoldFact]:
    """Read every ``*.jsonl`` file of a gold directory.

    Raises:
        CorpusError: The directory is missing, or a line is not a valid gold fact (file and line named).
    """
    if not gold_dir.is_dir():
        raise CorpusError(f"{gold_dir}: gold directory does not exist")
    facts = []
    for path in sorted(gold_dir.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                fact = GoldFact(row["doc"], tuple(row["s"]), row["p"], tuple(row["o"]), row["evidence"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path}:{number}: not a gold fact: {exc}") from exc
            if fact.predicate not in RELATIONS:
                raise CorpusError(
                    f"{path}:{number}: unknown relation {fact.predicate!r}; use one of {RELATIONS}"
                )
            if not fact.subject or not fact.object:
                raise CorpusError(f"{path}:{number}: empty subject or object names")
            facts.append(fact)
    return facts


_FACTS = """
SELECT ?s ?p ?o ?sname ?oname ?text ?file WHERE {
  VALUES ?p { kg:assists kg:heads kg:worksFor kg:servesIn kg:locatedIn }
  ?s ?p ?o .
  ?s rdfs:label|skos:altLabel ?sname .
  ?o rdfs:label|skos:altLabel ?oname .
  ?a rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; kg:evidenceText ?text ; prov:wasDerivedFrom ?d .
  ?d kg:sourceFile ?file .
}"""


def predicted_facts(graph: Graph) -> list[PredictedFact]:
    """Distinct facts of a graph with all names of their ends."""
    grouped: dict[tuple[str, str, str], dict[str, set[str]]] = defaultdict(
        lambda: {"s": set(), "o": set(), "text": set(), "docs": set()}
    )
    for row in query_rows(graph, _FACTS):
        key = (row["s"], row["p"].rsplit("#", 1)[-1], row["o"])
        grouped[key]["s"].add(row["sname"])
        grouped[key]["o"].add(row["oname"])
        grouped[key]["text"].add(row["text"])
        grouped[key]["docs"].add(row["file"])
    labels = {
        row["x"]: row["label"] for row in query_rows(graph, "SELECT ?x ?label WHERE { ?x rdfs:label ?label }")
    }
    return [
        PredictedFact(
            labels.get(s, s),
            p,
            labels.get(o, o),
            frozenset(v["s"]),
            frozenset(v["o"]),
            min(v["text"]),
            frozenset(v["docs"]),
        )
        for (s, p, o), v in sorted(grouped.items())
    ]


def select_documents(gold: list[GoldFact], patterns: Iterable[str]) -> set[str]:
    """The gold's documents whose names match any of the shell-style patterns.

    Examples:
        >>> gold = [GoldFact(d, ("a",), "heads", ("b",), "") for d in ("d01.txt", "d21.txt", "d30.txt")]
        >>> sorted(select_documents(gold, ["d2?.txt", "d30.txt"]))
        ['d21.txt', 'd30.txt']
    """
    patterns = list(patterns)
    return {g.doc for g in gold if any(fnmatch.fnmatchcase(g.doc, p) for p in patterns)}


def _matches(pred: PredictedFact, gold: GoldFact) -> bool:
    return (
        pred.predicate == gold.predicate
        and not pred.subject_names.isdisjoint(gold.subject)
        and not pred.object_names.isdisjoint(gold.object)
    )


def evaluate(graph: Graph, gold: list[GoldFact], *, docs: set[str] | None = None) -> Evaluation:
    """Score the graph's facts against gold, restricted to the gold's documents (or ``docs``)."""
    docs = docs if docs is not None else {g.doc for g in gold}
    gold = [g for g in gold if g.doc in docs]
    predicted = [p for p in predicted_facts(graph) if p.docs & docs]
    scores = {r: Score() for r in RELATIONS}
    false_positives, misses = [], []
    for pred in predicted:
        if any(_matches(pred, g) for g in gold):
            scores[pred.predicate].tp += 1
        else:
            scores[pred.predicate].fp += 1
            false_positives.append(pred)
    # distinct gold facts: the same fact annotated twice (two sentences) counts once
    seen: set[tuple[str, str, str]] = set()
    for g in gold:
        key = (g.subject[0], g.predicate, g.object[0])
        if key in seen:
            continue
        seen.add(key)
        if any(_matches(p, g) for p in predicted):
            scores[g.predicate].found += 1
        else:
            scores[g.predicate].fn += 1
            misses.append(g)
    micro = Score(*(sum(getattr(s, f) for s in scores.values()) for f in ("tp", "fp", "found", "fn")))
    return Evaluation(scores, micro, false_positives, misses)


def format_table(evaluation: Evaluation) -> str:
    """A Markdown table of the scores."""
    lines = ["| relation | P | R | F1 | TP | FP | FN |", "|---|---:|---:|---:|---:|---:|---:|"]
    rows = [*evaluation.scores.items(), ("micro", evaluation.micro)]
    for name, s in rows:
        lines.append(
            f"| {name} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.tp} | {s.fp} | {s.fn} |"
        )
    return "\n".join(lines)
