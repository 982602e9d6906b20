"""The game the loop plays: losses, penalties and the tricks on D's inputs.

:class:`Game` owns everything between the networks' outputs and the scalar
losses of one step: packing (PacGAN), instance noise, class labels, label
smoothing, the objective's own penalty and the composable regularizers. The
loop only draws batches, calls :meth:`Game.d_loss` / :meth:`Game.g_loss`, and
steps the optimisers. Every random draw comes from per-member streams.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import functional_call

from ganbench import rng
from ganbench.objectives.base import Critic, MemberRandom, Objective, per_member
from ganbench.regularizers import REGULARIZERS, Regularizer
from ganbench.train.config import TrainConfig

Params = dict[str, torch.Tensor]


@dataclass
class DBatch:
    """What the discriminator scores in one step: packed, noised inputs and their labels."""

    real: torch.Tensor
    fake: torch.Tensor  # carries the generator's graph
    labels: torch.Tensor | None
    fake_clean: torch.Tensor  # the packed fakes before instance noise


@dataclass
class DLoss:
    """The discriminator's total loss and its parts, per member ``(E,)``."""

    total: torch.Tensor
    loss: torch.Tensor
    penalty: torch.Tensor | None


def build_regularizers(cfg: TrainConfig) -> list[Regularizer]:
    """Instantiate the resolved ``train.regularizers`` entries."""
    out = []
    for spec in cfg.regularizers:
        if not isinstance(spec, dict):  # TrainConfig resolves names into mappings
            raise TypeError(f"unresolved regularizer spec {spec!r}")
        params = {k: v for k, v in spec.items() if k != "name"}
        out.append(REGULARIZERS.get(spec["name"])(**params))
    return out


class Game:
    """Losses of both players for one ensemble, with the configured tricks."""

    def __init__(
        self,
        objective: Objective | Sequence[Objective],
        d_net: nn.Module,
        cfg: TrainConfig,
        seeds: Sequence[int],
        device: torch.device,
    ) -> None:
        objective = per_member(objective)
        objective.check_train(cfg)
        self.objective, self.d_net, self.cfg = objective, d_net, cfg
        self.regularizers = build_regularizers(cfg)
        self.penalty_rng = MemberRandom([rng.generator(s, "penalty") for s in seeds], device)
        self.noise_rng = MemberRandom([rng.generator(s, "instance_noise") for s in seeds], device)

    # -- D's inputs -------------------------------------------------------------------------
    def pack(self, x: torch.Tensor) -> torch.Tensor:
        """``(E, m·B, C, ...)`` → ``(E, B, m·C, ...)``: m consecutive samples side by side."""
        m = self.cfg.pack
        if m == 1:
            return x
        e, n, *shape = x.shape
        return x.reshape(e, n // m, m * shape[0], *shape[1:])

    def pack_labels(self, y: torch.Tensor | None) -> torch.Tensor | None:
        """Labels of packed inputs: ``(E, m·B)`` → ``(E, B, m)`` (unchanged for m = 1)."""
        m = self.cfg.pack
        return y if y is None or m == 1 else y.reshape(y.shape[0], -1, m)

    def noise_std(self, step: int) -> float:
        """Instance-noise std at ``step``: σ₀ decayed linearly to 0 at anneal × steps."""
        if not self.cfg.instance_noise:
            return 0.0
        end = self.cfg.instance_noise_anneal * self.cfg.steps
        return self.cfg.instance_noise * max(0.0, 1.0 - step / end)

    def noisy(self, x: torch.Tensor, step: int) -> torch.Tensor:
        """``x`` plus instance noise of the current std (``x`` itself when it is off)."""
        if not self.cfg.instance_noise:
            return x
        eps = self.noise_rng.randn(*x.shape[1:]).to(x.dtype)
        return x + self.noise_std(step) * eps

    def batch(
        self, x: torch.Tensor, fake: torch.Tensor, y: torch.Tensor | None, step: int
    ) -> DBatch:
        """Pack and noise a real and a fake batch for the discriminator."""
        fake = self.pack(fake)
        real = self.noisy(self.pack(x), step)
        return DBatch(real, self.noisy(fake, step), self.pack_labels(y), fake)

    def renoised(self, b: DBatch, step: int) -> DBatch:
        """``b`` with fresh instance noise on the fakes (for the generator's step)."""
        if not self.cfg.instance_noise:
            return b
        return DBatch(b.real, self.noisy(b.fake_clean, step), b.labels, b.fake_clean)

    # -- losses -----------------------------------------------------------------------------
    def critic(self, labels: torch.Tensor | None, params: Params | None = None) -> Critic:
        """D as a function of its inputs (under ``params`` when given, for unrolling)."""

        def score(x: torch.Tensor) -> torch.Tensor:
            args = (x,) if labels is None else (x, labels)
            if params is None:
                return self.d_net(*args)
            return functional_call(self.d_net, params, args)

        return score

    def d_loss(self, b: DBatch, params: Params | None = None, detach: bool = True) -> DLoss:
        """Objective loss plus every penalty (the fake batch is detached unless told not to)."""
        critic = self.critic(b.labels, params)
        fake = b.fake.detach() if detach else b.fake
        real_out, fake_out = critic(b.real), critic(fake)
        if self.cfg.label_smoothing:
            target = 1.0 - self.cfg.label_smoothing
            loss = self.objective.smoothed_d_loss(real_out, fake_out, target)
        else:
            loss = self.objective.d_loss(real_out, fake_out)
        penalties = [self.objective.d_penalty(critic, b.real, fake, self.penalty_rng)]
        penalties += [r.penalty(critic, b.real, fake, self.penalty_rng) for r in self.regularizers]
        present = [p for p in penalties if p is not None]
        penalty = torch.stack(present).sum(0) if present else None
        return DLoss(loss if penalty is None else loss + penalty, loss, penalty)

    def g_loss(self, b: DBatch, params: Params | None = None) -> torch.Tensor:
        """The generator's loss on ``b.fake`` (D's real outputs given to relativistic losses)."""
        critic = self.critic(b.labels, params)
        real_out = None
        if self.objective.needs_real_for_g:
            with torch.set_grad_enabled(params is not None):  # unrolled D depends on G
                real_out = critic(b.real)
        return self.objective.g_loss(critic(b.fake), real_out)

    # -- constraints ------------------------------------------------------------------------
    def after_d_step(self) -> None:
        """Post-update hooks of the objective and the regularizers (e.g. clipping)."""
        with torch.no_grad():
            self.objective.after_d_step(self.d_net)
            for r in self.regularizers:
                r.after_d_step(self.d_net)

    def project(self, params: Params) -> Params:
        """Functional form of :meth:`after_d_step` for unrolled updates."""
        params = self.objective.project_params(params)
        for r in self.regularizers:
            params = r.project_params(params)
        return params

    def unrolled_d_loss(self, b: DBatch) -> Callable[[Params], torch.Tensor]:
        """``params ↦`` D's total loss on ``b`` with the fakes' graph kept (for unrolling)."""
        return lambda params: self.d_loss(b, params, detach=False).total
