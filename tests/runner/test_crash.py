"""Crash safety and concurrency, with real ``ganbench run`` processes.

* SIGKILL in the middle of a suite, restart: every cell ends with exactly one
  complete record, records written before the kill are kept as they are, and
  no temp or lock file remains (with ``--jobs 2`` the workers die with the
  driver instead of running on as orphans);
* two runners started together on one results folder: every cell is trained
  and written by exactly one of them.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest

from ganbench.config import load_suite
from tests.runner.conftest import cli, cli_env

pytestmark = pytest.mark.integration

SUITE = """
name: crash
seeds: [0, 1, 2, 3]
datasets: [ring]
objectives: [nonsaturating, wgan-gp]
architectures:
  - {name: mlp, params: {depth: 2, width: 32}}
train: {steps: 150, batch_size: 64, log_every: 10}
eval: {n_samples: 200, keep_samples: 5}
"""

SUMMARY_RE = re.compile(r"(\d+) cells, (\d+) skipped, (\d+) run .*?, (\d+) by another runner")


def _run_args(path, tmp_path, *extra):
    return cli(
        "run",
        str(path),
        "--results",
        str(tmp_path / "results"),
        "--reports",
        str(tmp_path / "reports"),
        "--device",
        "cpu",
        "--no-progress",
        "--no-ensemble",
        *extra,
    )


def _records(folder):
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigkill_mid_suite_then_restart(write_suite, tmp_path, jobs):
    path = write_suite(SUITE, "crash.yaml")
    cells = load_suite(path).cells()
    folder = tmp_path / "results" / "crash"
    args = _run_args(path, tmp_path, "--jobs", jobs)
    proc = subprocess.Popen(args, env=cli_env(), start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: len(_records(folder)) >= 2 or proc.poll() is not None, 240, "records")
        assert proc.poll() is None, "the runner finished before it could be killed"
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # the driver only: workers must follow by themselves
        proc.wait()
    _wait_for(lambda: _group_gone(proc.pid), 30, "worker processes to exit")
    before = {p.name: (p.stat().st_mtime_ns, json.loads(p.read_text())) for p in _records(folder)}
    assert 2 <= len(before) < len(cells)

    rerun = subprocess.run(args, env=cli_env(), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    after = _records(folder)
    assert sorted(p.stem for p in after) == sorted(c.run_id for c in cells)
    for p in after:
        rec = json.loads(p.read_text())
        assert rec["status"] == "ok" and rec["run_id"] == p.stem
        if p.name in before:
            assert (p.stat().st_mtime_ns, rec) == before[p.name]  # not trained again
    assert list((tmp_path / "results").rglob("*.tmp")) == []
    assert list((tmp_path / "results").rglob("*.lock")) == []


def test_two_runners_on_one_folder_never_run_a_cell_twice(write_suite, tmp_path):
    path = write_suite(SUITE.replace("steps: 150", "steps: 60"), "crash.yaml")
    cells = load_suite(path).cells()
    args = _run_args(path, tmp_path)
    procs = [
        subprocess.Popen(args, env=cli_env(), stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    ran = {}
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        total, skipped, n_ran, by_others = map(int, SUMMARY_RE.search(err).groups())
        assert total == len(cells) and skipped + n_ran + by_others == total
        ran[proc.pid] = n_ran
    records = [json.loads(p.read_text()) for p in _records(tmp_path / "results" / "crash")]
    assert sorted(r["run_id"] for r in records) == sorted(c.run_id for c in cells)
    assert sum(ran.values()) == len(cells)  # no cell was trained by both
    writers = {pid: sum(r["runner"]["pid"] == pid for r in records) for pid in ran}
    assert writers == ran  # and each wrote exactly the cells it ran
    assert list((tmp_path / "results").rglob("*.lock")) == []
