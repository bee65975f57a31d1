"""Help and employment stated by role nouns and sending verbs rather than by an assist cue or a post.

马营村是X的定点帮扶村 and 作为马营村的帮扶单位，X… make X a helper; X选派P到Y村, 工作队由A和B派出 and
X派驻的第一书记P make the person work for the unit and the unit help the village the person serves
in, also when the document says so in different sentences.
"""

from __future__ import annotations

import re

from kg.extract.common import (
    _CLAUSE_ENDS,
    _HELPER_NOUNS,
    _LIST_JOINS,
    _PARENTHESIS,
    _PERSON_JOINS,
    _POST_ANYWHERE,
    _POST_AT_END,
    _RANKED_POST,
    ASSIST_CUES,
    HELPED_LEVELS,
    OCCUPATION,
    SENDING_ADVERBS,
    STATIONED_POSTS,
    _chain_from,
    _chain_start,
    _is_org,
    _is_place,
    _leaves,
    _listed_after,
    _listed_before,
    _listed_places,
    _post_base,
    _SentenceFacts,
)
from kg.extract.references import whole_of_part
from kg.nlp.gazetteer import PRINCIPAL_POSTS, words
from kg.types import Candidate, Mention

# Verbs by which a unit sends one of its people to a village (X选派P到Y村).
_SENDS = re.compile("|".join(words("sends")))
_STAFF = re.compile("|".join(words("staff_word")))
_HELPED_NOUN = re.compile("|".join(sorted(words("helped_noun"), key=len, reverse=True)))
# 王刚来自X局, also with the name set off by a comma (王刚，来自X局)
_COMES_FROM = re.compile("[，,]?(?:" + "|".join(words("comes_from")) + ")")
# 王刚被派驻到马营村: a person sent to a village, the sender left out
_SENT_TO = re.compile("被?(?:" + "|".join(words("sends")) + ")(?:到|至|进驻|驻)?")

# A unit sending staff it does not name to a place: (先后)选派3名(优秀)干部到, 派出工作队进驻.
_SENDS_STAFF = re.compile(
    SENDING_ADVERBS
    + "(?:"
    + "|".join(words("sends"))
    + ")(?:了)?(?:[一二三四五六七八九十两\\d]+(?:名|位|批|个))?(?:"
    + "|".join(words("staff_word"))
    + "|[\\u4e00-\\u9fff]{0,4}(?:队|组))?(?:到|至|赴|进驻|入驻|驻)"
)
# The same with several objects and places shared out (分别): 选派4名干部分别到A村、B村和C村, 派驻2支工作队、
# 6名干部，分别驻守A村和B村. 分别 says each place of the list gets some of the people sent, so the unit
# sends people to, and helps, every place listed; without 分别 only the first place is sure.
_SENT_OBJECT = (
    "(?:[一二三四五六七八九十两\\d]+(?:名|位|批|个|支|支队伍))?(?:"
    + "|".join(words("staff_word"))
    + "|[\\u4e00-\\u9fff]{0,4}(?:队|组))"
)
_SENDS_STAFF_EACH = re.compile(
    SENDING_ADVERBS
    + "(?:"
    + "|".join(words("sends"))
    + ")(?:了)?"
    + _SENT_OBJECT
    + "(?:[、和及]"
    + _SENT_OBJECT
    + ")*[，,]?分别(?:到|至|赴|进驻|入驻|驻守|驻扎|驻在|驻)"
)


