"""Training throughput on the 2-D ring and the FLOP rate of the default suite.

* ``test_sgemm_peak``: the fp32 matrix-multiply peak of this machine, measured
  in the same run as the training figures it normalises.
* ``test_train_throughput_ring``: a 3×128 MLP GAN (nonsaturating loss, batch
  256, Adam) as (a) a plain per-run PyTorch loop written here as the baseline
  (``nn.Sequential`` + the standard DCGAN-example loop), (b) ganbench's loop
  with one member, (c) ganbench's loop with an ensemble of 8 seeds. The three
  are timed in interleaved rounds so that they share the machine's load.
* ``test_train_flop_rate_2d_suite``: the three ensembles of
  ``suites/objectives.yaml`` (6 members each; WGAN-GP with 5 critic steps and
  its gradient penalty), shortened to a few hundred steps, as achieved GFLOP/s
  and as a fraction of the sgemm peak.

FLOPs are counted, not estimated: :class:`helpers.MatmulFlops` intercepts
every matrix product actually executed (forward, backward, double backward)
and adds 2·m·k·n; elementwise work is not counted. Rates are given per clock
(:func:`helpers.clocks`): wall time, and with one torch thread also this
process's CPU time, which is what a shared machine cannot inflate.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from helpers import MatmulFlops, clocks, timed
from torch import nn

from ganbench.architectures import ARCHITECTURES
from ganbench.config import build_component, load_suite
from ganbench.datasets import DATASETS
from ganbench.objectives import OBJECTIVES
from ganbench.runner.plan import plan_groups
from ganbench.runner.preflight import preflight
from ganbench.train import Member, TrainConfig, train_ensemble

pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parent.parent
CPU = torch.device("cpu")
WIDTH, DEPTH, BATCH = 128, 3, 256
STEPS_ONE, STEPS_ENSEMBLE, ENSEMBLE = 150, 60, 8
ROUNDS = int(os.environ.get("GANBENCH_BENCH_ROUNDS", 5))
SUITE_STEPS = 100


def _build(ctx):
    return ARCHITECTURES.get("mlp")(ctx, depth=DEPTH, width=WIDTH)


def ganbench_loop(members: int, steps: int) -> None:
    """``steps`` generator steps of ganbench's loop with ``members`` seeds on the ring."""
    ring = DATASETS.get("ring")()
    cfg = TrainConfig(steps=steps, batch_size=BATCH, log_every=50)
    objective = OBJECTIVES.get("nonsaturating")()
    train_ensemble(objective, _build, cfg, [Member(s, ring) for s in range(members)], CPU)


