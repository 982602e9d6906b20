"""End to end: a tiny suite → records → HTML report; a rerun skips finished cells."""

from __future__ import annotations

import json

import torch

from ganbench.cli import main
from ganbench.config import load_suite
from ganbench.runner import run_suite


def test_tiny_suite_end_to_end(tiny_suite_path, tmp_path, capsys):
    results, reports = tmp_path / "results", tmp_path / "reports"
    argv = [
        "run",
        str(tiny_suite_path),
        "--results",
        str(results),
        "--reports",
        str(reports),
        "--no-progress",
        "--device",
        "cpu",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "report:" in out and "== ring" in out

    files = sorted((results / "tiny").glob("*.json"))
    assert len(files) == 12
    records = [json.loads(f.read_text()) for f in files]
    for rec in records:
        assert rec["status"] == "ok", rec.get("error")
        assert (results / "tiny" / f"{rec['run_id']}.json").exists()
        assert {"modes", "hq", "reverse_kl", "log_likelihood"} <= set(rec["metrics"])
        assert rec["curves"]["step"][-1] == 20
        assert rec["environment"]["torch"] == torch.__version__
        assert rec["metrics"]["modes"]["protocol"]["n_fake"] == 200
        assert len(rec["samples"]["points"]) == 50

    html = (reports / "tiny" / "index.html").read_text()
    for name in ("minimax", "nonsaturating", "wgan-gp", "ring", "grid"):
        assert name in html
    assert (reports / "tiny" / "figures").is_dir()
    for img in (reports / "tiny" / "figures").glob("*.png"):
        assert img.stat().st_size > 1000

    # rerun: everything is skipped, the report is rendered again
    mtimes = {f: f.stat().st_mtime_ns for f in files}
    suite = load_suite(tiny_suite_path)
    summary = run_suite(suite, results, torch.device("cpu"), progress=False)
    assert summary.skipped == 12 and summary.ran == 0
    assert {f: f.stat().st_mtime_ns for f in files} == mtimes
    assert main(argv) == 0


def test_same_suite_same_numbers(tiny_suite_path, tmp_path):
    suite = load_suite(tiny_suite_path)
    for d in ("a", "b"):
        run_suite(suite, tmp_path / d, torch.device("cpu"), progress=False)
    for fa in sorted((tmp_path / "a" / "tiny").glob("*.json")):
        ra = json.loads(fa.read_text())
        rb = json.loads((tmp_path / "b" / "tiny" / fa.name).read_text())
        assert ra["metrics"] == rb["metrics"]
        assert ra["curves"] == rb["curves"]