def _sent_persons(sentence: tuple[int, int], text: str, mentions: list[Mention], out: _SentenceFacts) -> None:
    """支行选派夏启贵到袁山村: the unit sends the person to the village, so it assists the village."""
    places = [m for m in mentions if _is_place(m)]
    for i, org in enumerate(mentions):
        if not _is_org(org):
            continue
        each = _SENDS_STAFF_EACH.match(text, org.end)
        if each is not None:  # 选派4名干部分别到A村、B村和C村: every village of the list
            for item in _listed_places(places, each.end(), text):
                if item.kind in HELPED_LEVELS:
                    out.add(org, "assists", item)
            continue
        unnamed = _SENDS_STAFF.match(text, org.end)
        if unnamed is not None:  # 学校先后选派3名干部到岔峪村: staff the text does not name
            village = _chain_from(places, unnamed.end())
            if village is not None and village.kind in HELPED_LEVELS:
                out.add(org, "assists", village)
            if village is not None or not _QUALIFIED_SENT_POSTS:
                continue  # (X派驻的第一书记P: 派 + 驻 with no place after it sends a named person)
        verb = _SENDS.match(text, org.end)
        person = next((m for m in mentions[i + 1 :] if m.start >= org.end), None)
        if verb is not None and _TITLED_SENT and person is not None and person.kind != "Person":
            # 县公安局选派洛泽河派出所副所长P: the person's own post and unit stand between
            person = next(
                (m for m in mentions[i + 1 :] if m.kind == "Person" and m.start >= verb.end()), None
            )
        if verb is None or person is None or person.kind != "Person":
            continue
        # X选派P, X选派干部P, X选派的驻村第一书记P: the person follows the verb (and a word for staff),
        # or the verb's 的 and a post
        post = (
            _POST_AT_END.search(text, verb.end(), person.start) if text.startswith("的", verb.end()) else None
        )
        staff = _STAFF.match(text, verb.end())
        follows = person.start == verb.end() or (staff is not None and person.start == staff.end())
        # 选派客户经理杨帆到Y村, 选派四级调研员P: a word for the person's post or occupation between
        titled = _TITLED_SENT and _TITLE_BEFORE.fullmatch(text, verb.end(), person.start) is not None
        follows = follows or titled
        qualified = (
            _QUALIFIED_SENT_POSTS
            and post is not None
            and _QUALIFIER.fullmatch(text, verb.end() + 1, post.start()) is not None
        )
        if not follows and not (post is not None and post.start() == verb.end() + 1) and not qualified:
            continue
        clause_end = person.end
        while clause_end < sentence[1] and text[clause_end] not in _CLAUSE_ENDS:
            clause_end += 1
        village = next(
            (m for m in mentions if m.kind == "Village" and person.end <= m.start < clause_end), None
        )
        out.add(person, "worksFor", org, verb.group())
        if village is None:
            continue
        # 选派她到犀溪镇竹坑村、岭根村担任金融助理: every village of a list the person is sent to
        chain_start = _chain_start(places, village.start, floor=person.end)
        listed = _listed_places(places, chain_start, text) if _SENT_TO_EACH_LISTED else []
        for sent_to in listed if village in listed else [village]:
            if sent_to.kind == "Village":
                out.add(person, "servesIn", sent_to)
                out.add(org, "assists", sent_to)


# Whether a helped-place noun right after a unit, without 的 (X局定点帮扶村), is the unit's.
_HELPED_NOUNS_WITHOUT_OF = True
# Whether 驻Y村 after the unit a person comes from (P来自X局，常驻Y村) places the person.
_STATIONED_AFTER_UNIT = True
# Whether the unit a person goes back to after a posting (期满后回到X局, 返回原单位X局) is the person's.
_RETURNS_TO_UNITS = True
_RETURNS = re.compile("(?:[\u4e00-\u9fff]{1,4}后)?(?:返回|回到|回)(?:了)?(?:原单位|原工作单位)?")
# Whether a person sent to a list of villages (选派P到A村、B村) serves in, and the unit helps, each.
_SENT_TO_EACH_LISTED = True
# Whether a person sent with a post or an occupation word before the name (选派客户经理P) is the unit's.
_TITLED_SENT = True
_TITLE_BEFORE = re.compile(
    "(?:" + OCCUPATION + "|(?:(?![的和与及到在是])[\u4e00-\u9fff]){0,8}?" + _RANKED_POST + ")"
)


# Whether X的 + a word for an occupation + a name (X银行的信贷员P, X院的博士P) makes the person X's.
_OCCUPIED_PEOPLE = True
_OCCUPATION = re.compile(OCCUPATION)


# Whether the persons listed after a colon that follows a unit's "sent N cadres" are the unit's people.
_LISTED_AFTER_COLON = True
# A unit sending a counted number of its staff: 选派3名干部, 先后派出4名优秀干部.
_COUNTED_STAFF = re.compile(
    SENDING_ADVERBS
    + "(?:"
    + "|".join(words("sends"))
    + ")(?:了)?[一二三四五六七八九十两\\d]+(?:名|位)(?:"
    + "|".join(sorted(words("staff_word"), key=len, reverse=True))
    + ")"
)


