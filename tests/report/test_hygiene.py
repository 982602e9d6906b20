"""Output hygiene of reports (issue 13, items 9-11): file modes, untrusted paths, injection."""

from __future__ import annotations

import os
import stat

from ganbench.cli import terminal_safe
from ganbench.report import render_report, svg
from ganbench.report.aggregate import mode_centres, sample_image
from ganbench.report.exports import csv_safe
from ganbench.runner.store import ResultStore
from tests.report.fakes import fake_record
from tests.runner.conftest import plain_record

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _mode(p) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def test_records_and_report_files_honour_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        path = ResultStore(tmp_path / "res", "s").write(plain_record())
        recs = [fake_record("ring", "gan", s, {"modes": 3.0}) for s in range(2)]
        render_report("s", recs, tmp_path / "rep")
    finally:
        os.umask(old)
    assert _mode(path) == 0o644
    for name in ("index.html", "leaderboard.csv", "seeds.csv", "leaderboard.md"):
        assert _mode(tmp_path / "rep" / name) == 0o644, name
    pages = list((tmp_path / "rep" / "runs").glob("*.html"))
    assert pages and all(_mode(p) == 0o644 for p in pages)


def test_sample_grid_outside_the_results_folder_is_not_read(tmp_path):
    results = tmp_path / "results" / "s"
    (results / "artifacts").mkdir(parents=True)
    (results / "artifacts" / "ok.png").write_bytes(PNG)
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    for bad in (str(secret), "../../secret.png", "artifacts/../../../secret.png"):
        assert sample_image({"samples": {"grid": bad}}, results) is None
    assert sample_image({"samples": {"grid": "artifacts/ok.png"}}, results) is not None
    (results / "link.png").symlink_to(secret)
    assert sample_image({"samples": {"grid": "link.png"}}, results) is None


def test_report_does_not_copy_a_file_named_by_an_absolute_path(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    rec = fake_record("ring", "gan", 0, {"modes": 3.0})
    rec["samples"]["grid"] = str(secret)
    render_report("s", [rec], tmp_path / "rep", results_dir=tmp_path / "res")
    assert not list((tmp_path / "rep").rglob("*.png*")) or all(
        p.read_bytes() != PNG for p in (tmp_path / "rep").rglob("*.png")
    )


def test_report_reads_mode_centres_from_the_record_never_from_the_registry(tmp_path, monkeypatch):
    from ganbench.datasets import DATASETS

    def no_lookup(name):
        raise AssertionError(f"the report looked up dataset {name!r}")

    monkeypatch.setattr(DATASETS, "get", no_lookup)
    assert mode_centres({"mode_centres": [[1.0, 0.0], [0.0, 1.0]]}).shape == (2, 2)
    for bad in (None, {}, {"mode_centres": "x"}, {"mode_centres": [[1.0, 2.0, 3.0]]},
                {"mode_centres": [[1.0], [1.0, 2.0]]}, {"mode_centres": [["a", "b"]]}):  # fmt: skip
        assert mode_centres(bad) is None, bad
    new = fake_record("ring", "gan", 0, {"modes": 3.0})
    old = fake_record("ring", "gan", 1, {"modes": 3.0})
    del old["data"]  # a record written before the field existed: no centres drawn
    render_report("s", [new, old], tmp_path / "rep")
    cross = f'stroke="{svg.COLORS[3]}"'
    pages = tmp_path / "rep" / "runs"
    assert (pages / f"{new['run_id']}.html").read_text().count(cross) == 8
    assert (pages / f"{old['run_id']}.html").read_text().count(cross) == 0
    assert "mode_centres" not in (pages / f"{new['run_id']}.html").read_text()


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    label = '=HYPERLINK("http://evil.example","x")'
    recs = [fake_record("ring", label, s, {"modes": -1.0}) for s in range(2)]
    recs += [fake_record("ring", "+cmd", s, {"modes": 2.0}) for s in range(2)]
    render_report("s", recs, tmp_path / "rep")
    for name in ("leaderboard.csv", "seeds.csv"):
        text = (tmp_path / "rep" / name).read_text()
        assert "'=HYPERLINK(" in text and "'+cmd" in text, name
        assert ",=HYPERLINK" not in text and '"=HYPERLINK' not in text
        assert "-1.0" in text or name == "leaderboard.csv"  # numbers stay numbers
    import pandas as pd

    assert csv_safe(pd.DataFrame({"x": [-1.5]}))["x"].tolist() == [-1.5]


def test_terminal_output_escapes_control_characters():
    assert terminal_safe("a\x1b[2Jb\x07c\u202ed\nnext ± ↑") == "a\\x1b[2Jb\\x07c\\u202ed\nnext ± ↑"
