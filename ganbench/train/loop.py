"""The training loop: alternating updates for an ensemble of independent runs.

Algorithm 1 of Goodfellow et al. (2014): ``n_critic`` discriminator updates
per generator update. All members of an ensemble share an architecture and
training settings, and differ in seed (and possibly dataset, and objective
when objectives can mix); every operation is per member, so a member's
numbers depend only on its own seed. The generator update reuses the last
discriminator step's fake batch (as in the PyTorch DCGAN example), with the
updated discriminator (or, with ``unroll_steps``, a look-ahead copy of it).
A member whose loss becomes NaN/inf is marked ``diverged`` at that step; the
others go on.

The loop only draws batches and steps optimisers; :class:`~ganbench.train.game.Game`
turns network outputs into losses (packing, instance noise, labels, label
smoothing, penalties) and :mod:`ganbench.train.unroll` does the look-ahead.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from ganbench import rng
from ganbench.architectures.base import GANPair, ModelContext
from ganbench.architectures.layers import reset_members
from ganbench.datasets.base import Dataset
from ganbench.objectives.base import Objective
from ganbench.train import unroll
from ganbench.train.batches import BatchStream
from ganbench.train.config import TrainConfig
from ganbench.train.game import DBatch, DLoss, Game

log = logging.getLogger(__name__)

ArchBuilder = Callable[[ModelContext], GANPair]


@dataclass
class Member:
    """One run of an ensemble: its seed and its dataset."""

    seed: int
    dataset: Dataset


@dataclass
class MemberResult:
    """Outcome of one member's training."""

    status: str = "ok"  # "ok" | "diverged"
    diverged_step: int | None = None
    error: str | None = None
    curves: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class TrainedEnsemble:
    """Trained networks of all members plus per-member results."""

    generator: nn.Module  # the EMA generator when ``train.ema`` is set
    discriminator: nn.Module
    ctx: ModelContext
    members: list[Member]
    results: list[MemberResult]
    train: TrainConfig
    device: torch.device
    twin: bool = False  # a lone member trained beside a copy of itself (see train_ensemble)

    @torch.inference_mode()
    def sample(self, n: int, stream: str = "eval", chunk: int = 10_000) -> torch.Tensor:
        """``n`` samples per member, ``(E, n, *shape)`` on CPU, from each seed's ``stream``.

        A class-conditional generator is given labels drawn from each member's
        dataset (its class frequencies), from the stream ``<stream>_labels``.
        """
        members = self.members * 2 if self.twin else self.members
        gens = [rng.generator(m.seed, stream) for m in members]
        label_gens = [rng.generator(m.seed, f"{stream}_labels") for m in members]
        self.generator.eval()
        out = []
        for start in range(0, n, chunk):
            size = min(chunk, n - start)
            z = torch.stack([torch.randn(size, self.ctx.z_dim, generator=g) for g in gens])
            if self.ctx.n_classes is None:
                out.append(self.generator(z.to(self.device)).float().cpu())
                continue
            y = torch.stack(
                [
                    m.dataset.sample_labeled(size, g)[1]
                    for m, g in zip(members, label_gens, strict=True)
                ]
            )
            out.append(self.generator(z.to(self.device), y.to(self.device)).float().cpu())
        return torch.cat(out, dim=1)[: len(self.members)]


def _optimizer(
    params: Sequence[nn.Parameter], cfg: TrainConfig, lr: float
) -> torch.optim.Optimizer:
    if cfg.optimizer == "adam":
        # Not fused=True: on CPU the fused kernel's rounding depends on where an element
        # sits in the tensor (measured, not traced to the kernel's code), so a member's last
        # bits (and, 2,000 chaotic steps later, its modes) would depend on its position in
        # the ensemble (benchmarks/NOTES.md; tests/train/test_loop.py).
        return torch.optim.Adam(params, lr=lr, betas=cfg.betas)
    if cfg.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.SGD(params, lr=lr)


STEP_FACTOR = 0.1  # ``lr_schedule: step``: the rate after ``decay_start`` × steps


def _schedule(cfg: TrainConfig) -> Callable[[int], float]:
    start = int(cfg.decay_start * cfg.steps)
    end = max(start + 1, int(cfg.decay_end * cfg.steps))
    floor = cfg.lr_end_factor

    def factor(step: int) -> float:
        if cfg.lr_schedule == "constant" or step < start:
            return 1.0
        if cfg.lr_schedule == "step":
            return STEP_FACTOR
        if step >= end:
            return floor
        # floor + (1 − floor)·(end − step)/(end − start); at floor 0 and end = steps this is
        # exactly the former (steps − step)/(steps − start), so earlier runs are unchanged
        return floor + (1.0 - floor) * ((end - step) / (end - start))

    return factor


