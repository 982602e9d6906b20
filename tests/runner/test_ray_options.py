"""GPU and CPU requests of Ray tasks (no Ray needed)."""

from __future__ import annotations

import pytest

from ganbench.errors import ConfigError
from ganbench.runner.ray import RayExecutor


@pytest.mark.parametrize(
    ("requested", "device", "available", "expected"),
    [
        (None, "auto", 0.0, 0.0),
        (None, "auto", 2.0, 1.0),
        (0.25, "auto", 1.0, 0.25),
        (0.5, "cuda", 1.0, 0.5),
        (None, "cpu", 4.0, 0.0),
    ],
)
def test_gpu_request(requested, device, available, expected):
    assert RayExecutor._gpus(requested, device, available) == expected


@pytest.mark.parametrize(
    ("requested", "device", "available", "message"),
    [
        (1.0, "cpu", 1.0, "contradicts --device cpu"),
        (None, "cuda", 0.0, "no GPUs"),
        (2.0, "auto", 1.0, "has 1.0 GPU"),
    ],
)
def test_bad_gpu_request_is_one_line(requested, device, available, message):
    with pytest.raises(ConfigError, match=message):
        RayExecutor._gpus(requested, device, available)
