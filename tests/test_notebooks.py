"""The notebooks: committed without outputs, free of logic, and run end to end on the corpus build."""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
NAMES = [path.name for path in NOTEBOOKS]


def code_cells(path: Path) -> list[dict]:
    return [
        cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"] if cell["cell_type"] == "code"
    ]


def test_both_notebooks_exist():
    assert NAMES == ["01_explore.ipynb", "02_network_analysis.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_outputs_are_stripped(path):
    for cell in code_cells(path):
        assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_cells_only_call_the_library(path):
    """No function, class, loop, branch or comprehension in a cell: logic belongs in kg/."""
    banned = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Lambda,
        ast.For,
        ast.While,
        ast.If,
        ast.IfExp,
        ast.Try,
        ast.With,
        ast.ListComp,
        ast.DictComp,
        ast.SetComp,
        ast.GeneratorExp,
    )
    for cell in code_cells(path):
        tree = ast.parse("".join(cell["source"]))
        found = [type(node).__name__ for node in ast.walk(tree) if isinstance(node, banned)]
        assert found == [], "".join(cell["source"])
        imports = [
            alias.name if isinstance(node, ast.Import) else node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else [None])
        ]
        assert all(name == "kg" or name.startswith(("kg.", "IPython")) for name in imports), imports


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client/jupyter_core path notices
@pytest.mark.parametrize("cwd", ["root", "notebooks"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_runs_on_the_corpus(path, cwd, corpus_build, monkeypatch):
    """As the README says: ``KG_BUILD_DIR`` relative to the repository root, kernel in either directory."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    out_dir, _ = corpus_build
    relative = os.path.relpath(out_dir, ROOT)  # like `build`: found from the root, not from notebooks/
    kernel_dir = ROOT if cwd == "root" else ROOT / "notebooks"
    assert (kernel_dir / relative / "graph.ttl").is_file() == (cwd == "root")
    # The kernel is a child process: it inherits the environment, so the notebook analyses this build.
    monkeypatch.setenv("KG_BUILD_DIR", relative)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(kernel_dir)}}
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not [text for text in stderr if "Warning" in text and "no font with Chinese glyphs" not in text]
    text = "\n".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs)
    assert os.path.basename(out_dir) in text  # the first cell shows the build it analyses
    assert "https://w3id.org/" not in text  # tables show kg: names, not full IRIs
    if path.name.startswith("01"):
        assert "鄂尔多斯市住建局" in text and "木都柴达木村" in text  # who helps which village
        assert "乌审旗（County）" in text  # the administrative tree
        assert "kg:County" in text  # the city tree's level column
    else:
        assert sum("image/png" in o.get("data", {}) for o in outputs) == 4  # four plots
        assert any("<iframe" in o.get("data", {}).get("text/html", "") for o in outputs)
        assert "assists" in text and "servesIn" in text and "2020" in text  # the table by year
    assert os.environ["KG_BUILD_DIR"] == relative


# --- kg.analysis, the notebooks' library, on the hand-made graph of test_views ---------------------


@pytest.fixture(scope="module")
def network():
    from kg.analysis import to_networkx
    from tests.test_views import small_graph

    return to_networkx(small_graph())


def test_to_networkx(network):
    assert (network.number_of_nodes(), network.number_of_edges()) == (7, 8)
    assert network.nodes["kgr:org/市委组织部"] == {
        "label": "市委组织部",
        "cls": "PartyBody",
        "kind": "organisation",
    }
    assert network.edges["kgr:person/李华", "kgr:place/新华村", "servesIn"]["evidence"] == 2


def test_organisation_centrality(network):
    from kg.analysis import organisation_centrality

    table = organisation_centrality(network)
    assert list(table["organisation"]) == ["市委组织部", "兴农合作社"]
    first = table.iloc[0]
    assert (first["degree"], first["villages_helped"]) == (4, 1) and first["betweenness"] > 0


def test_assistance_bipartite_links_bodies_through_stationed_people(network):
    from kg.analysis import assistance_bipartite, project_organisations, project_places

    bipartite = assistance_bipartite(network)
    assert bipartite.edges["kgr:org/市委组织部", "kgr:place/新华村"]["via"] == [
        "assists",
        "servesIn via 李华",
    ]
    assert project_organisations(bipartite).number_of_nodes() == 1
    assert project_places(bipartite).number_of_edges() == 0


def test_communities_are_reproducible(network):
    from kg.analysis import communities, community_summary

    table = communities(network)
    assert table.equals(communities(network))
    assert sorted(table["entity"]) == sorted(network.nodes[n]["label"] for n in network)
    assert community_summary(table)["size"].sum() == 7


def test_admin_tree(network):
    from kg.analysis import admin_tree

    assert admin_tree(network) == "准格尔旗（County）\n  双河镇（Township）\n    新华村（Village）"


def test_assistance_by_year_counts_dated_evidence():
    from rdflib import Literal
    from rdflib.namespace import DCTERMS

    from kg.analysis import assistance_by_year
    from kg.rdf import build_graph, document_iri
    from kg.types import Document, Entity, Evidence, Fact

    text = "甲局帮扶乙村。丙驻乙村。"
    docs = [
        Document(name, text, text, tuple(range(len(text))), meta=(("date", date),) if date else ())
        for name, date in (("a.txt", "2021-03"), ("b.txt", "2023"), ("c.txt", ""))
    ]
    entities = [
        Entity("o", "甲局", "GovernmentBody"),
        Entity("v", "乙村", "Village"),
        Entity("p", "丙", "Person"),
    ]
    facts = [
        Fact("o", "assists", "v", Evidence(doc, "甲局帮扶乙村。", 0, 7))
        for doc in ("a.txt", "b.txt", "c.txt")
    ] + [Fact("p", "servesIn", "v", Evidence("b.txt", "丙驻乙村。", 7, 12))]
    graph = build_graph(docs, entities, facts)
    assert (document_iri("a.txt"), DCTERMS.date, Literal("2021-03")) in graph
    table = assistance_by_year(graph)
    assert table.to_dict("records") == [
        {"year": "2021", "assists": 1, "servesIn": 0},
        {"year": "2023", "assists": 1, "servesIn": 1},
    ]  # c.txt has no date: left out


def test_build_dir_resolves_a_relative_path_from_the_root(tmp_path, monkeypatch):
    from kg.analysis import ROOT_DIR, build_dir

    build = tmp_path / "build"
    build.mkdir()
    (build / "graph.ttl").write_text("", encoding="utf-8")
    relative = os.path.relpath(build, ROOT_DIR)
    monkeypatch.chdir(ROOT_DIR / "notebooks")
    assert build_dir(relative) == ROOT_DIR / relative
    monkeypatch.chdir(ROOT_DIR)
    assert build_dir(relative) == Path(relative)


def test_build_dir_refuses_a_directory_without_graph(tmp_path):
    from kg.analysis import build_dir
    from kg.errors import StoreError

    with pytest.raises(StoreError, match="no graph.ttl here"):
        build_dir(tmp_path)
