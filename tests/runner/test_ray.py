"""The Ray backend on a real local Ray instance (``ray.init(num_cpus=2)``)."""

from __future__ import annotations

import pytest

from ganbench.runner import RunOptions, run_suite, sweep
from ganbench.runner.ray import RayExecutor
from ganbench.runner.store import ResultStore

ray = pytest.importorskip("ray")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ray_session():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


def _comparable(records):
    return {r["run_id"]: (r["status"], r["metrics"], r["curves"]) for r in records}


def test_ray_records_equal_local_records(ray_session, small_suite, tmp_path):
    suite = small_suite(steps=10)
    local = run_suite(suite, tmp_path / "local", "cpu", progress=False)
    remote = run_suite(
        suite, tmp_path / "ray", "cpu", progress=False, options=RunOptions(backend="ray")
    )
    assert local.status == remote.status == {"ok": 6}
    a = ResultStore(tmp_path / "local", suite.name).records()
    b = ResultStore(tmp_path / "ray", suite.name).records()
    assert _comparable(a) == _comparable(b)
    assert {r["runner"]["backend"] for r in b} == {"ray"}
    assert list((tmp_path / "ray").rglob("*.lock")) == []


def test_failing_ray_task_is_retried_once_then_recorded_failed(
    ray_session, small_suite, tmp_path, monkeypatch
):
    calls = []

    def make(options, device, datasets, progress):
        ex = RayExecutor(options, "cpu")

        def boom(cells, device, threads):  # a local function: pickled by value
            raise RuntimeError("node lost")

        ex._remote = ray_session.remote(boom).options(num_cpus=1, max_retries=0)
        calls.append(ex)
        return ex

    monkeypatch.setattr(sweep, "_make_executor", make)
    suite = small_suite(steps=5)
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=RunOptions(backend="ray"))
    assert summary.status == {"failed": 6} and summary.retried == 2
    for rec in ResultStore(tmp_path, suite.name).records():
        assert rec["error"] == "RuntimeError: node lost" and rec["runner"]["attempts"] == 2
    assert calls[0].slots == 2  # 2 CPUs / 1 CPU per task


def test_task_resources(ray_session):
    ex = RayExecutor(RunOptions(backend="ray", cpus_per_task=0.5), "auto")
    assert ex.device == "cpu" and ex.slots == 4 and ex.threads == 1
    ex.close()
    assert ray_session.is_initialized()  # not ours to shut down
