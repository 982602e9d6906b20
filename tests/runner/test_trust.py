"""Only trusted records of the suite's own cells count (issue 13, items 1-4 and 12).

A record counts as done only if it passes schema validation and is the
record of its cell (run id and config hash); anything else is set aside (not
deleted) with one warning line and the cell runs again. The report uses
exactly the cells the suite expands to now and names the stale records.
"""

from __future__ import annotations

import csv
import errno
import json
import logging
import os
import shutil

import pytest

from ganbench.cli import main
from ganbench.errors import RecordError
from ganbench.record import decode_record
from ganbench.runner import RunOptions, run_suite
from ganbench.runner.store import REJECTED_DIR, ResultStore
from tests.runner.conftest import fake_record, plain_record

FAST = RunOptions(poll_s=0.02)
MODES = {"modes": {"value": 3.0, "higher_is_better": True, "version": "1"}}


def _write_all(suite, results) -> ResultStore:
    store = ResultStore(results, suite.name)
    for cell in suite.cells():
        store.write(fake_record(cell, metrics=dict(MODES)))
    return store


def _report(suite, tmp_path) -> int:
    return main(
        ["report", str(suite.path), "--results", str(tmp_path / "res"), "--reports",
         str(tmp_path / "rep")]
    )  # fmt: skip


