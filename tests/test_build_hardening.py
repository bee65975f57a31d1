"""Issue 12, build side: the cache, the lock on OUT_DIR, the corpus scan and failures while writing.

Every test runs real builds on a copy of corpus/ (manifest.json included) or on a small corpus; the
lock and failure tests run `python -m kg` as separate processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cache import entry_path
from kg.cli import main
from kg.pipeline import build, remove

from .conftest import CORPUS

pytestmark = pytest.mark.slow

EDITED = "ordos-baolian-zhucun-2022.txt"  # names 董晶, whom no other document names
OTHER = "zhungeer-tuquan-reports-2023.txt"
OUTPUTS = ("graph.ttl", "graph.html", "report.json")
SENTENCE = "鄂尔多斯市住建局派驻乌审旗嘎鲁图镇木都柴达木村驻村第一书记董晶说。"


def _copy_corpus(target: Path) -> Path:
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("gold"))
    assert (target / "manifest.json").exists()
    return target


@pytest.fixture(scope="module")
def first_build(tmp_path_factory, nlp):
    """corpus/ copied and built once; tests copy the pair and go on from there."""
    root = tmp_path_factory.mktemp("first")
    corpus = _copy_corpus(root / "corpus")
    out = root / "out"
    report = build(corpus, out)
    return corpus, out, report


@pytest.fixture
def built(first_build, tmp_path):
    corpus, out, _ = first_build
    shutil.copytree(corpus, tmp_path / "corpus")
    shutil.copytree(out, tmp_path / "out", symlinks=True)  # `store` is a relative link
    return tmp_path / "corpus", tmp_path / "out"


def _outputs(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in OUTPUTS}


def _cache_files(out: Path) -> list[Path]:
    return sorted((out / "cache").iterdir())


def _kg(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300, **kwargs
    )


def _errors(stderr: str) -> list[str]:
    """The lines of our own; jieba logs its dictionary loading to stderr whenever NLP runs."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


# --- defect 3: a rebuild with manifest.json uses the cache --------------------------------------


def test_rebuild_with_manifest_takes_every_document_from_the_cache(first_build, built):
    _, _, first = first_build
    corpus, out = built
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["cached"] for r in report["documents"]] == [True] * 5
    assert report["store"]["replaced"] == 0
    assert (out / "graph.ttl").read_bytes() == (first_build[1] / "graph.ttl").read_bytes()
    # the summary line states it too
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert "5 documents built (5 unchanged), 0 skipped;" in result.output
    assert first["documents"][0]["sha256"] == report["documents"][0]["sha256"]


# --- defect 2: one entry per document; `kg remove` reads the current one ------------------------


def test_cache_holds_one_entry_per_document_pruned_when_it_changes_or_goes(built):
    corpus, out = built
    assert len(_cache_files(out)) == 5
    path = corpus / EDITED
    path.write_text(path.read_text(encoding="utf-8") + "\n兴安盟突泉县水泉镇胜泉村。\n", encoding="utf-8")
    report = build(corpus, out)
    assert [r["doc_id"] for r in report["documents"] if not r["cached"]] == [EDITED]
    assert len(_cache_files(out)) == 5  # the edited document's old entry was replaced
    (corpus / OTHER).unlink()
    build(corpus, out)
    assert _cache_files(out) == sorted(
        entry_path(out, r["doc_id"]) for r in report["documents"] if r["doc_id"] != OTHER
    )


def test_remove_after_an_edit_keeps_the_edited_version(built, tmp_path):
    corpus, out = built
    path = corpus / EDITED
    text = path.read_text(encoding="utf-8")
    assert "董晶" in text and "董晶" in (out / "graph.ttl").read_text(encoding="utf-8")
    path.write_text(text.replace("董晶", "董明"), encoding="utf-8")  # same length: offsets stay
    build(corpus, out)
    assert len(_cache_files(out)) == 5
    result = CliRunner().invoke(main, ["remove", OTHER, "--graph", str(out)])
    assert result.exit_code == 0, result.output
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "董明" in ttl and "董晶" not in ttl
    # removing a document gives the graph of building the corpus without it
    (corpus / OTHER).unlink()
    fresh = tmp_path / "fresh"
    build(corpus, fresh)
    assert (fresh / "graph.ttl").read_bytes() == (out / "graph.ttl").read_bytes()


# --- defect 9: checksummed entries; a damaged one is processed again -----------------------------


