"""Deterministic trial sampling over a :class:`~ganbench.search.space.SearchSpace`.

Both samplers draw unit-interval numbers and map them through each
distribution's inverse CDF (``Distribution.sample``). What stays stable:

* **random** — the value of parameter ``p`` in trial ``i`` depends only on
  ``(seed, i, p)`` and ``p``'s distribution: it is the ``i``-th number of
  ``p``'s own stream ``numpy.random.default_rng([seed, key(p)])`` (``key`` a
  SHA-256 digest of the path; a stream's numbers come one after another, so
  trial ``i`` does not depend on ``k``). Extending a search from 20 to 40 trials keeps the first 20;
  adding, removing or reordering other parameters changes nothing; and two
  objectives that share ``train.lr`` draw the same learning rates in the same
  trials (common random numbers: their comparison is not luck of the draw).
* **sobol** — scrambled Sobol points from ``scipy.stats.qmc.Sobol(d,
  scramble=True)`` seeded with ``seed``; dimension ``j`` is the ``j``-th path in
  sorted order (independent of YAML key order). The first ``k`` points are a
  prefix of the first ``K > k`` points, so extending a search keeps its
  trials. The scrambling is drawn for all ``d`` dimensions jointly, so adding or
  removing a parameter changes every parameter's values: two objectives share
  their trials only if their spaces have the same paths. The points depend on
  SciPy's Sobol implementation (record the SciPy version with the results).
"""

from __future__ import annotations

import copy
import hashlib
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.stats import qmc

from ganbench.errors import ConfigError, echo
from ganbench.search.space import SearchSpace

SAMPLERS = ("random", "sobol")  # the ``sampler:`` names of a search section


def _path_key(path: str) -> int:
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little")


def _random_units(paths: tuple[str, ...], k: int, seed: int) -> np.ndarray:
    units = np.empty((k, len(paths)))
    for j, path in enumerate(paths):
        units[:, j] = np.random.default_rng([seed, _path_key(path)]).random(k)
    return units


def _sobol_engine(d: int, seed: int) -> qmc.Sobol:
    try:
        return qmc.Sobol(d, scramble=True, rng=seed)
    except TypeError:  # SciPy < 1.15 names the argument ``seed``
        return qmc.Sobol(d, scramble=True, seed=seed)


def _sobol_units(d: int, k: int, seed: int) -> np.ndarray:
    if d == 0:
        return np.empty((k, 0))
    m = math.ceil(math.log2(k)) if k > 1 else 0
    return _sobol_engine(d, seed).random_base2(m)[:k]


def sample_trials(space: SearchSpace, k: int, sampler: str, seed: int) -> list[dict[str, Any]]:
    """``k`` trials (path → value dicts) from ``space``; deterministic in its arguments.

    ``sampler`` is ``"random"`` (independent uniform draws per trial and
    parameter) or ``"sobol"`` (scrambled Sobol points: the first ``2**m``
    points, ``2**m >= k``, are drawn with ``random_base2`` and the first ``k``
    kept; with ``k`` not a power of two the balance properties of the Sobol net
    hold only approximately). See the module docstring for what stays stable when
    ``k`` or the space changes. An empty space gives ``k`` empty trials.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if sampler == "random":
        units = _random_units(space.paths, k, seed)
    elif sampler == "sobol":
        units = _sobol_units(len(space), k, seed)
    else:
        raise ValueError(f"unknown sampler {sampler!r} (valid: {', '.join(SAMPLERS)})")
    return [
        {path: dist.sample(float(u)) for (path, dist), u in zip(space.params, row, strict=True)}
        for row in units
    ]


def _set(node: Any, segments: list[str], value: Any, path: str, where: str) -> Any:
    """``node`` with ``value`` at ``segments`` (mappings and lists are copied along the way)."""
    if not segments:
        return value
    head, rest = segments[0], segments[1:]
    if head.isdigit():
        if not isinstance(node, list | tuple):
            raise ConfigError(
                f"{where}: {path}: index {head} needs a list or tuple, found {echo(node)}"
            )
        if int(head) >= len(node):
            raise ConfigError(
                f"{where}: {path}: index {head} out of range for {echo(node)} "
                f"(valid: 0..{len(node) - 1})"
            )
        items = list(node)
        items[int(head)] = _set(items[int(head)], rest, value, path, where)
        return tuple(items) if isinstance(node, tuple) else items
    if node is None:
        node = {}
    if not isinstance(node, Mapping):
        raise ConfigError(f"{where}: {path}: {head!r} needs a mapping, found {echo(node)}")
    out = dict(node)
    child = out.get(head)
    if child is None and rest and rest[0].isdigit():
        raise ConfigError(
            f"{where}: {path}: no value at {head!r} to index (the base config must hold the list)"
        )
    out[head] = _set(child, rest, value, path, where)
    return out


def apply_trial(
    base: Mapping[str, Any], trial: Mapping[str, Any], *, where: str = "search"
) -> dict[str, Any]:
    """A deep copy of ``base`` with each ``path: value`` of ``trial`` set.

    ``base`` is a nested config mapping such as ``{"train": {...}, "objective":
    {...}}``. Name segments walk into mappings (created when missing); integer
    segments index lists and tuples (``train.betas.0``), which must exist in
    ``base`` — so pass the resolved config, defaults filled in; a tuple stays a
    tuple. ``base`` is not modified.
    """
    out: dict[str, Any] = copy.deepcopy(dict(base))
    for path in sorted(trial):
        out = _set(out, path.split("."), copy.deepcopy(trial[path]), path, where)
    return out