def _set_requires_grad(module: nn.Module, flag: bool) -> None:
    for p in module.parameters():
        p.requires_grad_(flag)


class _Curves:
    """Per-member running sums of logged quantities, flushed every ``log_every`` steps."""

    def __init__(self, e: int, device: torch.device) -> None:
        self.sums: dict[str, torch.Tensor] = {}
        self.count = 0
        self.e, self.device = e, device
        self.rows: dict[str, list[torch.Tensor]] = {}
        self.steps: list[int] = []

    def add(self, **values: torch.Tensor) -> None:
        for k, v in values.items():
            v = v.detach()
            self.sums[k] = self.sums[k] + v if k in self.sums else v.clone()
        self.count += 1

    def flush(self, step: int) -> None:
        if not self.count:
            return
        self.steps.append(step)
        for k, v in self.sums.items():
            self.rows.setdefault(k, []).append((v / self.count).float().cpu())
        self.sums, self.count = {}, 0

    def member(self, e: int, until: int | None) -> dict[str, list[float]]:
        keep = [i for i, s in enumerate(self.steps) if until is None or s < until]
        out: dict[str, list[float]] = {"step": [self.steps[i] for i in keep]}
        for k, rows in self.rows.items():
            out[k] = [float(rows[i][e]) for i in keep]
        return out


