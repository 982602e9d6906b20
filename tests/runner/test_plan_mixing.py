"""Ensemble planning: mixable objectives share ensembles; large groups split evenly."""

from __future__ import annotations

import itertools

import pytest

from ganbench.config import load_suite
from ganbench.runner.plan import estimated_work, part_cost, plan_groups
from ganbench.runner.preflight import build_datasets

SUITE = """
name: mix
seeds: [0, 1, 2]
datasets: [ring, grid]
objectives: [nonsaturating, hinge, wgan-gp, lsgan]
architectures: [{name: mlp, params: {depth: 1, width: 8}}]
train: {steps: 2}
"""


def test_mixable_objectives_share_an_ensemble(write_suite):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite))
    kinds = sorted(sorted({c.objective.name for c in g}) for g in groups)
    assert kinds == [["hinge", "lsgan", "nonsaturating"], ["wgan-gp"]]
    assert sorted(len(g) for g in groups) == [6, 18]


def test_groups_larger_than_the_limit_split_into_equal_parts(write_suite):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite), max_size=5)
    assert sorted(len(g) for g in groups) == [3, 3, 4, 4, 5, 5]


def _lpt(costs, workers):
    """The busiest load when costs go, largest first, to the least loaded worker."""
    loads = [0.0] * workers
    for c in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += c
    return max(loads)


def _whole(groups):
    """The parts of ``groups`` by the ensemble they were cut from (its run-id set)."""
    by: dict[str, list[list]] = {}
    for g in groups:
        by.setdefault(g[0].objective.name == "wgan-gp", []).append(g)
    return by


def test_one_worker_keeps_groups_whole_in_suite_order(write_suite):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite), workers=1)
    assert [len(g) for g in groups] == [18, 6]


