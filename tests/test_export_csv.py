"""``kg export --format csv``: nodes and edges tables with evidence columns, UTF-8 with BOM.

Kept apart from tests/test_export.py, whose tests all need the corpus build (slow): these build a
small graph from hand-made facts, so they run in the quick suite.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.export import export_csv, to_csv
from kg.ontology import KGR
from kg.rdf import build_graph
from kg.store import serialize_turtle
from kg.types import Document, Entity, Evidence, Fact

TEXT_SECOND = "王海林任乌兰什巴台村党支部书记，鄂尔多斯市住建局再次帮扶乌兰什巴台村。"


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    text = (
        "鄂尔多斯市住建局帮扶乌兰什巴台村。\n"
        "王海林任乌兰什巴台村党支部书记，鄂尔多斯市住建局再次帮扶乌兰什巴台村。"
    )
    doc = Document("a.txt", text, text, tuple(range(len(text))), "标题", (("date", "2023-05-16"),))
    entities = [
        Entity("org", "鄂尔多斯市住建局", "GovernmentBody", frozenset({"市住建局"})),
        Entity("village", "乌兰什巴台村", "Village", code="150626101201"),
        Entity("person", "王海林", "Person"),
    ]
    second = text.index("鄂尔多斯市住建局再次")
    facts = [
        Fact("org", "assists", "village", Evidence("a.txt", text[second:], second, len(text))),
        Fact("org", "assists", "village", Evidence("a.txt", text[:17], 0, 17)),
        Fact("person", "heads", "village", Evidence("a.txt", text[18:], 18, len(text)), post="党支部书记"),
    ]
    out = tmp_path / "build"
    out.mkdir()
    graph = build_graph([doc], entities, facts)
    (out / "graph.ttl").write_text(serialize_turtle(graph), encoding="utf-8")
    return out


def read_table(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheet programs need to read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_nodes_table(build_dir: Path) -> None:
    nodes = read_table(export_csv(build_dir)["nodes.csv"])
    by_label = {row["label"]: row for row in nodes}
    assert set(by_label) == {"鄂尔多斯市住建局", "乌兰什巴台村", "王海林"}
    assert by_label["鄂尔多斯市住建局"]["class"] == "GovernmentBody"
    assert by_label["鄂尔多斯市住建局"]["aliases"] == "市住建局"
    assert by_label["乌兰什巴台村"]["division_code"] == "150626101201"
    assert all(row["id"].startswith(str(KGR)) for row in nodes)


def test_edges_table_has_one_row_per_evidence_sentence(build_dir: Path) -> None:
    edges = read_table(export_csv(build_dir)["edges.csv"])
    assists = [row for row in edges if row["relation"] == "assists"]
    second = 18 + TEXT_SECOND.index("鄂尔多斯")
    # sorted by offset, the first sentence's 0 kept (not taken for "no value")
    assert [(row["start"], row["end"]) for row in assists] == [
        ("0", "17"),
        (str(second), str(18 + len(TEXT_SECOND))),
    ]
    assert assists[0]["evidence"] == "鄂尔多斯市住建局帮扶乌兰什巴台村。"
    assert {row["source_label"] for row in assists} == {"鄂尔多斯市住建局"}
    assert {row["target_label"] for row in assists} == {"乌兰什巴台村"}
    assert {row["source_file"] for row in edges} == {"a.txt"}
    assert {row["date"] for row in edges} == {"2023-05-16"}
    heads = [row for row in edges if row["relation"] == "heads"]
    assert len(heads) == 1 and heads[0]["post"] == "党支部书记" and heads[0]["page"] == ""


def test_tables_are_deterministic(build_dir: Path) -> None:
    from kg.store import load_graph

    assert export_csv(build_dir) == to_csv(load_graph(build_dir / "graph.ttl"))
    assert export_csv(build_dir) == export_csv(build_dir)


def test_cli_writes_both_files(build_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    result = CliRunner().invoke(
        main, ["export", "--graph", str(build_dir), "--format", "csv", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["edges.csv", "nodes.csv"]
    assert (out / "edges.csv").read_bytes() == export_csv(build_dir)["edges.csv"]
    assert result.stderr == f"csv: 3 nodes, 3 edge rows -> {out}/nodes.csv, {out}/edges.csv\n"


def test_cli_csv_needs_a_directory(build_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--graph", str(build_dir), "--format", "csv"])
    assert result.exit_code == 2
    assert "--format csv writes two files (nodes.csv, edges.csv): give --out DIRECTORY" in result.output
    a_file = tmp_path / "x.csv"
    a_file.write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["export", "--graph", str(build_dir), "--format", "csv", "--out", str(a_file)]
    )
    assert result.exit_code == 2
    assert f"--out {a_file}: a file; --format csv needs a directory" in result.output


def test_cli_csv_missing_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["export", "--graph", str(tmp_path), "--format", "csv", "--out", str(tmp_path / "t")]
    )
    assert result.exit_code == 1
    assert "graph.ttl" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "t").exists()
