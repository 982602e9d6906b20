"""The progress display every backend shares."""

from __future__ import annotations

import logging

from ganbench.runner.progress import SweepProgress, _fmt_eta


def test_counts_fractions_and_eta():
    p = SweepProgress(10, "s", enabled=False)
    assert p.eta_s() is None and p.line().endswith("ETA ?")
    p.started(0, 4)
    p.started(1, 2)
    assert p.counts() == {"done": 0, "running": 6, "failed": 0}
    p.advance(0, 0.5)  # 2 cells' worth
    assert p.eta_s() is not None
    p.finished(0, ["ok", "ok", "failed", "diverged"])
    p.done_elsewhere(1)
    assert p.counts() == {"done": 5, "running": 2, "failed": 1, "diverged": 1, "by_others": 1}
    p.retried(1)
    p.finished(1, ["ok", "ok"])
    assert p.running == 0 and p.done == 7
    assert p.line().startswith("7/10 cells done, 0 running, 1 failed, 1 diverged, 1 by others, ETA")


def test_hidden_bar_logs_one_line_per_finished_task(caplog):
    with (
        caplog.at_level(logging.INFO, logger="ganbench.runner.progress"),
        SweepProgress(2, "suite", enabled=False) as p,
    ):
        p.started(0, 2)
        p.finished(0, ["ok", "failed"])
    assert [r.getMessage().split(", ETA")[0] for r in caplog.records] == [
        "suite: 2/2 cells done, 0 running, 1 failed"
    ]


def test_bar_shows_the_same_counts(capsys):
    with SweepProgress(3, "bar", enabled=True) as p:
        p.started(0, 3)
        p.advance(0, 1 / 3)
        p.finished(0, ["ok"] * 3)
    err = capsys.readouterr().err
    assert "done=3" in err and "running=0" in err and "failed=0" in err and "eta=" in err


def test_eta_format():
    assert _fmt_eta(59.6) == "1:00"
    assert _fmt_eta(3725) == "1:02:05"


def test_running_cells_show_how_far_their_training_got(capsys):
    """Issue 12: 'done=0, running=39' for minutes; the line and the bar now say what moves."""
    p = SweepProgress(45, "s", enabled=False)
    assert p.trained_pct() is None
    p.started(0, 39)
    p.started(1, 6)
    assert p.trained_pct() == 0
    assert "45 running (0% of their steps)" in p.line()
    p.advance(0, 0.6)  # the 39-cell ensemble is 60 % through its steps
    p.advance(1, 0.1)
    assert p.trained_pct() == int(100 * (0.6 * 39 + 0.1 * 6) / 45)
    assert p.line().startswith("0/45 cells done, 45 running (53% of their steps)")
    p.finished(0, ["ok"] * 39)
    assert p.trained_pct() == 10
    with SweepProgress(7, "bar", enabled=True) as bar:
        bar.started(0, 7)
        bar.advance(0, 0.25)
    assert "trained=25%" in capsys.readouterr().err