def _staff_listed_after_colon(
    sentence: tuple[int, int], text: str, mentions: list[Mention], out: _SentenceFacts
) -> None:
    """该行选派4名干部到4个村任第一书记：P驻A村，Q驻B村: each person listed after the colon is one of them.

    The unit is the one named last before the verb (the clause's subject when the verb has none of its
    own). News counts the cadres a unit sends and then lists them after a colon, each with the post he or she
    holds at home (which may be in a branch of the unit) and the village; the list names the unit's
    people whatever their posts call them.
    """
    if not _LISTED_AFTER_COLON:
        return
    orgs = [m for m in mentions if _is_org(m)]
    for counted in _COUNTED_STAFF.finditer(text, sentence[0], sentence[1]):
        # the unit right before the verb, else the clause's subject named before it (X继续帮扶…，选派)
        org = next((o for o in reversed(orgs) if o.end <= counted.start()), None)
        if org is None:
            continue
        colon = next((i for i in range(counted.end(), sentence[1]) if text[i] in "：:；;"), None)
        if colon is None or text[colon] in "；;":
            continue
        # the list runs to the end of the sentence, or to the next count of staff sent
        following = _COUNTED_STAFF.search(text, colon, sentence[1])
        end = following.start() if following is not None else sentence[1]
        for person in mentions:
            if person.kind == "Person" and colon < person.start < end:
                out.add(person, "worksFor", org, counted.group())


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
        person = next(
            (m for m in mentions if m.kind == "Person" and _sent_by_follows(text, m.end, by.start())), None
        )
        if person is not None and len(units) == 1 and _PERSON_SENT_BY:
            # 第一书记王刚由X局选派, 王刚，由X局选派: the person before 由 is one of the unit's people
            out.add(person, "worksFor", units[0], verb.group())
        if _RESPECTIVELY_SENT and len(units) > 1 and text.startswith("分别", by.start() - 2):
            # 王刚、李明分别由A和B选派: as many persons as units, each sent by the unit in the same place
            persons = [m for m in mentions if m.kind == "Person"]
            last = next((p for p in persons if p.end == by.start() - 2), None)
            before = _listed_before(last, persons, text, _PERSON_JOINS) if last is not None else []
            listed = list(reversed(before))
            if len(listed) == len(units):
                for sent, unit in zip(listed, units, strict=True):
                    out.add(sent, "worksFor", unit, verb.group())
        named_in = next((p for p in helped if team is not None and team.start <= p.start < team.end), None)
        place = named_in or next(
            (
                p
                for p in helped
                if p.start >= verb.end()
                and not (_PAST_STAYS_KEEP_UNITS_OUT and _PAST.search(text, verb.end(), p.start))
            ),
            None,
        )  # (由X选派，此前曾在Y村驻村: a village of the past is not the one the unit sent the person to)
        if place is not None:
            for unit in units:
                out.add(unit, "assists", place)


# Whether persons listed before 分别由A和B选派 work each for the unit in the same place of its list.
_RESPECTIVELY_SENT = True


def _sent_by_follows(text: str, end: int, by: int) -> bool:
    """Whether 由 at ``by`` follows a name ending at ``end`` directly or after a comma (王刚，由X选派)."""
    return text[end:by] in ("", "，", ",")


