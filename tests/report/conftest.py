"""A report rendered once from fabricated records, shared by the report tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from ganbench.report.html import Report, render_report
from tests.report.fakes import fake_suite_records

EVIL = "<script>alert(1)</script>"
OBJECTIVES = ["gan", f"pac{EVIL}", "wgan"]


def _values(ds: str, obj: str, seed: int) -> dict[str, float]:
    rng = np.random.default_rng([OBJECTIVES.index(obj), seed, len(ds)])
    base = {"gan": 5.0, f"pac{EVIL}": 7.8, "wgan": 7.0}[obj]
    return {
        "modes": float(base + rng.normal(0, 0.3)),
        "hq": float(rng.uniform(0.9, 0.99)),
        "reverse_kl": float(rng.uniform(0.05, 0.5)),
    }


def _status(ds: str, obj: str, seed: int) -> str:
    if ds == "dead":
        return "failed"
    return "diverged" if obj == "wgan" and seed == 2 else "ok"


@dataclass
class Rendered:
    """A rendered report and the records it came from."""

    report: Report
    records: list[dict]
    out: Path


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Rendered:
    """ring + grid (3 objectives × 4 seeds, one diverged seed) + a dataset whose runs all failed."""
    records = fake_suite_records(["ring", "grid"], OBJECTIVES, range(4), _values, _status)
    records += fake_suite_records(["dead"], ["gan"], range(3), _values, _status)
    out = tmp_path_factory.mktemp("report") / "fake"
    report = render_report("fake", records, out, suite_hash="0123abcd", description=f"d{EVIL}")
    return Rendered(report, records, out)


@dataclass
class Reproduced:
    """``ganbench reproduce`` run once on a tiny paper suite (CPU budget, 1 seed, 10 steps)."""

    reports: Path
    results: Path
    argv: list[str]
    stdout: str


@pytest.fixture(scope="session")
def reproduced(tmp_path_factory) -> Reproduced:
    """The tiny paper suite of ``tests/test_papers.py`` reproduced through the CLI."""
    import contextlib
    import io

    from ganbench.cli import main
    from tests.test_papers import PAPER_SUITE

    root = tmp_path_factory.mktemp("reproduce")
    text = PAPER_SUITE.replace("cpu: {minutes: 1, seeds: [0, 1, 2]", "cpu: {minutes: 1, seeds: [0]")
    path = root / "tinypaper.yaml"
    path.write_text(text)
    argv = ["reproduce", str(path), "--budget", "cpu", "--results", str(root / "results"),
            "--reports", str(root / "reports"), "--device", "cpu", "--no-progress"]  # fmt: skip
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0
    return Reproduced(root / "reports" / "tinypaper-cpu", root / "results", argv, out.getvalue())
