"""The sweep driver: one record per cell, retries, locks, other runners, full disks, bad input."""

from __future__ import annotations

import errno
import json
import os
import threading

import pytest

from ganbench.cli import main
from ganbench.errors import ConfigError, StoreError
from ganbench.runner import RunOptions, run_suite
from ganbench.runner.locks import LockDir
from ganbench.runner.store import ResultStore
from tests.runner.conftest import fake_record

FAST = RunOptions(poll_s=0.02)


def _files(store: ResultStore) -> list[str]:
    return sorted(p.name for p in store.dir.iterdir() if p.is_file())


def test_every_cell_gets_one_record_and_no_lock_or_temp_file_remains(
    small_suite, fake_executor, tmp_path
):
    suite = small_suite()
    fake = fake_executor()
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    store = ResultStore(tmp_path, suite.name)
    cells = suite.cells()
    assert summary.ran == 6 and summary.status == {"ok": 6} and summary.retried == 0
    assert sorted(fake.submitted, key=len) == [
        [c.run_id for c in cells[:3]],
        [c.run_id for c in cells[3:]],
    ]
    assert _files(store) == sorted(f"{c.run_id}.json" for c in cells)
    assert list(store.lock_dir.iterdir()) == []
    rec = store.read(cells[0].run_id)
    assert rec["runner"]["backend"] == "fake" and rec["runner"]["pid"] == os.getpid()
    assert fake.closed


def test_task_that_fails_once_is_retried(small_suite, fake_executor, tmp_path):
    suite = small_suite()
    seen: set[int] = set()

    def fail_first(task):
        if task.id in seen:
            return None
        seen.add(task.id)
        return "worker process died (exit code -9)"

    fake_executor(fail=fail_first)
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert summary.retried == 2 and summary.status == {"ok": 6}
    for rec in ResultStore(tmp_path, suite.name).records():
        assert rec["runner"]["attempts"] == 2


def test_task_that_fails_twice_records_failed_cells_and_a_rerun_retries_them(
    small_suite, fake_executor, tmp_path
):
    suite = small_suite()
    fake_executor(fail=lambda task: "RuntimeError: lost the node")
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert summary.status == {"failed": 6} and summary.retried == 2
    store = ResultStore(tmp_path, suite.name)
    for rec in store.records():
        assert rec["status"] == "failed" and rec["error"] == "RuntimeError: lost the node"
        assert rec["runner"]["attempts"] == 2
    fake = fake_executor()
    again = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert again.skipped == 0 and again.status == {"ok": 6} and len(fake.submitted) == 2


def test_cell_locked_by_another_runner_is_left_to_it(small_suite, fake_executor, tmp_path):
    suite = small_suite()
    cells = suite.cells()
    store = ResultStore(tmp_path, suite.name)
    other = LockDir(store.lock_dir).try_acquire(cells[1].run_id)  # "another runner" trains it
    fake = fake_executor()

    def other_finishes() -> None:
        store.write(fake_record(cells[1], by="other"))
        other.release()

    timer = threading.Timer(0.5, other_finishes)
    timer.start()
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    timer.join()
    trained = [rid for task in fake.submitted for rid in task]
    assert cells[1].run_id not in trained and len(trained) == 5
    assert summary.by_others == 1 and summary.ran == 5
    assert store.read(cells[1].run_id)["by"] == "other"


def test_record_written_meanwhile_is_not_trained_again(small_suite, fake_executor, tmp_path):
    suite = small_suite()
    cells = suite.cells()
    store = ResultStore(tmp_path, suite.name)
    fake = fake_executor(slots=1)
    fake.before_poll = lambda: store.write(fake_record(cells[4], by="x"))
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert fake.submitted[1] == [cells[3].run_id, cells[5].run_id]
    assert summary.by_others == 1 and store.read(cells[4].run_id)["by"] == "x"


def test_leftovers_of_a_dead_writer_are_cleaned(small_suite, fake_executor, tmp_path):
    suite = small_suite()
    cells = suite.cells()
    store = ResultStore(tmp_path, suite.name)
    store.dir.mkdir(parents=True)
    store.lock_dir.mkdir()
    (store.lock_dir / f"{cells[0].run_id}.lock").write_text('{"pid": 1}')  # nobody holds it
    (store.dir / f".{cells[0].run_id}.json.k1l2.tmp").write_text("{half")
    (store.dir / f".{cells[2].run_id}.json.x9y8.tmp").write_text("{half")
    live = LockDir(store.lock_dir).try_acquire(cells[4].run_id)  # a live runner is writing
    (store.dir / f".{cells[4].run_id}.json.w1.tmp").write_text("{being written")
    fake = fake_executor()
    threading.Timer(0.3, lambda: (store.write(fake_record(cells[4])), live.release())).start()
    run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert [p.name for p in store.temp_files()] == [f".{cells[4].run_id}.json.w1.tmp"]
    assert list(store.lock_dir.iterdir()) == []
    assert len(store.records()) == 6 and len(fake.submitted[0] + fake.submitted[1]) == 5


