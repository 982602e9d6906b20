"""f-GAN (Nowozin, Cseke & Tomioka 2016): variational divergence minimisation.

For a convex f with f(1) = 0, D_f(P‖Q) = ∫ q f(p/q) ≥ sup_T E_P T − E_Q f*(T),
with f* the convex conjugate. The critic is T = g_f(v), where v is the raw
discriminator output and g_f the output activation of Nowozin et al.'s Table 2,
which maps ℝ into dom f*. The optimum is T* = f′(p/q), where the bound is tight.

* D minimises −E_p g_f(v) + E_q f*(g_f(v)) (the negative of the bound).
* G minimises either the saddle objective −E_q f*(g_f(v)) (``generator_loss:
  saddle``) or Nowozin et al.'s practical heuristic −E_q g_f(v)
  (``nonsaturating``, the default; §3.2 of the paper).

Every f*(g_f(v)) is written in closed form in v (e.g. JS: softplus(v) − log 2),
so no composition overflows or takes the log of a non-positive number.
Normalisation conventions are the paper's: the JS row's bound is 2·JSD, the GAN
row's is 2·JSD − log 4, and "squared Hellinger" is ∫(√p − √q)² = 2(1 − BC).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch

from ganbench import elementwise as ew
from ganbench.objectives.base import OBJECTIVES, Objective, batch_mean

Fn = Callable[[torch.Tensor], torch.Tensor]
LOG2 = math.log(2.0)


@dataclass(frozen=True)
class FDivergence:
    """One row of Nowozin et al.'s Table 2, as functions of the raw output v."""

    title: str
    f: str  # generator function f(u), for the docstring
    activation: Fn  # T = g_f(v)
    conjugate: Fn  # f*(g_f(v)), closed form in v
    activation_text: str
    conjugate_text: str


DIVERGENCES: dict[str, FDivergence] = {
    "kl": FDivergence(
        "KL(P‖Q)",
        "u log u",
        lambda v: v,
        lambda v: ew.exp(v - 1.0),
        "v",
        "exp(v − 1)",
    ),
    "reverse-kl": FDivergence(
        "reverse KL(Q‖P)",
        "−log u",
        lambda v: -ew.exp(-v),
        lambda v: v - 1.0,
        "−exp(−v)",
        "v − 1",
    ),
    "pearson": FDivergence(
        "Pearson χ²",
        "(u − 1)²",
        lambda v: v,
        lambda v: 0.25 * v * v + v,
        "v",
        "v²/4 + v",
    ),
    "hellinger": FDivergence(
        "squared Hellinger",
        "(√u − 1)²",
        lambda v: -ew.expm1(-v),
        ew.expm1,
        "1 − exp(−v)",
        "exp(v) − 1",
    ),
    "js": FDivergence(
        "JS, bound 2·JSD",
        "−(u + 1) log((1 + u)/2) + u log u",
        lambda v: LOG2 - ew.softplus(-v),
        lambda v: ew.softplus(v) - LOG2,
        "log 2 − softplus(−v)",
        "softplus(v) − log 2",
    ),
    "gan": FDivergence(
        "GAN, bound 2·JSD − log 4",
        "u log u − (u + 1) log(u + 1)",
        lambda v: -ew.softplus(-v),
        ew.softplus,
        "−softplus(−v)",
        "softplus(v)",
    ),
}

GeneratorLoss = Literal["saddle", "nonsaturating"]


class FGAN(Objective):
    """Base of the f-GAN objectives; subclasses fix :attr:`divergence`."""

    reference = "Nowozin et al. 2016, arXiv:1606.00709 (Table 2)"
    divergence: FDivergence

    def __init__(self, generator_loss: GeneratorLoss = "nonsaturating") -> None:
        if generator_loss not in ("saddle", "nonsaturating"):
            raise ValueError("generator_loss must be 'saddle' or 'nonsaturating'")
        self.generator_loss = generator_loss

    def d_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """−E_p g_f(v) + E_q f*(g_f(v))."""
        div = self.divergence
        return batch_mean(div.conjugate(fake)) - batch_mean(div.activation(real))

    def g_loss(self, fake: torch.Tensor, real: torch.Tensor | None = None) -> torch.Tensor:
        """Saddle −E_q f*(g_f(v)), or the non-saturating −E_q g_f(v)."""
        if self.generator_loss == "saddle":
            return -batch_mean(self.divergence.conjugate(fake))
        return -batch_mean(self.divergence.activation(fake))


def _register(key: str, div: FDivergence) -> None:
    doc = (
        f"f-GAN {div.title}: g_f(v) = {div.activation_text}, f*(g_f(v)) = {div.conjugate_text}."
        f"\n\nNowozin et al. 2016, Table 2; f(u) = {div.f}. D minimises "
        "−E_p g_f(v) + E_q f*(g_f(v)); G minimises "
        "−E_q f*(g_f(v)) (saddle) or −E_q g_f(v) (nonsaturating, default)."
    )
    cls = type(f"FGAN_{key.replace('-', '_')}", (FGAN,), {"__doc__": doc, "divergence": div})
    OBJECTIVES.add(f"fgan-{key}", cls)


for _key, _div in DIVERGENCES.items():
    _register(_key, _div)
