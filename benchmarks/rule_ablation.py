"""What each general extraction rule earns: scores with the rule switched off, on four sets of text.

Reads the real news excerpts of ../shared/data/relations (or $KG_RELATIONS_DATA) and exits cleanly when
they are absent; reads the project's own corpus and its gold (corpus/, corpus/gold/) and the paragraphs
written for the project (tests/data/phrasings). The NLP stage runs once per document; then extraction,
resolution and scoring run once with every rule and once per rule switched off, reporting micro P/R and
TP/FP on the development part (d01-d20), the test part (d21-d30), the phrasings and the corpus gold.
Rules of the mention finder change what the NLP stage finds, so for those the NLP stage runs again.
Only scores are printed: never a test miss. ``--skip-test`` leaves the test part out entirely (its texts
are neither read nor processed), for work on the rules, which must not see it; ``--rule TEXT`` switches
off only the rules whose label contains TEXT (repeatable), which saves time when checking a few.

    .venv/bin/python benchmarks/rule_ablation.py [--skip-test] [--rule TEXT ...]
"""

from __future__ import annotations

import argparse
import fnmatch
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import kg.extract as extract
import kg.extract.assists as assists
import kg.extract.context as context
import kg.extract.names as names
import kg.extract.places as places
import kg.extract.posts as posts
import kg.extract.references as references
import kg.extract.roles as roles
import kg.extract.teams as teams
import kg.nlp.gazetteer as gazetteer
import kg.nlp.mentions as mentions_module
import kg.nlp.mentions.bodies as mention_bodies
import kg.nlp.mentions.persons as mention_persons
import kg.nlp.mentions.places as mention_places
import kg.resolve as resolve_module
from kg.corpus import read_document
from kg.evaluate import evaluate, load_gold, select_documents
from kg.nlp import shared_nlp
from kg.rdf import build_graph
from kg.resolve import resolve_entities
from kg.types import Document, Mention

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("KG_RELATIONS_DATA", ROOT.parent / "shared" / "data" / "relations"))
CORPUS = ROOT / "corpus"
PHRASINGS = ROOT / "tests" / "data" / "phrasings"
PARTS = {"development": ("d0?.txt", "d1?.txt", "d20.txt"), "test": ("d2[1-9].txt", "d30.txt")}
# the phrasings set grew in parts written one after the other; each is scored apart so that a rule's
# effect on the part written after it shows separately
PHRASING_PARTS = {
    "phrasings p01-p71": ("p[0-6]?.txt", "p7[01].txt"),
    "phrasings p72-p96": ("p7[2-9].txt", "p8?.txt", "p9[0-6].txt"),
    "phrasings p97-p144": ("p9[7-9].txt", "p1[0-3]?.txt", "p14[0-4].txt"),
    "phrasings p145-p168": ("p14[5-9].txt", "p15?.txt", "p16[0-8].txt"),
    "phrasings p169-p192": ("p169.txt", "p1[78]?.txt", "p19[0-2].txt"),
}
_NEVER = re.compile("(?!x)x")


def _old_generic_stem(stem: str) -> bool:
    """The rule before 战旗村 stood: any short stem ending with a unit word is generic."""
    return stem.endswith(tuple(s for s, _ in gazetteer.PLACE_SUFFIXES)) and len(stem) <= 3


