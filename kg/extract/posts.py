"""Posts of persons: ``[body] post (、[body] post)* person`` gives heads, worksFor or servesIn.

A principal post (局长, 党委书记) heads its body, a deputy or member post works for it, and a village
post (驻村第一书记) serves in the village; ``body 派驻 village`` before such a post also says the body
helps the village. The body of a post is the one named right before it, else the one the post or the
list implies (县委常委、组织部长: the 组织部 of that 县委), since Chinese leaves repeated bodies out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kg.extract.common import (
    _PARENTHESIS,
    _PERSON_JOINS,
    _POST_ANYWHERE,
    _POST_AT_END,
    DISPATCH_CUES,
    OCCUPATION,
    STATIONED_POSTS,
    SUBJECT_GAP,
    UNIT_SAID_AFTER,
    _chain_start,
    _is_org,
    _is_place,
    _post_base,
    _SentenceFacts,
)
from kg.extract.context import _abbreviation_level, _Context
from kg.extract.names import _unread_names
from kg.extract.references import implied_body
from kg.extract.teams import member_facts
from kg.nlp.gazetteer import (
    GOVERNMENT_POSTS,
    LEVEL_PREFIXES,
    PRINCIPAL_POSTS,
    lexicon,
    org_kind,
    place_level,
    words,
)
from kg.types import Mention

# Posts that exist only in work teams: standing alone, they are posts in the team the text named last.
_TEAM_POSTS = frozenset(words("team_post"))
# Verbs that give a person a post named after them (张建国担任X党委书记).
_TAKES_POST = re.compile("|".join(words("takes_post")))

_OF = re.compile("的(?:一名|一位|一个)?$")
# A unit's sending verb and 的 after a copula (是X选派的干部): the person is one of the unit's people.
_SENT_BY = re.compile("(?:" + "|".join(sorted(words("sends"), key=len, reverse=True)) + ")的")
_PARTY_ENDINGS = ("党组", "党委", "党总支", "党支部", "党工委")
_PARTY_MEMBER_POSTS = frozenset({"书记", "委员", "成员", "常委", "纪检组长"})
# a verb that gives a post opens the phrase of that post too (在马营村担任第一书记)
_POST_OPENERS = words("post_opener") + tuple(w for w in words("takes_post") if len(w) > 1)

# A post set off by commas right after a name (王刚，定西市财政局干部，), and one stated before the name.
_APPOSITION = re.compile("[，,][^，,。；;！？]{2,30}?[，,。]")
_AS_POST = re.compile("作为[^，,。；;！？]{2,40}?[，,]")
# Posts that contract the name of a department of the body before them with 部长 (组织部 + 部长).
_CONTRACTED_POSTS = dict(lexicon()["contracted_post"])
_PARTY_POSTS = dict(lexicon()["party_post"])

# Whether a grid worker (网格员) named without a village serves, like a first secretary, in the village
# the article is about (kg/data/lexicon.tsv, village_post).
_GRID_WORKERS = True
# How far back (characters) a first secretary without a village takes the village named last.
_STATIONED_LOOKBACK = 60
# Verbs that may open a post's place chain (驻马营村第一书记, 派驻马营村第一书记).
_CHAIN_CUES = ("派驻", "驻")
_STATIONED_AT = re.compile("驻[\u4e00-\u9fff]{1,8}$")
_VILLAGE_POSTS = frozenset(words("village_post"))


def _is_village_post(post: str) -> bool:
    base = _post_base(post)
    return base in _VILLAGE_POSTS and (_GRID_WORKERS or base != "网格员")


_DELIMITED = re.compile("(?<=[、，：,:])[\u4e00-\u9fff]{2,12}$")
_BARE_BODY = re.compile("(" + "|".join(words("bare_body")) + ")$")
_INNER_BODY = re.compile("(" + "|".join(words("inner_body")) + ")$")
# Bodies that belong to a place (the community's 居委会), not to another body.
_PLACE_BOUND_BODIES = frozenset(words("place_bound_body"))
# Words after persons saying they stay in a village left unnamed (王刚长期驻村), from data/lexicon.tsv.
_STAYS_IN_VILLAGE = re.compile("(?:长期|常年|一直|已经|已)?(?:" + "|".join(words("stays_in_village")) + ")")
# Whether a work team whose ending a post repeats (X工作队 + 工作队队员) is the post's body.
_TEAMS_INSIDE_POSTS = True
# Whether a place-bound body before a post (村委会主任) is the named or last village's.
_PLACE_BOUND_POSTS = True
_PLACE_BOUND_AT_END = re.compile(
    "(" + "|".join(sorted(words("place_bound_body"), key=len, reverse=True)) + ")$"
)
# Whether a party post listed after a post of a body (董事长、党委书记) is in that body's party committee.
_PARTY_OF_SHARED_BODY = True
_TEAM_WORD = re.compile("((?:驻村|扶贫|帮扶)?工作队)$")
# Whether a bare 村委会 before a post far from any village's name is the committee of the one village
# the article has named so far.
_ONE_VILLAGE_COMMITTEES = True
# Whether a team member whose own sender the clause names (队员P、Q分别由A和B选派) is left out of the
# team's sender's people: a team often gathers people of several units under one unit's name.
_OWN_SENDERS_FIRST = True
# (a listed name holds no join: with 和 both a join and a character of names, a clause rich in 和 and 与
# could be split in exponentially many ways before the match fails)
_OWN_SENDER = re.compile(
    "(?:[、和与及](?:(?![、和与及])[\u4e00-\u9fff·]){2,16}?)*(?:也|都|均)?(?:分别)?由[^，,。；;]{2,40}?(?:"
    + "|".join(sorted(words("sends"), key=len, reverse=True))
    + ")"
)
# Whether a principal post graded 高级 (高级经理 of a bank) is a member's grade, not a leading post.
_SENIOR_GRADES_LEAD_NOTHING = True
# Whether a post of a section standing in a list of posts (第一书记、科研处副处长P) goes on the list.
_SECTIONS_IN_LISTS = True
_LISTED_SECTION = re.compile(
    "[、兼]((?:(?![的和与及是在、])[\u4e00-\u9fff]){1,7}(?:[科处室股部]|中心|大队|中队))$"
)
# Whether the head of a section of a body (规划计划科科长) works for the body.
_SECTION_HEADS_WORK_FOR_BODIES = True
# Whether a member post after a section of a body (骨科, 信贷处, 办公室) is a post in that body.
_SECTIONS_BEFORE_POSTS = True
# Sections of hospitals (骨科, 心内科), offices and departments (信贷处, 综合科, 财务室): a name of one to
# four characters ending in 科, 处 or 室; and 机关, a unit's own offices (厅机关干部, 公司机关干部).
# Longer sections of offices, police and lending departments (规划计划科, 不动产登记中心, 治安管理大队,
# 信贷部) end in 股, 部, 中心 or 大队 too, with up to seven characters before the ending.
_SECTION_ENDINGS = ("科", "处", "室", "股", "部", "中心", "大队", "中队", "机关")
_SECTION = re.compile("(?:(?:(?![的和与及是在])[\u4e00-\u9fff]){1,7}(?:[科处室股部]|中心|大队|中队)|机关)$")


def _body_for_post(
    post: str, before: str, end: int, named: list[Mention], context: _Context, previous_body: Mention | None
) -> Mention | None:
    """The body a post belongs to: the body or place named right before it, else one the post implies."""
    base = _post_base(post)
    # X驻Y村工作队 + 工作队队员: the post repeats the team's ending; the team, not its village, is its body
    ending = [
        m
        for m in named
        if _TEAMS_INSIDE_POSTS
        and m.kind == "WorkTeam"
        and end < m.end < end + len(post)
        and post.startswith(m.surface[end - m.end :])
    ]
    ending = ending or [m for m in named if m.end == end and m.kind != "Person"]
    if not ending:  # 组织部长, 工作队长: the post's first character closes the body's name
        ending = [m for m in named if m.end == end + 1 and m.name[-1] == post[0] and _is_org(m)]
    of = _OF.search(before)
    if not ending and of is not None:  # 马营村的第一书记王刚, 王刚是X局的一名干部
        ending = [m for m in named if m.end == end - len(of.group()) and m.kind != "Person"]
    section = _SECTIONS_BEFORE_POSTS and not ending and before.endswith(_SECTION_ENDINGS)
    if section and (base not in PRINCIPAL_POSTS or "副" in post or _SECTION_HEADS_WORK_FOR_BODIES):
        # 县医院骨科医生P, 市分行信贷处科员P: a member of a section is one of its body's people; so is
        # the section's own head (骨科主任), who heads the section, not the body (_post_facts)
        ending = [
            m
            for m in named
            if _is_org(m)
            and 2 <= end - m.end <= 9
            and _SECTION.fullmatch(before, len(before) - (end - m.end))
        ]
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
    bound = _PLACE_BOUND_AT_END.search(before) if not ending and _PLACE_BOUND_POSTS else None
    if bound is not None:  # (马营村)村委会主任: the committee of the village named right before, or last
        opening = end - len(bound.group(1))
        village = next((m for m in named if m.end == opening and m.kind in ("Village",)), None)
        if village is None and _opens_phrase(before[: len(before) - len(bound.group(1))]):
            village = context.nearest("Village", opening, within=_STATIONED_LOOKBACK)
            if village is None and _ONE_VILLAGE_COMMITTEES:
                # 村委会主任P说 far from the village's name: in an article that has named one village
                # only, 村委会 is that village's committee, as 该村 would be that village
                village = context.only_village_before(opening)
        if village is not None:
            name = village.name + bound.group(1)
            return Mention(name, org_kind(name) or "Organisation", bound.group(1), opening, end)
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
        section = _LISTED_SECTION.search(before) if body is None and not bare and _SECTIONS_IN_LISTS else None
        if section is not None:  # 第一书记、科研处副处长P: a section of the body the list is about
            start = match.start() - len(section.group(1))
        if body is not None and _is_place(body):  # X局调研员、驻(通渭县)马营村第一书记: over 驻 and the chain
            start = _chain_start(bodies, start)
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
            own_party = _PARTY_POSTS.get(_post_base(post), "")
            if own_party and _PARTY_OF_SHARED_BODY and not body.name.endswith(own_party):
                # 集团董事长、党委书记P: the party committee of the body named before
                name = body.name + own_party
                body = replace(body, name=name, surface=body.surface + own_party, kind="PartyBody")
        opens = _opens_phrase(text[sentence[0] : post_start])
        if body is None and opens:
            body = implied_body(post, post_start, context.bodies)  # 、副校长廖北文: the school named last
        if body is None and opens and _post_base(post) in _TEAM_POSTS and context.team is not None:
            body = context.team.mention  # 身边是新队员姚宝雷: a member of the team named before
        if body is None and opens and _is_village_post(post):  # 在马营村，驻村第一书记P
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
        if base == "第一书记" and _BRANCH_FIRST_SECRETARIES and body.kind == "PartyBody":
            # 兼任村党支部第一书记: a village branch's first secretary is the one stationed there by a
            # unit, not the branch's own leader, so the post places the person in the village
            village = body.name.removesuffix(_branch_ending(body.name))
            if village != body.name and place_level(village) == "Village":
                body = Mention(village, "Village", body.surface, body.start, body.end)
        if _is_place(body):
            if base in STATIONED_POSTS:
                out.add(person, "servesIn", body, post)
                _dispatch(body, person, text, sentence, orgs, out)
            continue
        previous_body = body
        # 高级经理, 高级主管: 高级 grades a professional, who leads nothing (a member of the body)
        # (执行董事: a principal post that opens with a rank word, 执行, is principal as a whole)
        principal = (
            base in PRINCIPAL_POSTS or post in PRINCIPAL_POSTS or base in GOVERNMENT_POSTS
        ) and "副" not in post
        principal = principal and not (_SENIOR_GRADES_LEAD_NOTHING and post.startswith("高级"))
        # 市水务局规划计划科科长: a section's head leads the section, and works for the body
        in_section = body.end < post_start and _SECTION.fullmatch(text, body.end, post_start) is not None
        principal = principal and not (_SECTION_HEADS_WORK_FOR_BODIES and in_section)
        out.add(person, "heads" if principal else "worksFor", body, post)
        team = context.teams.get(body.name)
        if team is not None:  # a team's leader and members work for its unit, serve in its village
            own = _OWN_SENDER.match(text, person.end, sentence[1]) if _OWN_SENDERS_FIRST else None
            other = None
            if team.sender is not None and _is_org(team.sender) and own is None:
                other = _own_unit_after(person, team.sender, text, orgs)
            member_facts(out, person, team, post, own_unit=own is not None or other is not None)


def _own_unit_after(person: Mention, sender: Mention, text: str, orgs: list[Mention]) -> Mention | None:
    """The unit other than the team's sender that the person is said to be of (队员P则是Y局的农技员).

    A team often gathers people of several units under one unit's name: a member said to come from,
    or to be one of, another unit works for that unit, not for the sender.
    """
    said = UNIT_SAID_AFTER.match(text, person.end) if _OWN_UNITS_AFTER else None
    if said is None:
        return None
    unit = next((o for o in orgs if o.start == said.end()), None)
    if unit is None or sender.name.endswith(unit.name) or unit.name.endswith(sender.name):
        return None  # 另一名队员P则是农牧科学院的…: the sender named short is the sender
    return unit


# Whether a member said to be of another unit (队员P是Y局的农技员, 来自Y局) is not the team sender's.
_OWN_UNITS_AFTER = True


def _opens_phrase(before: str) -> bool:
    """Whether a post after ``before`` starts a phrase (after punctuation or 是/有/包括), not a word.

    任 gives a post too (P任队长), unless it ends a word of its own (主任, 责任, 首任).
    """
    if _TAKES_AS_OPENER and before.endswith("任") and not before.endswith(_WORDS_ENDING_IN_REN):
        return True
    return not before or not "\u4e00" <= before[-1] <= "\u9fff" or before.endswith(_POST_OPENERS)


# Whether 任 before a post opens its phrase (高建军任队长兼第一书记).
_TAKES_AS_OPENER = True
_WORDS_ENDING_IN_REN = (
    "主任",
    "责任",
    "信任",
    "首任",
    "前任",
    "担任",
    "兼任",
    "出任",
    "现任",
    "调任",
    "新任",
)


def _posts(
    sentence: tuple[int, int], text: str, mentions: list[Mention], context: _Context, out: _SentenceFacts
) -> None:
    orgs = [m for m in mentions if _is_org(m)]
    bodies = [m for m in mentions if m.kind != "Person"]
    persons = [m for m in mentions if m.kind == "Person"]
    previous: tuple[Mention, list[tuple[Mention | None, str, int]]] | None = None
    for person in persons:
        pairs = _post_chain(text, sentence, person.start, bodies, context)
        if not pairs and _POSTS_BEFORE_COLONS and text[person.start - 1 : person.start] in ("：", ":"):
            # 第一书记：马海龙（县自然资源局副局长）: a list's post, a colon, the person
            pairs = _post_chain(text, sentence, person.start - 1, bodies, context)
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
            _is_village_post(post) and not _STATIONED_AT.search(text, max(0, at - 9), at)
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
        if _STAYS_IN_VILLAGE.match(text, person.end):  # 王刚、李明驻村两年: in the article's village
            listed = [person]
            for earlier in reversed(persons[: persons.index(person)]):
                if text[earlier.end : listed[-1].start] not in _PERSON_JOINS:
                    break
                listed.append(earlier)
            context.unplaced_persons += [(p, sentence) for p in reversed(listed)]
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
    # 合作社理事长由村党支部书记边巴兼任: the post before 由 is held by the person before the verb
    for held_by in _HELD_BY.finditer(text, sentence[0], sentence[1]) if _POSTS_HELD_BY else ():
        holder = next((p for p in persons if p.end == held_by.end(1) and p.start >= held_by.start(1)), None)
        if holder is not None:
            pairs = _post_chain(text, sentence, held_by.start(), bodies, context)
            _post_facts(holder, pairs, text, sentence, orgs, context, out)
    # 张建国担任X党委书记, 成为X工作队队长: the post follows a verb and the person comes before it;
    # 任命胡庆国为X党支部书记: 为 after a person an appointing verb names gives the person the post
    s_text = text[sentence[0] : sentence[1]]
    verbs = list(_TAKES_POST.finditer(s_text)) + [
        v
        for v in _APPOINTED_AS.finditer(s_text)
        if _APPOINTMENTS and _appointed(persons, text, sentence[0] + v.start())
    ]
    for verb in sorted(verbs, key=lambda v: v.start()):
        verb_end = sentence[0] + verb.end()
        subject = next((p for p in reversed(persons) if p.end <= sentence[0] + verb.start()), None)
        if subject is None:
            continue
        # 王刚，是定西市财政局选派的干部: the unit sent the person, whatever the words after 的 call him
        sender = next((o for o in orgs if o.start == verb_end), None)
        adjacent = _SUBJECT_GAP.fullmatch(text, subject.end, sentence[0] + verb.start()) is not None
        sent_by = _SENT_BY.match(text, sender.end) if sender is not None and adjacent else None
        if sent_by is None and sender is not None and adjacent and _OCCUPATIONS_OF_UNITS:
            # 队员刘芳是定西市人民医院的主管护师: a word for an occupation after 的 makes the person
            # one of the unit's people
            sent_by = _OWN_OCCUPATION.match(text, sender.end)
        if sender is not None and sent_by is not None:
            out.add(subject, "worksFor", sender, sent_by.group())
        for post in _POST_ANYWHERE.finditer(text, verb_end, min(sentence[1], verb_end + 60)):
            pairs = _post_chain(text, (verb_end, sentence[1]), post.end(), bodies, context)
            first = pairs[-1] if pairs else None
            # a body the text named before (the team of 任队长) does not stand in the phrase
            first_body = first[0] if first is not None else None
            named_here = first_body is not None and first_body.start >= verb_end
            first_start = (
                (first_body.start if first_body is not None and named_here else first[2]) if first else -1
            )
            if _CHAINS_OPEN_POSTS:  # 为 + 柳林镇 + 张畈村党支部书记
                first_start = _chain_start(bodies, first_start, floor=verb_end)
            # 王刚是定西市财政局派驻马营村的第一书记: a dispatching unit may open the phrase
            sender = next((o for o in orgs if o.start == verb_end and o.end < first_start), None)
            if sender is not None and any(text.startswith(c, sender.end) for c in DISPATCH_CUES):
                first_start = verb_end
            opens = first_start == verb_end
            if opens and not any(p.start == post.end() for p in persons):
                sharing = _sharing_subjects(subject, persons, text, sentence[0] + verb.start(), post.group())
                for person in sharing:
                    _post_facts(person, pairs, text, sentence, orgs, context, out)
                break


# Whether a post before a colon right before a name (第一书记：马海龙) is the person's, as in name lists.
_POSTS_BEFORE_COLONS = True
# Whether the places that open a body's name (柳林镇 + 张畈村党支部) open the post's phrase with it.
_CHAINS_OPEN_POSTS = True
# Whether a post before 由P担任 (理事长由村党支部书记边巴兼任) is the person's.
_POSTS_HELD_BY = True
_HELD_BY = re.compile("(?:则|也|均|仍)?由([^，,。；;：:由]{2,40}?)(?:担任|兼任|出任|接任)")
# Whether 任命P为X书记 (an appointing verb, the person, 为, the post) gives the person the post.
_APPOINTMENTS = True
_APPOINTED_AS = re.compile("为")
_APPOINTING = re.compile("(?:" + "|".join(words("appointing_verb")) + ")$")


def _appointed(persons: list[Mention], text: str, at: int) -> bool:
    """Whether 为 at ``at`` follows a person named right after an appointing verb (任命胡庆国为)."""
    person = next((p for p in persons if p.end == at), None)
    return person is not None and _APPOINTING.search(text, max(0, person.start - 4), person.start) is not None


# What may stand between a person and the verb of a post: nothing, a comma, an adverb (P则是X局的干部).
_SUBJECT_GAP = re.compile(SUBJECT_GAP)
# Whether 是X的 + a word for an occupation (农技员, 主管护师) makes the person one of X's people.
_OCCUPATIONS_OF_UNITS = True
_OWN_OCCUPATION = re.compile("的(?:一名|一位)?" + OCCUPATION + "(?=[，,。；;！？、）)]|$)")


# Words between a list of persons and the copula that say the post is each one's: P、Q都是X的干部.
_EACH = re.compile("(?:也|全)?(?:都|均)$")


def _sharing_subjects(
    subject: Mention, persons: list[Mention], text: str, verb_start: int, post: str = ""
) -> list[Mention]:
    """The persons a post after a verb belongs to: the subject, and those listed before it with 都 or 均.

    刘凯、彭程都是水利厅的干部: each of them is; 刘凯、彭程是 without 都 says it of both as well, but a
    list without it is often a list of different people, so only 都 and 均 share the post. A member's
    post is each one's anyway (市税务局干部周鹏、农行临沂分行客户经理吴雪担任队员), also where each
    person of the list is named with a unit and a post of his own.
    """
    member = _MEMBERS_SHARE and _post_base(post) in _TEAM_POSTS
    if not member and (not _EACH_SHARES or not _EACH.search(text, subject.end, verb_start)):
        return [subject]
    listed = [subject]
    for earlier in reversed(persons[: persons.index(subject)] if subject in persons else []):
        between = text[earlier.end : listed[-1].start]
        if between not in _PERSON_JOINS and not (member and _TITLED_JOIN.fullmatch(between)):
            break
        listed.append(earlier)
    return list(reversed(listed))


# Whether a member's post after a verb (P、Q担任队员) belongs to each person of the list before it.
_MEMBERS_SHARE = True
# A join and the unit and post of the next person of a list (、农行临沂分行客户经理).
_TITLED_JOIN = re.compile("[、和及与](?:(?![，。；：、的是在])[\u4e00-\u9fff]){0,16}")


# Whether a post after 都是/均为 belongs to each person of the list before it.
_EACH_SHARES = True


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


# Whether a village's 书记 is taken as its party branch's (马营村书记 = 马营村党支部书记).
_VILLAGE_SECRETARIES = True
# Whether the 第一书记 of a village's party branch serves in the village rather than heading the branch.
_BRANCH_FIRST_SECRETARIES = True


def _branch_ending(name: str) -> str:
    """The party ending a body's name closes with (村党支部 → 党支部), or ''."""
    return next((e for e in (*_PARTY_ENDINGS, "支部") if name.endswith(e)), "")
