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
