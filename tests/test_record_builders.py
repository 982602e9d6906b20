"""The record builders of :mod:`ganbench.record`: fields, validity, encode/decode round trip."""

from __future__ import annotations

import math

import pytest

from ganbench.kinds.fit import NAME as FIT_KIND
from ganbench.record import (
    SCHEMA,
    RecordHead,
    RunRecord,
    config_run_id,
    decode_record,
    encode_record,
    eval_record,
    failed_fit_record,
    failed_record,
    fit_record,
    gan_record,
    pop_files,
    validate_record,
    with_image_extras,
    with_runner,
)

CONFIG = {"objective": {"name": "hinge"}, "seed": 0}
HEAD = RecordHead(config_run_id(CONFIG), "s", {"objective": "hinge", "seed": 0}, CONFIG, {"d": 1})
METRICS = {"fid": {"value": 1.5, "higher_is_better": False, "version": "1"}}
FIT_RESULT = {
    "b": [0.1, -0.2],
    "a": 1.49,
    "local_optima": [],
    "objectives_at_fit": {"kl": 0.3},
    "modes": [{"x": [0.0, 1.0]}],
    "coverage": {
        "behaviour": "mode covering",
        **dict.fromkeys(("modes_inside", "missed", "p_mass_inside", "e_q_log_p", "e_p_log_q"), 0),
    },
}


def _gan(status: str = "ok", **kw: object) -> RunRecord:
    args: dict = {
        "status": status,
        "error": None,
        "diverged_step": None,
        "metrics": METRICS,
        "curves": {"step": [0, 5], "d_loss": [1.0, math.inf]},
        "points": [[0.5, -0.25]],
        "generator": "final",
        "n_samples": 50,
        "started": "t0",
        "finished": "t1",
        "train_ensemble_s": 3.0,
        "ensemble_size": 3,
        "eval_s": 0.12345,
    }
    return gan_record(HEAD, **{**args, **kw})


def _round_trip(rec: RunRecord) -> RunRecord:
    """``rec`` validated, then encoded and decoded again (non-finite floats as stored)."""
    assert validate_record(rec, "mem") is rec
    text = encode_record(rec)
    back = decode_record(text, "mem")
    assert encode_record(back) == text
    return back


def _head_fields(rec: RunRecord, kind: str | None = None) -> None:
    assert rec["schema"] == SCHEMA and rec["run_id"] == HEAD.run_id
    assert (rec["suite"], rec["coords"], rec["config"]) == ("s", HEAD.coords, CONFIG)
    assert rec["environment"] == {"d": 1}
    assert rec.get("kind") == kind


def test_gan_record_ok():
    rec = _gan(data={"mode_centres": [[0.0, 1.0]]})
    _head_fields(rec)
    assert rec["status"] == "ok" and rec["error"] is None and rec["diverged_step"] is None
    assert rec["samples"] == {"points": [[0.5, -0.25]]}
    assert rec["evaluation"] == {"generator": "final", "n_samples": 50}
    assert rec["timing"] == {
        "started": "t0",
        "finished": "t1",
        "train_s": 1.0,
        "train_ensemble_s": 3.0,
        "ensemble_size": 3,
        "eval_s": 0.123,
    }
    assert rec["data"] == {"mode_centres": [[0.0, 1.0]]}
    back = _round_trip(rec)
    assert back["curves"]["d_loss"] == [1.0, "inf"]


def test_gan_record_diverged_keeps_no_points_nor_empty_data():
    rec = _gan("diverged", error="non-finite loss", diverged_step=5, metrics={}, data={})
    assert rec["samples"] == {} and "data" not in rec
    assert (rec["status"], rec["diverged_step"], rec["error"]) == ("diverged", 5, "non-finite loss")
    _round_trip(rec)


def test_gan_record_refuses_a_failed_status():
    with pytest.raises(ValueError, match="ok or diverged"):
        _gan("failed")


