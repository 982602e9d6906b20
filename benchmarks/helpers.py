"""Measurement helpers shared by the benchmarks (timing, machine peak, FLOP counting)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode


def load_1m() -> float:
    """The 1-minute load average (``nan`` where the OS has none)."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return float("nan")


def clocks() -> tuple[str, ...]:
    """The clocks to report: wall time, plus process CPU time when torch runs one thread.

    On a shared machine, wall time counts the time other processes hold the
    core; with one thread, this process's CPU time is what the work costs on an
    otherwise idle core (with two or more threads it would also count spinning).
    """
    return ("wall", "cpu") if torch.get_num_threads() == 1 else ("wall",)


def timed(fn: Callable[[], Any]) -> dict[str, float]:
    """Seconds ``fn()`` took on each clock (``wall``, ``cpu``)."""
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return {"wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}


def best_seconds(fn: Callable[[], Any], repeat: int, number: int = 1) -> dict[str, float]:
    """Fastest of ``repeat`` timings of ``number`` calls, per call, on each clock."""
    fn()
    best = {"wall": float("inf"), "cpu": float("inf")}
    for _ in range(repeat):
        t = timed(lambda: [fn() for _ in range(number)])
        best = {k: min(best[k], t[k] / number) for k in best}
    return best


def sgemm_gflops(n: int = 2048, repeat: int = 25) -> dict[str, float]:
    """Best GFLOP/s of an ``n × n`` fp32 matrix product (2n³ FLOPs), per clock.

    25 repeats (~2.5 s): with 7, one run on a shared VM measured 139 GFLOP/s while the
    same product reached 176 a minute later, which inflated every peak fraction.
    """
    a, b = torch.randn(n, n), torch.randn(n, n)
    t = best_seconds(lambda: torch.mm(a, b), repeat)
    return {k: 2 * n**3 / v / 1e9 for k, v in t.items()}


def bmm_gflops(
    e: int = 8, m: int = 256, k: int = 128, n: int = 128, repeat: int = 7
) -> dict[str, float]:
    """Best GFLOP/s of the hidden-layer product of an 8-member 3×128 MLP at batch 256."""
    a, b = torch.randn(e, m, k), torch.randn(e, k, n)
    t = best_seconds(lambda: torch.bmm(a, b), repeat, number=20)
    return {c: 2 * e * m * k * n / v / 1e9 for c, v in t.items()}


_MATMULS = {
    torch.ops.aten.mm.default: lambda a: (a[0], a[1]),
    torch.ops.aten.addmm.default: lambda a: (a[1], a[2]),
    torch.ops.aten.bmm.default: lambda a: (a[0], a[1]),
    torch.ops.aten.baddbmm.default: lambda a: (a[1], a[2]),
}


class MatmulFlops(TorchDispatchMode):
    """Counts the FLOPs of every matrix product actually executed (2·m·k·n per product).

    It sees the forward, the backward and double-backward passes (WGAN-GP's
    gradient penalty) alike, because it intercepts the ATen calls. Elementwise
    work (activations, losses, optimizer updates) is not counted: it is memory
    bound and a few per cent of the arithmetic.
    """

    def __init__(self) -> None:
        super().__init__()
        self.flops = 0

    def __torch_dispatch__(
        self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None
    ) -> Any:
        out = func(*args, **(kwargs or {}))
        operands = _MATMULS.get(func)
        if operands is not None:
            a, b = operands(args)
            batch = a.shape[0] if a.ndim == 3 else 1
            self.flops += 2 * batch * a.shape[-2] * a.shape[-1] * b.shape[-1]
        return out
