"""The frames a report reads (``aggregate.report_frames``): columns, keys, order independence."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from ganbench.report.aggregate import (
    CURVE_COLUMNS,
    DETAIL_COLUMNS,
    INFO_COLUMNS,
    METRIC_COLUMNS,
    RUN_COLUMNS,
    RUN_PAGE_COLUMNS,
    SAMPLE_COLUMNS,
    ReportFrames,
    first_seed_runs,
    report_frames,
)
from tests.report.fakes import RING_CENTRES, fake_record, fake_suite_records

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _values(ds: str, obj: str, seed: int) -> dict[str, float]:
    return {"modes": 5.0 + seed, "hq": 0.9, "reverse_kl": 0.1 * (seed + 1)}


def _status(ds: str, obj: str, seed: int) -> str:
    return "diverged" if obj == "wgan" and seed == 1 else "ok"


@pytest.fixture
def records() -> list[dict]:
    recs = fake_suite_records(["ring", "grid"], ["gan", "wgan"], range(3), _values, _status)
    recs[0]["metrics"]["fid"] = {"skipped": "needs images", "version": "2"}
    recs[0]["data"]["skipped_unreadable_files"] = 2
    return recs


def test_each_frame_has_its_columns(records):
    f = report_frames(records)
    assert list(f.runs.columns) == [*RUN_COLUMNS, *RUN_PAGE_COLUMNS]
    assert list(f.metrics.columns) == METRIC_COLUMNS
    assert list(f.curves.columns) == CURVE_COLUMNS
    assert list(f.samples.columns) == SAMPLE_COLUMNS
    assert list(f.metric_details.columns) == DETAIL_COLUMNS
    assert list(f.run_info.columns) == INFO_COLUMNS
    assert f.metrics["value"].dtype == np.float64 and f.curves["value"].dtype == np.float64


def test_frames_of_no_records_are_empty_with_their_columns():
    f = report_frames([])
    for df in (f.runs, f.metrics, f.curves, f.samples, f.metric_details, f.run_info):
        assert df.empty and len(df.columns)
    assert f.info_by_run() == {}


def test_one_row_per_key(records):
    f = report_frames(records)
    assert len(f.runs) == len(records) and f.runs["run_id"].is_unique
    assert not f.metrics.duplicated(["run_id", "metric"]).any()
    assert not f.metric_details.duplicated(["run_id", "metric"]).any()
    assert not f.curves.duplicated(["run_id", "series", "step"]).any()
    assert not f.run_info.duplicated(["run_id", "section", "key"]).any()
    assert list(f.samples["run_id"]) == list(f.runs["run_id"])
    assert (f.samples.index == f.runs.index).all()
    ok = sum(r["status"] == "ok" for r in records)
    assert len(f.metrics) == 3 * ok  # the skipped fid is not a value
    assert len(f.metric_details) == 3 * ok + 1  # … but the run page lists it
    skipped = f.metric_details[f.metric_details["metric"] == "fid"].iloc[0]
    assert skipped["skipped"] == "needs images" and np.isnan(skipped["value"])


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


KEYS = {
    "runs": ["run_id"],
    "metrics": ["run_id", "metric"],
    "curves": ["run_id", "series", "step"],
    "samples": ["run_id"],
    "metric_details": ["run_id", "metric"],
    "run_info": ["run_id", "section", "key"],
}


def test_frames_do_not_depend_on_the_record_order(records):
    base = report_frames(records)
    shuffled = records[:]
    random.Random(0).shuffle(shuffled)
    other = report_frames(shuffled)
    for name, keys in KEYS.items():
        a, b = _sorted(getattr(base, name), keys), _sorted(getattr(other, name), keys)
        assert a.drop(columns=["points", "mode_centres"], errors="ignore").equals(
            b.drop(columns=["points", "mode_centres"], errors="ignore")
        ), name
        for col in ("points", "mode_centres"):
            if col in a:
                assert all(
                    (x is None and y is None) or np.array_equal(x, y)
                    for x, y in zip(a[col], b[col], strict=True)
                ), (name, col)


def test_frames_follow_the_record_order(records):
    f = report_frames(records[::-1])
    assert list(f.runs["run_id"]) == [r["run_id"] for r in records[::-1]]
    assert f.metrics["run_id"].iloc[0] == records[-1]["run_id"]


def test_runs_carry_the_mode_centres_and_page_fields(records):
    records[1].pop("data")
    records[2]["traceback"] = "Traceback: boom"
    f = report_frames(records)
    assert np.allclose(f.runs["mode_centres"].iloc[0], np.asarray(RING_CENTRES))
    assert f.runs["mode_centres"].iloc[1] is None
    assert f.runs["traceback"].tolist()[:3] == ["", "", "Traceback: boom"]
    assert '"train": {' in f.runs["config_json"].iloc[0]


def test_run_info_keeps_the_sections_in_order_without_the_centres(records):
    info = report_frames(records).info_by_run()[records[0]["run_id"]]
    assert list(info["coords"]) == ["dataset", "objective", "architecture", "variant", "seed"]
    assert info["data"] == {"skipped_unreadable_files": 2}  # centres are drawn, not listed
    assert info["timing"] == records[0]["timing"]
    assert info["environment"] == records[0]["environment"]


def test_samples_hold_points_and_only_a_checked_grid(records, tmp_path):
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "g.png").write_bytes(PNG)
    records[0]["samples"]["grid"] = "art/g.png"
    records[1]["samples"]["grid"] = "../outside.png"
    f = report_frames(records, tmp_path)
    assert f.samples["grid"].iloc[0] == (tmp_path / "art" / "g.png").resolve()
    assert f.samples["grid"].iloc[1] is None
    assert f.samples["points"].iloc[0].shape == (60, 2)
    assert report_frames(records).samples["grid"].iloc[0] is None  # no results folder


def test_first_seed_runs_take_the_lowest_ok_seed_of_each_entry():
    recs = [fake_record("ring", "gan", s, {"modes": 1.0}) for s in (2, 0, 1)]
    recs.append(fake_record("ring", "wgan", 0, {}, status="failed"))
    recs.append(fake_record("ring", "wgan", 1, {"modes": 1.0}))
    recs.append(fake_record("grid", "gan", 0, {"modes": 1.0}))
    firsts = first_seed_runs(report_frames(recs).runs, "ring")
    assert list(zip(firsts["objective"], firsts["seed"], strict=True)) == [("gan", 0), ("wgan", 1)]


def test_render_report_keeps_its_frames(rendered):
    assert isinstance(rendered.report.frames, ReportFrames)
    assert rendered.report.frames.runs is rendered.report.runs


def test_runs_without_samples_or_centres_render_without_them(tmp_path):
    from ganbench.report.html import render_report

    recs = [fake_record("ring", obj, s, {"modes": 1.0}) for obj in ("a", "b") for s in (0, 1)]
    for r in recs:
        del r["samples"], r["data"]
    rep = render_report("bare", recs, tmp_path / "bare")
    assert not any("samples_" in f for f in rep.figures)
    page = (tmp_path / "bare" / "runs" / f"{recs[0]['run_id']}.html").read_text()
    assert "true modes" not in page and "nan" not in page
