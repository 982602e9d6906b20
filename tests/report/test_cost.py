"""Budget times: measured from records (summed, elapsed, extrapolated by steps) or as stated."""

from __future__ import annotations

import socket

import pytest

from ganbench.report.aggregate import timing_frame
from ganbench.report.cost import (
    expected_s,
    fmt_duration,
    measured_time,
    run_facts,
    time_estimate,
)
from tests.report.fakes import fake_record


def _records(n: int, host: str | None = None) -> list[dict]:
    recs = []
    for seed in range(n):
        rec = fake_record("ring", "ns", seed, {"modes": 7.0}, steps=1000)
        rec["timing"] = {
            "started": "2026-12-03T10:00:00+00:00",
            "finished": f"2026-12-03T10:0{seed + 1}:00+00:00",
            "train_s": 60.0,
            "eval_s": 6.0,
        }
        if host:
            rec["runner"] = {"backend": "local", "host": host, "pid": 1, "attempts": 1}
        recs.append(rec)
    failed = fake_record("ring", "ns", 9, {}, status="failed")
    failed["timing"] = {"started": "2026-12-03T10:00:00+00:00"}
    return [*recs, failed]


def test_records_give_summed_and_elapsed_time_and_speed():
    m = measured_time(timing_frame(_records(3, socket.gethostname())))
    assert m is not None and m.n_runs == 3  # the failed record has no times
    assert m.compute_s == pytest.approx(3 * 66.0) and m.elapsed_s == pytest.approx(180.0)
    assert m.s_per_step == pytest.approx(0.06) and m.dates == ("2026-12-03",)
    assert expected_s(m, [2000] * 4) == pytest.approx(4 * (120 + 6))
    assert measured_time(timing_frame([])) is None


def test_time_estimate_in_words():
    here = measured_time(timing_frame(_records(3, socket.gethostname())))
    assert time_estimate(here, [1000] * 3, "~25 CPU min") == (
        "measured 3 min 18 s summed over runs, 3 min 00 s elapsed on this machine, records of "
        "2026-12-03 / stated ~25 CPU min"
    )
    assert time_estimate(here, [1000] * 30, "") == (
        "expected 33 min from the speed of 3 of 30 runs on this machine, records of "
        "2026-12-03 / no stated time"
    )
    other = measured_time(timing_frame(_records(1, "gpu-node-7")))
    assert "on gpu-node-7" in time_estimate(other, [1000], "~3 GPU h")
    assert time_estimate(None, [1000], "~3 GPU h") == "stated ~3 GPU h (no records yet)"


def test_run_facts_and_durations():
    m = measured_time(timing_frame(_records(2)))
    facts = run_facts(m, [1000, 1000], 2)
    assert facts[0] == "2 runs (2 seeds per entry), 1,000 steps each."
    assert facts[1].startswith("Wall time: 2 min 12 s of training and evaluation summed over 2 ")
    assert "2 min 00 s elapsed" in facts[1]
    assert run_facts(None, [5, 10], 1)[1] == "Wall time: no record has training times."
    assert [fmt_duration(s) for s in (12, 198, 2460, 11100)] == [
        "12 s",
        "3 min 18 s",
        "41 min",
        "3 h 05 min",
    ]
