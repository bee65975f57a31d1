"""Time adding one article to a build of the synthetic corpus, against the full build, and check the result.

Writes the synthetic corpus (benchmarks/synthetic_corpus.py), builds it with `kg build`, adds one
article of about 600 characters with `kg add`, then builds the corpus (article included) again from
scratch and compares: graph.ttl (when written), every quad of the store, and the report's counts.
Each command runs as its own process, as a user runs it (model loading included).

    .venv/bin/python benchmarks/incremental_bench.py --size-mb 3 --workdir /tmp/incr3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.store import GraphStore  # noqa: E402

# about 600 characters of news in the corpus's style, naming places, bodies and persons that the
# synthetic pages also use (so it joins their entities) and a few new ones
ARTICLE = (
    "甘肃省定西市通渭县平襄镇东庄村召开乡村振兴推进会。县财政局派驻东庄村驻村第一书记王建明介绍，"
    "今年以来，工作队围绕产业发展、基础设施和基层党建三件事，逐户走访了全村二百三十六户群众，"
    "帮助村里争取到衔接资金一百二十万元，新修产业路四公里，建成马铃薯储藏窖六座。"
    "东庄村党支部书记李国华说，过去村里的马铃薯只能在地头低价卖掉，现在有了储藏窖，"
    "可以错峰销售，每斤能多卖两到三毛钱。定西市农业农村局与东庄村结对帮扶，"
    "市农业农村局副局长张海涛带队来村调研，查看了储藏窖和合作社的账目，"
    "要求工作队把帮扶资金用在刀刃上。通渭县农村信用合作联社与东庄村签订了结对协议，"
    "为二十八户种植大户发放小额信贷一百四十万元。平襄镇党委书记赵志伟表示，"
    "镇里将把东庄村的做法推广到全镇十二个村，继续选派干部驻村帮扶，"
    "让包联单位、驻村工作队和村两委形成合力。县委组织部派驻西岭村驻村第一书记刘晓光也来东庄村取经，"
    "他说西岭村的中药材产业同样需要冷链和储藏设施，下一步将与东庄村合作社联合申报项目。"
    "东庄村村民委员会主任陈永春介绍，村里还成立了红白理事会和道德评议会，"
    "每季度评选一次文明家庭，乡风文明建设取得明显成效。定西市委组织部副部长孙立新到东庄村督导时强调，"
    "驻村干部要沉下身子、真帮实扶，把群众的急难愁盼一件件办好。通渭县卫健委派驻南沟村驻村第一书记周丽"
    "也介绍了南沟村发展庭院经济、开办扶贫车间的经验，目前车间吸纳了四十多名群众就近就业。"
)


def kg(*args: str) -> tuple[float, float]:
    """Run a kg command in a process of its own; its wall time and CPU time (with its workers) in seconds.

    The CPU time says what the command costs when other work shares the cores.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg", *args], check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def fingerprint(out: Path) -> dict[str, object]:
    """What must be equal between two builds: graph.ttl's hash, the store's quads' hash, the counts."""
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    store = GraphStore.open(out / "store", read_only=True)
    quads = hashlib.sha256("\n".join(sorted(str(q) for q in store.inner)).encode("utf-8")).hexdigest()
    del store
    ttl = out / "graph.ttl"
    return {
        "graph.ttl": hashlib.sha256(ttl.read_bytes()).hexdigest() if ttl.exists() else None,
        "quads": quads,
        "counts": report["counts"],
        "derived": report["store"]["derived"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=3.0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kg-incremental-bench"))
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    corpus, out, clean, inbox = work / "corpus", work / "out", work / "clean", work / "inbox"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/synthetic_corpus.py"), "--size-mb", str(args.size_mb)]
        + ["--out", str(corpus)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    jobs = ["--jobs", str(args.jobs)]
    full_s, full_cpu = kg("build", str(corpus), "--out", str(out), "-q", *jobs)
    inbox.mkdir()
    article = inbox / "added-article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    add_s, add_cpu = kg("add", str(article), "--out", str(out))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    clean_s, _ = kg("build", str(corpus), "--out", str(clean), "-q", *jobs)
    equal = fingerprint(out) == fingerprint(clean)
    result = {
        "size_mb": args.size_mb,
        "documents": report["counts"]["documents"].get("ok", 0),
        "triples": report["store"]["triples"],
        "full_build_s": round(full_s, 1),
        "full_build_cpu_s": round(full_cpu, 1),
        "add_one_article_s": round(add_s, 1),
        "add_one_article_cpu_s": round(add_cpu, 1),
        "fraction": round(add_s / full_s, 3),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "clean_build_with_article_s": round(clean_s, 1),
        "add_timings_s": report["timings_s"],
        "add_store": report["store"],
        "article_chars": len(ARTICLE),
        "equal_to_clean_build": equal,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if not equal:
        raise SystemExit("the incremental build differs from a clean build")


if __name__ == "__main__":
    main()