def _largest_entry(out: Path) -> Path:
    return max(_cache_files(out), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda lines: lines[:-8], id="cut-at-a-line-boundary"),
        pytest.param(lambda lines: lines[:-1] + [lines[-1][:-9]], id="cut-mid-line"),
        pytest.param(
            lambda lines: [lines[0], lines[1].replace('"chars": ', '"chars": 1')] + lines[2:], id="edited"
        ),
    ],
)
def test_damaged_cache_entry_is_processed_again_never_partly_used(built, damage):
    corpus, out = built
    before = (out / "graph.ttl").read_bytes()
    # without the store version's snapshot of the results, which is read first (tests/test_add.py)
    (out / "store" / "results.pickle").unlink()
    entry = _largest_entry(out)
    lines = entry.read_bytes().decode("utf-8").splitlines(keepends=True)
    doc_id = json.loads(lines[0])["doc_id"]
    entry.write_bytes("".join(damage(lines)).encode("utf-8"))
    report = build(corpus, out)
    assert {r["doc_id"] for r in report["documents"] if not r["cached"]} == {doc_id}
    assert (out / "graph.ttl").read_bytes() == before  # every fact is back


def test_remove_refuses_a_damaged_entry_with_one_line(built):
    corpus, out = built
    (out / "store" / "results.pickle").unlink()  # the snapshot would stand in for the entry
    before = _outputs(out)
    entry = entry_path(out, EDITED)
    lines = entry.read_bytes().splitlines(keepends=True)
    entry.write_bytes(b"".join(lines[:-3]))
    result = CliRunner().invoke(main, ["remove", OTHER, "--graph", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {out}: the cache entry of {EDITED} is missing, damaged or of another version of the file; "
        "run `kg build` again\n"
    )
    assert _outputs(out) == before
    build(corpus, out)  # repairs it
    assert remove(out, [OTHER])["removed"] == [OTHER]


# --- defect 4: one build or remove at a time per OUT_DIR ----------------------------------------


def _wait_for(predicate, proc: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not predicate():
        assert proc.poll() is None, proc.communicate()
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def test_second_build_into_one_out_dir_exits_naming_the_holder(tmp_path):
    corpus = _copy_corpus(tmp_path / "corpus")
    for i in range(12):  # enough work that the first build still runs when the others start
        (corpus / f"extra{i:02d}.txt").write_text(SENTENCE * 200 + str(i), encoding="utf-8")
    out = tmp_path / "out"
    args = ["build", str(corpus), "--out", str(out), "-q", "--jobs", "1"]
    first = subprocess.Popen(
        [sys.executable, "-m", "kg", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(lambda: (out / ".lock").exists() and (out / ".lock").read_text().strip(), first)
        second = _kg(*args)
        removal = _kg("remove", EDITED, "--graph", str(out))
        assert first.poll() is None, "the first build ended before the others started"
    finally:
        _, stderr = first.communicate(timeout=300)
    assert first.returncode == 0, stderr
    held = f"Error: {out}: another kg build or remove (pid {first.pid}) is writing here; "
    held += "wait for it to finish or use another --out\n"
    assert (second.returncode, second.stderr) == (1, held)
    assert (removal.returncode, removal.stderr) == (1, held)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["documents"] == {"ok": 17}
    assert sorted(p.name for p in out.glob("store.*")) == ["store.1"]
    assert len(_cache_files(out)) == 17


def test_staging_left_by_a_killed_run_is_cleaned_by_the_next(built):
    corpus, out = built
    current = (out / "store").resolve().name
    # what a run killed while writing leaves: a store version, staged outputs, temporary files
    (out / "store.9").mkdir()
    (out / "store.9" / "000001.sst").write_bytes(b"\0" * 100)
    (out / ".graph.ttl.staged").write_text("half a graph", encoding="utf-8")
    (out / ".report.json.x1y2.tmp").write_text("{", encoding="utf-8")
    (out / "cache" / f".{entry_path(out, EDITED).name}.4242.tmp").write_text("{", encoding="utf-8")
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")
    report = remove(out, [OTHER])
    assert report["removed"] == [OTHER]
    names = sorted(p.name for p in out.iterdir())
    new = (out / "store").resolve().name
    assert new != current
    assert names == sorted([".lock", "cache", *OUTPUTS, "notes.txt", "store", new])
    assert len(_cache_files(out)) == 5


# --- defect 6: OUT_DIR inside CORPUS_DIR --------------------------------------------------------


def test_out_dir_inside_the_corpus_is_not_read_back(tmp_path, nlp):
    corpus = tmp_path / "C"
    corpus.mkdir()
    (corpus / "a.txt").write_text(SENTENCE, encoding="utf-8")
    (corpus / "b.html").write_text(f"<html><body><p>{SENTENCE}</p></body></html>", encoding="utf-8")
    out = corpus / "build"
    outputs = []
    for _ in range(2):
        result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append(_outputs(out)["graph.ttl"])
        assert result.output.endswith(f"-> {out}/\n")
        assert "2 documents built" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [r["doc_id"] for r in report["documents"]] == ["a.txt", "b.html"]
    assert outputs[0] == outputs[1]


# --- defect 7: file names that are not UTF-8 ----------------------------------------------------


def test_file_name_that_is_not_utf8_is_built_under_a_printable_id(tmp_path, nlp):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("走进乌审旗图克镇乌兰什巴台村集体企业。", encoding="utf-8")
    odd = Path(os.fsdecode(os.fsencode(corpus) + b"/\xff\xfe.txt"))
    odd.write_text(SENTENCE, encoding="utf-8")
    out = tmp_path / "out"
    for cached in (False, True):
        report = build(corpus, out)
        rows = {r["doc_id"]: r for r in report["documents"]}
        assert rows["\\xff\\xfe.txt"]["status"] == "ok"
        assert rows["\\xff\\xfe.txt"]["cached"] is cached
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert 'kg:sourceFile "\\\\xff\\\\xfe.txt"' in ttl
    assert "董晶" in ttl
    assert remove(out, ["\\xff\\xfe.txt"])["removed"] == ["\\xff\\xfe.txt"]


# --- defect 8: read-only OUT_DIR, no space, errors while writing --------------------------------


def _in_private_mounts(script: str) -> list[str]:
    """A command running ``script`` in a mount namespace of its own: its mounts vanish with it."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a read-only or small file system")
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace: {probe.stderr.decode().strip()}")
    return ["unshare", "-m", "sh", "-c", script]


def test_read_only_out_dir_fails_in_one_line_before_any_processing(built):
    corpus, out = built
    before = _outputs(out)
    build_cmd = f"exec {sys.executable} -m kg build {corpus} --out {out} -q --jobs 1"
    if os.geteuid() != 0:
        out.chmod(0o555)
        cmd = ["sh", "-c", build_cmd]
        reason = "Permission denied"
    else:  # root writes through any mode bits: mount the directory read-only instead
        cmd = _in_private_mounts(f"mount --bind {out} {out} && mount -o remount,bind,ro {out} && {build_cmd}")
        reason = "Read-only file system"
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    finally:
        out.chmod(0o755)
    assert result.returncode == 1
    # nothing but the one line: jieba, which logs to stderr when NLP starts, was never loaded
    assert result.stderr == f"Error: {out}: cannot write the outputs here: {reason}; use another --out\n"
    assert _outputs(out) == before


def test_full_disk_is_found_before_any_processing(tmp_path):
    corpus = _copy_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    cmd = _in_private_mounts(
        f"mount -t tmpfs -o size=1m tmpfs {out} && exec {sys.executable} -m kg build {corpus} --out {out} -q"
    )
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {out}: 1.0 MB free, this run needs about 64 MB; ")
    assert result.stderr.endswith("free some space or use another --out\n")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize(
    "limit,message",
    [
        # a cache entry is the first file written, and the smallest
        pytest.param(
            4_000, "{out}/cache/{entry}: cannot write the cache entry of {doc}: File too large", id="cache"
        ),
        # the new store version and the staged files are written next (updating a few graphs writes
        # small store files, so the first write to fail may be graph.html's)
        pytest.param(300_000, "{out}: outputs not written (", id="store"),
    ],
)
def test_write_error_leaves_previous_outputs_and_no_staging(built, limit, message):
    corpus, out = built
    before = _outputs(out)
    path = corpus / EDITED
    path.write_text(path.read_text(encoding="utf-8") + "\n兴安盟突泉县水泉镇胜泉村。\n", encoding="utf-8")
    # a real write error without filling a disk: files may not grow past `limit` bytes (EFBIG),
    # and SIGXFSZ is ignored so that the write fails instead of killing the process
    script = (
        "import os, resource, signal, sys; "
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit})); "
        "os.execv(sys.executable, [sys.executable, '-m', 'kg', *sys.argv[1:]])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "build", str(corpus), "--out", str(out), "-q", "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1
    expected = message.format(out=out, entry=entry_path(out, EDITED).name, doc=EDITED)
    assert [line.startswith(f"Error: {expected}") for line in _errors(result.stderr)] == [True]
    assert _outputs(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted([".lock", "cache", *OUTPUTS, "store", "store.1"])
    assert not [p for p in (out / "cache").iterdir() if p.name.startswith(".")]
    # and the next run, with room to write, succeeds
    assert build(corpus, out)["counts"]["documents"] == {"ok": 5}


# --- a quiet terminal: no third-party chatter ----------------------------------------------------


def test_quiet_build_prints_nothing_not_even_jieba(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("镇党委书记张明走访了东河村。\n", encoding="utf-8")
    result = _kg("build", str(corpus), "--out", str(tmp_path / "out"), "-q", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == ""  # jieba logged "Building prefix dict ..." here
