"""Seeded generator of a news-like corpus whose graph grows with its size (for benchmarks only).

Each page is a short report in the style of corpus/ (党建引领, 包联驻村, 结对帮扶) about one county:
its township and villages, the county's and its city's bodies that send first secretaries and work
teams, companies and banks that pair with villages, village party secretaries, leaders visiting. Places
come from the national division table (``kg.divisions``), so chains such as 甘肃省定西市通渭县平襄镇
resolve to official codes; village names, persons (surname + given name), bodies and posts are drawn
afresh for every page, so new pages bring new entities and facts instead of repeating old ones. Each
page also mentions a few entities of earlier pages of its county (a village helped again, a secretary
quoted again), as real news does. The same seed and size give byte-identical files.

The text is generated, not reported: never use it for quality figures.

    .venv/bin/python benchmarks/synthetic_corpus.py --size-mb 10 --out /tmp/synth10
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.divisions import Division, division_table  # noqa: E402

# fmt: off
SURNAMES = list(
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
    "顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = list(
    "国建明华文军平志伟东海勇强永春晓光红丽玉秀英芳兰桂凤艳静霞燕敏丹萍娟婷雪琳晶洁涛"
    "斌鹏辉刚杰磊峰宇浩凯振兴瑞德福林波宏成宁荣新庆安立俊彬飞亮超云龙生学才发忠诚胜利"
    "祥家宝进"
)
VILLAGE_HEADS = (
    "东 西 南 北 上 下 前 后 大 小 新 老 中 高 石 柳 杨 马 "
    "王家 李家 张家 刘家 赵家 陈家 杏 梨 枣 桃 红 黄 白 青 沙 "
    "泉 河 山 岭 双 三 五 龙 凤 金 银 丰 和"
).split()
VILLAGE_TAILS = (
    "庄 营 沟 河 湾 坪 台 岭 寨 堡 店 屯 峪 洼 坡 川 滩 岔 "
    "口 园 林 桥 井 铺 集 塬 坝 垴 窑 场"
).split()
DEPARTMENTS = (
    "财政局 住建局 交通运输局 农业农村局 卫健委 教育局 自然资源局 "
    "林草局 水利局 商务局 民政局 审计局 统计局 司法局 应急管理局 "
    "生态环境局 人社局 文旅局 市场监管局 税务局 发改委 工信局 "
    "退役军人事务局 医保局"
).split()
PARTY_BODIES = (
    "委组织部 委宣传部 委统战部 委政法委 纪委监委 委党校"
).split()
FIRMS = (
    "农业科技 生态农业 食品 建设工程 电力 能源 物流 农牧业 新材料 "
    "旅游开发 乳业 种业 畜牧 果业 光伏 信息技术"
).split()
FIRM_WORDS = (
    "丰泽 绿源 金穗 惠农 兴达 宏远 华信 瑞丰 嘉禾 恒通 润田 天成 "
    "福润 鑫源 益民 康达 富民 盛世 新禾 三农"
).split()
BANKS = (
    "中国农业银行 中国建设银行 中国工商银行 中国邮政储蓄银行 农村商业银行"
).split()
COOPS = (
    "种植专业合作社 养殖专业合作社 农机专业合作社 肉牛养殖合作社 "
    "中药材种植合作社"
).split()
CLOSINGS = (
    "说 介绍说 告诉记者 表示 介绍"
).split()
QUOTES = (
    "今年要把路修通 村里新建了冷库 群众的日子越过越好 产业发展有了新路子 "
    "要让村民的钱袋子鼓起来 集体经济收入翻了一番 大棚蔬菜卖上了好价钱 "
    "下一步要把合作社办好 帮扶不能停 村里的变化大家都看得见"
).split()
FILLER = (
    "近年来，当地坚持党建引领，推动包联驻村工作走深走实。 "
    "各级帮扶力量下沉一线，定规划、找出路、谋发展、解心结。 "
    "驻村干部扎根基层，推门走访，把党的关怀和温暖送到群众中间。 "
    "围绕巩固拓展脱贫攻坚成果同乡村振兴有效衔接，各项工作稳步推进。 "
    "产业发展、基础设施、人居环境持续改善，群众获得感不断增强。 "
    "一茬接着一茬干，一棒接着一棒跑，乡村振兴的新画卷徐徐展开。"
).split()
THEMES = (
    "党建引领聚民心 包联驻村产业兴 结对帮扶见实效 乡村振兴谱新篇 "
    "驻村帮扶暖民心 五力驱动促发展"
).split()
# fmt: on
NEWSPAPERS = ["人民日报", "经济日报", "农民日报", "光明日报", "中国组织人事报"]


@dataclass
class County:
    """A county of the table with its city, province and townships, and what earlier pages named there."""

    division: Division
    city: Division
    province: Division
    townships: list[Division]
    villages: list[tuple[str, str]] = field(default_factory=list)  # (township, village)
    people: list[tuple[str, str]] = field(default_factory=list)  # (village, secretary)


def load_counties() -> list[County]:
    """Every county of the table that has a city, a province and at least one township."""
    table = division_table()
    townships: dict[str, list[Division]] = {}
    for division in table.by_code.values():
        if division.level == "Township":
            townships.setdefault(division.parent, []).append(division)
    counties = []
    for division in sorted(table.by_code.values(), key=lambda d: d.code):
        chain = table.ancestors(division.code)
        if division.level != "County" or len(chain) != 2 or division.code not in townships:
            continue
        if division.name.endswith("市辖区") or division.name in {"城区", "郊区", "矿区"}:
            continue
        counties.append(
            County(division, chain[0], chain[1], sorted(townships[division.code], key=lambda d: d.code))
        )
    return counties


def rng_place(rng: random.Random, county: County) -> str:
    """The county's or its city's name (a party body such as 通渭县委组织部 is named after either)."""
    return county.division.name if rng.random() < 0.5 else county.city.name


class Writer:
    """Draws names and sentences from one random generator, so a seed fixes the whole corpus."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counties = load_counties()

    def person(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def village(self) -> str:
        return (
            self.rng.choice(VILLAGE_HEADS)
            + self.rng.choice(VILLAGE_TAILS)
            + self.rng.choice(("村", "村", "村", "社区"))
        )

    def body(self, county: County) -> str:
        """A sending body: a department or party body of the county or city, a company or a bank branch."""
        roll = self.rng.random()
        if roll < 0.35:
            return county.division.name + self.rng.choice(DEPARTMENTS)
        if roll < 0.55:
            return county.city.name + self.rng.choice(DEPARTMENTS)
        if roll < 0.7:
            return rng_place(self.rng, county) + self.rng.choice(PARTY_BODIES)
        if roll < 0.85:
            return county.city.name + self.rng.choice(FIRM_WORDS) + self.rng.choice(FIRMS) + "有限公司"
        return self.rng.choice(BANKS) + county.division.name + "支行"

    def page(self, number: int) -> tuple[str, dict[str, str]]:
        """One report: a title line, then paragraphs of fact sentences with a little filler."""
        rng = self.rng
        county = rng.choice(self.counties)
        name, city, province = county.division.name, county.city.name, county.province.name
        title = f"{rng.choice(THEMES)} {name}{rng.choice(['包联驻村', '结对帮扶', '党建引领'])}工作纪实"
        paragraphs = [title, ""]
        for _ in range(rng.randint(3, 6)):
            sentences = [rng.choice(FILLER)] if rng.random() < 0.4 else []
            for _ in range(rng.randint(3, 6)):
                sentences.append(self.sentence(county))
            paragraphs.append("".join(sentences))
        year = 2019 + number % 6
        meta = {
            "title": title,
            "newspaper": NEWSPAPERS[number % len(NEWSPAPERS)],
            "date": f"{year}-{1 + number % 12:02d}",
            "place": name,
            "subject": f"synthetic report on {province}{city}{name} (generated, benchmarks only)",
        }
        return "\n".join(paragraphs) + "\n", meta

    def sentence(self, county: County) -> str:
        """One fact-bearing sentence about the county, in one of the forms kg extracts."""
        rng = self.rng
        name, city, province = county.division.name, county.city.name, county.province.name
        township = rng.choice(county.townships).name
        if county.villages and rng.random() < 0.2:
            township, village = rng.choice(county.villages)  # a village of an earlier page, helped again
        else:
            village = self.village()
            county.villages.append((township, village))
        place = rng.choice(
            [
                f"{name}{township}{village}",
                f"{city}{name}{township}{village}",
                f"{province}{city}{name}{township}{village}",
            ]
        )
        person, body, closing = self.person(), self.body(county), rng.choice(CLOSINGS)
        form = rng.randrange(12)
        if form == 0:
            return f"{body}派驻{place}驻村第一书记{person}{closing}，{rng.choice(QUOTES)}。"
        if form == 1:
            return f"{body}与{place}结对帮扶。"
        if form == 2:
            county.people.append((village, person))
            return f"{place}党支部书记、村主任{person}{closing}，{rng.choice(QUOTES)}。"
        if form == 3:
            return f"{body}选派{person}到{place}担任第一书记。"
        if form == 4:
            return f"{body}驻{place}帮扶工作队队长{person}{closing}，{rng.choice(QUOTES)}。"
        if form == 5:
            return f"{body}向{place}捐赠了{rng.randint(2, 90)}万元。"
        if form == 6:
            post = rng.choice(["", "副"]) + {"县": "县长", "旗": "旗长", "区": "区长"}.get(name[-1], "市长")
            return f"{name}委副书记、{post}{person}到{place}调研。"
        if form == 7:
            return f"{place}{rng.choice(COOPS)}理事长{person}{closing}，{rng.choice(QUOTES)}。"
        if form == 8:
            return f"{city}委常委、组织部部长{person}到{place}督导包联驻村工作。"
        if form == 9 and county.people:
            known_village, known = rng.choice(county.people)
            return f"{known_village}党支部书记{known}{closing}，{rng.choice(QUOTES)}。"
        if form == 10:
            return f"{person}是{body}派驻{place}的第一书记。"
        head = "党委书记、董事长" if "公司" in body else "行长" if "银行" in body else "主要负责人"
        return f"{body}{head}{person}到{place}走访。"


def write_corpus(out: Path, size_mb: float, *, seed: int = 14) -> tuple[int, int]:
    """Write pages into ``out`` until they hold ``size_mb`` megabytes of UTF-8; (files, bytes)."""
    out.mkdir(parents=True, exist_ok=True)
    writer = Writer(seed)
    manifest: dict[str, dict[str, str]] = {}
    files = size = 0
    while size < size_mb * 1_000_000:
        text, meta = writer.page(files)
        name = f"synthetic-{files:06d}.txt"
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        manifest[name] = meta
        files, size = files + 1, size + len(data)
    manifest_text = json.dumps({"documents": manifest}, ensure_ascii=False, indent=1, sort_keys=True)
    (out / "manifest.json").write_text(manifest_text + "\n", encoding="utf-8")
    return files, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, required=True, help="Megabytes of text to write.")
    parser.add_argument("--out", type=Path, required=True, help="Directory for the pages and manifest.json.")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    if args.size_mb <= 0:
        print(f"--size-mb must be positive, not {args.size_mb}", file=sys.stderr)
        return 2
    if args.out.exists() and any(args.out.iterdir()):
        print(f"{args.out}: not empty; give a new directory", file=sys.stderr)
        return 2
    files, size = write_corpus(args.out, args.size_mb, seed=args.seed)
    print(json.dumps({"files": files, "bytes": size, "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
