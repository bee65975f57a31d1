"""A quiet, clear terminal: -q/-v, Ctrl-C, an unreachable Dask scheduler, and what `kg remove` says.

The commands run as a user runs them, in a subprocess of their own, so what reaches the terminal
(third-party logging, worker tracebacks) is seen exactly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from .conftest import CORPUS

ROOT = Path(__file__).resolve().parent.parent
A = "乌审旗图克镇乌兰什巴台村。鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"
B = "走进乌审旗图克镇乌兰什巴台村集体企业。胜泉村驻村第一书记杜伟华介绍说。"


def kg(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=timeout,  # a guard against a hang, not a measurement
    )


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(A, encoding="utf-8")
    (corpus / "b.txt").write_text(B, encoding="utf-8")
    return corpus


def closed_port() -> int:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        return int(listener.getsockname()[1])


def test_unreachable_scheduler_is_one_line(small_corpus: Path, tmp_path: Path) -> None:
    port = closed_port()
    result = kg(
        "build", str(small_corpus), "--out", str(tmp_path / "out"), "-q",
        "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{port}",
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: --scheduler tcp://127.0.0.1:{port}: no Dask scheduler (nothing answered within 5 s); "
        "check the address or leave out --scheduler for a local cluster\n"
    )


def test_not_a_scheduler_address_is_one_line(small_corpus: Path, tmp_path: Path) -> None:
    result = kg(
        "build", str(small_corpus), "--out", str(tmp_path / "out"), "-q",
        "--engine", "dask", "--scheduler", "nonsense://x",
        cwd=tmp_path, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "Error: --scheduler nonsense://x: no Dask scheduler (not an address Dask understands, e.g. "
        "tcp://host:8786); check the address or leave out --scheduler for a local cluster\n"
    )


def test_quiet_and_verbose_exclude_each_other(tmp_path: Path) -> None:
    result = kg("build", "-q", "-v", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "Error: --quiet and --verbose exclude each other"


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    """`kg add` starts without the export's and the view's libraries; help still lists every command."""
    script = (
        "import sys\n"
        "from kg.cli import main\n"
        "try:\n"
        "    main(['add', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('networkx', 'pyvis', 'kg.export', 'kg.views') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "[]"
    listed = kg("--help", cwd=tmp_path, timeout=60)
    commands = listed.stdout.split("Commands:")[1].split()
    for command in ("add", "build", "eval", "export", "push", "query", "remove", "serve", "validate", "view"):
        assert command in commands
    assert "Export the graph of a build" in kg("export", "--help", cwd=tmp_path, timeout=60).stdout


@pytest.mark.slow
def test_quiet_build_prints_nothing_and_verbose_lists_documents(small_corpus: Path, tmp_path: Path) -> None:
    quiet = kg("build", str(small_corpus), "--out", str(tmp_path / "out"), "-q", "-j", "2", cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    # no third-party chatter: jieba, spaCy, onnxruntime, multiprocessing all silent
    assert (quiet.stdout, quiet.stderr) == ("", "")
    verbose = kg("build", str(small_corpus), "--out", str(tmp_path / "out"), "-v", cwd=tmp_path)
    assert verbose.returncode == 0, verbose.stderr
    lines = verbose.stderr.splitlines()
    assert any(line.startswith("  a.txt: ") and line.endswith(" facts (unchanged)") for line in lines)
    assert any(line.startswith("  b.txt: ") and line.endswith("(unchanged)") for line in lines)
    assert any(line.startswith("  timings: ") for line in lines)
    assert verbose.stdout.startswith("2 documents built (2 unchanged), 0 skipped;")


@pytest.mark.slow
def test_remove_says_what_it_removed_and_how_to_keep_it_out(small_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert kg("build", str(small_corpus), "--out", str(out), "-q", cwd=tmp_path).returncode == 0
    facts = {
        r["doc_id"]: r["facts"] for r in json.loads((out / "report.json").read_text("utf-8"))["documents"]
    }
    removed = kg("remove", "a.txt", "--graph", str(out), cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    stdout = removed.stdout.splitlines()
    assert stdout[0] == f"removed a.txt ({facts['a.txt']} facts)"
    assert stdout[1].startswith("1 documents left in the build, 0 skipped;")
    assert removed.stderr == (
        f"the files are still in {small_corpus}/ and the next `kg build` reads them again; to keep them "
        f"out, add them to {small_corpus}/.kgignore (one per line: a.txt) "
        f"or move them out of {small_corpus}/\n"
    )
    # as it says: the next build reads it again, and named in .kgignore it stays out
    again = kg("build", str(small_corpus), "--out", str(out), cwd=tmp_path)
    assert again.stdout.startswith("2 documents built")
    (small_corpus / ".kgignore").write_text("# left out on purpose\na.txt\n", encoding="utf-8")
    kept_out = kg("build", str(small_corpus), "--out", str(out), cwd=tmp_path)
    assert kept_out.stdout.startswith("1 documents built (1 unchanged), 0 skipped")


@pytest.mark.slow
def test_ctrl_c_during_a_parallel_build_exits_130_with_one_line(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("gold"))
    for copy in range(6):  # enough text for worker processes (kg.builder.engines.POOL_MIN_BYTES)
        for page in CORPUS.glob("*.txt"):
            shutil.copy(page, corpus / f"{copy}-{page.name}")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "-j", "2"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    parent = psutil.Process(process.pid)
    # wait until the workers run (they load the NLP model for seconds), as a user pressing Ctrl-C would
    for _ in range(600):
        if len(parent.children(recursive=True)) >= 2 or process.poll() is not None:
            break
        time.sleep(0.05)
    workers = parent.children(recursive=True)
    assert len(workers) >= 2, "no worker processes started"
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole group gets SIGINT
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1] == f"interrupted: build stopped, {out}/ left as it was"
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr and "Aborted!" not in stderr
    assert all(line.startswith("Building") for line in lines[:-1]), stderr
    assert stdout == ""
    assert not (out / "graph.ttl").exists()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"workers still running: {alive}"


@pytest.mark.slow
def test_ctrl_c_during_an_add_exits_130_with_one_line_and_leaves_the_build(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("gold"))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "-q"], env=env, check=True
    )
    before = (out / "report.json").read_bytes()
    article = tmp_path / "article.txt"
    article.write_text("通渭县财政局选派干部王刚到马营村担任第一书记。" * 20, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "add", str(article), "--out", str(out)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    parent = psutil.Process(process.pid)
    # the article is analysed in a child while the parent reads the other results (analyse_ahead)
    for _ in range(600):
        if parent.children(recursive=True) or process.poll() is not None:
            break
        time.sleep(0.01)
    children = parent.children(recursive=True)
    assert children, "the article was not analysed in a child process"
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1].startswith(f"interrupted: kg add stopped, {out}/ left as it was")
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr and "Aborted!" not in stderr
    assert (out / "report.json").read_bytes() == before
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"the child is still running: {alive}"
