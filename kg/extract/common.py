"""Pieces every extraction rule shares: mention kinds, post patterns, place chains and the sentence's facts.

The rules of the other modules read a sentence the same way: a mention is a place or a body by its
kind, a post is matched by one pattern of ranked post words, a place chain (通渭县李家店乡马营村) is
followed mention by mention, and the facts of a sentence are collected with that sentence as their
evidence. Keeping these in one module keeps the rules that use them in agreement.
"""

from __future__ import annotations

import re

from kg.nlp.gazetteer import GOVERNMENT_POSTS, LEVELS, MEMBER_POSTS, PRINCIPAL_POSTS, org_kind, words
from kg.types import Candidate, Document, Evidence, Mention

PLACE_KINDS = frozenset(LEVELS)
HELPED_LEVELS = frozenset({"Village", "Township"})
STATIONED_POSTS = words("stationed_post")
ASSIST_CUES = re.compile("|".join(sorted(words("assist_cue"), key=len, reverse=True)))
DISPATCH_CUES = words("dispatch_cue")
# Any run of adverbs between a unit and its sending verb (先后选派, 每年又选派).
SENDING_ADVERBS = "(?:" + "|".join(words("sending_adverb")) + ")*"

_POSTS = sorted(
    set(PRINCIPAL_POSTS) | set(MEMBER_POSTS) | set(GOVERNMENT_POSTS) | set(STATIONED_POSTS),
    key=len,
    reverse=True,
)
# Up to two rank words (四级高级法官, 挂职副县长)
_RANKS = "(?:" + "|".join(words("post_rank")) + "){0,2}副?"
_RANKED_POST = _RANKS + "(?:" + "|".join(map(re.escape, _POSTS)) + ")"
_POST_AT_END = re.compile("(" + _RANKED_POST + ")$")
# A word for a person's occupation or rank in a unit (农技员, 主管护师, 青年科研人员): up to six characters
# (no particle, join, copula or preposition among them) before an ending of ``occupation_ending``.
OCCUPATION = (
    "(?:(?![的和与及到在是])[\u4e00-\u9fff]){0,6}?(?:"
    + "|".join(sorted(words("occupation_ending"), key=len, reverse=True))
    + ")"
)
_POST_ANYWHERE = re.compile(_RANKED_POST)
_POST_RANKS = re.compile("^" + _RANKS)

_PERSON_JOINS = ("、", "和", "与", "及")

_PARENTHESIS = re.compile("[（(][^（()）]{1,30}[）)]")


def covered_mask(named: list[Mention], sentence: tuple[int, int]) -> bytearray:
    """One byte per character of the sentence (and one past it), set where a mention starting in it lies.

    Rules that find names the NER missed look only where no mention is.

    Examples:
        >>> list(covered_mask([Mention("王刚", "Person", "王刚", 11, 13)], (10, 15)))
        [0, 1, 1, 0, 0, 0]
    """
    covered = bytearray(sentence[1] - sentence[0] + 1)
    for m in named:
        if sentence[0] <= m.start < sentence[1]:
            covered[m.start - sentence[0] : m.end - sentence[0]] = b"\x01" * (m.end - m.start)
    return covered


def _is_place(m: Mention) -> bool:
    return m.kind in PLACE_KINDS


def _is_org(m: Mention) -> bool:
    return m.kind not in PLACE_KINDS and m.kind != "Person"


def _leaves(places: list[Mention]) -> list[Mention]:
    """Places that are not the parent of the place right after them (the specific end of a chain)."""
    leaves = []
    for i, m in enumerate(places):
        nxt = places[i + 1] if i + 1 < len(places) else None
        if nxt is None or nxt.start != m.end or nxt.parent != m.name:
            leaves.append(m)
    return leaves


class _SentenceFacts:
    """Collects the candidates of one sentence."""

    def __init__(self, doc: Document, start: int, end: int) -> None:
        o_start, o_end = doc.original_span(start, end)
        self.evidence = Evidence(doc.doc_id, doc.text[start:end].strip(), o_start, o_end)
        self.candidates: list[Candidate] = []

    def add(self, s: Mention, p: str, o: Mention, post: str = "") -> None:
        if s.name == o.name:
            return
        if p == "assists" and s.name.startswith(o.name) and org_kind(s.name) in _LOCAL_AUTHORITIES:
            return  # 梅林镇党委 leads 梅林镇: a place's own bodies do not help it
        self.candidates.append(Candidate(s, p, o, self.evidence, post))


