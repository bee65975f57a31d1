"""Turn a document's mentions into candidate facts of the five relations; pure, no I/O.

Three passes over each sentence, in document order:

1. naming: bodies named by the level of their place only get the nearest preceding place of that
   level, and leading place chains are cut from body names (``context``);
2. posts: ``[body] post (、[body] post)* person`` gives heads, worksFor or servesIn (``posts``, with the
   names NER missed from ``names``);
3. cues: 包联, 帮扶, 结对, 共建, 捐建 ... link the body before the cue (or the paragraph's topic body
   when the subject is left out, as Chinese allows) to the villages and towns of the clause
   (``assists``); role nouns and sending verbs say the same without a cue (``roles``).

Place chains give locatedIn between neighbours; a list (上石村、下石村) shares the chain's parent
(``places``). Work teams (``teams``) and references to things named before (该村, 他, 该校:
``references``) add mentions; ``common`` holds what the rules share. This module is the one place
that knows the order of the passes, so it also holds the few switches that decide between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from kg.corpus import split_sentences
from kg.extract.assists import _assists, _composing_units, _composing_units_after
from kg.extract.common import _is_org, _is_place, _SentenceFacts
from kg.extract.context import _Context, _name_org, join_branches
from kg.extract.names import _names_after_posts, _names_before_comrade
from kg.extract.places import _immediate_parents, _located_in, _stated_locations, same_unit_places
from kg.extract.posts import _posts
from kg.extract.references import (
    PlacelessNames,
    kind_word_mentions,
    part_by_kind,
    person_pronouns,
    place_anaphora,
    placeless_mentions,
    whole_of_part,
)
from kg.extract.roles import (
    _roles,
    _senders,
    _senders_of_stationed,
    _sent_persons,
    _staff_listed_after_colon,
    _successive_places,
)
from kg.extract.teams import _entered_place, find_teams, helped_place, listed_members, member_facts
from kg.types import Candidate, Document, Mention

__all__ = ["extract_candidates"]

# Whether a team named after its place only (马营村驻村工作队) is left out as a helper of that place.
_PLACE_NAMED_TEAMS_HELP_NOBODY = True
# Whether a part of a body named by kind (学校园艺学院) helps only through its whole body.
_PARTS_HELP_THROUGH_WHOLES = True
# Whether a person with a village post but no village serves in the one village an article names.
_ONE_VILLAGE_STATIONS = True
# A team name saying it works in a village (驻村工作队) whose village the name leaves out.
_IN_VILLAGE = re.compile("驻村|住村|包村")


def extract_candidates(doc: Document, mentions: Iterable[Mention]) -> list[Candidate]:
    """Candidate facts of one document, in text order.

    Args:
        doc: The normalised document.
        mentions: Its mentions, as found by the NLP stage.

    Returns:
        Candidates with their evidence sentence; the same fact may come from several sentences.
    """
    ordered = join_branches(sorted(mentions, key=lambda m: (m.start, -m.end)))  # 中国建设银行 + 安徽省分行
    context = _Context()
    placeless = PlacelessNames()
    candidates: list[Candidate] = []
    unplaced: list[tuple[Mention, tuple[int, int]]] = []  # senders of village teams without a village
    cursor = 0
    for index, sentence in enumerate(split_sentences(doc.text)):
        start, end = sentence
        raw = []
        while cursor < len(ordered) and ordered[cursor].start < end:
            if ordered[cursor].start >= start:
                raw.append(ordered[cursor])
            cursor += 1
        out = _SentenceFacts(doc, start, end)
        places = [m for m in raw if _is_place(m)]
        _located_in(places, doc.text, out)
        _stated_locations(places, doc.text, sentence, out)
        named: list[Mention] = []
        for m in raw:
            if _is_place(m):
                context.see_place(m)
                named.append(m)
            elif _is_org(m):
                full = _name_org(m, context)
                if full is not None:
                    named.append(part_by_kind(full, doc.text, context.bodies))  # 学校 + 园艺林学学院
            else:
                named.append(m)
        context.bodies.extend(m for m in named if _is_org(m))
        same_unit_places(places, doc.text, sentence, context.nearest, out)  # 同镇的下坳村
        named += kind_word_mentions(doc.text, sentence, named, context.bodies)
        placeless.update(context.bodies)
        named += placeless_mentions(doc.text, sentence, named, placeless)  # 审计厅: 福建省审计厅
        named += place_anaphora(doc.text, sentence, context.places)  # 该村: the village named before
        # 他: the person named before, in an earlier sentence or earlier in this one
        here = sorted((m for m in named if m.kind == "Person" and m.surface == m.name), key=lambda m: m.start)
        named += person_pronouns(doc.text, sentence, context.persons + here)
        named += _names_after_posts(doc.text, sentence, named)  # 秘书长单巍全: a name LAC tore
        named += _names_before_comrade(doc.text, sentence, named)  # 队员王刚同志: a name LAC missed
        context.persons.extend(m for m in named if m.kind == "Person" and m.surface == m.name)
        named.sort(key=lambda m: (m.start, -m.end))
        for team in find_teams(doc.text, sentence, named, context.team):
            named = [m for m in named if not (_is_org(m) and m.end == team.mention.end)]
            named.append(team.mention)
            if team.place is None:  # 中国农业发展银行黑龙江省分行扶贫工作队进驻苏苏村
                team = replace(team, place=_entered_place(team.mention, named, doc.text))
            context.team = context.teams[team.mention.name] = team
            place = helped_place(team)
            units = _composing_units(team.mention, named, doc.text) if place is not None else []
            if place is not None:  # 工作队由A牵头，B、C共同派员组成
                units += _composing_units_after(team.mention, named, doc.text, end)
            # a team named after its place only (马营村驻村工作队) and made of no units the text names
            # says nothing of who helps the place
            if place is not None and (team.sender is not None or units or not _PLACE_NAMED_TEAMS_HELP_NOBODY):
                sender = team.sender if team.sender is not None and _is_org(team.sender) else None
                out.add(sender or team.mention, "assists", place)
                for unit in units:
                    out.add(unit, "assists", place)  # 由A、B两个单位派驻组成的X镇工作队
            elif team.sender is not None and _is_org(team.sender) and _IN_VILLAGE.search(team.mention.name):
                unplaced.append((team.sender, sentence))  # X驻村工作队: in the village the article is about
        named.sort(key=lambda m: (m.start, -m.end))
        _posts(sentence, doc.text, named, context, out)
        for member, own_unit in listed_members(doc.text, sentence, named, context.team):  # 队员包括P和Q
            listing = context.team
            assert listing is not None
            out.add(member, "worksFor", listing.mention, "队员")
            member_facts(out, member, listing, "队员", own_unit=own_unit)
        _sent_persons(sentence, doc.text, named, out)
        _staff_listed_after_colon(sentence, doc.text, named, out)
        _roles(sentence, doc.text, named, out)
        _senders(sentence, doc.text, named, out)
        _assists(index, sentence, doc.text, named, context, out)
        _successive_places(sentence, doc.text, named, out)  # 先后在A村和B村: each village, not only B
        candidates.extend(out.candidates)
    villages = {m.name: m for m in context.places["Village"]}
    if len(villages) == 1:  # an article about one village: a village team without its name works there
        (village,) = villages.values()
        for sender, (start, end) in unplaced:
            late = _SentenceFacts(doc, start, end)
            late.add(sender, "assists", village)
            candidates.extend(late.candidates)
        # and a first secretary or village cadre named without a village serves in it
        for person, (start, end) in context.unplaced_persons if _ONE_VILLAGE_STATIONS else ():
            late = _SentenceFacts(doc, start, end)
            late.add(person, "servesIn", village)
            candidates.extend(late.candidates)
    candidates += _senders_of_stationed(candidates)
    if _PARTS_HELP_THROUGH_WHOLES:  # 学校园艺学院 helps as 西南大学 does
        # a part named by kind only: a college named in full and said to help (X大学Y学院与Z村结对) helps
        candidates = [
            c
            for c in candidates
            if c.predicate != "assists"
            or c.subject.name == c.subject.surface
            or whole_of_part(c.subject) is None
        ]
    return _immediate_parents(candidates)
