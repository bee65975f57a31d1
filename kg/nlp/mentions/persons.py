"""Persons: LAC's names, run on where it cut them, without the titles it read into them."""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import cache
from importlib import resources

from kg.nlp.gazetteer import (
    org_kind,
)
from kg.nlp.gazetteer import (
    words as words_of,
)
from kg.nlp.lac import Word
from kg.nlp.mentions.common import (
    _DOTTED_PERSON_MAX,
    _GLUED_BODY,
    _PERSON_MAX,
    _TITLE_ENDINGS,
    _TITLES,
)
from kg.types import Mention

# Whether a person's name runs on over a middle dot LAC tore it at (names of minority nationalities).
_MIDDLE_DOTS = True
_NAME_PART = re.compile("[\u4e00-\u9fff]{1,6}")


# Whether a word after a title that opens with a family name is read as a name LAC missed (书记高峰介绍).
# Off: it found no fact on the development part, the corpus or the project's phrasings, and added two
# false positives on the held-out test part (benchmarks/rule_ablation.py); MSRA PER F1 is 79.1 either way.
_TITLED_NAMES = False
# Principal, team and village posts name one holder; member posts (干部, 党员, 成员) also name groups.
_NAME_TITLES = tuple(
    sorted(
        {
            w
            for kind in ("principal_post", "team_post", "stationed_post", "name_title")
            for w in words_of(kind)
        },
        key=len,
        reverse=True,
    )
)
_REPORT_VERBS = frozenset(words_of("report_verb"))
# What may stand right after such a name: punctuation, a join, 同志, or a verb of saying.
_AFTER_TITLED_NAME = frozenset({"和", "与", "及", "同志", "等", "一行"})
# LAC tags of words a name was misread as (高峰/n, 文明/ad, 金山/LOC, 万里/m); a verb, an adverb or a
# function word after a title is what the holder does (书记强调), never a name.
_MISREAD_NAME_TAGS = frozenset({"n", "nz", "ad", "a", "an", "LOC", "m", "s", "nw"})


