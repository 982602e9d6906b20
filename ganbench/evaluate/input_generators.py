"""Generators as inputs: TorchScript files, ``module:callable`` networks, ganbench checkpoints.

Every generator is sampled the same way (:func:`sample_generator`): latents
``z ~ N(0, I)`` of shape ``(n, z_dim)`` come from ``torch.Generator()
.manual_seed(seed)`` on the CPU, drawn in blocks of :data:`LATENT_BLOCK` rows
(block after block; in each block first ``z``, then, for a conditional
generator, labels uniform over the classes), so sample ``i`` depends on the
seed only, never on ``batch_size`` or ``n``. The network runs in eval mode
under ``torch.inference_mode()``, ``batch_size`` latents at a time, called as
``g(z)`` or ``g(z, y)``. It must return float images ``(B, C, H, W)`` in
[-1, 1] with C in {1, 3} (→ uint8 with
:func:`~ganbench.metrics.preprocess.to_uint8`; values outside are clamped and
their fraction recorded), uint8 images, or points ``(B, d)``.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ganbench.errors import InputError
from ganbench.evaluate.input_common import Samples, file_sha256
from ganbench.metrics.preprocess import to_uint8

log = logging.getLogger(__name__)

LATENT_BLOCK = 1000  # latents are drawn this many rows at a time, whatever the batch size
Z_DIM_ATTRS = ("z_dim", "latent_dim", "nz")
CLASS_ATTRS = ("n_classes", "num_classes")
Forward = Callable[[torch.Tensor, torch.Tensor | None], torch.Tensor]


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


# ------------------------------------------------------------------ loading


def load_torchscript(path: Path, source: str, device: torch.device) -> nn.Module:
    """``torch.jit.load`` of ``path`` onto ``device``, or a one-line error saying what to give."""
    try:
        with warnings.catch_warnings():  # torch >= 2.9 deprecates TorchScript; still the format
            warnings.filterwarnings("ignore", r".*torch\.jit\.load.*", FutureWarning)
            return torch.jit.load(str(path), map_location=device)
    except Exception as exc:
        raise InputError(
            f"{source}: not a TorchScript generator (torch.jit.load: {_one_line(exc)}); "
            "a plain state dict needs its architecture: give a ganbench run's record or "
            "generator.pt inside its results folder, or a 'module:callable' that builds it"
        ) from None


@contextmanager
def _cwd_on_path() -> Iterator[None]:
    """The working directory first on ``sys.path`` while importing (as ``python -m`` has it)."""
    cwd = os.getcwd()
    sys.path.insert(0, cwd)
    try:
        yield
    finally:
        with suppress(ValueError):
            sys.path.remove(cwd)


def load_callable(module_name: str, attr: str, source: str) -> tuple[nn.Module, dict[str, Any]]:
    """The network named by ``module:attr`` (a module, or called with no arguments), and facts."""
    try:
        with _cwd_on_path():
            importlib.invalidate_caches()
            module = importlib.import_module(module_name)
    except Exception as exc:
        raise InputError(f"{source}: cannot import {module_name}: {_one_line(exc)}") from None
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise InputError(f"{source}: {module_name} has no attribute {attr!r}")
        obj = getattr(obj, part)
    if not isinstance(obj, nn.Module):
        if not callable(obj):
            raise InputError(f"{source}: {attr} is neither an nn.Module nor callable")
        try:
            obj = obj()
        except Exception as exc:
            raise InputError(f"{source}: calling {attr}() failed: {_one_line(exc)}") from None
        if not isinstance(obj, nn.Module):
            raise InputError(f"{source}: {attr}() returned {type(obj).__name__}, not an nn.Module")
    desc: dict[str, Any] = {"module": module_name, "attribute": attr}
    file = getattr(module, "__file__", None)
    if file and Path(file).is_file():
        desc.update(module_file=str(Path(file).resolve()), sha256=file_sha256(Path(file)))
        desc["sha256_of"] = "the module's source file (not its weights or imports)"
    else:
        desc["sha256"] = None
    desc["class"] = f"{type(obj).__module__}.{type(obj).__qualname__}"
    return obj, desc


def load_ganbench(record_path: Path, source: str) -> tuple[nn.Module, dict[str, Any]]:
    """A ganbench run's generator, rebuilt from its trusted record as ganbench itself does."""
    from ganbench.record import check_identity, decode_record
    from ganbench.runner.images import load_generator

    try:
        data = record_path.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read the run record: {_one_line(exc)}") from None
    record = decode_record(data, record_path)
    check_identity(record, record_path, record_path.stem)
    arts = record.get("artifacts") or {}
    if "generator" not in arts or "model_context" not in arts:
        raise InputError(f"{source}: run {record['run_id']} saved no generator checkpoint")
    weights = record_path.parent / arts["generator"]
    try:
        gen = load_generator(dict(record), record_path.parent)
    except FileNotFoundError:
        raise InputError(f"{source}: the run's checkpoint {weights} is missing") from None
    except Exception as exc:
        raise InputError(f"{source}: cannot load the run's generator: {_one_line(exc)}") from None
    mc = arts["model_context"]
    desc = {
        "record": str(record_path),
        "run_id": record["run_id"],
        "status": record["status"],
        "architecture": record["config"].get("architecture"),
        "coords": record.get("coords"),
        "z_dim": mc["z_dim"],
        "n_classes": mc["n_classes"],
        "sha256": file_sha256(weights),
        "sha256_of": "generator.pt",
    }
    return gen, desc