def _seed_rows(tmp_path, suite) -> list[dict[str, str]]:
    with open(tmp_path / "rep" / suite.name / "seeds.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _warnings(caplog, needle: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if needle in r.getMessage()]


def test_report_of_an_edited_suite_uses_only_its_current_cells(small_suite, tmp_path, caplog):
    old, new = small_suite(steps=10), small_suite(steps=12)
    _write_all(old, tmp_path / "res")
    _write_all(new, tmp_path / "res")
    caplog.set_level(logging.WARNING)
    assert _report(new, tmp_path) == 0
    rows = _seed_rows(tmp_path, new)
    assert len(rows) == 6  # 2 objectives × 3 seeds, once each
    assert sorted(r["run_id"] for r in rows) == sorted(c.run_id for c in new.cells())
    stale = _warnings(caplog, "stale")
    assert len(stale) == 1 and stale[0].startswith("6 record(s)") and "delete them" in stale[0]


def test_two_suite_files_with_one_name_do_not_mix(small_suite, write_suite, tmp_path):
    a = small_suite(steps=10, name="a.yaml")
    b = small_suite(steps=11, name="b.yaml")  # same ``name: small``
    _write_all(a, tmp_path / "res")
    _write_all(b, tmp_path / "res")
    assert _report(a, tmp_path) == 0
    assert {r["run_id"] for r in _seed_rows(tmp_path, a)} == {c.run_id for c in a.cells()}


def _copy_of_other_cell(store, cells):
    shutil.copyfile(store.path(cells[0].run_id), store.path(cells[1].run_id))


def _bare_ok(store, cells):
    store.path(cells[1].run_id).write_text('{"status": "ok"}')


def _config_of_other_cell(store, cells):
    rec = json.loads(store.path(cells[0].run_id).read_text())
    rec["run_id"] = cells[1].run_id
    store.path(cells[1].run_id).write_text(json.dumps(rec))


@pytest.mark.parametrize(
    ("tamper", "field"),
    [(_copy_of_other_cell, "run_id"), (_bare_ok, "schema"), (_config_of_other_cell, "config")],
)
def test_untrusted_record_is_set_aside_and_its_cell_runs_again(
    small_suite, fake_executor, tmp_path, caplog, tamper, field
):
    suite = small_suite()
    cells = suite.cells()
    fake_executor()
    run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    store = ResultStore(tmp_path, suite.name)
    tamper(store, cells)
    bad = store.path(cells[1].run_id).read_bytes()
    caplog.set_level(logging.WARNING)
    fake = fake_executor()
    summary = run_suite(suite, tmp_path, "cpu", progress=False, options=FAST)
    assert summary.skipped == 5 and fake.submitted == [[cells[1].run_id]]
    kept = store.dir / REJECTED_DIR / f"{cells[1].run_id}.0.json"
    assert kept.read_bytes() == bad  # moved aside, not deleted
    assert store.read(cells[1].run_id) is not None
    lines = _warnings(caplog, "not trusted")
    assert len(lines) == 1 and str(kept) in lines[0] and f"{field}:" in lines[0]
    assert "\n" not in lines[0]


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


MALFORMED = {
    "metric_is_a_number": ({"metrics": {"modes": 3}}, "metrics.modes"),
    "value_is_text": ({"metrics": {"modes": {"value": "abc"}}}, "metrics.modes.value"),
    "coords_is_a_string": ({"coords": "ring"}, "coords"),
    "curve_steps_are_strings": ({"curves": {"step": ["1", "2"], "g": [0.1, 0.2]}}, "curves.step"),
    "seed_is_a_word": ({"coords": {"seed": "zero"}}, "coords.seed"),
    "points_are_text": ({"samples": {"points": "x"}}, "samples.points"),
    "grid_is_a_number": ({"samples": {"grid": 3}}, "samples.grid"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_record_of_the_wrong_shape_is_one_line(small_suite, fake_executor, tmp_path, case):
    patch, field = MALFORMED[case]
    suite = small_suite()
    store = _write_all(suite, tmp_path / "res")
    cell = suite.cells()[2]
    rec = {**fake_record(cell, metrics=dict(MODES)), **patch}
    store.path(cell.run_id).write_text(json.dumps(rec))
    with pytest.raises(RecordError, match=rf"^{store.path(cell.run_id)}: {field}: ") as info:
        store.load(cell.run_id)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400
    assert _report(suite, tmp_path) == 0  # the report goes on without it
    assert len(_seed_rows(tmp_path, suite)) == 5
    fake = fake_executor()
    run_suite(suite, tmp_path / "res", "cpu", progress=False, options=FAST)
    assert fake.submitted == [[cell.run_id]]  # heals on rerun
    assert store.read(cell.run_id) is not None


def test_deeply_nested_record_is_one_line_not_a_recursion_error(tmp_path):
    with pytest.raises(RecordError, match="nested too deeply"):
        decode_record(_nested(200_000), tmp_path / "x.json")
    store = ResultStore(tmp_path, "s")
    rid = store.write(plain_record()).stem
    store.path(rid).write_text(_nested(200_000))
    assert store.read(rid) is None and not store.is_done(rid)


def test_non_mapping_record_is_warned_about_once(tmp_path, caplog):
    store = ResultStore(tmp_path, "s")
    rid = store.write(plain_record()).stem
    store.path(rid).write_text("[1, 2]")
    caplog.set_level(logging.WARNING)
    for _ in range(3):
        assert store.read(rid) is None
        assert store.records() == []
    lines = _warnings(caplog, rid)
    assert len(lines) == 1 and "expected a JSON object" in lines[0]


def test_full_reports_folder_is_one_line_and_keeps_the_records(
    small_suite, tmp_path, monkeypatch, capsys
):
    suite = small_suite()
    store = _write_all(suite, tmp_path / "res")
    before = {p.name: p.read_bytes() for p in store.dir.glob("*.json")}

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("ganbench.report.pages.atomic_write_text", full)
    assert _report(suite, tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganbench: error: cannot write the report in ") and err.count("\n") == 1
    assert str(tmp_path / "rep" / suite.name) in err and "No space left" in err
    assert {p.name: p.read_bytes() for p in store.dir.glob("*.json")} == before


def test_unusable_reports_folder_is_one_line(small_suite, tmp_path, capsys):
    """A reports root that is a file (works as root, unlike a read-only folder)."""
    suite = small_suite()
    _write_all(suite, tmp_path / "res")
    (tmp_path / "rep").write_text("a file")
    assert _report(suite, tmp_path) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganbench: error: cannot write the report in ") and err.count("\n") == 1


def test_non_finite_data_is_a_failed_cell_not_a_divergence(small_suite, monkeypatch):
    """Issue 13 item 8: NaN in the data is a data error with the reason, not ``diverged``."""
    import torch

    from ganbench.runner.execute import run_group
    from ganbench.runner.preflight import build_datasets

    suite = small_suite()
    datasets = build_datasets(suite)
    ring = datasets["ring"]
    real = ring.sample
    monkeypatch.setattr(ring, "sample", lambda n, g: real(n, g) * float("nan"))
    cells = suite.cells()[:3]
    records = run_group(cells, datasets, torch.device("cpu"))
    assert [r["status"] for r in records] == ["failed"] * 3
    assert all("non-finite values" in r["error"] for r in records)


def test_missing_image_folder_names_the_suite_file_and_key(write_suite, capsys):
    path = write_suite(
        "name: f\nseeds: [0]\n"
        "datasets: [{name: imagefolder, label: faces, params: {root: /nonexistent}}]\n"
        "objectives: [nonsaturating]\narchitectures: [dcgan]\n",
        "f.yaml",
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ganbench: error: {path}: datasets[0]: faces: ") and err.count("\n") == 1
    assert "/nonexistent is not a folder" in err


def test_skipped_unreadable_files_are_in_the_record_and_the_run_page(small_suite, tmp_path):
    import torch

    from ganbench.report import render_report
    from ganbench.runner.execute import run_group
    from ganbench.runner.preflight import build_datasets

    suite = small_suite()
    datasets = build_datasets(suite)
    datasets["ring"].n_skipped = 2  # as an imagefolder dataset reports it
    records = run_group(suite.cells()[:1], datasets, torch.device("cpu"))
    assert records[0]["data"]["skipped_unreadable_files"] == 2
    assert len(records[0]["data"]["mode_centres"]) == 8  # the ring's modes travel in the record
    render_report("s", records, tmp_path / "rep")
    page = (tmp_path / "rep" / "runs" / f"{records[0]['run_id']}.html").read_text()
    assert "skipped_unreadable_files = 2" in page


def test_ok_fit_record_without_its_result_fields_is_not_trusted(tmp_path):
    rec = plain_record(kind="divergence-fit", result={"a": 1.0, "b": [0.0], "coverage": {}})
    with pytest.raises(RecordError, match=r"result\.coverage: expected a mapping with a"):
        decode_record(json.dumps(rec), tmp_path / "x.json")