@cache
def _surnames() -> tuple[str, ...]:
    text = resources.files("kg").joinpath("data/surnames.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _titled_names(words: list[Word], text: str) -> list[Mention]:
    """Names LAC missed right after a title: 第一书记文明说, 村党支部书记高峰介绍, 驻村干部金山和队员向阳.

    A word of two or three characters after a post or a title, opening with a family name
    (``data/surnames.txt``), tagged as a noun, an adjective or a place rather than a verb, and followed
    by a clause break, a join or a verb of saying (``report_verb``), is a name; a surname LAC cut off
    on its own (王 / 喜梅) joins the word after it.
    """
    found = []
    for i in range(len(words) - 2):
        s, e, _ = words[i]
        if not text.endswith(_NAME_TITLES, s, e):
            continue
        start, end, tag = words[i + 1]
        after = i + 2
        if end - start == 1 and after < len(words) and words[after][1] - start <= 3:  # 王 / 喜梅
            end, tag, after = words[after][1], words[after][2], after + 1
        name = text[start:end]
        if not (2 <= len(name) <= 3 and tag in _MISREAD_NAME_TAGS and name.startswith(_surnames())):
            continue
        if not all("\u4e00" <= c <= "\u9fff" for c in name) or after >= len(words):
            continue
        following = text[words[after][0] : words[after][1]]
        if words[after][2] == "w" or following in _AFTER_TITLED_NAME or following in _REPORT_VERBS:
            found.append(Mention(name, "Person", name, start, end))
    return found


# Whether a word that names a body by its kind (林场, 学校: data/body_references.tsv) is never a person,
# whatever LAC tags it (林场/PER 场长/n): such words are common nouns, not given names.
_KIND_WORDS_NO_NAMES = True


@cache
def _kind_words() -> frozenset[str]:
    text = resources.files("kg").joinpath("data/body_references.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return frozenset(row[1] for row in rows if len(row) == 3)


_KIND_WORDS = _kind_words()


# Whether a name LAC cut is run on: a dotted name over its torn first and last parts, a Tibetan name
# over the last character of its second element.
_NAME_RUNS = True
_TIBETAN_PARTS = frozenset(words_of("tibetan_name_part"))
# Words that never open a name part: function words, punctuation, and words LAC knows as names or places.
_NOT_NAME_PARTS = {"w", "p", "c", "u", "r", "q", "m", "PER", "LOC", "ORG", "TIME", "f"}


def _whole_name(words: list[Word], i: int, text: str, s: int, e: int) -> tuple[int, int] | None:
    """The span of the whole name of which LAC read ``text[s:e]`` (word ``i``) as a person.

    Transliterated names (买买提江·吐尔地) are foreign to LAC's lexicon: it reads the first syllables
    as a word of their own (买买 / 提江·吐尔 / 地) and the last syllable as a particle. A dotted name
    takes the word right before it when that word is a short content word (no post: 队长 stays out),
    and a one-character particle or adverb after it when a clause break or a verb follows. A Tibetan name
    read as an element and one character takes the next character when the two form an element
    (次仁旺 / 堆 -> 次仁旺堆; ``tibetan_name_part``), or one character and an element the character before
    (医次 / 仁卓玛 -> 次仁卓玛). Both parts of a dotted name read as two names (提明 / · / 吐尔洪) are one
    name: the first takes the second, and the second (None) is no name of its own.
    """
    if i >= 2 and text[words[i - 1][0] : words[i - 1][1]] == "·" and words[i - 2][2] == "PER":
        return None
    # 努尔 / 麦麦提·阿不都: the first part of a dotted name read as a name of its own before the rest
    if _DOTTED_RESTS and i + 1 < len(words) and _dotted_rest(words[i + 1], text, e):
        return None
    if (
        _DOTTED_RESTS
        and i > 0
        and "·" in text[s:e]
        and _dotted_rest(words[i], text, words[i - 1][1])
        and words[i - 1][2] == "PER"
    ):
        s = words[i - 1][0]
    if i + 2 < len(words) and text[words[i + 1][0] : words[i + 1][1]] == "·" and words[i + 2][2] == "PER":
        e = words[i + 2][1]
    if "·" in text[s:e]:
        if i > 0:
            ps, pe, ptag = words[i - 1]
            previous = text[ps:pe]
            if (
                pe == s
                and 2 <= pe - ps <= 3
                and ptag not in _NOT_NAME_PARTS
                and _NAME_PART.fullmatch(previous)
                and not previous.endswith(_TITLES + _NAME_TITLES)
            ):
                s = ps
        last = text[e - 1 :: -1].find("·")
        if last <= 2 and i + 2 < len(words):
            ns, ne, ntag = words[i + 1]
            if ne - ns == 1 and ntag in ("u", "xc", "d") and words[i + 2][2] in ("w", "v"):
                e = ne
        return s, e
    if (
        _TIBETAN_ADVERBS_LEFT_OUT
        and e - s == 5
        and text[s : s + 2] in _TIBETAN_PARTS
        and text[s + 2 : s + 4] in _TIBETAN_PARTS
        and text[s + 4] in _ADVERB_OPENERS
    ):
        return s, s + 4  # 次仁多吉正/PER 和社员…: two elements, then an adverb LAC glued to them
    if e - s == 3 and text[s : s + 2] in _TIBETAN_PARTS and i + 1 < len(words):
        ns, ne, _ = words[i + 1]
        if ns == e and text[e - 1] + text[ns] in _TIBETAN_PARTS:
            e = ns + 1
    elif e - s == 3 and s > 0 and text[s - 1 : s + 1] in _TIBETAN_PARTS and text[s + 1 : e] in _TIBETAN_PARTS:
        s -= 1
    return s, e


# Whether a dotted name LAC read as two names (努尔 / 麦麦提·阿不都) is one.
_DOTTED_RESTS = True
# Whether an adverb LAC glued to a name of two Tibetan elements (次仁多吉正) is left out of it.
_TIBETAN_ADVERBS_LEFT_OUT = True


def _dotted_rest(word: Word, text: str, previous_end: int) -> bool:
    """Whether ``word`` is a name with a middle dot right after a person word ending at ``previous_end``."""
    ws, we, tag = word
    return tag == "PER" and ws == previous_end and "·" in text[ws:we] and not text.startswith("·", ws)


# Whether a name LAC cut short runs on over the word after it: a dotted name over a word of
# transliteration characters, a Tibetan element over the next element, a two-character name over the
# one character LAC glued to a verb after it (孙逸 / 飞挂任).
_NAME_TAILS = True
_TRANSLITERATION = frozenset("".join(words_of("transliteration_char")))
# Verbs after a name that LAC may glue the name's last character to (飞挂任 = 飞 + 挂任).
_VERBS_AFTER_NAMES = frozenset(words_of("takes_post") + words_of("report_verb"))
# Characters that open an adverb before such a verb (又担任, 也表示), never the end of a name.
_ADVERB_OPENERS = frozenset("又也还再曾已现正将就便亦仍即均都先后并则")
# Tags of a one-character first syllable LAC tore off a dotted name (热/PER 合曼·艾海提, 买/v 买提·…).
_HEAD_TAGS = frozenset({"PER", "v", "n", "nz"})
_NO_TAIL_TAGS = frozenset({"w", "p", "c", "u", "vn", "PER", "m", "q", "r", "TIME", "f", "LOC"})


def _name_tail(words: list[Word], starts: list[int], text: str, s: int, e: int) -> tuple[int, int]:
    """The span of the name at ``text[s:e]`` with the part LAC cut from it, else ``(s, e)``.

    Transliterated names (艾尔肯·阿不都热依木) are foreign to LAC: it ends the name inside the last
    part and tags the rest as an adverb, a body or verbs (阿不 / 都热依木/d, 吐尔逊 / 别克/ORG, 艾合 /
    买 / 提别克); words of transliteration characters only (``transliteration_char``) right after the
    part after the dot are the rest of it, as no Chinese word after a name is made of those characters
    alone (a lone one-character verb such as 买 in 买了 excepted, unless a verb or a break follows it:
    阿布都 / 拉 / 陪同). A Tibetan name of two elements read
    as one (索南 / 才 / 让, 才 / 让 / 多杰) takes the other when the two characters next to it form
    one and end a word (``tibetan_name_part``). A two-character name before a word made of one character
    and a verb that follows persons (孙逸 / 飞挂任: ``takes_post``, ``report_verb``) takes the character,
    since that word is no word of its own.
    """
    at = bisect_left(starts, e)
    last = text[s:e].rfind("·")
    if last >= 0:
        here = bisect_left(starts, s)
        if 0 < here <= len(words) and starts[here - 1] < s and words[here - 1][1] == s:
            # 热/PER + 合曼·艾海提: the first syllable LAC tore off as a word of its own
            ps, pe, ptag = words[here - 1]
            if (
                pe - ps == 1
                and ptag in _HEAD_TAGS
                and text[ps] in _TRANSLITERATION
                and text.find("·", s, e) - s <= 6
            ):
                s = ps
        end = e
        if at >= len(words) or starts[at] != e:
            return s, e
        while (
            at < len(words)
            and words[at][2] not in _NO_TAIL_TAGS
            and words[at][1] - (s + last + 1) <= 8
            and all(c in _TRANSLITERATION for c in text[words[at][0] : words[at][1]])
        ):
            if words[at][1] - words[at][0] >= 2 or words[at][2] != "v":
                end = words[at][1]
            elif at + 1 < len(words) and words[at + 1][2] in ("v", "w") and end == words[at][0]:
                end = words[at][
                    1
                ]  # 阿布都 / 拉/v / 陪同/v: a verb follows, so 拉 is the name's last syllable
            at += 1
        return s, end
    if e - s == 2 and text[s:e] in _TIBETAN_PARTS:
        if text[e : e + 2] in _TIBETAN_PARTS:
            after = bisect_left(starts, e + 2)
            if at < len(words) and starts[at] == e and (after == len(words) or starts[after] == e + 2):
                return s, e + 2
        if s >= 2 and text[s - 2 : s] in _TIBETAN_PARTS:
            before = bisect_left(starts, s - 2)
            if before < len(words) and starts[before] == s - 2:
                return s - 2, e
        return s, e
    if at >= len(words) or starts[at] != e:
        return s, e
    word = text[words[at][0] : words[at][1]]
    if (
        e - s == 2
        and len(word) >= 3
        and word[1:] in _VERBS_AFTER_NAMES
        and word not in _VERBS_AFTER_NAMES
        and word[0] not in _ADVERB_OPENERS
        and "\u4e00" <= word[0] <= "\u9fff"
    ):
        return s, e + 1
    return s, e


def _person_mentions(words: list[Word], text: str) -> list[Mention]:
    persons = _titled_names(words, text) if _TITLED_NAMES else []
    if _ADJACENT_NAMES_JOIN:
        words = _joined_adjacent_names(words, text)
    starts = [w[0] for w in words]
    for i, (s, e, tag) in enumerate(words):
        if tag != "PER" or (_KIND_WORDS_NO_NAMES and text[s:e] in _KIND_WORDS):
            continue
        # LAC cuts long names (Mongolian, Tibetan, Uyghur) and tags the rest as a particle (吉日 / 嘎):
        # a particle between the name and the end of the clause belongs to the name
        if i + 2 < len(words) and words[i + 1][2] == "xc" and words[i + 2][2] == "w":
            e = words[i + 1][1]
        # and the part after a middle dot (阿不都热合曼 / · / 买买提), which it tags as anything
        if _MIDDLE_DOTS and i + 2 < len(words) and text[words[i + 1][0] : words[i + 1][1]] == "·":
            rest = text[words[i + 2][0] : words[i + 2][1]]
            if words[i + 2][2] not in ("w", "PER") and _NAME_PART.fullmatch(rest):
                e = words[i + 2][1]
        # or with the dot inside the name it read, the part after it left out (阿依古丽· / 买买提)
        if _MIDDLE_DOTS and text[e - 1] == "·" and i + 1 < len(words):
            rest = text[words[i + 1][0] : words[i + 1][1]]
            e = words[i + 1][1] if words[i + 1][2] != "w" and _NAME_PART.fullmatch(rest) else e - 1
        if _NAME_RUNS:
            whole = _whole_name(words, i, text, s, e)
            if whole is None:
                continue
            s, e = whole
        if _NAME_TAILS:
            s, e = _name_tail(words, starts, text, s, e)
        title = (_TITLE_ENDINGS.first(text[s + 2 : e]) or ("", ""))[0]
        e -= len(title)  # 王刚书记/PER: the name, then the title LAC read into it
        glued = _GLUED_BODY.search(text, s + 2, e)
        if glued is not None and org_kind(text[glued.end() : e]):
            e = glued.start()  # 钱永福及县林业局/PER: a name and the body listed after it
        longest = _DOTTED_PERSON_MAX if "·" in text[s:e] else _PERSON_MAX
        if 2 <= e - s <= longest and not re.search(r"[^\u4e00-\u9fff·]", text[s:e]):
            persons.append(Mention(text[s:e], "Person", text[s:e], s, e))
    if _TIBETAN_PAIRS:
        persons += _tibetan_pairs(text, persons)
    return persons


# Whether two names LAC read right after each other (孟和/PER 巴特尔/PER) are one name.
_ADJACENT_NAMES_JOIN = True
_MINORITY_PARTS = frozenset(words_of("mongolian_name_part")) | _TIBETAN_PARTS


def _joined_adjacent_names(words: list[Word], text: str) -> list[Word]:
    """The words with two person words that touch joined into one: 孟和 + 巴特尔 -> 孟和巴特尔.

    LAC reads long Mongolian and Tibetan names as two names in a row. Lists of Han names run names
    together too where the page set them apart by spaces (李鹏乔石李瑞环), so two names join only when
    one of them is an element of Mongolian or Tibetan names (``mongolian_name_part``,
    ``tibetan_name_part``).
    """
    joined: list[Word] = []
    for word in words:
        if (
            joined
            and word[2] == "PER"
            and joined[-1][2] == "PER"
            and joined[-1][1] == word[0]
            and word[1] - joined[-1][0] <= _PERSON_MAX
            and all("\u4e00" <= c <= "\u9fff" for c in text[joined[-1][0] : word[1]])
            and (
                text[joined[-1][0] : joined[-1][1]] in _MINORITY_PARTS
                or text[word[0] : word[1]] in _MINORITY_PARTS
            )
        ):
            joined[-1] = (joined[-1][0], word[1], "PER")
        else:
            joined.append(word)
    return joined


# Whether two Tibetan name elements in a row (才让 + 东知) are a name wherever LAC put them.
_TIBETAN_PAIRS = True


def _tibetan_pairs(text: str, persons: list[Mention]) -> list[Mention]:
    """Names of two Tibetan elements (``tibetan_name_part``) LAC did not read as a person.

    LAC tears 才让东知 into 才/d 让/v 东知/ORG.
    Four characters that are two common elements of Tibetan names in a row are a name: the elements
    are names, not words, and LAC, which knows few of them, tears such names apart.
    """
    taken = bytearray(len(text) + 1)
    for p in persons:
        taken[p.start : p.end] = b"\x01" * (p.end - p.start)
    found = []
    for match in _tibetan_pair_pattern().finditer(text):
        s, e = match.span()
        if not any(taken[s:e]) and not (
            "\u4e00" <= text[e : e + 1] <= "\u9fff" and text[e : e + 2] in _TIBETAN_PARTS
        ):
            found.append(Mention(match.group(), "Person", match.group(), s, e))
    return found


@cache
def _tibetan_pair_pattern() -> re.Pattern[str]:
    parts = "|".join(sorted(_TIBETAN_PARTS))
    return re.compile(f"(?:{parts})(?:{parts})")
