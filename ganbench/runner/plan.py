"""Planning a sweep: which cells are pending and how they group into ensembles.

Cells that differ only in seed and dataset (with the same data shape) train
together as one ensemble: the objective, architecture, variant, training and
evaluation settings must be equal. Objectives whose losses are their whole
game (no own penalty or post-step hook, see ``is_mixable``) may also share an
ensemble, each member using its own objective. Each member still draws from
its own random streams, so grouping changes speed, not results. A group larger
than ``max_size`` is split into equal parts, and with ``min_parts`` (the worker
processes of ``--jobs N``) every group is split into at least that many parts, so
that an expensive variant (unrolled, packed) does not sit on one worker while the
others idle.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence

from ganbench.architectures import ARCHITECTURES
from ganbench.config import Cell
from ganbench.datasets.base import Dataset
from ganbench.objectives import OBJECTIVES
from ganbench.objectives.base import is_mixable

MAX_ENSEMBLE = 64


def ensemble_key(cell: Cell, dataset: Dataset) -> str:
    """Cells with equal keys may share an ensemble."""
    resolved = cell.resolved()
    drops = ["seed", "dataset"]
    if is_mixable(OBJECTIVES.get(cell.objective.name)):
        drops.append("objective")
    for drop in drops:
        resolved.pop(drop)
    resolved["data_shape"] = list(dataset.shape)
    resolved["data_kind"] = dataset.kind
    return json.dumps(resolved, sort_keys=True)


def plan_groups(
    cells: Sequence[Cell],
    datasets: Mapping[str, Dataset],
    *,
    ensemble: bool = True,
    max_size: int = MAX_ENSEMBLE,
    min_parts: int = 1,
) -> list[list[Cell]]:
    """Group ``cells`` into ensembles, preserving the suite order of first appearance.

    Each group is cut into ``max(ceil(n / max_size), min(min_parts, n))`` equal
    consecutive parts (``n`` its number of cells).
    """
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        ds = datasets[cell.dataset.label]
        can = ensemble and ARCHITECTURES.entry(cell.architecture.name).meta.get("ensemble", False)
        key = ensemble_key(cell, ds) if can else cell.run_id
        groups.setdefault(key, []).append(cell)
    out = []
    for group in groups.values():
        parts = max(math.ceil(len(group) / max_size), min(min_parts, len(group)))
        bounds = [round(i * len(group) / parts) for i in range(parts + 1)]
        out += [group[a:b] for a, b in itertools.pairwise(bounds)]
    return out