# Whether a person named right before 由X选派 works for X (a unit sending several persons is told
# apart from several units sending one by the count of units: only one unit is the person's).
_PERSON_SENT_BY = True
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
    leaves = _leaves([m for m in mentions if _is_place(m)])
    for helped_by in _HELPED_BY.finditer(text, sentence[0], sentence[1]):  # 在X的帮扶下，马营村…
        span = (helped_by.start() + 1, helped_by.start(1))
        org = next((o for o in orgs if (o.start, o.end) == span), None)
        # the end of a chain (桑植县洪家关白族乡光荣桥村: the village, not its township)
        after = [
            v for v in villages if v.start >= helped_by.end() and (v in leaves or not _CHAIN_ENDS_HELPED)
        ]
        before = [v for v in villages if v.end <= helped_by.start()]
        village = after[0] if after else before[-1] if before else None
        if org is not None and village is not None:
            out.add(org, "assists", village)
    for noun in _HELPED_NOUN.finditer(text, sentence[0], sentence[1]):  # 马营村是X的帮扶村
        org = next((o for o in orgs if o.end == noun.start() - 1 and text[o.end] == "的"), None)
        if org is None and _HELPED_NOUNS_WITHOUT_OF:  # 吉列村是县卫生健康局定点帮扶村
            org = next((o for o in orgs if o.end == noun.start()), None)
        if org is None:
            continue
        village = next(
            (v for v in villages if v.end <= org.start and _is_copula(text[v.end : org.start])), None
        )
        if village is not None:
            out.add(org, "assists", village)
    _helped_after_copula(orgs, villages, text, out)
    for village in villages if _SENDERS_IN_PARENTHESES else ():  # Y村（派出单位：A、B）
        opener = _SENDERS_ASIDE.match(text, village.end)
        if opener is None:
            continue
        close = _CLOSING.search(text, opener.end(), sentence[1])
        if close is None:
            continue  # no end to the parenthesis: what follows is not in it
        for org in orgs:
            if opener.end() <= org.start and org.end <= close.start():
                out.add(org, "assists", village)
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
    if _SENT_TO_PLACE_PEOPLE:
        _people_sent_to_place(orgs, places, persons, text, out)
    for org in orgs:  # 定西市财政局(派出)的王刚(和李明), 来自X的王刚: a unit's own people
        of = _ORG_PEOPLE.match(text, org.end)
        first = next((p for p in persons if of is not None and p.start == of.end()), None)
        if first is None and of is not None:  # X局的党员干部王刚: a word for staff between
            staff = _STAFF_WORDS.match(text, of.end())
            first = next((p for p in persons if staff is not None and p.start == staff.end()), None)
        if first is None and of is not None and _OCCUPIED_PEOPLE:  # 广州农商银行的信贷员林晓慧
            first = next(
                (p for p in persons if p.start > of.end() and _OCCUPATION.fullmatch(text, of.end(), p.start)),
                None,
            )
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
        came_from = next((o for o in orgs if came is not None and o.start == came.end()), None)
        if came is not None and came_from is not None:  # 王刚来自定西市财政局
            out.add(person, "worksFor", came_from, came.group())
            employers.append(came_from)
        sent = _SENT_TO.match(text, person.end)
        if sent is not None and (sent.group().startswith("被") or sent.group()[-1] in "到至驻"):
            village = _chain_from(places, sent.end())
            if village is not None and village.kind == "Village":  # 王刚被派驻到(通渭县)马营村
                out.add(person, "servesIn", village, sent.group())
                served[village.name] = village
        clause_on = _past_aside(text, person.end)
        if came_from is not None and _STATIONED_AFTER_UNIT:  # P来自X局，常驻Y村: on after the unit
            clause_on = came_from.end + (1 if text.startswith(("，", ","), came_from.end) else 0)
        stationed = _STAYS_AT.match(text, clause_on) if _STATIONED_AT_VILLAGE else None
        post_village = _chain_from(places, stationed.end()) if stationed is not None else None
        if stationed is not None and post_village is not None and post_village.kind == "Village":
            # 王刚驻马营村, 李娜常驻马营村卫生室
            out.add(person, "servesIn", post_village, stationed.group())
            served[post_village.name] = post_village
            head = person
            for prior in reversed(persons):  # 医师张丽、护士李娜常驻Y村: each person of the list
                if prior.end <= head.start and _NEXT_WITH_POST.fullmatch(text, prior.end, head.start):
                    out.add(prior, "servesIn", post_village, stationed.group())
                    head = prior
        back = _RETURNS.match(text, person.end) if _RETURNS_TO_UNITS else None
        unit = next((o for o in orgs if back is not None and o.start == back.end()), None)
        if back is not None and unit is not None:  # 罗正光期满后回到县审计局: the unit he goes back to
            out.add(person, "worksFor", unit, back.group())
        origin = _FROM.match(text, person.end)
        home = next((o for o in orgs if origin is not None and o.start == origin.end()), None)
        if home is not None:  # 李强从定西市财政局来到马营村: the unit he comes from is his
            out.add(person, "worksFor", home, "从")
            employers.append(home)
        arrived = _ARRIVES.match(text, home.end if home is not None else person.end)
        if home is not None and arrived is None:  # 从X局下派到Y村
            arrived = _SENT_TO.match(text, home.end)
        arrivals = [arrived] if arrived is not None else []
        if not arrivals and _SUBJECTLESS_STAYS and person is persons[0]:
            # 他由X选派，此前曾在Y村驻村三年: a clause without a subject goes on about the sentence's
            arrivals = list(_SUBJECTLESS_STAY.finditer(text, person.end, sentence[1]))
        for arrival in arrivals:
            _stays_in_villages(person, arrival, places, text, sentence, out, served)
        if _RECORDS:
            _record_fields(person, text, sentence, orgs, places, persons, out, served, employers)
        for village in served.values():
            for org in employers:
                if _is_org(org) and org.kind != "WorkTeam":
                    out.add(org, "assists", village)


