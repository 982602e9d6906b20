"""Planning a sweep: which cells are pending and how they group into ensembles.

Cells that differ only in seed and dataset (with the same data shape) train
together as one ensemble: the objective, architecture, variant, training and
evaluation settings must be equal. Objectives whose losses are their whole
game (no own penalty or post-step hook, see ``is_mixable``) may also share an
ensemble, each member using its own objective. Each member still draws from
its own random streams, so grouping changes speed, not results. A group larger
than ``max_size`` is split into equal parts. With ``min_parts`` (the worker
processes of ``--jobs N``) groups are split further only until there are that many
parts, the largest part first: on CPU a member costs far less inside an ensemble
than alone (measured on 2 cores, pacgan2018's networks, one thread: 40 ms per step
for one member, 62 ms for three), so splitting every group would slow a sweep
that already has a group per worker. The parts are then ordered by estimated work,
largest first, so that an expensive variant (unrolled, packed) starts first and does
not run alone at the end while the other workers idle.
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


def estimated_work(cells: Sequence[Cell]) -> int:
    """A rough cost of training ``cells``: steps × network passes per step × pack, summed."""
    return sum(
        c.train.steps * (c.train.n_critic + c.train.unroll_steps + 1) * c.train.pack for c in cells
    )


def plan_groups(
    cells: Sequence[Cell],
    datasets: Mapping[str, Dataset],
    *,
    ensemble: bool = True,
    max_size: int = MAX_ENSEMBLE,
    min_parts: int = 1,
) -> list[list[Cell]]:
    """Group ``cells`` into ensembles, cut them into parts and order the parts.

    Each group is first cut into ``ceil(n / max_size)`` equal consecutive parts
    (``n`` its number of cells). While there are fewer than ``min_parts`` parts, the
    group with the largest part is cut into one more part (never into empty ones).
    With ``min_parts`` 1 the parts keep the suite order of first appearance; above 1
    they are ordered by ``estimated_work``, largest first (stable).
    """
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        ds = datasets[cell.dataset.label]
        can = ensemble and ARCHITECTURES.entry(cell.architecture.name).meta.get("ensemble", False)
        key = ensemble_key(cell, ds) if can else cell.run_id
        groups.setdefault(key, []).append(cell)
    members = list(groups.values())
    counts = [math.ceil(len(g) / max_size) for g in members]
    while sum(counts) < min_parts:
        splittable = [i for i, g in enumerate(members) if counts[i] < len(g)]
        if not splittable:
            break
        widest = max(splittable, key=lambda i: len(members[i]) / counts[i])
        counts[widest] += 1
    out = []
    for group, parts in zip(members, counts, strict=True):
        bounds = [round(i * len(group) / parts) for i in range(parts + 1)]
        out += [group[a:b] for a, b in itertools.pairwise(bounds)]
    if min_parts > 1:
        out.sort(key=estimated_work, reverse=True)
    return out
