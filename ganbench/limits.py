"""Upper bounds on every count of a suite, and an up-front memory check.

A count beyond its bound is a typo or a hostile input (``steps: 1e30``,
``n_samples: 1e11``), not an experiment: it would allocate until the machine
runs out of memory, or run forever. The bounds leave ample room above the
largest published protocols (e.g. 400,000 steps, 50,000 samples for FID).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ganbench.errors import ConfigError

TRAIN_MAX: dict[str, int] = {
    "steps": 10_000_000,
    "batch_size": 65_536,
    "z_dim": 65_536,
    "n_critic": 100,
    "unroll_steps": 100,
    "pack": 64,
    "log_every": 10_000_000,
    "ema_start": 10_000_000,
}
EVAL_MAX: dict[str, int] = {
    "n_samples": 1_000_000,
    "keep_samples": 100_000,
    "track_samples": 1_000_000,
    "track_every": 10_000_000,
}
SEED_MAX = 2**32 - 1  # torch and numpy seeds
MEMORY_SHARE = 0.5  # a cell's sample and batch tensors may use at most this share of RAM
FLOAT_BYTES = 4


def check_counts(values: Mapping[str, Any], limits: Mapping[str, int], where: str) -> None:
    """Every integer in ``values`` named in ``limits`` is at most its limit."""
    for key, limit in limits.items():
        value = values.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > limit:
            raise ConfigError(f"{where}.{key}: {value} is larger than the maximum {limit:,}")


def physical_memory() -> int | None:
    """Bytes of physical memory, or ``None`` where the platform does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(
    shape: Sequence[int],
    n_samples: int,
    batch_values: int,
    where: str,
    memory: int | None = None,
) -> None:
    """A cell's generated samples and one step's batch tensors fit in memory.

    ``shape`` is one data point's shape; ``batch_values`` the number of data
    points one training step holds (batch × pack × members). Raises a one-line
    :class:`ConfigError` stating the size and the memory.
    """
    memory = physical_memory() if memory is None else memory
    if memory is None:
        return
    point = FLOAT_BYTES * math.prod(shape)
    budget = MEMORY_SHARE * memory
    for what, count in (("eval samples", n_samples), ("a training batch", batch_values)):
        need = point * count
        if need > budget:
            raise ConfigError(
                f"{where}: {what} of {count:,} points of shape {tuple(shape)} need "
                f"{need / 2**30:.1f} GiB, more than {MEMORY_SHARE:.0%} of this machine's "
                f"{memory / 2**30:.1f} GiB"
            )