def _stays_in_villages(
    person: Mention,
    arrival: re.Match[str],
    places: list[Mention],
    text: str,
    sentence: tuple[int, int],
    out: _SentenceFacts,
    served: dict[str, Mention],
) -> None:
    """作为X派驻的第一书记，王刚来到马营村; 王刚驻扎在马营村担任第一书记; 先后在A村、B村驻村.

    A person arriving in or staying at the villages listed after ``arrival``, where the sentence gives a
    village post or says 驻村 after them, serves in each. A stay the text puts in the past (此前, 曾)
    says nothing of who sent the person there, so the person's unit is not said to help those villages.
    """
    villages = [v for v in _listed_places(places, arrival.end(), text) if v.kind == "Village"]
    if not villages or villages[0] is not _chain_from(places, arrival.end()):
        return
    clause_end = villages[-1].end
    while clause_end < sentence[1] and text[clause_end] not in _CLAUSE_ENDS:
        clause_end += 1
    stays = text.startswith(_STAYS, villages[-1].end)  # 孙伟已在柳树村驻村两年
    if not (stays or _STATIONED_ANYWHERE.search(text, sentence[0], clause_end)):
        return
    past = _PAST.search(arrival.group()) is not None
    for village in villages if _STAYS_IN_EACH_LISTED else villages[:1]:
        out.add(person, "servesIn", village, arrival.group())
        if not (past and _PAST_STAYS_KEEP_UNITS_OUT):
            served[village.name] = village


# Whether a person staying at a list of villages (先后在A村、B村驻村) serves in each.
_STAYS_IN_EACH_LISTED = True
# Whether a clause that opens with 此前, 曾 … and a village (，此前曾在Y村驻村) is about the sentence's
# first person, as Chinese leaves out a subject the sentence already gave.
_SUBJECTLESS_STAYS = True
_SUBJECTLESS_STAY = re.compile("[，,](?:此前|之前|曾经|曾|先后|还)+(?:在|到|于)")
# Whether a stay put in the past says nothing of the person's present unit helping the village.
_PAST_STAYS_KEEP_UNITS_OUT = True
_PAST = re.compile("此前|之前|曾经|曾在|曾于|曾任|曾作为|曾先后")


# Whether the fields of a person's record in a notice (P，男，1986年6月生，X厅科员，拟派驻Y村任第一书记；)
# give the person's unit and village.
_RECORDS = True
# A record's field that sends the person to a place: 拟派驻, 派驻, 驻, 拟任 … 的 are the words notices use.
_RECORD_STATION = re.compile("(?:拟|现)?(?:派驻|选派到|下派到|驻|到|赴)")


def _record_fields(
    person: Mention,
    text: str,
    sentence: tuple[int, int],
    orgs: list[Mention],
    places: list[Mention],
    persons: list[Mention],
    out: _SentenceFacts,
    served: dict[str, Mention],
    employers: list[Mention],
) -> None:
    """A person's unit and village from the comma-separated fields of a record after the name.

    Notices list each person as one record: the name, then fields of sex, birth, unit and post, and the
    village the person is sent to, up to a semicolon (王刚，男，1986年6月生，X厅科员，拟派驻Y村任第一书记；).
    A field that is a unit and a word for a post or an occupation is the person's unit; a field that
    opens with a sending verb and a place names the village. The record ends at the next person.
    """
    after = _past_parenthesis(text, person.end)  # 刘晓燕（女）——
    separator = next((s for s in _RECORD_SEPARATORS if text.startswith(s, after)), "")
    if not separator:
        return
    end = after
    while end < sentence[1] and text[end] not in "；;。\n":
        end += 1
    if any(p.start > person.end and p.start < end for p in persons if p.surface == p.name):
        return  # another person inside: a sentence, not a record
    base = after + len(separator)
    fields = []
    start = base
    for cut in _FIELD_CUTS[separator].finditer(text, base, end):
        if cut.start() > start:
            fields.append((start, cut.start()))
        start = cut.end()
    if end > start:
        fields.append((start, end))
    if len(fields) < 2:
        return
    unit = None
    for start, stop in fields:
        org = next((o for o in orgs if o.start == start and o.end <= stop), None)
        title_end = _past_parenthesis(text, org.end) if org is not None else stop
        if (
            org is not None
            and unit is None
            and (_TITLE_BEFORE.fullmatch(text, org.end, stop) or (separator == "——" and title_end >= stop))
        ):
            unit = org
            post = text[org.end : stop] if title_end < stop else ""
            principal = _post_base(post) in PRINCIPAL_POSTS and "副" not in post
            out.add(person, "heads" if principal else "worksFor", org, post)
            employers.append(org)
            continue
        station = _RECORD_STATION.match(text, start, stop)
        if station is None and separator == "——":  # 姓名——派出单位——于都县梓山镇上坪村
            village = _chain_from(places, start)
        else:
            village = _chain_from(places, station.end()) if station is not None else None
        if village is not None and village.kind == "Village" and village.end <= stop:
            out.add(person, "servesIn", village, station.group() if station is not None else "")
            served[village.name] = village