# rule -> (module, name in it, what stands in for it when it is off); the module is the one whose code
# reads the name, so a rule function imported by kg.extract's passes is switched off there
RULES: dict[str, tuple[ModuleType, str, Any]] = {
    "work teams (X驻Y村工作队)": (extract, "find_teams", lambda *a, **k: []),
    "a team entering a village": (extract, "_entered_place", lambda *a, **k: None),
    "units composing a team": (extract, "_composing_units", lambda *a, **k: []),
    "a unit sending a person (选派P到Y村)": (extract, "_sent_persons", lambda *a, **k: None),
    "bodies named by their kind (校, 支行)": (extract, "kind_word_mentions", lambda *a, **k: []),
    "posts implying their body (副校长)": (posts, "implied_body", lambda *a, **k: None),
    "该村, 该镇": (extract, "place_anaphora", lambda *a, **k: []),
    "posts after a verb (担任, 是)": (posts, "_TAKES_POST", _NEVER),
    "posts between commas": (posts, "_APPOSITION", _NEVER),
    "posts before the name (作为…，P)": (posts, "_AS_POST", _NEVER),
    "the helper after the cue (…的帮扶单位是X)": (assists, "_IDENTIFIES", _NEVER),
    "bodies listed together share a cue": (assists, "_coordinated", lambda last, orgs, text: [last]),
    "names NER missed in a list of persons": (posts, "_unread_names", lambda *a, **k: []),
    "posts after 是/有/和 and verbs of posts": (posts, "_POST_OPENERS", ("\0",)),
    "bodies listed before 帮扶单位": (assists, "_HELPER_NOUN", _NEVER),
    "a cue whose object comes later (帮扶以来，该村)": (assists, "_NO_OBJECT", _NEVER),
    "a body inside 在…的率领下 is no helper": (assists, "_LED_BY", _NEVER),
    "roles, partners, 来自, 被派驻到 (_roles)": (extract, "_roles", lambda *a, **k: None),
    "locations stated in words (位于, 所辖)": (extract, "_stated_locations", lambda *a, **k: None),
    "a place's parent is the unit right above it": (extract, "_immediate_parents", lambda c: c),
    "level-only bodies without their place (市政协)": (context, "_UNPLACED_LEVELS", frozenset()),
    "helpers listed after 帮扶X的": (assists, "_helpers_after", lambda *a, **k: None),
    "units a team is sent by (由A和B派出)": (extract, "_senders", lambda *a, **k: None),
    "the post a unit sent a person as (X派驻的第一书记，P)": (roles, "_SENT_AS", _NEVER),
    "a person with a village post arriving (来到, 驻扎在)": (roles, "_ARRIVES", _NEVER),
    "a unit's team named with 的 (X局的驻村工作队)": (teams, "_OWN_TEAMS", False),
    "a body named by its kind before its full name": (references, "_named_later", lambda *a, **k: None),
    "a team named after its place only helps nobody": (extract, "_PLACE_NAMED_TEAMS_HELP_NOBODY", False),
    "a unit sending staff it does not name (选派3名干部到)": (roles, "_SENDS_STAFF", _NEVER),
    "the village after a copula (Y村是X帮扶的村)": (roles, "_helped_after_copula", lambda *a, **k: None),
    "help work named after a place (做好Y村帮扶工作)": (assists, "_place_programmes", lambda *a, **k: None),
    "他/她 as the person named before": (extract, "person_pronouns", lambda *a, **k: []),
    "names NER missed after a post (秘书长单巍全)": (extract, "_names_after_posts", lambda *a, **k: []),
    "units of stationed persons help across sentences": (roles, "_UNITS_OF_STATIONED_HELP", False),
    "names running on over a middle dot (mentions)": (mention_persons, "_MIDDLE_DOTS", False),
    "no person inside a place (mentions)": (mentions_module, "_NO_PERSONS_IN_PLACES", False),
    "one of a higher unit's villages (是X乡N个村之一)": (places, "_ONE_OF", _NEVER),
    "list items share their chain's parent level": (places, "_LISTS_SHARE_CHAINS", False),
    "staying for the village's work (在Y村驻村)": (roles, "_STAYS", ("\0",)),
    "the village first, its partner after 与 (Y村与X开展村企联建)": (
        roles,
        "_partner_first",
        lambda *a, **k: None,
    ),
    "a body paying for a village's works (出资…为Y村)": (assists, "_funded_places", lambda *a, **k: None),
    "a village post without a village, one village in the article": (extract, "_ONE_VILLAGE_STATIONS", False),
    "a person named right after the unit (X局王刚)": (roles, "_NAMED_WITH_UNIT", False),
    "a unit in parentheses after a person (P（X局派驻）)": (roles, "_UNIT_ASIDE", _NEVER),
    "a title NER read into a name (王刚书记, mentions)": (mention_persons, "_TITLES", ()),
    "a village's 书记 is its party branch's (马营村书记)": (posts, "_VILLAGE_SECRETARIES", False),
    "the unit a person comes from (P从X来到Y村)": (roles, "_FROM", _NEVER),
    "two bodies LAC joined with 和 (mentions)": (mention_bodies, "_joined_bodies", lambda *a, **k: []),
    "和 inside a department's name (mentions)": (mention_bodies, "_joins_words", lambda *a, **k: False),
    "a comma before the copula (Y村，是X的帮扶村)": (roles, "_COMMA_BEFORE_COPULA", False),
    "persons staying in the article's village (P、Q驻村)": (posts, "_STAYS_IN_VILLAGE", _NEVER),
    "names NER missed before 同志": (extract, "_names_before_comrade", lambda *a, **k: []),
    "来自 after a comma (P，来自X)": (roles, "_COMES_FROM", re.compile("来自")),
    "a team whose ending a post repeats (X工作队队员)": (posts, "_TEAMS_INSIDE_POSTS", False),
    "a village's committee before a post (村委会主任)": (posts, "_PLACE_BOUND_POSTS", False),
    "a party post after a body's own post (董事长、党委书记)": (posts, "_PARTY_OF_SHARED_BODY", False),
    "a team's sender named after it (Y村的工作队由X派出)": (teams, "_SENDERS_AFTER", False),
    "a branch after its parent body is one (中国建设银行 + 安徽省分行)": (context, "_JOIN_BRANCHES", False),
    "a unit's people sent to a village (X派驻Y村的干部P)": (roles, "_SENT_TO_PLACE_PEOPLE", False),
    "a team's sender after 来自 (Y村的工作队来自X)": (teams, "_CAME_FROM", _NEVER),
    "the chain's end helped after 在X的帮扶下": (roles, "_CHAIN_ENDS_HELPED", False),
    "a place-named team named after its innermost place": (teams, "_INNERMOST_PLACE_NAMES", False),
    "a unit's team named with its sending verb (X派出的工作队)": (teams, "_SENT_OWN", _NEVER),
    "a post opening the next person of a sent list (P、队员Q)": (roles, "_NEXT_WITH_POST", _NEVER),
    "names LAC missed after a title (书记高峰介绍, mentions)": (mention_persons, "_TITLED_NAMES", False),
    "a stem is generic only when made of unit words (mentions)": (
        gazetteer,
        "_only_unit_words",
        _old_generic_stem,
    ),
    "a village branch's 第一书记 serves in the village": (posts, "_BRANCH_FIRST_SECRETARIES", False),
    "局里, 厅里: the unit of that kind named before": (references, "_UNIT_INSIDE", False),
    "a person before 由X选派 works for X": (roles, "_PERSON_SENT_BY", False),
    "a place before 由A、B和C帮扶 is helped by each": (assists, "_HELPED_BY_LIST", False),
    "short forms of bodies are their full names' (省发展改革委, 农行)": (
        resolve_module,
        "_EXPAND_SHORT_FORMS",
        True,  # off by default: the ablation switches it on
    ),
    "a branch word LAC left outside (农行四川省 / 分行, mentions)": (
        mention_bodies,
        "_LOOSE_BRANCHES",
        set(),
    ),
    "a body's ending LAC read into a sending verb (委 / 派驻, mentions)": (
        mention_bodies,
        "_SPLIT_SENDING_VERBS",
        False,
    ),
    "names LAC cut (买买提江·吐尔地, 次仁旺堆, mentions)": (mention_persons, "_NAME_RUNS", False),
    "a part named by kind is the part of the body named before (学校农学院)": (
        references,
        "_PARTS_BY_KIND",
        False,
    ),
    "a part's staff work for the whole": (roles, "_PARTS_WORK_FOR_WHOLES", False),
    "a part helps only through its whole": (extract, "_PARTS_HELP_THROUGH_WHOLES", False),
    "the unit before 选派的 after a copula (P，是X选派的干部)": (posts, "_SENT_BY", _NEVER),
    "a body named again without its place (福建省审计厅 ... 审计厅)": (references, "_PLACELESS_NAMES", False),
    "a post after 都是 is each listed person's (P、Q都是X的干部)": (posts, "_EACH_SHARES", False),
    "each village after 先后在 (先后在A村和B村)": (roles, "_SUCCESSIVE", _NEVER),
    "a person before 驻 and a village is stationed there (P驻Y村, P常驻Y村)": (
        roles,
        "_STATIONED_AT_VILLAGE",
        False,
    ),
    "staff sent to each place of a list (选派N名干部分别到A村、B村)": (roles, "_SENDS_STAFF_EACH", _NEVER),
    "the term of a sent post (X派驻的第三任第一书记P)": (
        roles,
        "_SENT_AS",
        re.compile("(?:驻村|帮扶)?" + roles._RANKED_POST + "[，,]?"),
    ),
    "a grid worker serves in the article's village (网格员P)": (posts, "_GRID_WORKERS", False),
    "persons sent respectively by listed units (P、Q分别由A和B选派)": (roles, "_RESPECTIVELY_SENT", False),
    "a national administration's local bureau (国家税务总局 + 赣州市税务局)": (
        context,
        "_JOIN_LOCAL_BUREAUS",
        False,
    ),
    "members listed after 队员包括, 队员还有两人：": (teams, "_LISTED_MEMBERS", False),
    "a body after an opening adverbial is the paragraph's topic (近日，X…)": (
        assists,
        "_TOPIC_AFTER_ADVERBIAL",
        False,
    ),
    "a place after 由 is the doer, not the helped (由X镇出资援建)": (assists, "_AGENT_PLACES", False),
    "the helper before a cue is the whole name ending last (X局党支部, not X局)": (
        assists,
        "_WHOLE_SUBJECTS",
        False,
    ),
    "a body's offices' party branch (市财政局机关党支部, mentions)": (
        mention_bodies,
        "_BRANCH_MIDDLES",
        frozenset({"联合"}),
    ),
    "a village ranked first in something is no name (天下第一村, mentions)": (
        gazetteer,
        "_ranking",
        lambda *a, **k: False,
    ),
    "places joined by 与 before a word of partnership share no chain (A区与B县开展对口支援)": (
        places,
        "_PARTNER_PLACES",
        False,
    ),
    "a place before 的 and a lower place is not helped (永宁镇的温泉村)": (
        assists,
        "_QUALIFYING_PLACES",
        False,
    ),
    "a farm LAC tags as a place is a body (伊和乌拉农场/LOC, mentions)": (
        mention_bodies,
        "_FARM_BODIES",
        False,
    ),
    "a kind word LAC tags as a name is none (林场/PER, mentions)": (
        mention_persons,
        "_KIND_WORDS_NO_NAMES",
        False,
    ),
    "a qualifier before a sent person's post (X选派的援藏医生P)": (roles, "_QUALIFIED_SENT_POSTS", False),
    "a member post after a section of a body (X医院骨科医生P)": (posts, "_SECTIONS_BEFORE_POSTS", False),
    "a principal post graded 高级 leads nothing (高级经理)": (posts, "_SENIOR_GRADES_LEAD_NOTHING", False),
    "村委会 before a post is the one village's of the article": (posts, "_ONE_VILLAGE_COMMITTEES", False),
    "a name LAC read as a verb between a post and 说 (主任包金山说)": (names, "_NAMES_BEFORE_REPORTS", False),
    "a kind word before a member post (分公司客户经理P)": (references, "_STAFF_AFTER_KIND_WORDS", False),
    "persons listed after 选派N名干部： are the unit's": (roles, "_LISTED_AFTER_COLON", False),
    "a county's short name before its committee (澜沧 / 县委书记, mentions)": (
        mention_bodies,
        "_SHORT_NAMED_COMMITTEES",
        False,
    ),
    "a team member whose own sender is named is not the team sender's": (posts, "_OWN_SENDERS_FIRST", False),
    "a college named after its university is its part (X大学Y学院)": (
        references,
        "_COLLEGES_OF_UNIVERSITIES",
        False,
    ),
    "a name's tail LAC cut (阿不 / 都热依木, 索南 / 才让, 孙逸 / 飞挂任, mentions)": (
        mention_persons,
        "_NAME_TAILS",
        False,
    ),
    "a dotted name LAC read as two names (努尔 / 麦麦提·阿不都, mentions)": (
        mention_persons,
        "_DOTTED_RESTS",
        False,
    ),
    "an adverb glued to a Tibetan name (次仁多吉正, mentions)": (
        mention_persons,
        "_TIBETAN_ADVERBS_LEFT_OUT",
        False,
    ),
    "two Tibetan elements in a row (才让东知, mentions)": (mention_persons, "_TIBETAN_PAIRS", False),
    "touching names of Mongolian or Tibetan elements (孟和 / 巴特尔, mentions)": (
        mention_persons,
        "_ADJACENT_NAMES_JOIN",
        False,
    ),
    "a level-named body LAC began as an organisation (省农业/ORG 农村 厅, mentions)": (
        mention_bodies,
        "_LEVEL_OPENS_ORG_WORDS",
        False,
    ),
    "a level-named body LAC read as one word (是/v 县卫生健康局, mentions)": (
        mention_bodies,
        "_WHOLE_WORD_BODIES",
        False,
    ),
    "level-named bodies starting inside another match (吉列村是县X局, mentions)": (
        mention_bodies,
        "_OVERLAPPING_ABBREVIATIONS",
        False,
    ),
    "a sending verb inside an organisation word (X大学选派Y学院, mentions)": (
        mention_bodies,
        "_SPLIT_AT_SENDING_VERBS",
        False,
    ),
    "a place and a department LAC tagged a verb (临夏州财政局/v, mentions)": (
        mention_bodies,
        "_PLACE_DEPARTMENTS_OVER_VERBS",
        False,
    ),
    "an adverb and a join before a level-named body (正和/LOC 村党支部, mentions)": (
        mention_bodies,
        "_ADVERB_JOINS_OPEN",
        False,
    ),
    "a level-named body after 单位 (原单位县林业和草原局, mentions)": (
        mention_bodies,
        "_AFTER_UNIT_WORD",
        False,
    ),
    "two level-named bodies joined by 和 (县财政局和县医院, mentions)": (
        mention_bodies,
        "_LEVEL_NAMED_PAIRS",
        False,
    ),
    "a name before a torn village unit word (巴彦花/nz 嘎查/v, mentions)": (
        mention_places,
        "_NAMES_BEFORE_TORN_UNITS",
        False,
    ),
    "a body's name ends before 驻 and a place (旗农牧局驻Y嘎查/ORG, mentions)": (
        mention_bodies,
        "_SPLIT_AT_STATIONING",
        False,
    ),
    "the word 地委 is a prefecture's committee (mentions)": (
        mention_bodies,
        "_PREFECTURE_COMMITTEE_WORDS",
        False,
    ),
    "the place after 驻 inside an organisation word (X局驻Y嘎查/ORG, mentions)": (
        mention_places,
        "_PLACES_AFTER_STATIONING",
        False,
    ),
    "a prefecture's 地委 (喀什地委)": (context, "_PREFECTURE_COMMITTEES", False),
    "an occupation after 是X的 (P是X医院的主管护师)": (posts, "_OCCUPATIONS_OF_UNITS", False),
    "a member said to be of another unit than the team's sender": (posts, "_OWN_UNITS_AFTER", False),
    "a post held by a person after 由 (队长由P担任)": (posts, "_POSTS_HELD_BY", False),
    "appointments (任命P为X书记)": (posts, "_APPOINTMENTS", False),
    "the places opening a body's name open the post (为柳林镇X村党支部书记)": (
        posts,
        "_CHAINS_OPEN_POSTS",
        False,
    ),
    "a post before a colon and a name (第一书记：P)": (posts, "_POSTS_BEFORE_COLONS", False),
    "a section's head works for the body (规划计划科科长)": (posts, "_SECTION_HEADS_WORK_FOR_BODIES", False),
    "a section's post in a list of posts (第一书记、科研处副处长P)": (posts, "_SECTIONS_IN_LISTS", False),
    "任 before a post opens it (P任队长)": (posts, "_TAKES_AS_OPENER", False),
    "a member's post after a verb is each listed person's (P、Q担任队员)": (posts, "_MEMBERS_SHARE", False),
    "a team-mate of a member (同队的P)": (teams, "_TEAM_MATES", False),
    "a bare 工作队 after a team named in the same sentence": (teams, "_LAST_IN_SENTENCE", False),
    "a village after a parenthesised unit and a comma (P（X局），驻Y村)": (
        roles,
        "_ASIDES_BEFORE_STATIONS",
        False,
    ),
    "a post or occupation between a sending verb and the person (选派客户经理P)": (
        roles,
        "_TITLED_SENT",
        False,
    ),
    "a unit's people named by occupation (X银行的信贷员P)": (roles, "_OCCUPIED_PEOPLE", False),
    "a helped-place noun without 的 (X局定点帮扶村)": (roles, "_HELPED_NOUNS_WITHOUT_OF", False),
    "a person sent to a list of villages (选派P到A村、B村)": (roles, "_SENT_TO_EACH_LISTED", False),
    "a village after the unit a person comes from (P来自X，常驻Y村)": (roles, "_STATIONED_AFTER_UNIT", False),
    "records of notices and lists (P，男，…，X局科员，拟派驻Y村; P——X——Y村)": (roles, "_RECORDS", False),
    "adverbs before a copula (同时也是X的挂包村)": (roles, "_ADVERBS_BEFORE_COPULA", False),
    "bodies listed between a copula and a cue (是A、B共同帮扶的村)": (
        roles,
        "_HELPERS_LISTED_AFTER_COPULA",
        False,
    ),
    "units in parentheses after a village (Y村（派出单位：X）)": (roles, "_SENDERS_IN_PARENTHESES", False),
    "the unit a person goes back to (期满后回到X局)": (roles, "_RETURNS_TO_UNITS", False),
    "stays in each listed village (先后在A村、B村驻村)": (roles, "_STAYS_IN_EACH_LISTED", False),
    "a clause without a subject (，此前曾在Y村驻村)": (roles, "_SUBJECTLESS_STAYS", False),
    "a past stay says nothing of the unit helping": (roles, "_PAST_STAYS_KEEP_UNITS_OUT", False),
    "他/她 after a sending verb (选派她到Y村)": (references, "_SENT_PRONOUNS", False),
    "a kind word naming a team's unit anywhere (慰问学校驻Y村工作队)": (
        references,
        "_TEAM_SENDERS_ANYWHERE",
        False,
    ),
    "units named after a team (工作队由A牵头，B、C派员组成)": (assists, "_UNITS_AFTER_TEAMS", False),
    "places listed before 由X帮扶 (A村和B村由X帮扶)": (assists, "_PLACES_LISTED_BEFORE_BY", False),
    "units counted and named after 其中 (下辖N个村，其中A村)": (places, "_COUNTED_UNITS", False),
    "a place in the same unit as the one before (同镇的Y村)": (places, "_SAME_UNIT_PLACES", False),
    "a name LAC read into its title, before an adverb (书记符志强正…)": (
        names,
        "_NAMES_BEFORE_ADVERBS",
        False,
    ),
}


