"""Fabricated run records for report tests (no training): realistic shape, chosen numbers."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

METRIC_DIRECTIONS = {"modes": True, "hq": True, "reverse_kl": False}
RING_CENTRES = [[math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)] for k in range(8)]


def _run_id(coords: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(coords, sort_keys=True).encode()).hexdigest()[:16]


def _ring_points(n: int, rng: np.random.Generator, modes: int) -> list[list[float]]:
    k = rng.integers(0, modes, n)
    ang = 2 * math.pi * k / 8
    pts = np.stack([np.cos(ang), np.sin(ang)], 1) + 0.02 * rng.standard_normal((n, 2))
    return pts.round(5).tolist()


def fake_record(
    dataset: str,
    objective: str,
    seed: int,
    values: dict[str, float],
    *,
    status: str = "ok",
    variant: str = "default",
    architecture: str = "mlp",
    suite: str = "fake",
    steps: int = 100,
) -> dict[str, Any]:
    """One record as the runner writes it, with the given metric ``values``."""
    coords = {
        "dataset": dataset,
        "objective": objective,
        "architecture": architecture,
        "variant": variant,
        "seed": seed,
    }
    rng = np.random.default_rng(seed)
    ok = status == "ok"
    grid = np.arange(10, steps + 1, 10)
    curves = {
        "step": grid.tolist(),
        "d_loss": (1.2 + 0.1 * rng.standard_normal(len(grid))).tolist(),
        "g_loss": (0.8 + 0.1 * rng.standard_normal(len(grid))).tolist(),
    }
    metrics = {
        name: {
            "value": v,
            "higher_is_better": METRIC_DIRECTIONS.get(name, True),
            "version": "1",
            "protocol": {"n_fake": 2500, "threshold_std": 3.0},
        }
        for name, v in values.items()
    }
    return {
        "schema": 1,
        "run_id": _run_id({**coords, "suite": suite}),
        "suite": suite,
        "coords": coords,
        "config": {
            "dataset": {"name": "ring", "label": dataset, "params": {}},
            "objective": {"name": "minimax", "label": objective, "params": {}},
            "architecture": {"name": "mlp", "label": architecture, "params": {"width": 16}},
            "variant": variant,
            "seed": seed,
            "train": {"steps": steps, "batch_size": 32},
            "eval": {"n_samples": 2500},
        },
        "environment": {
            "ganbench": "0.1.0",
            "torch": "2.x",
            "device": "cpu",
            "device_name": "cpu (test)",
            "git": "0" * 40,
        },
        "status": status,
        "error": None if ok else f"{status} at step 7",
        "diverged_step": 7 if status == "diverged" else None,
        "metrics": metrics if ok else {},
        "curves": curves,
        "samples": {"points": _ring_points(60, rng, 8)} if ok else {},
        "data": {"mode_centres": RING_CENTRES, "mode_stds": [0.01] * 8},
        "timing": {"train_s": 1.0, "eval_s": 0.1},
    }


def fake_suite_records(
    datasets: Sequence[str],
    objectives: Sequence[str],
    seeds: Sequence[int],
    value_fn: Callable[[str, str, int], dict[str, float]],
    status_fn: Callable[[str, str, int], str] | None = None,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    """Records of a full datasets × objectives × seeds matrix."""
    return [
        fake_record(
            ds,
            obj,
            s,
            value_fn(ds, obj, s),
            status=status_fn(ds, obj, s) if status_fn else "ok",
            **kwargs,
        )
        for ds in datasets
        for obj in objectives
        for s in seeds
    ]