# Separators between the fields of a record: commas in notices, dashes in lists of awards.
_RECORD_SEPARATORS = ("——", "，", ",")
_FIELD_CUTS = {"——": re.compile("——"), "，": re.compile("[，,]"), ",": re.compile("[，,]")}


def _past_parenthesis(text: str, end: int) -> int:
    """Where the text goes on after a parenthesis right at ``end`` (刘晓燕（女）), else ``end``."""
    aside = _PARENTHESIS.match(text, end)
    return aside.end() if aside is not None else end


def _past_aside(text: str, end: int) -> int:
    """Where a clause about a person goes on after the unit in parentheses beside the name, and a comma.

    Lists of first secretaries give each one's unit in parentheses and the village after a comma
    (王刚（县财政局），驻石门村); without both, the clause goes on right after the name.
    """
    after = _past_parenthesis(text, end) if _ASIDES_BEFORE_STATIONS else end
    if after == end:
        return end
    return after + 1 if text.startswith(("，", ","), after) else after


# Whether 驻Y村 after a name's parenthesised unit and a comma (王刚（县财政局），驻Y村) places the person.
_ASIDES_BEFORE_STATIONS = True


def _people_sent_to_place(
    orgs: list[Mention], places: list[Mention], persons: list[Mention], text: str, out: _SentenceFacts
) -> None:
    """X派驻Y村的干部P, X选派到Y村的第一书记P: the unit's people it sent to the village, serving there.

    The sending verb and the village's chain follow the unit; after 的 comes a word for staff or a post,
    then the person (and those listed with him).
    """
    for org in orgs:
        verb = _SENT_TO.match(text, org.end)
        village = _chain_from(places, verb.end()) if verb is not None else None
        if village is None or village.kind != "Village" or not text.startswith("的", village.end):
            continue
        staff = _STAFF_WORDS.match(text, village.end + 1)
        at = staff.end() if staff is not None else village.end + 1
        first = next((p for p in persons if p.start == at), None)
        if first is None:  # a post between: X派驻Y村的第一书记P
            first = next((p for p in persons if _SENT_AS.fullmatch(text, at, p.start)), None)
        listed = _listed_after(first, persons, text, _PERSON_JOINS)
        for later in persons:  # 第一书记P、队员Q: a post may open the next item of the list
            if (
                listed
                and later.start > listed[-1].end
                and _NEXT_WITH_POST.fullmatch(text, listed[-1].end, later.start)
            ):
                listed.append(later)
        for person in listed:
            out.add(person, "worksFor", org, verb.group() if verb is not None else "")
            out.add(person, "servesIn", village)
            out.add(org, "assists", village)


# Whether the place helped after 在X的帮扶下 is the end of its chain, not its first unit.
_CHAIN_ENDS_HELPED = True
# A join and a post between two persons of one list (第一书记P、队员Q).
_NEXT_WITH_POST = re.compile("[、和及与]" + _RANKED_POST + "?")
# Whether a unit's people sent to a village are named after both (X派驻Y村的干部P).
_SENT_TO_PLACE_PEOPLE = True


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
    """马营村是X定点帮扶的贫困村: the village is what the body after the copula helps.

    Several bodies listed there help it each (茶坪村是县法院、县司法局共同挂点帮扶的村).
    """
    for org in orgs:
        together = _TOGETHER.match(text, org.end) if _HELPERS_LISTED_AFTER_COPULA else None
        cue = ASSIST_CUES.match(text, together.end() if together is not None else org.end)
        if cue is None or not text.startswith("的", cue.end()):
            continue
        listed = _listed_before(org, orgs, text, _LIST_JOINS) if _HELPERS_LISTED_AFTER_COPULA else [org]
        first = listed[-1]
        village = next(
            (v for v in villages if v.end <= first.start and _is_copula(text[v.end : first.start])), None
        )
        if village is not None:
            for helper in listed:
                out.add(helper, "assists", village)


