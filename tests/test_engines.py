"""kg.builder.engines: how worker processes start."""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from kg.builder.engines import _main_script_hidden

MAIN_SCRIPT = 'import sys\nsys.modules["main_script_ran"] = sys.modules[__name__]\n'


def _main_script_ran() -> bool:
    """In a worker: whether spawn ran the parent's main script here (MAIN_SCRIPT leaves a mark)."""
    return "main_script_ran" in sys.modules


def _spawned_worker_ran_main_script() -> bool:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_main_script_ran).result()


@pytest.fixture
def main_script(tmp_path, monkeypatch):
    """This process's main module as the ``kg`` command makes it: a script file, no module spec."""
    script = tmp_path / "main_script.py"
    script.write_text(MAIN_SCRIPT, encoding="utf-8")
    main = sys.modules["__main__"]
    monkeypatch.setattr(main, "__file__", str(script), raising=False)
    monkeypatch.setattr(main, "__spec__", None)
    return main


def test_spawned_workers_skip_the_main_script_only_while_it_is_hidden(main_script):
    assert _spawned_worker_ran_main_script()
    with _main_script_hidden():
        assert not _spawned_worker_ran_main_script()
    assert _spawned_worker_ran_main_script()
    assert main_script.__spec__ is None and main_script.__file__.endswith("main_script.py")


def test_the_main_script_is_given_back_after_an_error(main_script):
    with pytest.raises(KeyError), _main_script_hidden():
        raise KeyError("while submitting")
    assert main_script.__spec__ is None and main_script.__file__.endswith("main_script.py")


@pytest.mark.slow
def test_files_analysed_ahead_in_a_child_give_what_this_process_gives(tmp_path):
    from kg.builder.documents import Task
    from kg.builder.engines import analyse_ahead, run_local

    texts = {"a.txt": "通渭县财政局选派干部王刚到马营村担任第一书记。", "b.txt": "马营村党支部书记李强说。"}
    tasks = []
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        tasks.append(Task(str(tmp_path / name), name, ()))
    collect = analyse_ahead(tasks, 100_000)
    ahead = collect()
    here = {r.doc_id: r for r in run_local(tasks, 1, 100_000)}
    assert sorted(ahead) == ["a.txt", "b.txt"]
    for doc_id, result in here.items():
        facts = {(c.subject.name, c.predicate, c.object.name) for c in result.candidates}
        assert {(c.subject.name, c.predicate, c.object.name) for c in ahead[doc_id].candidates} == facts
    assert ("王刚", "servesIn", "马营村") in {
        (c.subject.name, c.predicate, c.object.name) for c in ahead["a.txt"].candidates
    }