def _fail_fsync_after(monkeypatch, n_ok: int) -> None:
    real = os.fsync
    calls = [0]

    def fsync(fd: int) -> None:
        calls[0] += 1
        if calls[0] > n_ok:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def test_full_disk_stops_with_one_line_and_keeps_earlier_records(
    small_suite, fake_executor, tmp_path, monkeypatch
):
    suite = small_suite()
    fake = fake_executor(slots=1)
    _fail_fsync_after(monkeypatch, 4)
    with pytest.raises(StoreError, match="No space left on device") as info:
        run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert "\n" not in str(info.value)
    monkeypatch.undo()
    store = ResultStore(tmp_path, suite.name)
    records = store.records()
    assert len(records) == 4 and all(r["status"] == "ok" for r in records)
    assert store.temp_files() == [] and list(store.lock_dir.iterdir()) == []
    assert fake.closed


def test_full_disk_via_cli_is_one_line_exit_2(
    small_suite, fake_executor, tmp_path, monkeypatch, capsys
):
    suite = small_suite()
    fake_executor()
    _fail_fsync_after(monkeypatch, 1)
    code = main(["run", str(suite.path), "--results", str(tmp_path / "r"), "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("ganbench: error: cannot write record") and "\n" not in err


def test_unwritable_results_root_is_one_line_and_creates_nothing(small_suite, tmp_path, capsys):
    suite = small_suite()
    blocker = tmp_path / "results"
    blocker.write_text("a file")
    code = main(
        ["run", str(suite.path), "--results", str(blocker), "--reports", str(tmp_path / "rep")]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and "not writable" in err and "\n" not in err
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize(
    ("yaml_fragment", "message"),
    [
        ("datasets: [{name: ring, params: {std: -1.0}}]", "std > 0"),
        ("datasets: [{name: grid, params: {n_per_side: 100000000000000000000}}]", "n_per_side"),
        ("architectures: [{name: mlp, params: {depth: 0}}]", "mlp needs depths"),
    ],
)
def test_suite_rejected_by_preflight_leaves_no_results_folder(
    write_suite, tmp_path, capsys, yaml_fragment, message
):
    base = {
        "datasets": "datasets: [ring]",
        "architectures": "architectures: [{name: mlp, params: {depth: 1, width: 4}}]",
    }
    key = yaml_fragment.split(":")[0]
    base[key] = yaml_fragment
    text = "name: bad\nseeds: [0]\nobjectives: [minimax]\n" + "\n".join(base.values()) + "\n"
    path = write_suite(text)
    results = tmp_path / "results"
    for argv in (["validate", str(path)], ["run", str(path), "--results", str(results)]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err and "Traceback" not in err
    assert not results.exists()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--jobs", "0"], "--jobs 0"),
        (["--backend", "spark"], "expected one of local, ray"),
        (["--backend", "ray", "--cpus-per-task", "0"], "--cpus-per-task 0.0: expected"),
        (["--backend", "ray", "--gpus-per-task", "-1"], "--gpus-per-task -1.0: expected"),
        (["--gpus-per-task", "0.5"], "--gpus-per-task applies only to --backend ray"),
        (["--address", "auto"], "--address applies only to --backend ray"),
        (["--backend", "ray", "--jobs", "2"], "--jobs applies to --backend local"),
    ],
)
def test_bad_run_flags_are_one_line(small_suite, tmp_path, capsys, flags, message):
    suite = small_suite()
    assert main(["run", str(suite.path), "--results", str(tmp_path / "r"), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not (tmp_path / "r").exists()


def test_run_options_validate():
    with pytest.raises(ConfigError):
        RunOptions(jobs=0)
    assert RunOptions(jobs=3).jobs == 3


@pytest.mark.parametrize("name", ["../evil", "a/b", ".hidden", "x\n", "", "é" * 3, "a" * 81])
def test_store_rejects_names_that_could_leave_the_root(tmp_path, name):
    with pytest.raises(StoreError, match="invalid suite name"):
        ResultStore(tmp_path, name)


def test_rerun_writes_nothing_new(small_suite, fake_executor, tmp_path):
    suite = small_suite()
    fake_executor()
    run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    store = ResultStore(tmp_path, suite.name)
    before = {p: p.stat().st_mtime_ns for p in store.dir.glob("*.json")}
    fake = fake_executor()
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert summary.skipped == 6 and fake.submitted == []
    assert {p: p.stat().st_mtime_ns for p in store.dir.glob("*.json")} == before
    forced = fake_executor()
    assert run_suite(suite, tmp_path, "cpu", force=True, progress=False, options=FAST).ran == 6
    assert len(forced.submitted) == 2
    assert json.loads(next(iter(before)).read_text())["status"] == "ok"