# Whether the units in parentheses after a village, named as its sending or helping units
# (Y村（派出单位：县自然资源局）), help it: lists of first secretaries give each village so.
_SENDERS_IN_PARENTHESES = True
_CLOSING = re.compile("[）)]")
_SENDERS_ASIDE = re.compile("[（(](?:派出|选派|派驻|帮扶|包联|联系|结对)单位[：:为是]?")
# Whether the bodies listed between a copula and an assist cue (是A、B共同帮扶的村) each help the village.
_HELPERS_LISTED_AFTER_COPULA = True
_TOGETHER = re.compile("共同|联合|一起|一同|合力")


_COPULAS = ("是", "为", "系", "成为", "是由")
# Whether a comma may stand before the copula (马营村，是X的帮扶村), as news often sets the subject off.
_COMMA_BEFORE_COPULA = True


def _is_copula(between: str) -> bool:
    """Whether the text between a village and a body is a copula (是), with a comma before it or not."""
    if _COMMA_BEFORE_COPULA and between[:1] in ("，", ","):
        between = between[1:]
    adverb = _COPULA_ADVERBS.match(between) if _ADVERBS_BEFORE_COPULA else None
    if adverb is not None:  # 龙树坝村同时也是X的挂包村
        between = between[adverb.end() :]
    return between in _COPULAS


# Whether adverbs before the copula (同时也是, 一直是, 还是) leave it a copula.
_ADVERBS_BEFORE_COPULA = True
_COPULA_ADVERBS = re.compile("(?:同时|一直|长期|也|还|都|均|则|就|正)+")


# Whether a short qualifier may stand between 的 and the post of a person a unit sent (X选派的援藏医生P,
# X派驻的第三任第一书记P): news qualifies the post by the programme or the term, and the person is still
# the unit's. Up to four characters, no punctuation: a longer phrase may hold another unit.
_QUALIFIED_SENT_POSTS = True
_QUALIFIER = re.compile("[\u4e00-\u9fff]{1,4}")

# A unit's people named after it: X的P, X派出的P, X选派的P.
_ORG_PEOPLE = re.compile("(?:" + "|".join(words("sends")) + ")?的")
# Verbs by which a person arrives in or stays at a village (来到, 驻扎在), from data/lexicon.tsv.
_ARRIVES = re.compile(
    "(?:同志)?(?:此前|之前|已|一直|常年|长期|先后|曾经|曾)*(?:" + "|".join(words("arrives")) + ")了?"
)
# 李强从X局来到Y村: the unit a person comes from (after time words: 2021年从).
_FROM = re.compile("(?:[\\d一二三四五六七八九十]+年[\\d一二三四五六七八九十]*月?份?)?从")
# A person right before 驻 (常驻, 驻守, 驻扎) and a village is stationed there: 驻 is the verb of being posted
# to a place, so, unlike 来到 or 在, it needs no village post in the sentence to say so (王刚驻马营村,
# 护士李娜常驻马营村卫生室).
_STAYS_AT = re.compile("(?:已|一直|常年|长期|继续)?(?:常驻|驻守|驻扎|驻)(?:在|于|到)?")
_STATIONED_AT_VILLAGE = True
# Words after a village that say a person stays there for the village's work (在柳树村驻村).
_STAYS = ("驻村", "驻点", "蹲点")
_STATIONED_ANYWHERE = re.compile("|".join(sorted(STATIONED_POSTS, key=len, reverse=True)))
# A unit closing a parenthesis after a person, with the verb it sent the person by: （X局派驻）
_UNIT_ASIDE = re.compile("(?:" + "|".join(words("sends")) + ")?[）)]")
_STAFF_WORDS = re.compile("(?:" + "|".join(sorted(words("staff_word"), key=len, reverse=True)) + ")+")
# Whether a person named right after a unit, without a post (定西市财政局王刚), works for it.
_NAMED_WITH_UNIT = True
# Which of the persons a unit sent one after the other to a village holds the post now
# (X派驻的第三任第一书记P): the count of terms says nothing of the unit or the post
# (benchmarks/rule_ablation.py swaps _SENT_AS to switch it off).
_TERM = "(?:第[一二三四五六七八九十\\d]+任|首任|新一任|新任)?"
# The post a unit sent a person as, between the unit's 派驻的 and the person: 驻村第一书记，
_SENT_AS = re.compile(_TERM + "(?:驻村|帮扶)?" + _RANKED_POST + "[，,]?")