def resolve_dims(
    net: nn.Module, z_dim: int | None, n_classes: int | None, source: str
) -> tuple[int, int | None]:
    """``z_dim`` and ``n_classes``: the arguments, else the network's attributes."""
    if z_dim is None:
        z_dim = next((v for a in Z_DIM_ATTRS if _is_count(v := getattr(net, a, None))), None)
        if z_dim is None:
            raise InputError(
                f"{source}: cannot tell the latent size: the network has no integer attribute "
                f"{', '.join(Z_DIM_ATTRS)}; pass --z-dim"
            )
    if n_classes is None:
        n_classes = next((v for a in CLASS_ATTRS if _is_count(v := getattr(net, a, None))), None)
    for name, v in (("z_dim", z_dim), ("n_classes", n_classes)):
        if v is not None and not _is_count(v):
            raise InputError(f"{source}: {name} must be a positive integer, got {v!r}")
    return int(z_dim), None if n_classes is None else int(n_classes)


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v > 0


# ------------------------------------------------------------------ sampling


def draw_latents(
    n: int, z_dim: int, n_classes: int | None, seed: int
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``n`` latents (and labels) from ``seed``, block by block (see the module docstring)."""
    g = torch.Generator().manual_seed(int(seed))
    zs, ys = [], []
    for _ in range(0, n, LATENT_BLOCK):
        zs.append(torch.randn(LATENT_BLOCK, z_dim, generator=g))
        if n_classes is not None:
            ys.append(torch.randint(n_classes, (LATENT_BLOCK,), generator=g))
    z = torch.cat(zs)[:n]
    return z, (torch.cat(ys)[:n] if n_classes is not None else None)


def check_output(out: Any, batch: int, source: str) -> torch.Tensor:
    """The generator's output for ``batch`` latents, checked: rank, channels, batch, finite."""
    if not isinstance(out, torch.Tensor):
        raise InputError(f"{source}: the generator returned {type(out).__name__}, not a tensor")
    shape = tuple(out.shape)
    if out.ndim not in (2, 4):
        raise InputError(
            f"{source}: generator output has shape {shape}; expected images (B, C, H, W) "
            "or points (B, d)"
        )
    if out.ndim == 4 and out.shape[1] not in (1, 3):
        raise InputError(
            f"{source}: generator output {shape} has {shape[1]} channels; expected 1 or 3 (NCHW)"
        )
    if out.shape[0] != batch:
        raise InputError(f"{source}: generator returned {shape[0]} samples for {batch} latents")
    if out.dtype == torch.uint8 and out.ndim == 4:
        return out.cpu()
    if not out.is_floating_point():
        raise InputError(f"{source}: generator output has dtype {out.dtype}; expected float")
    out = out.detach().float().cpu()
    if not bool(torch.isfinite(out).all()):
        raise InputError(f"{source}: generator output contains NaN or infinite values")
    return out


class _Collected:
    """Generator outputs gathered batch by batch (float images stored as uint8 at once)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[torch.Tensor] = []
        self.raw: tuple[tuple[int, ...], torch.dtype] | None = None  # first batch's shape, dtype
        self.outside = 0  # float image values outside [-1, 1] (clamped)

    def add(self, out: torch.Tensor) -> None:
        raw = (tuple(out.shape[1:]), out.dtype)
        if self.raw is not None and raw != self.raw:
            raise InputError(
                f"{self.source}: generator output changed from {self.raw[0]} {self.raw[1]} "
                f"to {raw[0]} {raw[1]} between batches"
            )
        self.raw = raw
        if out.ndim == 4 and out.is_floating_point():
            self.outside += int((out.abs() > 1).sum())
            out = to_uint8(out)
        self.parts.append(out)


def _run_batches(
    forward: Forward,
    z: torch.Tensor,
    y: torch.Tensor | None,
    batch_size: int,
    device: torch.device,
    source: str,
) -> _Collected:
    got = _Collected(source)
    for start in range(0, len(z), batch_size):
        zb = z[start : start + batch_size].to(device)
        yb = None if y is None else y[start : start + batch_size].to(device)
        try:
            out = forward(zb, yb)
        except InputError:
            raise
        except Exception as exc:
            raise InputError(
                f"{source}: the generator failed on {len(zb)} latents of size {z.shape[1]}"
                f"{'' if yb is None else ' with labels'}: {_one_line(exc)}"
            ) from None
        got.add(check_output(out, len(zb), source))
    return got


def sample_generator(
    forward: Forward,
    *,
    source: str,
    input_type: str,
    n: int,
    seed: int,
    z_dim: int,
    n_classes: int | None,
    batch_size: int,
    device: torch.device,
    description: dict[str, Any],
) -> Samples:
    """``n`` samples of ``forward`` (an eval-mode network's call) as :class:`Samples`."""
    z, y = draw_latents(n, z_dim, n_classes, seed)
    with torch.inference_mode():
        got = _run_batches(forward, z, y, batch_size, device, source)
    data = torch.cat(got.parts)
    got.parts.clear()
    desc = dict(description)
    desc.update(z_dim=z_dim, n_classes=n_classes, seed=seed, n=n, batch_size=batch_size)
    desc["device"] = str(device)
    desc["latents"] = (
        f"z ~ N(0, I) from torch.Generator().manual_seed({seed}), "
        f"drawn in blocks of {LATENT_BLOCK} rows (z, then labels, per block)"
    )
    if n_classes is not None:
        desc["labels"] = f"uniform over {n_classes} classes, same generator; called as g(z, y)"
    desc.update(_output_note(got, data, source))
    return Samples("images" if data.ndim == 4 else "points", data, source, input_type, desc)


def _output_note(got: _Collected, data: torch.Tensor, source: str) -> dict[str, Any]:
    """The ``description`` entries saying what the generator returned and how it was converted."""
    if got.raw is None:  # n >= 1, so at least one batch ran
        raise InputError(f"{source}: the generator returned no samples")
    shape, dtype = got.raw
    if data.ndim == 2:
        return {"output": f"points (N, {shape[0]}) float32"}
    if dtype == torch.uint8:
        return {"output": f"uint8 NCHW {shape}, taken as is"}
    fraction = got.outside / data.numel()
    if fraction > 0:
        log.warning(
            "%s: %.3g%% of output values lay outside [-1, 1], clamped", source, 100 * fraction
        )
    return {
        "output": f"float NCHW {shape} in [-1, 1]: round((x + 1) * 127.5)",
        "clamped_fraction": fraction,
    }
