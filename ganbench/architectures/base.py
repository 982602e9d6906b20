"""Architecture registry and the generator/discriminator contract.

A registered architecture is a builder ``fn(ctx: ModelContext, **params) ->
GANPair``. Its keyword parameters (after ``ctx``) are what a suite may set.

Contract (``E`` = ensemble members, ``B`` = batch):

* ``generator(z: (E, B, z_dim), y: (E, B) | None) -> (E, B, *data_shape)``
* ``discriminator(x: (E, B', *d_input_shape), y) -> (E, B')`` raw real scores;
  each objective applies its own output activation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from ganbench.registry import Registry


@dataclass(frozen=True)
class ModelContext:
    """What an architecture builder needs to know besides its own parameters."""

    data_shape: tuple[int, ...]
    z_dim: int
    ensemble: int = 1
    n_classes: int | None = None  # set when the run is class-conditional
    pack: int = 1  # PacGAN packing degree: D sees ``pack`` samples at once

    @property
    def data_dim(self) -> int:
        """Number of scalars in one data sample."""
        out = 1
        for s in self.data_shape:
            out *= s
        return out


@dataclass
class GANPair:
    """A generator and a discriminator built together."""

    generator: nn.Module
    discriminator: nn.Module


ARCHITECTURES: Registry[Callable[..., GANPair]] = Registry("architecture")
