"""Field checks of a run record, used by :func:`ganbench.record.validate_record`.

Each ``check_*`` raises :class:`~ganbench.errors.RecordError` naming the file
and the field (``metrics.fid.value``, ``curves.eval.step``, …). This module
knows the encoded shapes of a record's parts; :mod:`ganbench.record` owns the
record itself (its type, schema, builders, encoding, validation).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganbench.errors import RecordError, echo

ENCODED_FLOATS = frozenset({"inf", "-inf", "nan"})  # non-finite floats as stored
MAX_CURVE_DEPTH = 4  # curves nest sub-series (e.g. ``eval``) at most this deep


def fail(path: str | Path, key: str, problem: str, value: Any) -> RecordError:
    """The error that field ``key`` of the record at ``path`` has ``problem``."""
    return RecordError(f"{path}: {key}: {problem}, got {echo(value)}")


def is_int(v: Any) -> bool:
    """Whether ``v`` is an integer (not a bool)."""
    return isinstance(v, int) and not isinstance(v, bool)


def is_encoded_float(v: Any) -> bool:
    """Whether ``v`` is a float as stored: a number, ``null``, ``"inf"``, ``"-inf"``."""
    if v is None or (isinstance(v, str) and v in ENCODED_FLOATS):
        return True
    return isinstance(v, int | float) and not isinstance(v, bool)


def check_fit_result(result: Any, path: str | Path) -> None:
    """The fields of a divergence fit's ``result`` that its report reads."""
    if not isinstance(result, dict):
        raise fail(path, "result", "expected a mapping (an ok fit has a result)", result)
    a, b, cov = result.get("a"), result.get("b"), result.get("coverage")
    if not is_encoded_float(a) or a is None or isinstance(a, str):
        raise fail(path, "result.a", "expected a number", a)
    if not isinstance(b, list) or not all(is_encoded_float(v) for v in b):
        raise fail(path, "result.b", "expected a list of numbers", b)
    if not isinstance(cov, dict) or not isinstance(cov.get("behaviour"), str):
        raise fail(path, "result.coverage", "expected a mapping with a 'behaviour'", cov)
    for key in ("modes_inside", "missed", "p_mass_inside", "e_q_log_p", "e_p_log_q"):
        if key not in cov:
            raise RecordError(f"{path}: result.coverage.{key}: missing")
    for key, kind, what in (
        ("local_optima", list, "a list"),
        ("objectives_at_fit", dict, "a mapping"),
        ("modes", list, "a list"),
    ):
        if not isinstance(result.get(key), kind):
            raise fail(path, f"result.{key}", f"expected {what}", result.get(key))
    for i, mode in enumerate(result["modes"]):
        if not isinstance(mode, dict) or not isinstance(mode.get("x"), list):
            raise fail(path, f"result.modes[{i}]", "expected a mapping with 'x'", mode)


def check_coords(coords: Any, path: str | Path) -> None:
    """``coords``: a mapping of strings or integers (``seed`` an integer)."""
    if not isinstance(coords, dict):
        raise fail(path, "coords", "expected a mapping", coords)
    for k, v in coords.items():
        if not isinstance(v, str) and not is_int(v):
            raise fail(path, f"coords.{k}", "expected a string or an integer", v)
    if "seed" in coords and not is_int(coords["seed"]):
        raise fail(path, "coords.seed", "expected an integer", coords["seed"])


def check_metrics(metrics: Any, path: str | Path) -> None:
    """``metrics``: name → entry with an encoded ``value`` and typed side fields."""
    if not isinstance(metrics, dict):
        raise fail(path, "metrics", "expected a mapping", metrics)
    for name, m in metrics.items():
        where = f"metrics.{name}"
        if not isinstance(m, dict):
            raise fail(path, where, "expected a mapping with a 'value'", m)
        if "value" in m and not is_encoded_float(m["value"]):
            raise fail(
                path, f"{where}.value", "expected a number, null, 'inf' or '-inf'", m["value"]
            )
        if "higher_is_better" in m and not isinstance(m["higher_is_better"], bool):
            raise fail(
                path, f"{where}.higher_is_better", "expected true or false", m["higher_is_better"]
            )
        for key in ("error", "note", "version"):
            if m.get(key) is not None and not isinstance(m[key], str):
                raise fail(path, f"{where}.{key}", "expected a string", m[key])
        if m.get("skipped") is not None and not isinstance(m["skipped"], str | bool):
            raise fail(path, f"{where}.skipped", "expected a string", m["skipped"])
        if "protocol" in m and not isinstance(m["protocol"], dict | type(None)):
            raise fail(path, f"{where}.protocol", "expected a mapping", m["protocol"])


def check_curves(curves: Any, path: str | Path, where: str, depth: int) -> None:
    """``curves`` (or a sub-series ``where``): integer steps and lists of numbers."""
    if not isinstance(curves, dict):
        raise fail(path, where, "expected a mapping", curves)
    if depth > MAX_CURVE_DEPTH:
        raise RecordError(f"{path}: {where}: nested more than {MAX_CURVE_DEPTH} levels")
    steps = curves.get("step", [])
    if not isinstance(steps, list) or not all(is_int(s) for s in steps):
        bad = steps if not isinstance(steps, list) else next(s for s in steps if not is_int(s))
        raise fail(path, f"{where}.step", "expected a list of integers", bad)
    for name, vals in curves.items():
        if name == "step":
            continue
        if isinstance(vals, dict):
            check_curves(vals, path, f"{where}.{name}", depth + 1)
        elif not isinstance(vals, list) or not all(is_encoded_float(v) for v in vals):
            raise fail(path, f"{where}.{name}", "expected a list of numbers", vals)


def check_samples(samples: Any, path: str | Path) -> None:
    """``samples``: optional ``points`` (rows of numbers) and relative file paths."""
    if not isinstance(samples, dict):
        raise fail(path, "samples", "expected a mapping", samples)
    points = samples.get("points")
    if points is not None:
        ok = isinstance(points, list) and all(
            isinstance(row, list) and all(is_encoded_float(v) for v in row) for row in points
        )
        if not ok:
            raise fail(path, "samples.points", "expected a list of lists of numbers", points)
    for key, value in samples.items():
        if key != "points" and not isinstance(value, str):
            raise fail(path, f"samples.{key}", "expected a relative file path", value)
