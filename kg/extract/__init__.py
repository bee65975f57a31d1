"""Turn a document's mentions into candidate facts of the five relations; pure, no I/O.

Three passes over each sentence, in document order:

1. naming: bodies named by the level of their place only (市住建局, 村党支部) get the nearest preceding
   place of that level (鄂尔多斯市住建局); leading place chains are cut from body names
   (鄂尔多斯市准格尔旗龙口镇沙也村党支部 -> 沙也村党支部, the long form kept as the surface alias);
2. posts: ``[body] post (、[body] post)* person`` gives heads (principal post) or worksFor (deputy,
   member post), and ``village 驻村第一书记 person`` gives servesIn; ``body 派驻 village`` gives assists;
3. cues: 包联, 帮扶, 结对, 共建, 捐建 ... link the body before the cue (or the paragraph's topic body
   when the subject is left out, as Chinese allows) to the villages and towns of the clause.

Place chains give locatedIn between neighbours; a list (上石村、下石村) shares the chain's parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from importlib import resources

from kg.corpus import split_sentences
from kg.extract.references import implied_body, kind_word_mentions, person_pronouns, place_anaphora
from kg.extract.teams import Team, find_teams, helped_place
from kg.nlp.gazetteer import (
    GOVERNMENT_POSTS,
    LEVEL_PREFIXES,
    LEVELS,
    MEMBER_POSTS,
    PRINCIPAL_POSTS,
    lexicon,
    org_kind,
    place_level,
    split_place_chain,
    words,
)
from kg.types import Candidate, Document, Evidence, Mention

PLACE_KINDS = frozenset(LEVELS)
HELPED_LEVELS = frozenset({"Village", "Township"})
STATIONED_POSTS = words("stationed_post")
ASSIST_CUES = re.compile("|".join(sorted(words("assist_cue"), key=len, reverse=True)))
DISPATCH_CUES = words("dispatch_cue")
# A cue inside these is the name of a programme or office, not a statement that X helps Y.
_PROGRAMME = re.compile("|".join(words("programme")))
_POSTS = sorted(
    set(PRINCIPAL_POSTS) | set(MEMBER_POSTS) | set(GOVERNMENT_POSTS) | set(STATIONED_POSTS),
    key=len,
    reverse=True,
)
_RANKS = "(?:" + "|".join(words("post_rank")) + ")?副?"
_RANKED_POST = _RANKS + "(?:" + "|".join(map(re.escape, _POSTS)) + ")"
_POST_AT_END = re.compile("(" + _RANKED_POST + ")$")
_POST_ANYWHERE = re.compile(_RANKED_POST)
_POST_RANKS = re.compile("^" + _RANKS)
# Posts that exist only in work teams: standing alone, they are posts in the team the text named last.
_TEAM_POSTS = frozenset(words("team_post"))
# Verbs that give a person a post named after them (张建国担任X党委书记).
_TAKES_POST = re.compile("|".join(words("takes_post")))
_PERSON_JOINS = ("、", "和", "与", "及")
_OF = re.compile("的(?:一名|一位|一个)?$")
_PARTY_ENDINGS = ("党组", "党委", "党总支", "党支部", "党工委")
_PARTY_MEMBER_POSTS = frozenset({"书记", "委员", "成员", "常委", "纪检组长"})
# a verb that gives a post opens the phrase of that post too (在马营村担任第一书记)
_POST_OPENERS = words("post_opener") + tuple(w for w in words("takes_post") if len(w) > 1)
_LISTED_NAME = re.compile("(?:(?![和与及])[\u4e00-\u9fff]){2,3}")
_NAMES_BETWEEN = re.compile(" *[、和与及](?: *(?:(?![和与及])[\u4e00-\u9fff]){2,3} *[、和与及])+ *")
_SURNAMES = tuple(
    line.strip()
    for line in resources.files("kg").joinpath("data/surnames.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
_PARENTHESIS = re.compile("[（(][^（()）]{1,30}[）)]")
# A post set off by commas right after a name (王刚，定西市财政局干部，), and one stated before the name.
_APPOSITION = re.compile("[，,][^，,。；;！？]{2,30}?[，,。]")
_AS_POST = re.compile("作为[^，,。；;！？]{2,40}?[，,]")
# Posts that contract the name of a department of the body before them with 部长 (组织部 + 部长).
_CONTRACTED_POSTS = dict(lexicon()["contracted_post"])
_PARTY_POSTS = dict(lexicon()["party_post"])
# How far back (characters) a level-only abbreviation looks for its place, by level.
_LOOKBACK = {"Province": 100_000, "City": 100_000, "County": 3_000, "Township": 1_500, "Village": 600}
_TOPIC_SENTENCES = 6
# Whether a team named after its place only (马营村驻村工作队) is left out as a helper of that place.
_PLACE_NAMED_TEAMS_HELP_NOBODY = True
# Levels whose level-only body names (市国安局, 县委) stand as names when no place of the level came before.
_UNPLACED_LEVELS = frozenset({"Province", "City", "County"})
# How far back (characters) a first secretary without a village takes the village named last.
_STATIONED_LOOKBACK = 60
# Verbs that may open a post's place chain (驻马营村第一书记, 派驻马营村第一书记).
_CHAIN_CUES = ("派驻", "驻")
_STATIONED_AT = re.compile("驻[\u4e00-\u9fff]{1,8}$")
_VILLAGE_POSTS = frozenset({"驻村第一书记", "第一书记", "驻村书记", "驻村干部"})
_BODY_CHARS = set("局委部院厅办司会队社所站")


def _is_place(m: Mention) -> bool:
    return m.kind in PLACE_KINDS


def _is_org(m: Mention) -> bool:
    return m.kind not in PLACE_KINDS and m.kind != "Person"


class _Context:
    """What the document has said so far: places by level, and the topic body."""

    def __init__(self) -> None:
        self.places: dict[str, list[Mention]] = {level: [] for level in LEVELS}
        self.topic: Mention | None = None
        self.topic_sentence = -1
        self.team: Team | None = None
        self.bodies: list[Mention] = []
        self.teams: dict[str, Team] = {}
        self.persons: list[Mention] = []
        # persons given a village post (驻村第一书记) without a village, with their sentence
        self.unplaced_persons: list[tuple[Mention, tuple[int, int]]] = []

    def see_place(self, m: Mention) -> None:
        self.places[m.kind].append(m)

    def nearest(self, level: str, before: int, *, within: int | None = None) -> Mention | None:
        for m in reversed(self.places[level]):
            if m.end <= before:
                return m if before - m.end <= (within or _LOOKBACK[level]) else None
        return None


def _abbreviation_level(name: str) -> tuple[str, str] | None:
    """(level, prefix) when a body is named by the level of its place only: 市委组织部 -> (City, 市)."""
    for prefix in sorted(LEVEL_PREFIXES, key=len, reverse=True):
        if name.startswith(prefix) and org_kind(name):
            return LEVEL_PREFIXES[prefix], prefix
    return None


def _name_org(m: Mention, context: _Context) -> Mention | None:
    """Full name of a body mention; None for an abbreviation whose place the text never gave."""
    if m.name != m.surface:  # already named (defined short name)
        return m
    abbreviation = _abbreviation_level(m.name)
    if abbreviation:
        level, prefix = abbreviation
        place = context.nearest(level, m.start)
        if place is None:
            # 市政协, 省农业农村厅 in an article that never names its city or province: the reader
            # knows it from the outlet, and the body keeps the name it is given; a village's or
            # town's bodies (村委会, 镇党委) without their place are no specific body
            return m if level in _UNPLACED_LEVELS else None
        return replace(m, name=place.name + m.name[len(prefix) :])
    units = split_place_chain(m.name)
    chain_end = 0
    for s, e in units:
        # a unit with a body inside (公安局潮格温都尔镇) ends the chain of places that opens the name
        if s != chain_end or org_kind(m.name[s:e]) or _BODY_CHARS & set(m.name[s : e - 1]):
            break
        chain_end = e
    leading = [u for u in units if u[1] <= chain_end]
    if len(leading) >= 2:  # keep the innermost place only
        return replace(m, name=m.name[leading[-1][0] :])
    return m


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


def _located_in(places: list[Mention], text: str, out: _SentenceFacts) -> None:
    by_name: dict[str, Mention] = {}
    for i, m in enumerate(places):
        if m.parent:
            parent = by_name.get(m.parent) or Mention(
                m.parent, place_level(m.parent) or "Place", m.parent, m.start, m.start
            )
            out.add(m, "locatedIn", parent)
        elif (
            i
            and text[places[i - 1].end : m.start] in ("、", "和", "及", "与", "以及")
            and places[i - 1].parent
        ):
            # 上石村、下石村: the list shares its chain's parent; 咸宜镇李坪村、修齐镇东河村: an item
            # that opens a new chain shares the parent of the place of its level in the chain before
            same = next((p for p in reversed(places[:i]) if p.kind == m.kind), None)
            if (
                same is not None
                and same.parent
                and same.parent in by_name
                and (
                    same is places[i - 1]
                    or _run_start(places, _list_start(places, i - 1, text)) <= places.index(same)
                )
            ):
                inherited = replace(m, parent=same.parent)
                places[i] = inherited
                out.add(inherited, "locatedIn", by_name[same.parent])
        by_name[m.name] = places[i]


_LIST_JOINS = ("、", "和", "及", "与", "以及")
# Bodies acting together: A、B和C帮扶X村, A联合B帮扶X村.
_BODY_JOINS = (*_LIST_JOINS, "联合", "会同", "携手", "协同")
# A place's own party and government bodies lead it; they are not said to help it.
_LOCAL_AUTHORITIES = frozenset({"PartyBody", "GovernmentBody"})
# After a cue, words that say who the helper is: 马营村的帮扶单位是X, 帮扶马营村的就是X.
_IDENTIFIES = re.compile("(?:的|单位|企业)(?:就|正|则)?(?:是|为)")
# Punctuation that ends a clause, full-width and ASCII (pages mix both).
_CLAUSE_ENDS = "，。；！？,;!?"
# An adverbial naming who leads or accompanies the action (在X的率领下), not who does it.
_LED_BY = re.compile("在[^，。；,;]{2,40}?(?:率领|带领|陪同|带队|指导|关怀|关心|支持|见证)下")
# What may follow a cue that has no object of its own (X挂点帮扶以来，…).
_NO_OBJECT = re.compile("(?:以来|之后|后|期间|中)?[，,]")
# Nouns that class bodies as helpers (帮扶单位), longest first, as a regex alternation.
_HELPER_NOUNS = "|".join(sorted(words("helper_noun"), key=len, reverse=True))
# A list of bodies classed as helpers: A、B、C等五个帮扶单位.
_HELPER_NOUN = re.compile("(?:等)?(?:[一二三四五六七八九十两\\d]+(?:个|家))?(?:" + _HELPER_NOUNS + ")")
# Verbs by which a unit sends one of its people to a village (X选派P到Y村).
_SENDS = re.compile("|".join(words("sends")))
_STAFF = re.compile("|".join(words("staff_word")))
_HELPED_NOUN = re.compile("|".join(sorted(words("helped_noun"), key=len, reverse=True)))
_COMES_FROM = re.compile("|".join(words("comes_from")))
# 王刚被派驻到马营村: a person sent to a village, the sender left out
_SENT_TO = re.compile("被?(?:" + "|".join(words("sends")) + ")(?:到|至|进驻|驻)?")


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


def _higher(parent: Mention, child: Mention) -> bool:
    return LEVELS.index(parent.kind) < LEVELS.index(child.kind)


def _stated_locations(
    places: list[Mention], text: str, sentence: tuple[int, int], out: _SentenceFacts
) -> None:
    """Where a place lies, stated in words rather than by a chain of names.

    马营村位于通渭县李家店乡, 位于X乡的马营村, X乡所辖马营村、柳树村, 通渭县的平襄镇: the parent must be
    of a higher level than the place.
    """
    places = [m for m in places if m.kind in LEVELS]
    for m in places:
        verb = _LIES_IN.match(text, m.end)
        if verb is not None:  # 马营村位于通渭县李家店乡
            parent = _chain_from(places, verb.end())
            if parent is not None and _higher(parent, m):
                out.add(m, "locatedIn", parent)
    for verb in _LIES_IN.finditer(text, sentence[0], sentence[1]):  # 位于X乡的马营村
        parent = _chain_from(places, verb.end())
        if parent is None or not text.startswith("的", parent.end):
            continue
        for child in _listed_from(places, parent.end + 1, text):
            if _higher(parent, child):
                out.add(child, "locatedIn", parent)
    for m in places:  # 马营村是李家店乡12个贫困村之一: one of the villages of a higher unit
        copula = _ONE_OF_COPULA.match(text, m.end)
        parent = _chain_from(places, copula.end()) if copula is not None else None
        if parent is not None and _higher(parent, m) and _ONE_OF.match(text, parent.end):
            out.add(m, "locatedIn", parent)
    for word in _GOVERNS.finditer(text, sentence[0], sentence[1]):  # X乡所辖马营村, 通渭县的平襄镇
        parent = _chain_to(places, word.start())
        if parent is None:
            continue
        for child in _listed_from(places, word.end(), text):
            if _higher(parent, child):
                out.add(child, "locatedIn", parent)


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


def _listed_from(places: list[Mention], start: int, text: str) -> list[Mention]:
    """The places listed from ``start`` on (马营村、柳树村和石桥村), each the end of its own chain."""
    listed: list[Mention] = []
    while True:
        leaf = _chain_from(places, start)
        if leaf is None or (listed and leaf.kind != listed[0].kind):
            return listed
        listed.append(leaf)
        join = next((j for j in _LIST_JOINS if text.startswith(j, leaf.end)), None)
        if join is None:
            return listed
        start = leaf.end + len(join)


_ONE_OF_COPULA = re.compile("(?:曾|原|曾经|也|现)?(?:是|为|系)")
# 12个贫困村之一, 6个行政村之一: a count of units of the place's own kind, 之一
_ONE_OF = re.compile(
    "[一二三四五六七八九十两百\\d]+个[\u4e00-\u9fff]{0,6}?(?:村|嘎查|社区|乡镇|镇|乡|苏木|街道)之一"
)
_LIES_IN = re.compile("(?:位于|地处|坐落于|坐落在|隶属于|隶属|属于)")
_GOVERNS = re.compile("(?:下辖的?|所辖的?|管辖的?|辖区内的?|的)")


def _list_start(places: list[Mention], i: int, text: str) -> int:
    """Index of the first item of the list ``places[i]`` ends (荍田村、天堂村: 荍田村), over list joins.

    Items share their parent: 白蜡乡荍田村、天堂村及黄坭镇树坪村 puts 黄坭镇 beside 白蜡乡.
    """
    if not _LISTS_SHARE_CHAINS:
        return i
    while (
        i > 0
        and text[places[i - 1].end : places[i].start] in _LIST_JOINS
        and places[i].kind == places[i - 1].kind
        and places[i].parent
        and places[i].parent == places[i - 1].parent
    ):
        i -= 1
    return i


# Whether a list item that opens a new chain looks back over the items before it for its parent's level.
_LISTS_SHARE_CHAINS = True


def _run_start(places: list[Mention], i: int) -> int:
    """Index of the first place of the chain that ends with ``places[i]``."""
    while i > 0 and places[i - 1].end == places[i].start and places[i].parent == places[i - 1].name:
        i -= 1
    return i


_DELIMITED = re.compile("(?<=[、，：,:])[\u4e00-\u9fff]{2,12}$")
_BARE_BODY = re.compile("(" + "|".join(words("bare_body")) + ")$")
_INNER_BODY = re.compile("(" + "|".join(words("inner_body")) + ")$")
# Bodies that belong to a place (the community's 居委会), not to another body.
_PLACE_BOUND_BODIES = frozenset(words("place_bound_body"))
_TEAM_WORD = re.compile("((?:驻村|扶贫|帮扶)?工作队)$")


def _body_for_post(
    post: str, before: str, end: int, named: list[Mention], context: _Context, previous_body: Mention | None
) -> Mention | None:
    """The body a post belongs to: the body or place named right before it, else one the post implies."""
    base = _post_base(post)
    ending = [m for m in named if m.end == end and m.kind != "Person"]
    if not ending:  # 组织部长, 工作队长: the post's first character closes the body's name
        ending = [m for m in named if m.end == end + 1 and m.name[-1] == post[0] and _is_org(m)]
    of = _OF.search(before)
    if not ending and of is not None:  # 马营村的第一书记王刚, 王刚是X局的一名干部
        ending = [m for m in named if m.end == end - len(of.group()) and m.kind != "Person"]
    inner = _INNER_BODY.search(before)
    if not ending and inner:  # 杭州建设公司 + 党委 + 副书记: LAC left the party body out of the name
        host = next((m for m in named if m.end == end - len(inner.group(1)) and m.kind != "Person"), None)
        if host is not None:
            name = host.name + inner.group(1)
            surface = host.surface + inner.group(1)
            return Mention(name, org_kind(name) or "PartyBody", surface, host.start, end)
    if not ending and base in _PARTY_POSTS:  # 村党支部 + 书记 read as 村 + 党支部书记
        suffix = _PARTY_POSTS[base]
        ending = [m for m in named if m.end == end + len(suffix) and m.name.endswith(suffix) and _is_org(m)]
    if not ending and before.endswith("）"):  # skip a parenthesis: 法院（以下简称“呼铁中院”）党组书记
        opening = end - len(before) + before.rfind("（")
        ending = [m for m in named if m.end == opening and m.kind != "Person"]
    body = next((m for m in ending if _is_org(m)), None)
    place = next((m for m in ending if _is_place(m)), None)
    if base in _PARTY_POSTS:
        suffix = _PARTY_POSTS[base]
        host = body or place
        if host is not None and not host.name.endswith(suffix):
            return replace(host, name=host.name + suffix, kind="PartyBody", surface=host.surface + suffix)
    if body is not None:
        return body
    if place is not None:
        return place
    delimited = _DELIMITED.search(before)
    if delimited and org_kind(delimited.group()) and _abbreviation_level(delimited.group()):
        # 、市包联驻村办主任: the list punctuation delimits a body LAC tore into verbs
        level, prefix = _abbreviation_level(delimited.group()) or ("", "")
        home = context.nearest(level, end)
        if home is not None:
            surface = delimited.group()
            name = home.name + surface[len(prefix) :]
            return Mention(name, org_kind(name) or "Organisation", surface, end - len(surface), end)
    if base in GOVERNMENT_POSTS:
        level = LEVEL_PREFIXES.get(base[:-1], "") or LEVEL_PREFIXES.get(base[0], "")
        home = context.nearest(level, end) if level else None
        if home is not None:
            name = home.name + GOVERNMENT_POSTS[base]
            return Mention(name, "GovernmentBody", name, end, end)  # implied: no characters of its own
    bare = _BARE_BODY.search(before)
    if base in _CONTRACTED_POSTS and previous_body is not None:  # 县委常委、组织部长: 组织部 + 部长
        name = previous_body.name + _CONTRACTED_POSTS[base]
        return Mention(name, org_kind(name) or "PartyBody", _CONTRACTED_POSTS[base], end, end)
    if bare and previous_body is not None:  # 巴彦淖尔市委常委、组织部部长: the 组织部 of that 市委
        # 公司党委副书记、纪委书记: the 纪委 of the company, not of its 党委; 社区党委书记、居委会主任:
        # the 居委会 of the community
        owner = re.sub("(?:党委|党组|党总支|党支部|纪委|工会)$", "", previous_body.name)
        if bare.group(1) in _PLACE_BOUND_BODIES:
            owner = re.sub("(?:党委|党组|党总支|党支部|党工委)$", "", previous_body.name)
            if not place_level(owner):
                return None
        name = owner + bare.group(1)
        return Mention(name, org_kind(name) or "PartyBody", bare.group(1), end - len(bare.group(1)), end)
    return None


def _post_chain(
    text: str, sentence: tuple[int, int], end: int, bodies: list[Mention], context: _Context
) -> list[tuple[Mention | None, str, int]]:
    """The ``[body] post (、[body] post)*`` list ending at ``end``, right to left."""
    pairs: list[tuple[Mention | None, str, int]] = []
    while end > sentence[0]:
        match = _POST_AT_END.search(text, sentence[0], end)
        if not match:
            break
        post, before = match.group(1), text[sentence[0] : match.start()]
        body = _body_for_post(post, before, match.start(), bodies, context, None)
        after = match.start() + 1
        while body is None:  # 工作队 + 队员 rather than 工作队队员 without a body
            shorter = _POST_AT_END.search(text, after, end)
            if shorter is None:
                break
            after = shorter.start() + 1
            found = _body_for_post(
                shorter.group(1), text[sentence[0] : shorter.start()], shorter.start(), bodies, context, None
            )
            if found is not None and _is_org(found):
                match, post, before, body = (
                    shorter,
                    shorter.group(1),
                    text[sentence[0] : shorter.start()],
                    found,
                )
            elif found is not None and _is_place(found) and found.name[-1] + shorter.group(1) == post:
                body = found  # 马营村主任: the 村主任 of 马营村, the unit's last character shared
        pairs.append((body, post, match.start()))
        bare = _BARE_BODY.search(before) or _TEAM_WORD.search(before)  # 、工作队队长: no team named
        start = body.start if body else match.start() - (len(bare.group(1)) if bare else 0)
        if body is not None and _is_place(body):  # X局调研员、驻(通渭县)马营村第一书记: over 驻 and the chain
            while True:
                outer = next((b for b in bodies if b.end == start and _is_place(b)), None)
                if outer is None:
                    break
                start = outer.start
            cue = next((c for c in _CHAIN_CUES if text.startswith(c, start - len(c))), "")
            start -= len(cue)
        if start > sentence[0] and text[start - 1] in "、兼":  # 党支部书记兼村委会主任
            end = start - 1
        else:
            break
    return pairs


def _post_facts(
    person: Mention,
    pairs: list[tuple[Mention | None, str, int]],
    text: str,
    sentence: tuple[int, int],
    orgs: list[Mention],
    context: _Context,
    out: _SentenceFacts,
) -> None:
    previous_body: Mention | None = None
    previous_post = ""
    for body, post, post_start in reversed(pairs):  # left to right: bare bodies need the one before
        if body is None:
            before = text[sentence[0] : post_start]
            body = _body_for_post(post, before, post_start, [], context, previous_body)
        if body is None and previous_body is not None:
            # 党组书记、院长王旭军, 党组成员、副局长P: a post without a body of its own shares the body
            # listed before, without the party body when the post is no party post
            body = previous_body
            party = _PARTY_POSTS.get(_post_base(previous_post), "")
            if not party and _post_base(post) not in _PARTY_MEMBER_POSTS:
                party = next((e for e in _PARTY_ENDINGS if body.name.endswith(e)), "")
            if party and body.name.endswith(party) and len(body.name) > len(party):
                name = body.name[: -len(party)]
                surface = body.surface.removesuffix(party)
                body = replace(body, name=name, surface=surface, kind=org_kind(name) or "Organisation")
        opens = _opens_phrase(text[sentence[0] : post_start])
        if body is None and opens:
            body = implied_body(post, post_start, context.bodies)  # 、副校长廖北文: the school named last
        if body is None and opens and _post_base(post) in _TEAM_POSTS and context.team is not None:
            body = context.team.mention  # 身边是新队员姚宝雷: a member of the team named before
        if body is None and opens and _post_base(post) in _VILLAGE_POSTS:  # 在马营村，驻村第一书记P
            body = context.nearest("Village", post_start, within=_STATIONED_LOOKBACK)
        if body is None:
            continue
        previous_post = post
        base = _post_base(post)
        if _is_place(body) and base in GOVERNMENT_POSTS:  # 五华县副县长: the county's government
            name = body.name + GOVERNMENT_POSTS[base]
            body = Mention(name, "GovernmentBody", body.surface, body.start, body.end)
        if _is_place(body) and base == "书记" and _VILLAGE_SECRETARIES and body.name.endswith(("村", "嘎查")):
            # 马营村书记王刚: a village's secretary is its party branch's (村党支部书记)
            body = Mention(body.name + "党支部", "PartyBody", body.surface, body.start, body.end)
        if _is_place(body):
            if base in STATIONED_POSTS:
                out.add(person, "servesIn", body, post)
                _dispatch(body, person, text, sentence, orgs, out)
            continue
        previous_body = body
        principal = (base in PRINCIPAL_POSTS or base in GOVERNMENT_POSTS) and "副" not in post
        out.add(person, "heads" if principal else "worksFor", body, post)
        team = context.teams.get(body.name)
        if team is not None:  # a team's leader and members work for its unit, serve in its village
            if team.sender is not None and _is_org(team.sender):
                out.add(person, "worksFor", team.sender, post)
            place = helped_place(team)
            if place is not None and place.kind == "Village":
                out.add(person, "servesIn", place, post)


def _unread_names(text: str, start: int, end: int) -> list[Mention]:
    """Persons inside a list of persons that NER missed: 2–3 characters from a family name, between joins.

    ``text[start:end]`` lies between two persons; it must be nothing but joins, asides in parentheses
    and such names (、黄平、 in 陈晓鹏、黄平、杨天辉), else there are none.
    """
    gap = _PARENTHESIS.sub(lambda m: " " * len(m.group()), text[start:end])
    if not _NAMES_BETWEEN.fullmatch(gap):
        return []
    found = []
    for name in _LISTED_NAME.finditer(gap):
        if name.group().startswith(_SURNAMES):
            word = name.group()
            found.append(Mention(word, "Person", word, start + name.start(), start + name.end()))
        else:
            return []
    return found


def _names_after_posts(text: str, sentence: tuple[int, int], named: list[Mention]) -> list[Mention]:
    """Persons NER missed right after a post: 2–3 characters from a family name, then a clause break.

    LAC tears some names into other words (市政协秘书长单巍全及…: 秘书长单 / 巍全); a post followed by
    a family name and a break (、, 及, 说 …) within three characters names a person.
    """
    starts = {m.start for m in named}
    covered = bytearray(sentence[1] - sentence[0] + 1)
    for m in named:
        if sentence[0] <= m.start < sentence[1]:
            covered[m.start - sentence[0] : m.end - sentence[0]] = b"\x01" * (m.end - m.start)
    found = []
    for post in _POST_ANYWHERE.finditer(text, sentence[0], sentence[1]):
        start = post.end()
        if start in starts or start >= sentence[1] or covered[start - sentence[0]]:
            continue
        for length in (3, 2):
            end = start + length
            word = text[start:end]
            if (
                end < sentence[1]
                and _AFTER_NAME.match(text, end)
                and word.startswith(_SURNAMES)
                and all("\u4e00" <= c <= "\u9fff" for c in word)
                and not any(covered[start - sentence[0] : end - sentence[0]])
            ):
                found.append(Mention(word, "Person", word, start, end))
                break
    return found


# What may follow a person's name there: a clause break or a list join (a verb would let 强调 pass as a
# name: 书记强调).
_AFTER_NAME = re.compile("[，。、；,;（(]|及|和|与")


def _opens_phrase(before: str) -> bool:
    """Whether a post after ``before`` starts a phrase (after punctuation or 是/有/包括), not a word."""
    return not before or not "\u4e00" <= before[-1] <= "\u9fff" or before.endswith(_POST_OPENERS)


def _post_base(post: str) -> str:
    """A post without its rank words: 常务副校长 -> 校长."""
    return _POST_RANKS.sub("", post)


def _posts(
    sentence: tuple[int, int], text: str, mentions: list[Mention], context: _Context, out: _SentenceFacts
) -> None:
    orgs = [m for m in mentions if _is_org(m)]
    bodies = [m for m in mentions if m.kind != "Person"]
    persons = [m for m in mentions if m.kind == "Person"]
    previous: tuple[Mention, list[tuple[Mention | None, str, int]]] | None = None
    for person in persons:
        pairs = _post_chain(text, sentence, person.start, bodies, context)
        between = _PARENTHESIS.sub("", text[previous[0].end : person.start]) if previous else ""
        unread = _unread_names(text, previous[0].end, person.start) if previous else []
        if not pairs and previous is not None and (between in _PERSON_JOINS or unread):
            pairs = previous[1]  # 副校长肖红、刁绵惠: a list of persons shares the post before it
            for name in unread:  # 队员陈晓鹏、黄平、杨天辉: a name LAC did not read as one
                _post_facts(name, pairs, text, sentence, orgs, context, out)
        found = len(out.candidates)
        _post_facts(person, pairs, text, sentence, orgs, context, out)
        # (驻新村第一书记: a village named but not recognised is no village left out)
        stationed = any(
            _post_base(post) in _VILLAGE_POSTS and not _STATIONED_AT.search(text, max(0, at - 9), at)
            for _, post, at in pairs
        )
        if stationed and not any(c.subject == person and c.predicate == "servesIn" for c in out.candidates):
            context.unplaced_persons.append((person, sentence))  # 驻村第一书记王刚: in the article's village
        if len(out.candidates) == found and pairs and previous is not None:
            # 局长王刚、副局长李明: a post with no body of its own, listed after another person's, is
            # in the body that person's post is in
            held = [
                c.object
                for c in out.candidates
                if c.subject == previous[0] and c.predicate in ("heads", "worksFor") and _is_org(c.object)
            ]
            own = [b for b in held if not b.name.endswith(_PARTY_ENDINGS)] or held
            if text[previous[0].end : pairs[-1][2]] in _PERSON_JOINS and own:
                shared: list[tuple[Mention | None, str, int]] = [
                    (own[-1], post, post_start) for _, post, post_start in pairs
                ]
                _post_facts(person, shared, text, sentence, orgs, context, out)
        previous = (person, pairs)
        aside = _PARENTHESIS.match(text, person.end) or _APPOSITION.match(text, person.end)
        if aside is not None:  # 唐海荣（驻马路村第一书记）, 王刚，定西市财政局干部，: a post beside the name
            _post_facts(
                person,
                _post_chain(text, (aside.start() + 1, aside.end() - 1), aside.end() - 1, bodies, context),
                text,
                sentence,
                orgs,
                context,
                out,
            )
    # 作为马营村驻村第一书记，王刚……: the post comes first and the person after the comma
    for role in _AS_POST.finditer(text, sentence[0], sentence[1]):
        named = next((p for p in persons if p.start == role.end()), None)
        if named is not None:
            chain = _post_chain(text, (role.start() + 2, role.end() - 1), role.end() - 1, bodies, context)
            _post_facts(named, chain, text, sentence, orgs, context, out)
    # 张建国担任X党委书记, 成为X工作队队长: the post follows a verb and the person comes before it
    s_text = text[sentence[0] : sentence[1]]
    for verb in _TAKES_POST.finditer(s_text):
        verb_end = sentence[0] + verb.end()
        subject = next((p for p in reversed(persons) if p.end <= sentence[0] + verb.start()), None)
        if subject is None:
            continue
        for post in _POST_ANYWHERE.finditer(text, verb_end, min(sentence[1], verb_end + 60)):
            pairs = _post_chain(text, (verb_end, sentence[1]), post.end(), bodies, context)
            first = pairs[-1] if pairs else None
            first_start = (first[0].start if first[0] is not None else first[2]) if first else -1
            # 王刚是定西市财政局派驻马营村的第一书记: a dispatching unit may open the phrase
            sender = next((o for o in orgs if o.start == verb_end and o.end < first_start), None)
            if sender is not None and any(text.startswith(c, sender.end) for c in DISPATCH_CUES):
                first_start = verb_end
            opens = first_start == verb_end
            if opens and not any(p.start == post.end() for p in persons):
                _post_facts(subject, pairs, text, sentence, orgs, context, out)
                break


def _dispatch(
    village: Mention,
    person: Mention,
    text: str,
    sentence: tuple[int, int],
    orgs: list[Mention],
    out: _SentenceFacts,
) -> None:
    """鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶."""
    for org in orgs:
        if sentence[0] <= org.end < village.start:
            between = text[org.end : village.start]
            cue = next((c for c in DISPATCH_CUES if between.startswith(c)), None)
            if cue and not re.search(r"[，。；、,;]", between):
                out.add(org, "assists", village)
                out.add(person, "worksFor", org, "派驻")


def _assists(
    index: int,
    sentence: tuple[int, int],
    text: str,
    mentions: list[Mention],
    context: _Context,
    out: _SentenceFacts,
) -> None:
    orgs = [m for m in mentions if _is_org(m)]
    # 在X书记的率领下，Y帮扶Z村: a body inside such an adverbial is not the one that helps
    aside = [a.span() for a in _LED_BY.finditer(text, sentence[0], sentence[1])]
    led = [o for o in orgs if any(a <= o.start < b for a, b in aside)]
    if orgs and orgs[0].start - sentence[0] <= 2 and orgs[0] not in led:
        # a team named after its unit (X驻Y村工作队) opens the sentence: the unit is the topic
        team = context.teams.get(orgs[0].name)
        topic = team.sender if team is not None and team.sender is not None else orgs[0]
        context.topic, context.topic_sentence = topic, index
    s_text = text[sentence[0] : sentence[1]]
    _place_programmes(index, sentence, text, mentions, orgs, led, context, out)
    _funded_places(sentence, text, mentions, orgs, led, out)
    cues = [m for m in ASSIST_CUES.finditer(s_text) if not _PROGRAMME.match(s_text, m.start())]
    cues = [m for m in cues if not any(o.start <= sentence[0] + m.start() < o.end for o in orgs)]
    if not cues:
        return
    places = [m for m in mentions if _is_place(m)]
    helped = [m for m in _leaves(places) if m.kind in HELPED_LEVELS]
    for noun in _HELPER_NOUN.finditer(text, sentence[0], sentence[1]):
        last = next((o for o in orgs if o.end == noun.start()), None)
        if last is None:
            continue
        listed = _coordinated(last, orgs, text)
        for place in helped:
            if not any(o.start <= place.start < o.end for o in listed):
                for helper in listed:
                    out.add(helper, "assists", place)
    for cue in cues:
        position = sentence[0] + cue.start()
        clause_end = position + len(cue.group())
        while clause_end < sentence[1] and text[clause_end] not in _CLAUSE_ENDS:
            clause_end += 1
        after = _helpers_after(position + len(cue.group()), places, orgs, text)
        if after is not None:
            # 组团帮扶梅林镇的钟村街道办事处、水务局: the bodies after the helped place and 的 help it
            place, helpers = after
            for helper in helpers:
                out.add(helper, "assists", place)
            continue
        named_after = _IDENTIFIES.search(text, position + len(cue.group()), clause_end)
        if named_after is not None:
            # 马营村的帮扶单位是X, 帮扶马营村的是X: the helper is named after the cue
            subject = next((o for o in orgs if named_after.end() <= o.start < clause_end), None)
            if subject is not None:
                for place in helped:
                    if position - 12 <= place.start < named_after.start():
                        out.add(subject, "assists", place)
                continue
        subject = next((o for o in reversed(orgs) if o.end <= position and o not in led), None)
        if (
            subject is None
            and context.topic is not None
            and index - context.topic_sentence <= _TOPIC_SENTENCES
        ):
            subject = context.topic
        if subject is None:
            continue
        clause_start = max(subject.end if subject.start >= sentence[0] else sentence[0], sentence[0])
        targets = [
            place
            for place in helped
            if clause_start <= place.start < clause_end and not subject.start <= place.start < subject.end
        ]
        if not targets and _NO_OBJECT.match(text, position + len(cue.group())):
            # X帮扶以来，…该村…: a cue without an object helps the place the sentence goes on to name
            targets = [p for p in helped if p.start >= clause_end][:1]
        for place in targets:
            for helper in _coordinated(subject, orgs, text):  # A、B和C帮扶X村: each of them
                out.add(helper, "assists", place)


def _place_programmes(
    index: int,
    sentence: tuple[int, int],
    text: str,
    mentions: list[Mention],
    orgs: list[Mention],
    led: list[Mention],
    context: _Context,
    out: _SentenceFacts,
) -> None:
    """X做好马营村(的)帮扶工作: help work named after a place is the work of the body doing it.

    The body is the last one before the place in the sentence, else the paragraph's topic body.
    """
    places = [m for m in mentions if _is_place(m)]
    for work in _PLACE_WORK.finditer(text, sentence[0], sentence[1]):
        place = _chain_to(places, work.start())
        if place is None and text.startswith("的", work.start() - 1):
            place = _chain_to(places, work.start() - 1)
        if place is None or place.kind not in HELPED_LEVELS:
            continue
        subject = next((o for o in reversed(orgs) if o.end <= place.start and o not in led), None)
        if (
            subject is None
            and context.topic is not None
            and index - context.topic_sentence <= _TOPIC_SENTENCES
        ):
            subject = context.topic
        if subject is not None:
            out.add(subject, "assists", place)


# Help work of a place (马营村帮扶工作, 马营村的结对帮扶工作), whoever does it.
_PLACE_WORK = re.compile(
    "(?:" + "|".join(sorted(words("assist_cue"), key=len, reverse=True)) + ")(?:工作|任务|项目)"
)


def _funded_places(
    sentence: tuple[int, int],
    text: str,
    mentions: list[Mention],
    orgs: list[Mention],
    led: list[Mention],
    out: _SentenceFacts,
) -> None:
    """X出资300万元，为马营村修建文化广场: a body paying for a village's works helps the village.

    The body comes before the verb of funding; the village follows 为/给/向 later in the sentence.
    """
    places = [m for m in mentions if _is_place(m)]
    for verb in _FUNDS.finditer(text, sentence[0], sentence[1]):
        subject = next((o for o in reversed(orgs) if o.end <= verb.start() and o not in led), None)
        if subject is None or re.search("[。；;！？]", text[subject.end : verb.start()]):
            continue
        for beneficiary in _FOR.finditer(text, verb.end(), sentence[1]):
            place = _chain_from(places, beneficiary.end())
            if place is not None and place.kind in HELPED_LEVELS:
                out.add(subject, "assists", place)


# Verbs of paying for works (出资, 投入资金), from data/lexicon.tsv, and the words before the place paid for.
_FUNDS = re.compile("|".join(words("funds")))
_FOR = re.compile("[为给向替]")


def _helpers_after(
    start: int, places: list[Mention], orgs: list[Mention], text: str
) -> tuple[Mention, list[Mention]] | None:
    """(place, bodies) for a cue followed by its place, 的 and a list of bodies: 帮扶X镇的A、B和C.

    The place may end a chain (五华县梅林镇); a place followed by 的 and anything but a body
    (帮扶马营村的措施) gives None.
    """
    place = _chain_from(places, start)
    if place is None or place.kind not in HELPED_LEVELS or not text.startswith("的", place.end):
        return None
    first = next((o for o in orgs if o.start == place.end + 1), None)
    listed = _listed_after(first, orgs, text, _LIST_JOINS)
    return (place, listed) if listed else None


def _coordinated(last: Mention, orgs: list[Mention], text: str) -> list[Mention]:
    """The bodies listed with ``last`` before it (A、B和C, A联合B), ``last`` included."""
    listed = [last]
    for org in reversed(orgs):
        if org.end <= listed[-1].start and text[org.end : listed[-1].start] in _BODY_JOINS:
            listed.append(org)
    return listed


# A unit sending staff it does not name to a place: (先后)选派3名(优秀)干部到, 派出工作队进驻.
_SENDS_STAFF = re.compile(
    "(?:先后|相继|累计|共|已|连续|每年|又|还)*(?:"
    + "|".join(words("sends"))
    + ")(?:了)?(?:[一二三四五六七八九十两\\d]+(?:名|位|批|个))?(?:"
    + "|".join(words("staff_word"))
    + "|[\\u4e00-\\u9fff]{0,4}(?:队|组))?(?:到|至|赴|进驻|入驻|驻)"
)


def _sent_persons(sentence: tuple[int, int], text: str, mentions: list[Mention], out: _SentenceFacts) -> None:
    """支行选派夏启贵到袁山村: the unit sends the person to the village, so it assists the village."""
    places = [m for m in mentions if _is_place(m)]
    for i, org in enumerate(mentions):
        if not _is_org(org):
            continue
        unnamed = _SENDS_STAFF.match(text, org.end)
        if unnamed is not None:  # 学校先后选派3名干部到岔峪村: staff the text does not name
            village = _chain_from(places, unnamed.end())
            if village is not None and village.kind in HELPED_LEVELS:
                out.add(org, "assists", village)
            continue
        verb = _SENDS.match(text, org.end)
        person = next((m for m in mentions[i + 1 :] if m.start >= org.end), None)
        if verb is None or person is None or person.kind != "Person":
            continue
        # X选派P, X选派干部P, X选派的驻村第一书记P: the person follows the verb (and a word for staff),
        # or the verb's 的 and a post
        post = (
            _POST_AT_END.search(text, verb.end(), person.start) if text.startswith("的", verb.end()) else None
        )
        staff = _STAFF.match(text, verb.end())
        follows = person.start == verb.end() or (staff is not None and person.start == staff.end())
        if not follows and not (post is not None and post.start() == verb.end() + 1):
            continue
        clause_end = person.end
        while clause_end < sentence[1] and text[clause_end] not in _CLAUSE_ENDS:
            clause_end += 1
        village = next(
            (m for m in mentions if m.kind == "Village" and person.end <= m.start < clause_end), None
        )
        out.add(person, "worksFor", org, verb.group())
        if village is not None:
            out.add(person, "servesIn", village)
            out.add(org, "assists", village)


def _senders(sentence: tuple[int, int], text: str, mentions: list[Mention], out: _SentenceFacts) -> None:
    """工作队由A和B派出，进驻Y村: the units a team or person is sent by assist the place it serves in.

    The place is the one the team before 由 is named after, else the first village or town the
    sentence names after the verb (由X选派到Y村, 由A、B联合派出，进驻Y村).
    """
    orgs = [m for m in mentions if _is_org(m)]
    helped = [m for m in _leaves([m for m in mentions if _is_place(m)]) if m.kind in HELPED_LEVELS]
    for by in _SENT_BY.finditer(text, sentence[0], sentence[1]):
        first = next((o for o in orgs if o.start == by.end()), None)
        units = _listed_after(first, orgs, text, _LIST_JOINS)
        if not units:
            continue
        verb = _SENDING.match(text, units[-1].end)
        if verb is None:
            continue
        team = next((m for m in mentions if m.kind == "WorkTeam" and 0 <= by.start() - m.end <= 1), None)
        named_in = next((p for p in helped if team is not None and team.start <= p.start < team.end), None)
        place = named_in or next((p for p in helped if p.start >= verb.end()), None)
        if place is not None:
            for unit in units:
                out.add(unit, "assists", place)


# 由A和B派出: who sends a team or person; the verb may take 联合/共同 and a result (派驻组成).
_SENT_BY = re.compile("由")
_SENDING = re.compile("(?:联合|共同|分别)?(?:" + "|".join(words("sends")) + "|抽调|组建|组成)")


def _roles(sentence: tuple[int, int], text: str, mentions: list[Mention], out: _SentenceFacts) -> None:
    """Help and membership stated by a role noun or verb rather than an assist cue.

    马营村是X的定点帮扶村; 作为马营村的帮扶单位，X…; X党支部与马营村党支部结对共建 (the partner's village);
    王刚来自X局 (worksFor, and X helps the village he serves in); 王刚被派驻到马营村 (servesIn, and the
    unit he works for helps the village).
    """
    orgs = [m for m in mentions if _is_org(m)]
    villages = [m for m in mentions if m.kind in HELPED_LEVELS]
    for helped_by in _HELPED_BY.finditer(text, sentence[0], sentence[1]):  # 在X的帮扶下，马营村…
        span = (helped_by.start() + 1, helped_by.start(1))
        org = next((o for o in orgs if (o.start, o.end) == span), None)
        after = [v for v in villages if v.start >= helped_by.end()]
        before = [v for v in villages if v.end <= helped_by.start()]
        village = after[0] if after else before[-1] if before else None
        if org is not None and village is not None:
            out.add(org, "assists", village)
    for noun in _HELPED_NOUN.finditer(text, sentence[0], sentence[1]):  # 马营村是X的帮扶村
        org = next((o for o in orgs if o.end == noun.start() - 1 and text[o.end] == "的"), None)
        if org is None:
            continue
        village = next(
            (v for v in villages if v.end <= org.start and text[v.end : org.start] in _COPULAS), None
        )
        if village is not None:
            out.add(org, "assists", village)
    _helped_after_copula(orgs, villages, text, out)
    for role in _HELPER_OF.finditer(text, sentence[0], sentence[1]):  # 马营村的帮扶单位(是)X(和Y)
        village = next((v for v in villages if v.end == role.start()), None)
        if village is not None:
            first = next((o for o in orgs if o.start == role.end()), None)
            for org in _listed_after(first, orgs, text, _LIST_JOINS):
                out.add(org, "assists", village)
    for role in _AS_HELPER.finditer(text, sentence[0], sentence[1]):  # 作为马营村的帮扶单位，X…
        village = next((v for v in villages if v.start == role.start() + 2), None)
        org = next((o for o in orgs if o.start == role.end()), None)
        if village is not None and org is not None:
            out.add(org, "assists", village)
    for partner in orgs:  # X党支部与马营村党支部结对共建: X helps the partner's village
        # the village that closes the place chain opening the partner's name (榆中县甘草店镇车道岭村党支部)
        home = next(
            (v for v in reversed(villages) if partner.start <= v.start and v.end < partner.end),
            None,
        )
        if home is None or not ASSIST_CUES.search(text, partner.end, min(sentence[1], partner.end + 12)):
            continue
        join = partner.start - 1
        if join >= sentence[0] and text[join] in "与和同":
            helper = next((o for o in orgs if o.end == join), None)
            if helper is not None and not helper.name.startswith(home.name):
                out.add(helper, "assists", home)
    _partner_first(villages, orgs, text, sentence, out)
    persons = [m for m in mentions if m.kind == "Person"]
    places = [m for m in mentions if _is_place(m)]
    for org in orgs:  # 定西市财政局(派出)的王刚(和李明), 来自X的王刚: a unit's own people
        of = _ORG_PEOPLE.match(text, org.end)
        first = next((p for p in persons if of is not None and p.start == of.end()), None)
        if first is None and of is not None:  # X局的党员干部王刚: a word for staff between
            staff = _STAFF_WORDS.match(text, of.end())
            first = next((p for p in persons if staff is not None and p.start == staff.end()), None)
        if of is None and _NAMED_WITH_UNIT:  # 定西市财政局王刚说: a person named with the unit
            named = next((p for p in persons if p.start == org.end), None)
            title = _POST_ANYWHERE.match(text, named.end) if named is not None else None
            if named is not None and title is None:
                out.add(named, "worksFor", org)
            elif named is not None and title is not None:  # 通渭县林业局王刚局长: the post after the name
                base = _post_base(title.group())
                principal = base in PRINCIPAL_POSTS and "副" not in title.group()
                out.add(named, "heads" if principal else "worksFor", org, title.group())
        aside = _UNIT_ASIDE.match(text, org.end)
        if aside is not None and text[org.start - 1 : org.start] in "（(":  # 王刚（定西市财政局派驻）
            named = next((p for p in persons if p.end == org.start - 1), None)
            if named is not None:
                out.add(named, "worksFor", org)
        if first is None and of is not None and len(of.group()) > 1:
            # 作为X派驻的第一书记，王刚: the post the unit sent the person as stands between them
            first = next((p for p in persons if _SENT_AS.fullmatch(text, of.end(), p.start)), None)
        for person in _listed_after(first, persons, text, _PERSON_JOINS):
            out.add(person, "worksFor", org, of.group() if of else "")
    for person in persons:
        mine = [c for c in out.candidates if c.subject == person]
        served = {c.object.name: c.object for c in mine if c.predicate == "servesIn"}
        employers = [c.object for c in mine if c.predicate == "worksFor"]
        came = _COMES_FROM.match(text, person.end)
        if came is not None:  # 王刚来自定西市财政局
            org = next((o for o in orgs if o.start == came.end()), None)
            if org is not None:
                out.add(person, "worksFor", org, came.group())
                employers.append(org)
        sent = _SENT_TO.match(text, person.end)
        if sent is not None and (sent.group().startswith("被") or sent.group()[-1] in "到至驻"):
            village = _chain_from(places, sent.end())
            if village is not None and village.kind == "Village":  # 王刚被派驻到(通渭县)马营村
                out.add(person, "servesIn", village, sent.group())
                served[village.name] = village
        origin = _FROM.match(text, person.end)
        home = next((o for o in orgs if origin is not None and o.start == origin.end()), None)
        if home is not None:  # 李强从定西市财政局来到马营村: the unit he comes from is his
            out.add(person, "worksFor", home, "从")
            employers.append(home)
        arrived = _ARRIVES.match(text, home.end if home is not None else person.end)
        if home is not None and arrived is None:  # 从X局下派到Y村
            arrived = _SENT_TO.match(text, home.end)
        village = _chain_from(places, arrived.end()) if arrived is not None else None
        if arrived is not None and village is not None and village.kind == "Village":
            # 作为X派驻的第一书记，王刚来到马营村; 王刚驻扎在马营村担任第一书记: a person the
            # sentence gives a village post, arriving in or staying at a village, serves there
            clause_end = village.end
            while clause_end < sentence[1] and text[clause_end] not in _CLAUSE_ENDS:
                clause_end += 1
            stays = text.startswith(_STAYS, village.end)  # 孙伟已在柳树村驻村两年
            if stays or _STATIONED_ANYWHERE.search(text, sentence[0], clause_end):
                out.add(person, "servesIn", village, arrived.group())
                served[village.name] = village
        for village in served.values():
            for org in employers:
                if _is_org(org) and org.kind != "WorkTeam":
                    out.add(org, "assists", village)


def _partner_first(
    villages: list[Mention], orgs: list[Mention], text: str, sentence: tuple[int, int], out: _SentenceFacts
) -> None:
    """马营村与X公司开展村企联建: the village named first, its partner body after 与 helps it.

    The cue must follow the body within a few characters (开展, 结成 … 共建), and the body must not be
    one of the village's own (马营村与马营村党支部).
    """
    for village in villages:
        if not text.startswith(_PARTNER_JOINS, village.end):
            continue
        partner = next((o for o in orgs if o.start == village.end + 1), None)
        if partner is None or partner.name.startswith(village.name):
            continue
        if ASSIST_CUES.search(text, partner.end, min(sentence[1], partner.end + _PARTNER_REACH)):
            out.add(partner, "assists", village)


_PARTNER_JOINS = ("与", "和", "同")
# How far (characters) after a partner body its cue may come: 开展党建结对共建 fits, another clause not.
_PARTNER_REACH = 12


def _helped_after_copula(
    orgs: list[Mention], villages: list[Mention], text: str, out: _SentenceFacts
) -> None:
    """马营村是X定点帮扶的贫困村: the village is what the body after the copula helps."""
    for org in orgs:
        cue = ASSIST_CUES.match(text, org.end)
        if cue is None or not text.startswith("的", cue.end()):
            continue
        village = next(
            (v for v in villages if v.end <= org.start and text[v.end : org.start] in _COPULAS), None
        )
        if village is not None:
            out.add(org, "assists", village)


_COPULAS = ("是", "为", "系", "成为", "是由")
# A unit's people named after it: X的P, X派出的P, X选派的P.
_ORG_PEOPLE = re.compile("(?:" + "|".join(words("sends")) + ")?的")
# Verbs by which a person arrives in or stays at a village (来到, 驻扎在), from data/lexicon.tsv.
_ARRIVES = re.compile("(?:已|一直|常年|长期|先后)?(?:" + "|".join(words("arrives")) + ")了?")
# 李强从X局来到Y村: the unit a person comes from (after time words: 2021年从).
_FROM = re.compile("(?:[\\d一二三四五六七八九十]+年[\\d一二三四五六七八九十]*月?份?)?从")
# Words after a village that say a person stays there for the village's work (在柳树村驻村).
_STAYS = ("驻村", "驻点", "蹲点")
_STATIONED_ANYWHERE = re.compile("|".join(sorted(STATIONED_POSTS, key=len, reverse=True)))
# A unit closing a parenthesis after a person, with the verb it sent the person by: （X局派驻）
_UNIT_ASIDE = re.compile("(?:" + "|".join(words("sends")) + ")?[）)]")
_STAFF_WORDS = re.compile("(?:" + "|".join(sorted(words("staff_word"), key=len, reverse=True)) + ")+")
# Whether a person named right after a unit, without a post (定西市财政局王刚), works for it.
_NAMED_WITH_UNIT = True
# The post a unit sent a person as, between the unit's 派驻的 and the person: 驻村第一书记，
_SENT_AS = re.compile("(?:驻村|帮扶)?" + _RANKED_POST + "[，,]?")
_IN_VILLAGE = re.compile("驻村|住村|包村")
_HELPED_BY = re.compile(
    "在[^，,。；;在]{2,40}?(的(?:大力|倾力|精准|真情|鼎力|持续)?(?:"
    + "|".join(sorted(words("assist_cue"), key=len, reverse=True))
    + ")(?:和(?:支持|帮助|指导))?下)"
)
_HELPER_OF = re.compile("的(?:驻村|结对|定点|对口)?(?:" + _HELPER_NOUNS + ")(?:是|为|有)?")
_AS_HELPER = re.compile("作为[^，,。；;]{2,30}?(?:的)?(?:" + _HELPER_NOUNS + ")[，,]")


def _composing_units(team: Mention, named: list[Mention], text: str) -> list[Mention]:
    """The units a team is made of, listed before it: 由A、B、C五个单位派驻组成的X工作队."""
    composed = _COMPOSED.search(text, max(0, team.start - 20), team.start)
    if composed is None:
        return []
    orgs = [m for m in named if _is_org(m) and m.end <= composed.start()]
    last = next((m for m in reversed(orgs) if m.end == composed.start()), None)
    return _coordinated(last, orgs, text) if last is not None else []


_COMPOSED = re.compile("(?:[一二三四五六七八九十两\\d]+(?:个|家)(?:单位|部门))?(?:派驻|选派|抽调)?组成的$")


def _entered_place(team: Mention, named: list[Mention], text: str) -> Mention | None:
    """The village a team moves into right after its name (X工作队进驻Y村)."""
    verb = _ENTERS.match(text, team.end)
    if verb is None:
        return None
    chain = [m for m in named if _is_place(m) and m.start >= verb.end()]
    leaf = None
    position = verb.end()
    for m in chain:  # follow the chain 乌审旗嘎鲁图镇木都柴达木村 to its end
        if m.start == position:
            leaf, position = m, m.end
    return leaf


_ENTERS = re.compile("|".join(words("enters")))


def extract_candidates(doc: Document, mentions: Iterable[Mention]) -> list[Candidate]:
    """Candidate facts of one document, in text order.

    Args:
        doc: The normalised document.
        mentions: Its mentions, as found by the NLP stage.

    Returns:
        Candidates with their evidence sentence; the same fact may come from several sentences.
    """
    ordered = sorted(mentions, key=lambda m: (m.start, -m.end))
    context = _Context()
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
                    named.append(full)
            else:
                named.append(m)
        context.bodies.extend(m for m in named if _is_org(m))
        named += kind_word_mentions(doc.text, sentence, named, context.bodies)
        named += place_anaphora(doc.text, sentence, context.places)  # 该村: the village named before
        named += person_pronouns(doc.text, sentence, context.persons)  # 他: the person named before
        named += _names_after_posts(doc.text, sentence, named)  # 秘书长单巍全: a name LAC tore
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
        _sent_persons(sentence, doc.text, named, out)
        _roles(sentence, doc.text, named, out)
        _senders(sentence, doc.text, named, out)
        _assists(index, sentence, doc.text, named, context, out)
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
    return _immediate_parents(candidates + _senders_of_stationed(candidates))


def _senders_of_stationed(candidates: list[Candidate]) -> list[Candidate]:
    """A unit whose person serves in a village, stated in different sentences, helps that village.

    王刚是定西市财政局干部。2021年，他被派驻到马营村: the unit sends its people to the villages it helps.
    The village's own bodies (马营村村委会) and work teams are left out.
    """
    if not _UNITS_OF_STATIONED_HELP:
        return []
    employers: dict[str, list[Mention]] = {}
    for c in candidates:
        if c.predicate == "worksFor" and _is_org(c.object) and c.object.kind != "WorkTeam":
            employers.setdefault(c.subject.name, []).append(c.object)
    helped = []
    for c in candidates:
        if c.predicate != "servesIn":
            continue
        for org in employers.get(c.subject.name, []):
            if c.object.name not in org.name:
                helped.append(Candidate(org, "assists", c.object, c.evidence, ""))
    return helped


# Whether a village's 书记 is taken as its party branch's (马营村书记 = 马营村党支部书记).
_VILLAGE_SECRETARIES = True
# Whether a person with a village post but no village serves in the one village an article names.
_ONE_VILLAGE_STATIONS = True
# Whether a unit whose person serves in a village is taken to help it across sentences.
_UNITS_OF_STATIONED_HELP = True


def _immediate_parents(candidates: list[Candidate]) -> list[Candidate]:
    """Drop A locatedIn C where the document also puts A in B and B in C.

    大邑县的丹凤村 beside 大邑县悦来镇丹凤村: a place's parent is the unit right above it.
    """
    parents: dict[str, set[str]] = {}
    for c in candidates:
        if c.predicate == "locatedIn":
            parents.setdefault(c.subject.name, set()).add(c.object.name)
    skipped = {
        (child, far)
        for child, above in parents.items()
        for far in above
        if any(far in parents.get(near, ()) for near in above if near != far)
    }
    return [
        c for c in candidates if c.predicate != "locatedIn" or (c.subject.name, c.object.name) not in skipped
    ]