_LIST_JOINS = ("、", "和", "及", "与", "以及")

# A place's own party and government bodies lead it; they are not said to help it.
_LOCAL_AUTHORITIES = frozenset({"PartyBody", "GovernmentBody"})

# Punctuation that ends a clause, full-width and ASCII (pages mix both).
_CLAUSE_ENDS = "，。；！？,;!?"

# What may stand between a person and the verb that gives the person's unit or post: nothing, a comma,
# an adverb (另一名队员P则是X局的农技员).
SUBJECT_GAP = "[，,]?(?:" + "|".join(words("subject_adverb")) + ")?"
# A person said to be of a unit named right after: P则是X局的…, P来自X局.
UNIT_SAID_AFTER = re.compile(SUBJECT_GAP + "(?:是|系|" + "|".join(words("comes_from")) + ")")
# The nouns of work teams (工作队, 乡村振兴服务队), as a regex alternation.
TEAM_NOUNS = "工作队|工作组|帮扶队|服务队"
# 由 after a team or a person, naming who sent or makes it up (工作队均由X派出, 工作队由A牵头).
BY_AFTER = re.compile("(?:是|均|都)?由")

# Nouns that class bodies as helpers (帮扶单位), longest first, as a regex alternation.
_HELPER_NOUNS = "|".join(sorted(words("helper_noun"), key=len, reverse=True))


def _chain_from(places: list[Mention], start: int) -> Mention | None:
    """The last unit of the place chain that begins at ``start`` (通渭县李家店乡 -> 李家店乡)."""
    leaf = None
    for m in places:
        if m.start == start:
            leaf, start = m, m.end
    return leaf


def _chain_to(places: list[Mention], end: int) -> Mention | None:
    """The unit of a place chain that ends at ``end``."""
    return next((m for m in places if m.end == end), None)


def _chain_start(mentions: list[Mention], start: int, floor: int = -1) -> int:
    """Where the place chain ending at ``start`` begins (通渭县 + 马营村: at 通渭县), not before ``floor``."""
    while start > floor:
        outer = next((m for m in mentions if m.end == start and _is_place(m)), None)
        if outer is None:
            break
        start = outer.start
    return start


def _listed_places(places: list[Mention], start: int, text: str, *, same_kind: bool = False) -> list[Mention]:
    """The ends of the place chains listed from ``start`` on: 岷县梅川镇A村、清水乡B村和C村 gives A, B, C.

    With ``same_kind`` the list stops at an item of another kind than the first (马营村、柳树村、城关镇).
    """
    leaves: list[Mention] = []
    while (leaf := _chain_from(places, start)) is not None:
        if same_kind and leaves and leaf.kind != leaves[0].kind:
            break
        leaves.append(leaf)
        joined = next((j for j in _LIST_JOINS if text.startswith(j, leaf.end)), "")
        if not joined:
            break
        start = leaf.end + len(joined)
    return leaves


def _listed_after(
    first: Mention | None, mentions: list[Mention], text: str, joins: tuple[str, ...]
) -> list[Mention]:
    """``first`` and the mentions listed right after it (A、B和C), in text order; [] without ``first``."""
    listed = [first] if first is not None else []
    while listed:
        joined = next((j for j in joins if text.startswith(j, listed[-1].end)), "")
        following = next((m for m in mentions if joined and m.start == listed[-1].end + len(joined)), None)
        if following is None:
            break
        listed.append(following)
    return listed


def _listed_before(
    last: Mention, mentions: list[Mention], text: str, joins: tuple[str, ...]
) -> list[Mention]:
    """``last`` and the mentions listed right before it (A、B和C), last first."""
    listed = [last]
    for earlier in reversed(mentions):
        if earlier.end <= listed[-1].start and text[earlier.end : listed[-1].start] in joins:
            listed.append(earlier)
    return listed


def _post_base(post: str) -> str:
    """A post without its rank words: 常务副校长 -> 校长."""
    return _POST_RANKS.sub("", post)
