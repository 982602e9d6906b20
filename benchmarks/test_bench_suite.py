"""Wall time and peak memory of the default suite, as a user runs it.

``python -m ganbench run suites/objectives.yaml`` in a fresh process (into a
temporary results folder): train, evaluate and report every cell. Long (the
budget is 15 minutes on 2 CPU cores), so it runs only with ``-m bench``. The
CLI uses every core unless ``OMP_NUM_THREADS`` says otherwise (recorded).
``GANBENCH_BENCH_SUITE_OUT=DIR`` keeps the run's ``results/`` and ``reports/``
under ``DIR`` (for reading the leaderboard afterwards) instead of a temp folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 15 * 60
WRAPPER = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
code = subprocess.call(sys.argv[1:])
wall = time.perf_counter() - t0
print(code, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _split(records: list[dict], argv: list[str]) -> dict[str, float]:
    """How the wall time splits: training (per ensemble), evaluation (per cell), report.

    Training is the sum of each ensemble's ``train_ensemble_s`` (its cells share one
    value and one start time), evaluation the sum of the cells' ``eval_s``; the report
    is timed by rendering it again from the records (``ganbench report``).
    """
    ensembles = {
        (r["timing"]["started"], r["timing"]["train_ensemble_s"]) for r in records if r["timing"]
    }
    report = [*argv[:3], "report", *argv[4:9]]  # SUITE --results R --reports P
    t0 = time.perf_counter()
    subprocess.run(report, cwd=ROOT, capture_output=True, check=True)
    return {
        "train_s": round(sum(t for _, t in ensembles), 1),
        "eval_s": round(sum(r["timing"].get("eval_s", 0.0) for r in records), 1),
        "report_s": round(time.perf_counter() - t0, 1),
        "ensembles": len(ensembles),
    }


def test_objectives_suite_wall_time(benchmark, tmp_path):
    keep = os.environ.get("GANBENCH_BENCH_SUITE_OUT")
    if keep:
        tmp_path = Path(keep)
        if (tmp_path / "results").exists():
            raise pytest.UsageError(f"GANBENCH_BENCH_SUITE_OUT={keep} already holds results/")
    argv = [sys.executable, "-m", "ganbench", "run", str(ROOT / "suites" / "objectives.yaml")]
    argv += ["--results", str(tmp_path / "results"), "--reports", str(tmp_path / "reports")]
    argv += ["--no-progress"]
    out: dict[str, float] = {}

    def run() -> None:
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        code, wall, maxrss = done.stdout.split()[-3:]
        if int(code) != 0:
            raise AssertionError(done.stderr[-2000:])
        out.update(wall=float(wall), maxrss_kb=float(maxrss))

    benchmark.pedantic(run, rounds=1, iterations=1)
    records = [json.loads(p.read_text()) for p in (tmp_path / "results").rglob("*.json")]
    status: dict[str, int] = {}
    for rec in records:
        status[rec["status"]] = status.get(rec["status"], 0) + 1
    info = benchmark.extra_info
    info["cli_threads"] = os.environ.get("OMP_NUM_THREADS", "all cores")
    info["cells"] = len(records)
    info["status"] = status
    info["wall_s"] = round(out["wall"], 1)
    info.update(_split(records, argv))
    info["peak_rss_mb"] = round(out["maxrss_kb"] / 1024, 1)
    info["note"] = (
        "python -m ganbench run suites/objectives.yaml in a fresh process: training, "
        "evaluation and the HTML report; peak RSS of that process"
    )
    info["target"] = {
        "name": "default suite wall time",
        "value": f"{out['wall'] / 60:.1f} min",
        "goal": f"≤ {BUDGET_S // 60} min",
        "met": bool(out["wall"] <= BUDGET_S),
    }