def _mlp(sizes: list[int], act: Callable[[], nn.Module]) -> nn.Sequential:
    layers: list[nn.Module] = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def plain_loop(steps: int, seed: int = 0) -> None:
    """The baseline: one run, ``nn.Sequential`` MLPs, the standard alternating loop."""
    torch.manual_seed(seed)
    g = _mlp([2] + [WIDTH] * DEPTH + [2], nn.ReLU)
    d = _mlp([2] + [WIDTH] * DEPTH + [1], lambda: nn.LeakyReLU(0.2))
    opt_g = torch.optim.Adam(g.parameters(), lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-3, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    angles = torch.arange(8) * (2 * torch.pi / 8)
    means = torch.stack([angles.cos(), angles.sin()], 1)
    for _ in range(steps):
        x = means[torch.randint(8, (BATCH,))] + 0.01 * torch.randn(BATCH, 2)
        fake = g(torch.randn(BATCH, 2))
        d_loss = bce(d(x), ones) + bce(d(fake.detach()), zeros)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        g_loss = bce(d(fake), ones)
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()


def count_flops(fn: Callable[[int], None], steps: int = 3) -> float:
    """Matmul FLOPs per call-step of ``fn(steps)`` (set-up work does no matmuls)."""
    counter = MatmulFlops()
    with counter:
        fn(steps)
    return counter.flops / steps


def _rates(work: float, rounds: list[dict[str, float]], clock: str) -> tuple[float, float]:
    """(median, best) of ``work`` per second over ``rounds`` on ``clock``."""
    seconds = [r[clock] for r in rounds]
    return work / statistics.median(seconds), work / min(seconds)


def test_sgemm_peak(benchmark, sgemm_peak):
    a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
    benchmark.pedantic(lambda: torch.mm(a, b), rounds=10, warmup_rounds=2)
    for name, per_clock in sgemm_peak.items():
        for clock in clocks():
            benchmark.extra_info[f"{name}_gflops_{clock}"] = round(per_clock[clock], 1)
    benchmark.extra_info["note"] = (
        "best of 25: fp32 2048×2048 torch.mm (best of 7: the hidden-layer batched product of an "
        "8-member 3×128 MLP at batch 256); training FLOP rates below are fractions of sgemm"
    )


VARIANTS = {
    "plain_loop": (lambda: plain_loop(STEPS_ONE), STEPS_ONE),
    "ganbench_1_run": (lambda: ganbench_loop(1, STEPS_ONE), STEPS_ONE),
    "ensemble_8": (lambda: ganbench_loop(ENSEMBLE, STEPS_ENSEMBLE), STEPS_ENSEMBLE * ENSEMBLE),
}


def test_train_throughput_ring(benchmark, sgemm_peak):
    rounds: dict[str, list[dict[str, float]]] = {k: [] for k in VARIANTS}

    def one_round() -> None:  # the three variants back to back: they share the load
        for name, (fn, _) in VARIANTS.items():
            rounds[name].append(timed(fn))

    benchmark.pedantic(one_round, rounds=ROUNDS, warmup_rounds=1)
    flops = {
        "plain_loop": count_flops(plain_loop),
        "ganbench_1_run": count_flops(lambda s: ganbench_loop(1, s)),
        "ensemble_8": count_flops(lambda s: ganbench_loop(ENSEMBLE, s)) / ENSEMBLE,
    }
    info = benchmark.extra_info
    speedup = {}
    for clock in clocks():
        rate = {}
        for name, (_, work) in VARIANTS.items():
            median, best = _rates(work, rounds[name][-ROUNDS:], clock)
            rate[name] = median
            info[f"{name}_steps_per_s_{clock}"] = f"{median:.1f} (best {best:.1f})"
            fraction = flops[name] * best / 1e9 / sgemm_peak["sgemm"][clock]
            info[f"{name}_peak_fraction_best_{clock}"] = round(fraction, 3)
        speedup[clock] = rate["ensemble_8"] / max(rate["plain_loop"], rate["ganbench_1_run"])
        info[f"ensemble_vs_8_sequential_runs_{clock}"] = round(speedup[clock], 2)
    for name, f in flops.items():
        info[f"{name}_gflop_per_step"] = round(f / 1e9, 4)
    clock = clocks()[-1]
    info["note"] = (
        "(member-)steps/s: median of interleaved rounds (best round); the speed-up divides the "
        "ensemble's member-steps/s by the faster single-run loop's steps/s; the target uses "
        f"the {clock} clock"
    )
    info["target"] = {
        "name": f"ensemble of 8 seeds vs 8 sequential runs (ring, 3×128, batch 256; {clock})",
        "value": f"{speedup[clock]:.2f}×",
        "goal": "≥ 2×",
        "met": bool(speedup[clock] >= 2.0),
    }


def _suite_groups() -> list[tuple[object, object, list[Member]]]:
    suite = load_suite(ROOT / "suites" / "objectives.yaml")
    datasets = preflight(suite)
    out = []
    for group in plan_groups(suite.cells(), datasets):
        first = group[0]
        objective = build_component(first.objective, OBJECTIVES, "objective")
        members = [Member(c.seed, datasets[c.dataset.label]) for c in group]
        out.append((objective, first, members))
    return out


def test_train_flop_rate_2d_suite(benchmark, sgemm_peak):
    groups = _suite_groups()
    rounds: list[dict[str, float]] = []

    def train_all(n_steps: int) -> None:
        for objective, cell, members in groups:
            cfg = dataclasses.replace(cell.train, steps=n_steps)
            build = functools.partial(
                ARCHITECTURES.get(cell.architecture.name), **cell.architecture.params
            )
            train_ensemble(objective, build, cfg, members, CPU)

    benchmark.pedantic(
        lambda: rounds.append(timed(lambda: train_all(SUITE_STEPS))),
        rounds=max(1, ROUNDS - 2),
        warmup_rounds=1,
    )
    total = count_flops(train_all) * SUITE_STEPS
    info = benchmark.extra_info
    info["ensembles"] = " + ".join(f"{o.__class__.__name__}×{len(m)}" for o, _, m in groups)
    info["gflop_per_round"] = round(total / 1e9, 2)
    fraction = {}
    for clock in clocks():
        median, best = _rates(total / 1e9, rounds[-max(1, ROUNDS - 2) :], clock)
        info[f"gflops_{clock}"] = f"{median:.1f} (best {best:.1f})"
        fraction[clock] = best / sgemm_peak["sgemm"][clock]
        info[f"peak_fraction_best_{clock}"] = round(fraction[clock], 3)
    clock = clocks()[-1]
    info["note"] = (
        f"{SUITE_STEPS} generator steps of each ensemble of suites/objectives.yaml with the "
        "suite's settings (WGAN-GP: 5 critic steps and the gradient penalty); FLOPs = executed "
        f"matmuls; GFLOP/s: median of rounds (best); the target uses the {clock} clock"
    )
    info["target"] = {
        "name": f"training FLOP rate on the 2-D suite / sgemm peak ({clock})",
        "value": f"{100 * fraction[clock]:.0f} %",
        "goal": "≥ 40 %",
        "met": bool(fraction[clock] >= 0.40),
    }
