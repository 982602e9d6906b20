"""The objective interface: one class owns both the D and the G loss.

Discriminator outputs are raw reals ``v`` of shape ``(..., B)``; every
objective applies its own output activation in a numerically stable form
(``softplus``/``logsigmoid``, never ``log(sigmoid(v))``). Losses are averaged
over the last (batch) axis and returned with the leading axes kept, so an
ensemble of ``E`` members gives a loss vector of shape ``(E,)`` and each
member's gradient only sees its own loss.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import torch
from torch import nn

from ganbench.registry import Registry

if TYPE_CHECKING:
    from ganbench.train.config import TrainConfig

Critic = Callable[[torch.Tensor], torch.Tensor]


class MemberRandom:
    """Per-member random streams: draws ``(E, *shape)`` with member ``e`` from its own generator."""

    def __init__(self, generators: list[torch.Generator], device: torch.device) -> None:
        self.generators, self.device = generators, device

    def rand(self, *shape: int) -> torch.Tensor:
        """Uniform [0, 1) draws, one independent stream per member."""
        out = torch.stack([torch.rand(*shape, generator=g) for g in self.generators])
        return out.to(self.device)

    def randn(self, *shape: int) -> torch.Tensor:
        """Standard normal draws, one independent stream per member."""
        out = torch.stack([torch.randn(*shape, generator=g) for g in self.generators])
        return out.to(self.device)


class Objective(ABC):
    """A GAN game: ``d_loss`` and ``g_loss`` on raw discriminator outputs.

    Subclasses document the formula and the paper in their docstring, take
    their parameters as typed keyword arguments of ``__init__`` (validated from
    the suite), and may set :attr:`train_defaults` (e.g. ``{"n_critic": 5}``)
    to the protocol of their paper.
    """

    reference: ClassVar[str] = ""
    train_defaults: ClassVar[Mapping[str, Any]] = {}
    needs_real_for_g: ClassVar[bool] = False
    supports_label_smoothing: ClassVar[bool] = False

    @abstractmethod
    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """Discriminator loss (to minimise) from raw outputs on real and fake batches."""

    @abstractmethod
    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """Generator loss (to minimise); ``real`` is given when :attr:`needs_real_for_g`."""

    def d_penalty(
        self,
        critic: Critic,
        real_x: torch.Tensor,
        fake_x: torch.Tensor,
        rng: MemberRandom,
    ) -> torch.Tensor | None:
        """Extra discriminator penalty owned by the objective (e.g. WGAN-GP), or ``None``."""
        return None

    @classmethod
    def check_train(cls, train: TrainConfig) -> None:
        """Raise ``ValueError`` if ``train`` asks for a trick this objective cannot do."""
        if train.label_smoothing and not cls.supports_label_smoothing:
            raise ValueError(
                f"label_smoothing applies to the classic family only "
                f"(minimax, nonsaturating, ml-game), not {cls.__name__}"
            )

    def after_d_step(self, discriminator: nn.Module) -> None:  # noqa: B027 - optional hook
        """Hook run after every discriminator update (e.g. weight clipping)."""

    def project_params(self, params: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Functional form of :meth:`after_d_step`, used by unrolled D steps (identity here)."""
        return params

    def smoothed_d_loss(
        self, real: torch.Tensor, fake: torch.Tensor, real_target: float
    ) -> torch.Tensor:
        """D loss with a soft real label (one-sided label smoothing); classic family only."""
        raise ValueError(f"{type(self).__name__} does not support label smoothing")


OBJECTIVES: Registry[type[Objective]] = Registry("objective")


def batch_mean(x: torch.Tensor) -> torch.Tensor:
    """Mean over the batch (last) axis, keeping member axes."""
    return x.mean(dim=-1)


def is_mixable(objective: type[Objective] | Objective) -> bool:
    """Whether ``objective`` can share an ensemble with other objectives.

    An objective qualifies when its losses are its whole game: no penalty of its
    own and no post-step hook (those act on the whole discriminator ensemble).
    """
    cls = objective if isinstance(objective, type) else type(objective)
    return (
        cls.d_penalty is Objective.d_penalty
        and cls.after_d_step is Objective.after_d_step
        and cls.project_params is Objective.project_params
    )


class MemberObjectives(Objective):
    """Different objectives for different members of one ensemble (a batching device).

    Members are split into contiguous runs with equal objectives; each run's
    losses come from its own objective on its slice of the outputs, so every
    member's loss, and hence its training, is what it would be alone. Only
    :func:`is_mixable` objectives can be mixed.
    """

    def __init__(self, objectives: Sequence[Objective]) -> None:
        if not objectives:
            raise ValueError("MemberObjectives needs at least one objective")
        self.runs: list[tuple[int, int, Objective]] = []
        for i, obj in enumerate(objectives):
            last = self.runs[-1] if self.runs else None
            if last and type(last[2]) is type(obj) and vars(last[2]) == vars(obj):
                self.runs[-1] = (last[0], i + 1, last[2])
            else:
                self.runs.append((i, i + 1, obj))
        if len(self.runs) > 1 and not all(is_mixable(o) for _, _, o in self.runs):
            raise ValueError("objectives with their own penalty or hook cannot share an ensemble")
        self.needs_real_for_g = any(o.needs_real_for_g for _, _, o in self.runs)  # type: ignore[misc]

    def _each(self, fn: Callable[[Objective, slice], torch.Tensor]) -> torch.Tensor:
        return torch.cat([fn(o, slice(a, b)) for a, b, o in self.runs])

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """Each run's D loss on its members' outputs."""
        return self._each(lambda o, s: o.d_loss(real[s], fake[s]))

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """Each run's G loss on its members' outputs."""
        return self._each(lambda o, s: o.g_loss(fake[s], None if real is None else real[s]))

    def smoothed_d_loss(
        self, real: torch.Tensor, fake: torch.Tensor, real_target: float
    ) -> torch.Tensor:
        """Each run's label-smoothed D loss."""
        return self._each(lambda o, s: o.smoothed_d_loss(real[s], fake[s], real_target))

    def check_train(self, train: TrainConfig) -> None:  # type: ignore[override]
        """Every run's objective must accept ``train``."""
        for _, _, o in self.runs:
            o.check_train(train)


def per_member(objective: Objective | Sequence[Objective]) -> Objective:
    """One objective for the whole ensemble: ``objective`` itself, or its members' mix."""
    if isinstance(objective, Objective):
        return objective
    mixed = MemberObjectives(objective)
    return mixed.runs[0][2] if len(mixed.runs) == 1 else mixed
