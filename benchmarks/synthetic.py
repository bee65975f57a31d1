"""Seeded generator of a synthetic kg build (for benchmarks): N-Quads of the project's own shape.

Places in a province > city > county > township > village tree, bodies, people, the five relations, one
kg:Assertion per statement with its sentence and offsets, documents and W3C ORG memberships. The RDF is
made by kg.rdf itself (``document_graph``): one named graph per document, then their union as the
default graph with the triples kg.derive adds to it (``kg:within``, ``kg:inCounty``, ...), as
``kg build`` stores them; the size counts the union's triples, not the derived ones. A few real
facts of corpus/ are planted so the canned queries' default parameters (包头市, 乌审旗, 梁高峰,
鄂尔多斯市住建局 → 木都柴达木村) have answers.

    .venv/bin/python benchmarks/synthetic.py 100k out.nq
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

# fmt: off
CITIES = ["呼和浩特市", "包头市", "乌海市", "赤峰市", "通辽市", "鄂尔多斯市", "呼伦贝尔市", "巴彦淖尔市",
          "乌兰察布市", "兴安盟", "锡林郭勒盟", "阿拉善盟"]
SYLLABLES = list("乌兰巴彦图克嘎鲁沙也青山白音查干哈达宝格达敖包布日都新华红星民丰胜利东西南北阿拉善呼和")
SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾")
GIVEN = list("国义晶峰伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志宏红玉福生华金海")
DEPARTMENTS = ["住建局", "农牧局", "交通运输局", "自然资源局", "财政局", "卫健委", "教育局", "林草局"]
FILLER = "围绕乡村振兴战略推动产业发展完善基础设施提升群众生活水平加强基层组织建设开展帮扶工作"
# fmt: on
NEWSPAPER = (("newspaper", "内蒙古日报"), ("date", "2023"))


def parse_size(text: str) -> int:
    """'100k' -> 100_000, '1M' -> 1_000_000, '250000' -> 250_000."""
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1].lower(), 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


class World:
    """Entities of the synthetic corpus, named on demand, each name unique."""

    def __init__(self, rng: random.Random) -> None:
        from kg.types import Entity

        self.rng = rng
        self.entities: dict[str, Entity] = {}
        self.names: set[str] = set()
        self.province = self.entity("place/内蒙古自治区", "内蒙古自治区", "Province")
        self.cities = [self.entity(f"place/{c}", c, "City") for c in CITIES]
        self.counties: dict[str, list[str]] = {c: [] for c in self.cities}

    def entity(self, key: str, name: str, kind: str, aliases: frozenset[str] = frozenset()) -> str:
        from kg.types import Entity

        if key not in self.entities:
            self.entities[key] = Entity(key, name, kind, aliases)
            self.names.add(name)
        return key

    def fresh(self, suffix: str, *, length: int = 2) -> str:
        while True:
            name = "".join(self.rng.choice(SYLLABLES) for _ in range(length)) + suffix
            if name not in self.names:
                return name
            length += self.rng.random() < 0.1  # grow when the short names run out

    def person(self) -> str:
        while True:
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(2))
            if name not in self.names:
                return self.entity(f"person/{name}", name, "Person")


def generate(target: int, seed: int, out: Path) -> dict[str, int]:
    """Write a synthetic build of about ``target`` union triples (plus derived ones) to ``out`` as N-Quads."""
    from kg.derive import CLASSES_READ, DERIVED_FROM, RDF_TYPE, derive
    from kg.rdf import document_graph, document_iri
    from kg.types import DocumentInfo, Evidence, Fact

    rng = random.Random(seed)
    world = World(rng)
    union: set[str] = set()
    sources = {p for predicates in DERIVED_FROM.values() for p in predicates} - {RDF_TYPE}
    facts_read: set[tuple[str, str, str]] = set()  # what kg.derive reads, as a build's store gives it
    documents = facts_total = 0

    def statement(doc_id: str, s: str, p: str, o: str, offset: int, post: str = "") -> Fact:
        subject, obj = world.entities[s].canonical, world.entities[o].canonical
        sentence = f"{subject}{post or p}{obj}，" + FILLER[: rng.randrange(20, len(FILLER))] + "。"
        return Fact(s, p, o, Evidence(doc_id, sentence, offset, offset + len(sentence)), post)

    def planted(doc_id: str) -> list[Fact]:
        e = world.entity
        chain = [
            ("place/木都柴达木村", "木都柴达木村", "Village"),
            ("place/嘎鲁图镇", "嘎鲁图镇", "Township"),
            ("place/乌审旗", "乌审旗", "County"),
        ]
        for key, name, kind in chain:
            e(key, name, kind)
        world.counties["place/鄂尔多斯市"].append("place/乌审旗")
        e("org/鄂尔多斯市住建局", "鄂尔多斯市住建局", "GovernmentBody", frozenset({"市住建局"}))
        e("org/鄂尔多斯市委组织部", "鄂尔多斯市委组织部", "PartyBody")
        e("person/董晶", "董晶", "Person")
        e("person/梁高峰", "梁高峰", "Person")
        rows = [
            ("place/木都柴达木村", "locatedIn", "place/嘎鲁图镇", ""),
            ("place/嘎鲁图镇", "locatedIn", "place/乌审旗", ""),
            ("place/乌审旗", "locatedIn", "place/鄂尔多斯市", ""),
            ("org/鄂尔多斯市住建局", "assists", "place/木都柴达木村", ""),
            ("person/董晶", "servesIn", "place/木都柴达木村", "驻村第一书记"),
            ("person/董晶", "worksFor", "org/鄂尔多斯市住建局", "派驻"),
            ("person/梁高峰", "worksFor", "org/鄂尔多斯市委组织部", "副部长"),
        ]
        return [statement(doc_id, s, p, o, 100 * i, post) for i, (s, p, o, post) in enumerate(rows)]

    with out.open("w", encoding="utf-8") as sink:
        while len(union) < target:
            doc_id = f"synthetic-{documents:06d}.txt"
            city = rng.choice(world.cities)
            facts = planted(doc_id) if documents == 0 else []
            offset = 1000
            # a page covers one county: a new one or, one time in three, one covered before
            counties = world.counties[city]
            if counties and rng.random() < 0.33:
                county = rng.choice(counties)
            else:
                name = world.fresh(rng.choice("旗县区"))
                county = world.entity(f"place/{name}", name, "County")
                counties.append(county)
                facts.append(statement(doc_id, county, "locatedIn", city, offset))
            county_name = world.entities[county].canonical
            bureau_name = county_name + rng.choice(DEPARTMENTS)
            bureau = world.entity(f"org/{bureau_name}", bureau_name, "GovernmentBody")
            facts.append(statement(doc_id, bureau, "locatedIn", county, offset))
            for _ in range(rng.randrange(2, 5)):  # townships, each with a few villages
                town_name = world.fresh(rng.choice(["镇", "苏木", "乡"]))
                town = world.entity(f"place/{town_name}", town_name, "Township")
                offset += 120
                facts.append(statement(doc_id, town, "locatedIn", county, offset))
                for _ in range(rng.randrange(2, 6)):
                    village_name = world.fresh(rng.choice(["村", "嘎查", "社区"]))
                    village = world.entity(f"place/{village_name}", village_name, "Village")
                    offset += 120
                    facts.append(statement(doc_id, village, "locatedIn", town, offset))
                    roll = rng.random()
                    if roll < 0.22:
                        branch_name = village_name + "党支部"
                        branch = world.entity(f"org/{branch_name}", branch_name, "PartyBody")
                        facts.append(statement(doc_id, world.person(), "heads", branch, offset, "党支部书记"))
                        facts.append(statement(doc_id, branch, "locatedIn", village, offset))
                    elif roll < 0.28:
                        facts.append(statement(doc_id, bureau, "assists", village, offset))
                    elif roll < 0.31:
                        person = world.person()
                        facts.append(statement(doc_id, person, "servesIn", village, offset, "驻村第一书记"))
                        facts.append(statement(doc_id, person, "worksFor", bureau, offset, "派驻"))
            for _ in range(rng.randrange(0, 3)):
                facts.append(statement(doc_id, world.person(), "worksFor", bureau, offset, "副局长"))
            info = DocumentInfo(doc_id, f"合成新闻 {documents}", NEWSPAPER)
            labels = {k: e.canonical for k, e in world.entities.items()}
            graph = document_graph(info, world.entities, facts, labels)
            name = document_iri(doc_id).n3()
            for s, p, o in graph:
                triple = f"{s.n3()} {p.n3()} {o.n3()}"
                sink.write(f"{triple} {name} .\n")
                union.add(triple)
                if str(p) in sources:
                    facts_read.add((s.n3(), str(p), o.n3()))
                elif str(p) == RDF_TYPE and str(o) in CLASSES_READ:
                    facts_read.add((s.n3(), RDF_TYPE, str(o)))
            documents += 1
            facts_total += len(facts)
        derived = sorted(
            f"{s} <{predicate}> {o}" for predicate, pairs in derive(facts_read).items() for s, o in pairs
        )
        for triple in [*sorted(union), *derived]:
            sink.write(f"{triple} .\n")
    return {"documents": documents, "statements": facts_total, "triples": len(union), "derived": len(derived)}


if __name__ == "__main__":
    print(generate(parse_size(sys.argv[1]), 7, Path(sys.argv[2])))
