"""Planning a sweep: which cells are pending and how they group into ensembles.

Cells that differ only in seed and dataset (with the same data shape) train
together as one ensemble: the objective, architecture, variant, training and
evaluation settings must be equal. Objectives whose losses are their whole
game (no own penalty or post-step hook, see ``is_mixable``) may also share an
ensemble, each member using its own objective. Each member still draws from
its own random streams, so grouping changes speed, not results. A group larger
than ``max_size`` is split into equal parts. With ``workers`` > 1 (the worker
processes of ``--jobs N``) a group is split further only where that shortens the
sweep: the parts are scheduled largest estimated cost first, each on the least
loaded worker, and a group gains one more part while that lowers the busiest
worker's load. A part's cost counts a fixed per-step overhead of
``ENSEMBLE_OVERHEAD`` members: on CPU a member costs far less inside an ensemble
than alone (pacgan2018's networks, one thread: 40 ms per step for one member,
62 ms for three, i.e. cost ∝ members + 2.6), so splitting every group into N parts
would slow a sweep that already has a group per worker, while an expensive variant
(unrolled) is still split when it would otherwise run alone at the end.
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
# the per-step cost of an ensemble, in members, that does not grow with its size
# (measured: 40 ms per step alone, 62 ms for 3 members → members + 2.6)
ENSEMBLE_OVERHEAD = 2.5


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


def part_cost(cells: Sequence[Cell]) -> float:
    """The estimated cost of training ``cells`` as one ensemble (work × fixed overhead)."""
    return estimated_work(cells) * (len(cells) + ENSEMBLE_OVERHEAD) / max(len(cells), 1)


def _makespan(costs: Sequence[float], workers: int) -> float:
    """The busiest worker's load when ``costs`` go, largest first, to the least loaded one."""
    loads = [0.0] * workers
    for w in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += w
    return max(loads)


def _cut(group: list[Cell], parts: int) -> list[list[Cell]]:
    """``group`` in ``parts`` consecutive parts whose sizes differ by at most one."""
    bounds = [round(i * len(group) / parts) for i in range(parts + 1)]
    return [group[a:b] for a, b in itertools.pairwise(bounds)]


def plan_groups(
    cells: Sequence[Cell],
    datasets: Mapping[str, Dataset],
    *,
    ensemble: bool = True,
    max_size: int = MAX_ENSEMBLE,
    workers: int = 1,
) -> list[list[Cell]]:
    """Group ``cells`` into ensembles, cut them into parts and order the parts.

    Each group is first cut into ``ceil(n / max_size)`` equal consecutive parts
    (``n`` its number of cells). With ``workers`` > 1, a group (the one with the
    highest cost per part first) gains one more part while that lowers the makespan
    of the parts scheduled by ``part_cost``, largest first, on ``workers`` workers;
    the parts are then ordered that way (stable). With one worker the parts keep
    the suite order of first appearance.
    """
    groups: dict[str, list[Cell]] = {}
    for cell in cells:
        ds = datasets[cell.dataset.label]
        can = ensemble and ARCHITECTURES.entry(cell.architecture.name).meta.get("ensemble", False)
        key = ensemble_key(cell, ds) if can else cell.run_id
        groups.setdefault(key, []).append(cell)
    members = list(groups.values())
    counts = [math.ceil(len(g) / max_size) for g in members]

    def makespan() -> float:
        costs = [part_cost(p) for g, k in zip(members, counts, strict=True) for p in _cut(g, k)]
        return _makespan(costs, workers)

    while workers > 1:
        best = makespan()
        order = sorted(
            range(len(members)),
            key=lambda i: max(part_cost(p) for p in _cut(members[i], counts[i])),
            reverse=True,
        )
        for i in order:
            if counts[i] >= len(members[i]):
                continue
            counts[i] += 1
            if makespan() < best:
                break
            counts[i] -= 1
        else:
            break
    out = [p for g, k in zip(members, counts, strict=True) for p in _cut(g, k)]
    if workers > 1:
        out.sort(key=part_cost, reverse=True)
    return out