_HELPED_BY = re.compile(
    "在[^，,。；;在]{2,40}?(的(?:大力|倾力|精准|真情|鼎力|持续)?(?:"
    + "|".join(sorted(words("assist_cue"), key=len, reverse=True))
    + ")(?:和(?:支持|帮助|指导))?下)"
)
# 马营村的帮扶单位(是)X, and with a dash setting the body off: 马营村的帮扶单位——X
_HELPER_OF = re.compile("的(?:驻村|结对|定点|对口)?(?:" + _HELPER_NOUNS + ")(?:是|为|有|——|—)?")
_AS_HELPER = re.compile("作为[^，,。；;]{2,30}?(?:的)?(?:" + _HELPER_NOUNS + ")[，,]")


def _senders_of_stationed(candidates: list[Candidate]) -> list[Candidate]:
    """A unit whose person serves in a village, stated in different sentences, helps that village.

    王刚是定西市财政局干部。2021年，他被派驻到马营村: the unit sends its people to the villages it helps.
    The village's own bodies (马营村村委会) and work teams are left out.
    """
    if not _UNITS_OF_STATIONED_HELP:
        return []
    employers: dict[str, list[Mention]] = {}
    helped = []
    for c in candidates:
        if c.predicate == "worksFor" and _is_org(c.object) and c.object.kind != "WorkTeam":
            whole = whole_of_part(c.object) if _PARTS_WORK_FOR_WHOLES else None
            if whole is not None:
                # the staff of a part (学校园艺林学学院) work for the whole body, which sends them
                helped.append(Candidate(c.subject, "worksFor", whole, c.evidence, ""))
            employers.setdefault(c.subject.name, []).append(whole or c.object)
        if (
            c.predicate == "assists"
            and _PARTS_WORK_FOR_WHOLES
            and c.subject.name != c.subject.surface  # named by kind (学校园艺学院); one named in full helps
            and (whole := whole_of_part(c.subject)) is not None
        ):
            # a part helps through its whole body: the whole helps, the part is left out
            helped.append(Candidate(whole, "assists", c.object, c.evidence, ""))
    for c in candidates:
        if c.predicate != "servesIn" or (_PAST_STAYS_KEEP_UNITS_OUT and _PAST.search(c.post)):
            continue  # (此前曾在Y村驻村: a past stay says nothing of the unit the person works for now)
        for org in employers.get(c.subject.name, []):
            if c.object.name not in org.name:
                helped.append(Candidate(org, "assists", c.object, c.evidence, ""))
    return helped


# Whether a unit whose person serves in a village is taken to help it across sentences.
_UNITS_OF_STATIONED_HELP = True
# Whether a person working for a part of a body named by kind (学校园艺林学学院) works for the whole.
_PARTS_WORK_FOR_WHOLES = True


# Whether each village listed after 先后在 is served in and helped like the last of the list.
_SUCCESSIVE = re.compile("先后(?:在|到|赴|于)")


def _successive_places(
    sentence: tuple[int, int], text: str, named: list[Mention], out: _SentenceFacts
) -> None:
    """先后在A村和B村担任第一书记: the person served in each village in turn, and the unit helped each.

    The rules that read the post see the village right before it (B村) only; the earlier villages of
    the list after 先后 get the servesIn and assists facts the last one got in the sentence.
    """
    places = [m for m in named if _is_place(m)]
    for match in _SUCCESSIVE.finditer(text, sentence[0], sentence[1]):
        leaves = _listed_places(places, match.end(), text)
        if len(leaves) < 2:
            continue
        last = leaves[-1]
        for c in list(out.candidates):
            if (
                c.predicate in ("servesIn", "assists")
                and c.object.start == last.start
                and c.object.end == last.end
            ):
                for earlier in leaves[:-1]:
                    out.add(c.subject, c.predicate, earlier, c.post)
