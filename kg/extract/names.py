"""Persons the NER stage missed: names in a list of persons and names right after a post.

LAC tears some names into other words (秘书长单巍全: 秘书长单 / 巍全) or skips names inside a list
(陈晓鹏、黄平、杨天辉); two or three characters that open with a family name and stand where only a name
can stand are read as a person, so that the post before them reaches them.
"""

from __future__ import annotations

import re
from importlib import resources

from kg.extract.common import _PARENTHESIS, _POST_ANYWHERE, covered_mask
from kg.nlp.gazetteer import words
from kg.types import Mention

_LISTED_NAME = re.compile("(?:(?![和与及])[\u4e00-\u9fff]){2,3}")
_NAMES_BETWEEN = re.compile(" *[、和与及](?: *(?:(?![和与及])[\u4e00-\u9fff]){2,3} *[、和与及])+ *")
_SURNAMES = tuple(
    line.strip()
    for line in resources.files("kg").joinpath("data/surnames.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)


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
    covered = covered_mask(named, sentence)
    found = []
    for post in _POST_ANYWHERE.finditer(text, sentence[0], sentence[1]):
        start = post.end()
        if start in starts or start >= sentence[1] or covered[start - sentence[0]]:
            continue
        # 嘎查达巴图说。: a verb of saying after two characters makes three characters ending in it no
        # name; the two are no safer a name (主任高兴说, 书记常常说), so only NER names them
        if _NAMES_BEFORE_REPORTS and _REPORT_AFTER_NAME.match(text, start + 2) is not None:
            continue
        for length in (3, 2):
            end = start + length
            word = text[start:end]
            before_report = (
                _NAMES_BEFORE_REPORTS
                and length == 3
                and _REPORT_AFTER_NAME.match(text, end) is not None
                and not _NOT_IN_NAMES & set(word)
            )
            # 第一书记符志强正带着队员…: three characters, then an adverb opening the verb phrase
            before_adverb = (
                _NAMES_BEFORE_ADVERBS
                and length == 3
                and text[end : end + 1] in _ADVERBS_AFTER_NAMES
                and "\u4e00" <= text[end + 1 : end + 2] <= "\u9fff"
                and not _NOT_IN_NAMES & set(word)
            )
            if (
                end < sentence[1]
                and (_AFTER_NAME.match(text, end) or before_report or before_adverb)
                and word.startswith(_SURNAMES)
                and all("\u4e00" <= c <= "\u9fff" for c in word)
                and not any(covered[start - sentence[0] : end - sentence[0]])
            ):
                found.append(Mention(word, "Person", word, start, end))
                break
    return found


def _names_before_comrade(text: str, sentence: tuple[int, int], named: list[Mention]) -> list[Mention]:
    """Persons NER missed before 同志: 2–3 characters from a family name, after a break, a join or a post.

    News names officials as 王刚同志 and lists them as 队员王刚、李明同志; 同志 follows a name, so a
    family name and one or two characters right before it, opening a phrase, name a person.
    """
    covered = covered_mask(named, sentence)
    found = []
    for comrade in _COMRADE.finditer(text, sentence[0], sentence[1]):
        end = comrade.start()
        for length in (3, 2):
            start = end - length
            word = text[start:end]
            if (
                start >= sentence[0]
                and word.startswith(_SURNAMES)
                and all("\u4e00" <= c <= "\u9fff" for c in word)
                and not any(covered[start - sentence[0] : end - sentence[0]])
                and (start == sentence[0] or _BEFORE_NAME.search(text, sentence[0], start) is not None)
            ):
                found.append(Mention(word, "Person", word, start, end))
                break
    return found


_COMRADE = re.compile("同志(?!们)")  # 同志们 addresses an audience
# What may come right before a name there: a clause break, a list join or a post (队员王刚同志).
_BEFORE_NAME = re.compile("(?:[，。、；,;：:（(]|及|和|与|" + _POST_ANYWHERE.pattern + ")$")

# What may follow a person's name there: a clause break or a list join (a verb would let 强调 pass as a
# name: 书记强调).
_AFTER_NAME = re.compile("[，。、；,;（(]|及|和|与")
# Whether three characters from a family name between a post and a verb of saying are a name LAC read
# as a verb (村委会主任包金山/v 说): news quotes officials as "post, name, 说"; only three characters, as
# two may be an adverb and a verb (书记再说), and none of the particles and adverbs that make a phrase
# of them (书记高兴地说, 主任也表示).
_NAMES_BEFORE_REPORTS = True
_REPORT_AFTER_NAME = re.compile(
    "(?:" + "|".join(sorted(words("report_verb"), key=len, reverse=True)) + ")(?:[，,：:。“]|道)"
)
_NOT_IN_NAMES = frozenset("地得的着了过也都又还就再很更最便才所将已曾正在")
# Whether three characters from a family name after a post and before an adverb (书记符志强正带着) are a
# name: an adverb opens the verb phrase of the subject the post and the name make.
_NAMES_BEFORE_ADVERBS = True
_ADVERBS_AFTER_NAMES = frozenset("正也还都又已便就曾先则")