@pytest.mark.parametrize("seeds", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("workers", [2, 3, 4, 9])
def test_workers_cut_groups_only_where_the_sweep_gets_shorter(write_suite, seeds, workers):
    order = list(range(seeds))[::-1] if seeds % 2 else list(range(seeds))
    suite = load_suite(write_suite(SUITE.replace("seeds: [0, 1, 2]", f"seeds: {order}")))
    cells = suite.cells()
    groups = plan_groups(cells, build_datasets(suite), workers=workers)
    assert sorted(c.run_id for g in groups for c in g) == sorted(c.run_id for c in cells)
    costs = [part_cost(g) for g in groups]
    assert costs == sorted(costs, reverse=True)  # the most expensive part starts first
    wholes = {k: [c for p in v for c in p] for k, v in _whole(groups).items()}
    parts = {k: len(v) for k, v in _whole(groups).items()}
    for v in _whole(groups).values():
        assert max(map(len, v)) - min(map(len, v)) <= 1
    span = _lpt(costs, workers)
    assert span <= _lpt([part_cost(w) for w in wholes.values()], workers)
    for k, whole in wholes.items():  # no single further cut would have shortened it
        if parts[k] == len(whole):
            continue
        cut = {**parts, k: parts[k] + 1}
        trial = []
        for j, w in wholes.items():
            n = cut[j]
            bounds = [round(i * len(w) / n) for i in range(n + 1)]
            trial += [part_cost(w[a:b]) for a, b in itertools.pairwise(bounds)]
        assert _lpt(trial, workers) >= span


VEEGAN_LIKE = """
name: unrolled
seeds: [2, 0, 1]
datasets: [ring, grid]
objectives: [nonsaturating]
architectures: [{name: mlp, params: {depth: 1, width: 8}}]
variants: [{label: GAN}, {label: Unrolled, train: {unroll_steps: 5}}]
train: {steps: 30}
"""


@pytest.mark.parametrize(
    ("variants", "workers", "sizes"),
    [
        # an unrolled step costs 7 GAN-step passes: both ensembles are cut in two, so each
        # worker trains 3 unrolled and 3 plain members (the plan veegan2017's cpu budget ran)
        ("[{label: GAN}, {label: Unrolled, train: {unroll_steps: 5}}]", 2,
         [("Unrolled", 3), ("Unrolled", 3), ("GAN", 3), ("GAN", 3)]),
        ("[{label: GAN}, {label: Unrolled, train: {unroll_steps: 5}}]", 1,
         [("GAN", 6), ("Unrolled", 6)]),
        # one ensemble per worker already: nothing to cut (pacgan2018's cpu budget)
        ("[{label: GAN}, {label: Pac2, train: {pack: 2}}]", 2, [("Pac2", 6), ("GAN", 6)]),
        # a single ensemble and two workers: halves
        ("[{label: GAN}]", 2, [("GAN", 3), ("GAN", 3)]),
    ],
)  # fmt: skip
def test_plans_of_paper_shaped_sweeps(write_suite, variants, workers, sizes):
    text = VEEGAN_LIKE.replace(
        "variants: [{label: GAN}, {label: Unrolled, train: {unroll_steps: 5}}]",
        f"variants: {variants}",
    )
    suite = load_suite(write_suite(text))
    groups = plan_groups(suite.cells(), build_datasets(suite), workers=workers)
    assert [(g[0].variant, len(g)) for g in groups] == sizes


def test_estimated_work_counts_steps_passes_and_pack(write_suite):
    text = SUITE.replace(
        "objectives: [nonsaturating, hinge, wgan-gp, lsgan]",
        "objectives: [nonsaturating, {name: wgan-gp, train: {n_critic: 5}}]",
    )
    suite = load_suite(write_suite(text))
    whole = plan_groups(suite.cells(), build_datasets(suite), workers=1)
    assert [g[0].objective.name for g in whole] == ["nonsaturating", "wgan-gp"]
    assert estimated_work(whole[1]) == 6 * 2 * (5 + 0 + 1) * 1
    assert estimated_work(whole[0]) == 6 * 2 * (1 + 0 + 1) * 1
    assert part_cost(whole[1]) == pytest.approx(72 * (6 + 2.5) / 6)
    # two workers: the critic's 102 alone would outlast 34; 66 | 66 then takes 34 (100),
    # and cutting the 34 into 22 + 22 gives 88, while three critic parts would give 108
    shared = plan_groups(suite.cells(), build_datasets(suite), workers=2)
    got = [(g[0].objective.name, len(g)) for g in shared]
    assert got == [("wgan-gp", 3), ("wgan-gp", 3), ("nonsaturating", 3), ("nonsaturating", 3)]


@pytest.mark.parametrize(
    ("workers", "sizes"),
    [(1, [3, 3, 4, 4, 5, 5]), (2, [3, 3, 4, 4, 5, 5]), (5, None), (11, None)],
)
def test_max_size_cuts_hold_with_any_number_of_workers(write_suite, workers, sizes):
    suite = load_suite(write_suite(SUITE))
    groups = plan_groups(suite.cells(), build_datasets(suite), max_size=5, workers=workers)
    if sizes is not None:
        assert sorted(len(g) for g in groups) == sizes
    assert max(len(g) for g in groups) <= 5 and len(groups) >= 6
    assert sum(len(g) for g in groups) == 24


@pytest.mark.parametrize(
    ("name", "plan"),
    [
        # 4 ensembles of 3 seeds for 2 workers: nothing to cut, the packed rows first, the
        # 20,000-step grid before the 14,000-step ring, so the worker that takes PacGAN2 on
        # the grid (the longest) ends with the GAN on the ring (the shortest)
        (
            "pacgan2018",
            [
                ("PacGAN2", 3, "grid"),
                ("PacGAN2", 3, "ring"),
                ("GAN", 3, "grid"),
                ("GAN", 3, "ring"),
            ],
        ),
        # ring and grid share an ensemble (same data shape and settings), cut into its two
        # datasets; each worker gets 3 unrolled and 3 plain members, the plan of the
        # budget's measured 28-minute run
        (
            "veegan2017",
            [
                ("Unrolled GAN", 3, "ring"),
                ("Unrolled GAN", 3, "grid"),
                ("GAN", 3, "ring"),
                ("GAN", 3, "grid"),
            ],
        ),
    ],
)
def test_cpu_budgets_of_the_paper_suites_plan_as_measured(name, plan):
    from ganbench.reproduce import load_paper_run

    run = load_paper_run(name, "cpu")
    groups = plan_groups(run.suite.cells(), build_datasets(run.suite), workers=2)

    def dataset(g: list) -> str | None:  # None: the part mixes datasets
        labels = {c.dataset.label for c in g}
        return labels.pop() if len(labels) == 1 else None

    assert [(g[0].variant, len(g), dataset(g)) for g in groups] == plan
