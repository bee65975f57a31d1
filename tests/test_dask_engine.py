"""The Dask engine shards documents over a real (local) cluster and gives the local engine's output."""

from __future__ import annotations

import shutil

import pytest

from kg.pipeline import build

from .conftest import CORPUS

pytestmark = pytest.mark.slow

distributed = pytest.importorskip("dask.distributed")


def test_dask_engine_output_equals_local(tmp_path, corpus_build):
    local_out, _ = corpus_build
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus, ignore=shutil.ignore_patterns("gold"))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        report = build(corpus, tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address)
    assert report["engine"] == {"name": "dask", "jobs": None}
    assert report["counts"]["documents"] == {"ok": 5}
    assert (tmp_path / "out" / "graph.ttl").read_bytes() == (local_out / "graph.ttl").read_bytes()
