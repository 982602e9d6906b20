"""The local backend with worker processes (``--jobs N``)."""

from __future__ import annotations

import torch

from ganbench.runner import RunOptions, run_suite, sweep
from ganbench.runner.local import ProcessExecutor, _Worker, worker_devices
from ganbench.runner.store import ResultStore
from ganbench.runner.tasks import Task
from tests.runner import _workers


def _comparable(records):
    return {r["run_id"]: (r["status"], r["metrics"], r["curves"]) for r in records}


def test_jobs_give_the_same_records_as_in_process(small_suite, tmp_path):
    suite = small_suite(steps=10)
    inproc = run_suite(suite, tmp_path / "a", "cpu", progress=False)
    jobs = run_suite(
        suite, tmp_path / "b", "cpu", progress=False, options=RunOptions(jobs=2, poll_s=0.05)
    )
    assert inproc.status == jobs.status == {"ok": 6}
    a = ResultStore(tmp_path / "a", suite.name).records()
    b = ResultStore(tmp_path / "b", suite.name).records()
    assert _comparable(a) == _comparable(b)
    assert {r["runner"]["pid"] for r in b} == {r["runner"]["pid"] for r in a}  # the driver wrote


def _with_target(monkeypatch, target):
    def make(options, device, datasets, progress):
        return ProcessExecutor(2, torch.device("cpu"), progress.advance, target=target)

    monkeypatch.setattr(sweep, "_make_executor", make)


def test_dead_worker_is_retried_once(small_suite, tmp_path, monkeypatch):
    suite = small_suite(steps=5, name=f"{tmp_path.name}.yaml")
    _with_target(monkeypatch, _workers.die_once)
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=RunOptions(poll_s=0.05))
    assert summary.retried == 2 and summary.status == {"ok": 6}


def test_worker_that_always_dies_gives_failed_records(small_suite, tmp_path, monkeypatch):
    suite = small_suite(steps=5)
    _with_target(monkeypatch, _workers.die)
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=RunOptions(poll_s=0.05))
    assert summary.status == {"failed": 6}
    for rec in ResultStore(tmp_path, suite.name).records():
        assert rec["error"] == "worker process died (exit code 9)"
        assert rec["runner"]["attempts"] == 2


def test_error_sent_by_a_worker_is_retried_then_recorded(small_suite, tmp_path, monkeypatch):
    suite = small_suite(steps=5)
    _with_target(monkeypatch, _workers.send_error)
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=RunOptions(poll_s=0.05))
    assert summary.status == {"failed": 6} and summary.retried == 2
    rec = ResultStore(tmp_path, suite.name).records()[0]
    assert rec["error"] == "OSError: dataset folder vanished"
    assert "in the worker" in rec["traceback"]


def test_gpus_are_handed_out_least_loaded_first(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)
    assert worker_devices(torch.device("cuda")) == ["cuda:0", "cuda:1", "cuda:2"]
    assert worker_devices(torch.device("cuda:1")) == ["cuda:1"]
    assert worker_devices(torch.device("cpu")) == ["cpu"]
    ex = ProcessExecutor(4, torch.device("cuda"))
    picked = []
    for i in range(4):
        device = ex._pick_device()
        picked.append(device)
        ex._running[i] = _Worker(None, Task(i, [], device=device), None)
    assert picked == ["cuda:0", "cuda:1", "cuda:2", "cuda:0"]
    ex._running.clear()
    ex.close()


def test_workers_share_the_cores():
    ex = ProcessExecutor(2, torch.device("cpu"))
    assert ex.threads >= 1 and ex.capacity() == 2
    ex.close()
