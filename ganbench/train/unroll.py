"""Unrolled GAN (Metz, Poole, Pfau & Sohl-Dickstein 2017), with ``torch.func``.

The generator's loss is taken against a look-ahead discriminator θ_D^K: K
discriminator updates made from the current θ_D^0 on the current batch, as a
differentiable function of the generator's parameters (the fakes carry their
graph). The real discriminator keeps only the first update θ_D^1, which is the
ordinary discriminator step of the loop; the look-ahead copies are discarded.

The look-ahead updates replay the discriminator's optimiser functionally
(Adam, RMSProp or SGD, from the optimiser's own state and learning rate), as
in Metz et al., who unroll Adam. The √v of Adam/RMSProp is taken as √(v + 1e-30)
so that its derivative stays finite where a gradient is exactly 0; in float32
this changes no value where v > 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

Params = dict[str, torch.Tensor]
TINY = 1e-30


@dataclass
class Snapshot:
    """Discriminator parameters and optimiser state before an update."""

    params: Params
    state: dict[str, dict[str, torch.Tensor]]


def snapshot(module: nn.Module, opt: torch.optim.Optimizer) -> Snapshot:
    """Copy ``module``'s parameters and their optimiser state (detached)."""
    params, state = {}, {}
    for name, p in module.named_parameters():
        params[name] = p.detach().clone()
        state[name] = {
            k: v.detach().clone() if torch.is_tensor(v) else torch.tensor(float(v))
            for k, v in opt.state.get(p, {}).items()
        }
    return Snapshot(params, state)


def _adam(
    p: torch.Tensor, g: torch.Tensor, s: dict[str, torch.Tensor], group: dict
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    b1, b2 = group["betas"]
    t = float(s["step"]) + 1 if "step" in s else 1.0
    m = b1 * s.get("exp_avg", torch.zeros_like(p)) + (1 - b1) * g
    v = b2 * s.get("exp_avg_sq", torch.zeros_like(p)) + (1 - b2) * g * g
    denom = torch.sqrt(v + TINY) / (1 - b2**t) ** 0.5 + group["eps"]
    new = p - (group["lr"] / (1 - b1**t)) * m / denom
    return new, {"step": torch.tensor(t), "exp_avg": m, "exp_avg_sq": v}


def _rmsprop(
    p: torch.Tensor, g: torch.Tensor, s: dict[str, torch.Tensor], group: dict
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    alpha = group["alpha"]
    v = alpha * s.get("square_avg", torch.zeros_like(p)) + (1 - alpha) * g * g
    new = p - group["lr"] * g / (torch.sqrt(v + TINY) + group["eps"])
    return new, {**s, "square_avg": v}


def _sgd(
    p: torch.Tensor, g: torch.Tensor, s: dict[str, torch.Tensor], group: dict
) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    return p - group["lr"] * g, s


UPDATES = {torch.optim.Adam: _adam, torch.optim.RMSprop: _rmsprop, torch.optim.SGD: _sgd}


def functional_update(
    opt: torch.optim.Optimizer, params: Params, grads: Params, state: dict[str, dict]
) -> tuple[Params, dict[str, dict]]:
    """One differentiable optimiser update of ``params`` (plain Adam, RMSProp or SGD)."""
    update = UPDATES.get(type(opt))
    group = opt.param_groups[0]
    plain = not group.get("weight_decay") and not group.get("momentum")
    if update is None or not plain or group.get("amsgrad") or group.get("centered"):
        raise ValueError(f"unrolling supports plain Adam, RMSProp and SGD, not {opt!r}")
    new_params, new_state = {}, {}
    for name, p in params.items():
        new_params[name], new_state[name] = update(p, grads[name], state[name], group)
    return new_params, new_state


def unroll(
    snap: Snapshot,
    opt: torch.optim.Optimizer,
    steps: int,
    d_loss: Callable[[Params], torch.Tensor],
    project: Callable[[Params], Params],
) -> Params:
    """θ_D^K: ``steps`` differentiable updates of ``d_loss`` from ``snap``.

    ``d_loss(params)`` returns the per-member discriminator loss under
    ``params``; ``project`` applies post-step constraints (e.g. clipping).
    """
    params = {k: v.requires_grad_(True) for k, v in snap.params.items()}
    state = snap.state
    for _ in range(steps):
        loss = d_loss(params).sum()
        raw = torch.autograd.grad(loss, list(params.values()), create_graph=True, allow_unused=True)
        grads = {
            k: torch.zeros_like(p) if g is None else g
            for (k, p), g in zip(params.items(), raw, strict=True)
        }
        params, state = functional_update(opt, params, grads, state)
        params = project(params)
    return params