def _chosen(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _documents(*, skip_test: bool) -> dict[str, tuple[list[Document], list[Any], dict[str, set[str] | None]]]:
    """Each set of text: its documents, its gold and the parts to score (None: all of it)."""
    sets: dict[str, tuple[list[Document], list[Any], dict[str, set[str] | None]]] = {}
    if (DATA / "gold.jsonl").exists():
        parts = {n: p for n, p in PARTS.items() if not (skip_test and n == "test")}
        kept = [p for patterns in parts.values() for p in patterns]
        paths = sorted((DATA / "texts").glob("*.txt"))
        docs = [
            read_document(p, doc_id=p.name)
            for p in paths
            if any(fnmatch.fnmatchcase(p.name, k) for k in kept)
        ]
        gold = [g for g in load_gold(DATA) if any(fnmatch.fnmatchcase(g.doc, k) for k in kept)]
        sets["relations"] = (docs, gold, {n: select_documents(gold, p) for n, p in parts.items()})
    if (PHRASINGS / "gold.jsonl").exists():
        docs = [read_document(p, doc_id=p.name) for p in sorted((PHRASINGS / "texts").glob("*.txt"))]
        gold = load_gold(PHRASINGS)
        phrasing_parts = {n: select_documents(gold, p) for n, p in PHRASING_PARTS.items()}
        sets["phrasings"] = (docs, gold, {n: chosen for n, chosen in phrasing_parts.items() if chosen})
    if (CORPUS / "gold").is_dir():
        docs = [read_document(p, doc_id=p.name) for p in sorted(CORPUS.glob("*.txt"))]
        sets["corpus"] = (docs, load_gold(CORPUS / "gold"), {"corpus gold": None})
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-test", action="store_true", help="leave the test part out: not read, not scored"
    )
    parser.add_argument("--rule", action="append", default=[], help="only rules whose label contains this")
    args = parser.parse_args()
    sets = _documents(skip_test=args.skip_test)
    if "relations" not in sets:
        print(f"skipped: no relation data at {DATA}")
        return 0
    nlp = shared_nlp()

    def find_all() -> dict[str, list[Mention]]:
        return {d.doc_id: nlp(d.text)._.mentions for docs, _, _ in sets.values() for d in docs}

    def score(found: dict[str, list[Mention]]) -> list[str]:
        cells = []
        for docs, gold, parts in sets.values():
            candidates = [c for d in docs for c in extract.extract_candidates(d, found[d.doc_id])]
            entities, facts = resolve_entities(candidates)
            graph = build_graph(docs, entities, facts)
            for chosen in parts.values():
                micro = evaluate(graph, gold, docs=chosen).micro
                cells.append(f"{micro.precision:.3f} / {micro.recall:.3f} ({micro.tp} / {micro.fp})")
        return cells

    mentions = find_all()
    columns = [name for _, _, parts in sets.values() for name in parts]
    print("| rules | " + " | ".join(f"{c} P / R (TP / FP)" for c in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    print("| all | " + " | ".join(score(mentions)) + " |")
    for label, (module, attribute, stand_in) in RULES.items():
        if args.rule and not any(part in label for part in args.rule):
            continue
        original = getattr(module, attribute)
        setattr(module, attribute, stand_in)
        try:
            in_nlp = module in (mentions_module, mention_bodies, mention_persons, mention_places, gazetteer)
            gazetteer.is_generic_name.cache_clear()  # its answers depend on the rules switched off
            print(f"| without {label} | " + " | ".join(score(find_all() if in_nlp else mentions)) + " |")
        finally:
            setattr(module, attribute, original)
    return 0


if __name__ == "__main__":
    sys.exit(main())