def test_failed_record_keeps_the_end_of_the_traceback():
    rec = failed_record(HEAD, error="E: x", traceback_text="a" * 5000, started="t0", finished="t1")
    _head_fields(rec)
    assert (rec["status"], rec["error"], rec["metrics"], rec["curves"]) == (
        "failed",
        "E: x",
        {},
        {},
    )
    assert len(rec["traceback"]) == 4000 and rec["timing"] == {"started": "t0", "finished": "t1"}
    _round_trip(rec)


def test_fit_records():
    head = RecordHead(HEAD.run_id, "s", HEAD.coords, CONFIG, {"d": 1}, kind=FIT_KIND)
    ok = fit_record(head, result=FIT_RESULT, fit_s=1.23456)
    _head_fields(ok, FIT_KIND)
    assert ok["status"] == "ok"
    assert ok["result"] == FIT_RESULT and ok["timing"] == {"fit_s": 1.235}
    assert "metrics" not in ok
    _round_trip(ok)
    bad = failed_fit_record(head, error="RuntimeError: boom", traceback_text="tb", fit_s=0.5)
    assert (bad["status"], bad["error"], bad["traceback"]) == ("failed", "RuntimeError: boom", "tb")
    assert "result" not in bad and bad["timing"] == {"fit_s": 0.5}
    _round_trip(bad)


def test_eval_record():
    head = RecordHead(HEAD.run_id, "s", HEAD.coords, CONFIG, {"d": 1}, kind="eval")
    kw: dict = {
        "metrics": METRICS,
        "input_type": "array",
        "input_description": {"path": "p.npy"},
        "n_samples": 600,
        "reference": "ring",
        "protocol": "default",
        "started": "t0",
        "finished": "t1",
        "load_s": 0.01,
        "eval_s": 0.2,
    }
    rec = eval_record(head, **kw, points=[[1.0, 2.0]])
    _head_fields(rec, "eval")
    assert rec["status"] == "ok" and rec["metrics"] == METRICS
    assert rec["evaluation"] == {
        "input_type": "array",
        "input": {"path": "p.npy"},
        "n_samples": 600,
        "reference": "ring",
        "protocol": "default",
    }
    assert rec["timing"] == {"started": "t0", "finished": "t1", "load_s": 0.01, "eval_s": 0.2}
    assert rec["samples"] == {"points": [[1.0, 2.0]]}
    _round_trip(rec)
    assert "samples" not in eval_record(head, **kw)


def test_with_image_extras_adds_curves_artifacts_and_transient_files():
    rec = _gan()
    out = with_image_extras(
        rec,
        numerics={"precision": "float32"},
        eval_curves={"step": [0, 3], "fid": [9.0, 8.0]},
        tracking={"metric": "fid"},
        artifacts={"grid": "artifacts/x/samples.png"},
        files={"samples.png": b"png"},
    )
    assert "eval" not in rec["curves"] and "numerics" not in rec  # the input is unchanged
    assert out["curves"]["eval"] == {"step": [0, 3], "fid": [9.0, 8.0]}
    assert out["curves"]["d_loss"] == rec["curves"]["d_loss"]
    assert out["tracking"] == {"metric": "fid"} and out["numerics"] == {"precision": "float32"}
    assert out["samples"] == {"points": [[0.5, -0.25]], "grid": "artifacts/x/samples.png"}
    assert pop_files(out) == {"samples.png": b"png"} and "_files" not in out
    assert pop_files(out) == {}
    _round_trip(out)


def test_with_image_extras_of_a_failed_run_has_no_artifacts():
    rec = failed_record(HEAD, error="E", traceback_text="", started="t0", finished="t1")
    out = with_image_extras(
        rec, numerics={"precision": "float32"}, eval_curves={"step": []}, tracking={"m": 1}
    )
    assert out["curves"] == {"eval": {"step": []}} and "artifacts" not in out
    assert "_files" not in out and "samples" not in out
    _round_trip(out)


def test_with_runner():
    rec = with_runner(_gan(), backend="local", host="h", pid=7, attempts=2)
    assert rec["runner"] == {"backend": "local", "host": "h", "pid": 7, "attempts": 2}
    _round_trip(rec)
