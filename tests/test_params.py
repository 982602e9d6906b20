from __future__ import annotations

from typing import Literal

import pytest

from ganbench.errors import ConfigError
from ganbench.params import resolve_params


def fn(
    *,
    a: float = 1.0,
    b: int = 2,
    mode: Literal["x", "y"] = "x",
    betas: tuple[float, float] = (0.5, 0.9),
    opt: float | None = None,
) -> None:
    """Example."""


def test_defaults_filled_and_coerced():
    out = resolve_params(fn, {"a": 3, "betas": [0, 1]}, where="f")
    assert out == {"a": 3.0, "b": 2, "mode": "x", "betas": (0.0, 1.0), "opt": None}
    assert isinstance(out["a"], float)


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"c": 1}, r"f: unknown parameter 'c' \(valid: a, b, betas, mode, opt\)"),
        ({"b": 1.5}, r"f\.b: expected an integer, got 1.5"),
        ({"b": True}, r"f\.b: expected an integer"),
        ({"a": "x"}, r"f\.a: expected a number"),
        ({"mode": "z"}, r"f\.mode: expected one of 'x' \| 'y'"),
        ({"betas": [1]}, r"f\.betas: expected 2 items"),
        ({"opt": "no"}, r"f\.opt: expected float \| null"),
    ],
)
def test_bad_values(given, match):
    with pytest.raises(ConfigError, match=match):
        resolve_params(fn, given, where="f")