class _Trainer:
    """The state of one ensemble's training: networks, optimisers, streams, the game."""

    def __init__(
        self,
        objective: Objective | Sequence[Objective],
        build: ArchBuilder,
        cfg: TrainConfig,
        members: list[Member],
        device: torch.device,
    ) -> None:
        self.cfg, self.members, self.device = cfg, members, device
        self.ctx = _context(cfg, members)
        pair = build(self.ctx)
        self.g_net, self.d_net = pair.generator, pair.discriminator
        init = [rng.generator(m.seed, "init") for m in members]
        reset_members(self.g_net, init)
        reset_members(self.d_net, init)
        self.g_net.to(device).train()
        self.d_net.to(device).train()
        self.g_ema = copy.deepcopy(self.g_net) if cfg.ema is not None else None
        self.opt_g = _optimizer(list(self.g_net.parameters()), cfg, cfg.generator_lr)
        self.opt_d = _optimizer(list(self.d_net.parameters()), cfg, cfg.discriminator_lr)
        self.sched = [
            torch.optim.lr_scheduler.LambdaLR(o, _schedule(cfg)) for o in (self.opt_g, self.opt_d)
        ]
        self.stream = BatchStream(
            [m.dataset for m in members],
            [m.seed for m in members],
            cfg.batch_size * cfg.pack,
            cfg.z_dim,
            device,
            labels=cfg.conditional,
            chunk=max(1, 32 // cfg.n_critic),
        )
        self.game = Game(objective, self.d_net, cfg, [m.seed for m in members], device)

    def generate(self, z: torch.Tensor, y: torch.Tensor | None) -> torch.Tensor:
        """G(z) or G(z, y)."""
        return self.g_net(z) if y is None else self.g_net(z, y)

    def d_steps(self, step: int) -> tuple[DLoss, DBatch, unroll.Snapshot | None]:
        """``n_critic`` discriminator updates; returns the last loss, batch and pre-update state."""
        cfg, snap = self.cfg, None
        for k in range(cfg.n_critic):
            z, x, y = self.stream.next()
            last = k == cfg.n_critic - 1
            with torch.set_grad_enabled(last):
                fake = self.generate(z, y)
            batch = self.game.batch(x, fake, y, step)
            if last and cfg.unroll_steps:
                snap = unroll.snapshot(self.d_net, self.opt_d)
            d = self.game.d_loss(batch)
            self.opt_d.zero_grad(set_to_none=True)
            d.total.sum().backward()
            self.opt_d.step()
            self.game.after_d_step()
        return d, batch, snap

    def g_step(self, batch: DBatch, snap: unroll.Snapshot | None, step: int) -> torch.Tensor:
        """One generator update against D (or against D unrolled K steps ahead)."""
        params = None
        if snap is not None:
            d_loss = self.game.unrolled_d_loss(batch)
            params = unroll.unroll(
                snap, self.opt_d, self.cfg.unroll_steps, d_loss, self.game.project
            )
        _set_requires_grad(self.d_net, False)
        g_loss = self.game.g_loss(self.game.renoised(batch, step), params)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.sum().backward()
        self.opt_g.step()
        _set_requires_grad(self.d_net, True)
        return g_loss


def _context(cfg: TrainConfig, members: list[Member]) -> ModelContext:
    shape = members[0].dataset.shape
    if any(m.dataset.shape != shape for m in members):
        raise ValueError("all members of an ensemble must have the same data shape")
    n_classes = None
    if cfg.conditional:
        classes = {m.dataset.n_classes for m in members}
        if None in classes or len(classes) != 1:
            raise ValueError("conditional training needs labelled datasets with one class count")
        n_classes = classes.pop()
    return ModelContext(
        data_shape=shape, z_dim=cfg.z_dim, ensemble=len(members), n_classes=n_classes, pack=cfg.pack
    )


def train_ensemble(
    objective: Objective | Sequence[Objective],
    build: ArchBuilder,
    cfg: TrainConfig,
    members: Sequence[Member],
    device: torch.device,
    progress: Callable[[int], None] | None = None,
    on_log: Callable[[int, TrainedEnsemble], None] | None = None,
) -> TrainedEnsemble:
    """Train every member for ``cfg.steps`` generator updates and return the networks.

    ``on_log(step, state)`` is called before the first step (step 0) and at every
    log point with the networks as they are (no per-member results yet); it may
    sample from ``state`` but must leave the networks' modes as it found them.

    ``objective`` is shared by all members, or given per member (a sequence as
    long as ``members``); objectives without penalties or hooks can mix.
    """
    if not isinstance(objective, Objective) and len(objective) != len(members):
        raise ValueError("give one objective, or one per member")
    members = list(members)
    twin = _needs_twin(members, device)
    if twin:
        objective = objective if isinstance(objective, Objective) else list(objective) * 2
    t = _Trainer(objective, build, cfg, members * 2 if twin else members, device)
    e = 2 if twin else len(members)
    curves = _Curves(e, device)
    first_bad = torch.full((e,), -1, dtype=torch.long, device=device)

    def state() -> TrainedEnsemble:  # what ``on_log`` sees: the networks as they are
        g = _eval_g(t.g_ema, t.g_net)
        return TrainedEnsemble(g, t.d_net, t.ctx, members, [], cfg, device, twin)

    if on_log is not None:
        on_log(0, state())

    for step in range(cfg.steps):
        d, batch, snap = t.d_steps(step)
        g_loss = t.g_step(batch, snap, step)
        for s in t.sched:
            s.step()
        if t.g_ema is not None and cfg.ema is not None:
            _update_ema(t.g_ema, t.g_net, cfg.ema if step >= cfg.ema_start else 0.0)
        bad = ~(torch.isfinite(d.loss) & torch.isfinite(g_loss))
        first_bad = torch.where(bad & (first_bad < 0), step, first_bad)
        logged = {"d_loss": d.loss, "g_loss": g_loss}
        if d.penalty is not None:
            logged["penalty"] = d.penalty
        curves.add(**logged)
        done = step + 1
        if done % cfg.log_every == 0 or done == cfg.steps:
            curves.flush(done)
            if on_log is not None:
                on_log(done, state())
            if progress is not None:
                progress(done)
            if bool((first_bad >= 0).all()):
                log.warning("every member diverged by step %d; stopping early", done)
                break
    generator = t.g_ema if t.g_ema is not None else t.g_net
    results = _results(first_bad, curves)[: len(members)]
    return TrainedEnsemble(generator, t.d_net, t.ctx, members, results, cfg, device, twin)


def _needs_twin(members: list[Member], device: torch.device) -> bool:
    """Whether a lone member must train beside a copy of itself to match its ensemble bits.

    CPU BLAS takes other kernels for one matrix than for a batch of them (measured:
    batch products with 5-11 rows, and the double backward of unrolled steps at any
    batch size), so a member trained alone rounded differently from the same member
    in an ensemble of two or more, which all share one kernel choice. Batched
    point-data models on CPU therefore train a lone member as an ensemble of two
    identical members and keep the first (twice the cost of a lone run; ensembles
    are the common case). Image models run one network per member already.
    """
    return len(members) == 1 and device.type == "cpu" and len(members[0].dataset.shape) == 1


def _results(first_bad: torch.Tensor, curves: _Curves) -> list[MemberResult]:
    out = []
    for i, fb in enumerate(first_bad.tolist()):
        if fb >= 0:
            msg = f"non-finite loss at step {fb}"
            out.append(MemberResult("diverged", fb, msg, curves.member(i, fb)))
        else:
            out.append(MemberResult("ok", None, None, curves.member(i, None)))
    return out


@torch.no_grad()
def _update_ema(ema: nn.Module, model: nn.Module, decay: float) -> None:
    for pe, p in zip(ema.parameters(), model.parameters(), strict=True):
        pe.lerp_(p, 1.0 - decay)
    for be, b in zip(ema.buffers(), model.buffers(), strict=True):
        be.copy_(b)


def _eval_g(g_ema: nn.Module | None, g_net: nn.Module) -> nn.Module:
    """The generator evaluation uses: the EMA one when there is one."""
    return g_ema if g_ema is not None else g_net
