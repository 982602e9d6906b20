"""The "fake side" of ``ganbench eval``: any sample set or generator, as :class:`Samples`.

:func:`parse_input` classifies a spec string without loading anything;
:func:`load_samples` loads it. Accepted specs:

* an existing folder → ``folder``: image files below it (see
  :mod:`ganbench.evaluate.input_files`);
* ``*.npz`` / ``*.npy`` → arrays of images or points (same module);
* ``*.json`` that is a ganbench run record, or the ``generator.pt`` of a run
  inside its results folder (``<results>/<suite>/artifacts/<run_id>/``, the
  record being ``<results>/<suite>/<run_id>.json``) → ``ganbench``: rebuilt
  with :func:`ganbench.runner.images.load_generator`;
* any other ``*.pt`` / ``*.pth`` / ``*.ts`` file → ``torchscript``;
* ``package.module:attribute`` → ``callable``: an ``nn.Module``, or a function
  or class that returns one when called with no arguments; the module is
  imported with the working directory first on ``sys.path``.

Generators are sampled as :mod:`ganbench.evaluate.input_generators`
describes (deterministic in ``seed``, independent of ``batch_size``). Every
user error is an :class:`~ganbench.errors.InputError` with a one-line message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganbench.errors import InputError
from ganbench.evaluate import input_generators as gens
from ganbench.evaluate.input_common import Samples
from ganbench.evaluate.input_files import load_array, load_folder

__all__ = ["INPUT_TYPES", "InputSpec", "Samples", "load_samples", "parse_input"]

INPUT_TYPES = ("folder", "npz", "npy", "torchscript", "ganbench", "callable")
GENERATOR_TYPES = frozenset({"torchscript", "ganbench", "callable"})
TORCHSCRIPT_SUFFIXES = (".pt", ".pth", ".ts")
_NAME = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
CALLABLE_RE = re.compile(rf"^({_NAME}):({_NAME})$")
ACCEPTED = (
    "an image folder, a .npz/.npy file, a TorchScript .pt/.pth/.ts file, "
    "a ganbench run record (.json) or its generator.pt, or package.module:attribute"
)


@dataclass(frozen=True)
class InputSpec:
    """A classified input spec (nothing loaded yet)."""

    source: str  # the spec as given
    input_type: str  # one of INPUT_TYPES
    path: Path | None = None  # the file or folder (None for a callable)
    record: Path | None = None  # ganbench: the run record
    module: str | None = None  # callable: the module to import
    attr: str | None = None  # callable: the (dotted) attribute in it

    @property
    def is_generator(self) -> bool:
        """Whether samples are drawn from a network (so ``n`` and ``seed`` matter)."""
        return self.input_type in GENERATOR_TYPES


def parse_input(spec: str) -> InputSpec:
    """Classify ``spec`` (see the module docstring); :class:`InputError` when it fits nothing."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"empty input spec; expected {ACCEPTED}")
    path = Path(spec).expanduser()
    m = CALLABLE_RE.match(spec)
    if m and not path.exists():
        return InputSpec(spec, "callable", module=m.group(1), attr=m.group(2))
    if path.is_dir():
        return InputSpec(spec, "folder", path)
    if not path.exists():
        raise InputError(f"no such file or folder: {spec} (expected {ACCEPTED})")
    if not path.is_file():
        raise InputError(f"{spec}: not a regular file or folder (expected {ACCEPTED})")
    suffix = path.suffix.lower()
    if suffix in (".npz", ".npy"):
        return InputSpec(spec, suffix[1:], path)
    if suffix == ".json":
        return InputSpec(spec, "ganbench", path, record=path)
    if suffix in TORCHSCRIPT_SUFFIXES:
        record = run_record_of(path)
        if record is not None:
            return InputSpec(spec, "ganbench", path, record=record)
        return InputSpec(spec, "torchscript", path)
    raise InputError(f"{spec}: unsupported file type {path.suffix!r} (expected {ACCEPTED})")


def run_record_of(checkpoint: Path) -> Path | None:
    """The record of a ganbench checkpoint ``<suite>/artifacts/<run_id>/generator.pt``, if any."""
    run_dir = checkpoint.parent
    if run_dir.parent.name != "artifacts":
        return None
    record = run_dir.parent.parent / f"{run_dir.name}.json"
    return record if record.is_file() else None


def load_samples(
    spec: str,
    *,
    n: int | None,
    seed: int,
    device: torch.device | str = "cpu",
    batch_size: int = 250,
    z_dim: int | None = None,
    n_classes: int | None = None,
) -> Samples:
    """Load or generate the samples of ``spec``.

    Sample sets give all their samples, or the first ``n`` (an error when they
    hold fewer); ``seed``, ``batch_size``, ``z_dim`` and ``n_classes`` apply to
    generators only, which need ``n`` and are sampled on ``device``.
    ``z_dim`` / ``n_classes`` override the network's attributes (a ganbench
    run's come from its record).
    """
    parsed = parse_input(spec)
    if not parsed.is_generator:
        if z_dim is not None or n_classes is not None:
            raise InputError(f"{spec}: --z-dim and --n-classes apply to generators only")
        assert parsed.path is not None  # files and folders have a path
        if parsed.input_type == "folder":
            return load_folder(parsed.path, spec, n)
        return load_array(parsed.path, spec, n, parsed.input_type)
    if n is None:
        raise InputError(f"{spec}: a generator needs the number of samples to draw (--n)")
    for name, value in (("n", n), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{spec}: {name} must be a positive integer, got {value!r}")
    dev = torch.device(device)
    net, forward, desc = _load_generator(parsed, dev)
    if parsed.input_type == "ganbench":
        z_dim, n_classes = _ganbench_dims(desc, z_dim, n_classes, spec)
    z, k = gens.resolve_dims(net, z_dim, n_classes, spec)
    return gens.sample_generator(
        forward,
        source=spec,
        input_type=parsed.input_type,
        n=n,
        seed=seed,
        z_dim=z,
        n_classes=k,
        batch_size=batch_size,
        device=dev,
        description=desc,
    )


def _load_generator(
    parsed: InputSpec, device: torch.device
) -> tuple[torch.nn.Module, gens.Forward, dict[str, Any]]:
    """The network in eval mode on ``device``, how to call it, and what was loaded."""
    spec = parsed.source
    if parsed.input_type == "ganbench":
        assert parsed.record is not None
        net, desc = gens.load_ganbench(parsed.record, spec)
        net = net.to(device).eval()
        if device.type == "cuda":
            desc["numerics"] = "bf16 autocast and channels_last, as ganbench runs its generators"
        return net, lambda z, y: net(z[None], None if y is None else y[None])[0], desc
    if parsed.input_type == "torchscript":
        assert parsed.path is not None
        net = gens.load_torchscript(parsed.path, spec, device)
        desc = {"file": str(parsed.path), "sha256": gens.file_sha256(parsed.path)}
    else:
        assert parsed.module is not None and parsed.attr is not None
        net, desc = gens.load_callable(parsed.module, parsed.attr, spec)
        net = net.to(device)
    net.eval()
    return net, lambda z, y: net(z) if y is None else net(z, y), desc


def _ganbench_dims(
    desc: dict[str, Any], z_dim: int | None, n_classes: int | None, spec: str
) -> tuple[int, int | None]:
    """A ganbench run's latent size and classes (from its record); arguments must agree."""
    for name, given in (("z_dim", z_dim), ("n_classes", n_classes)):
        if given is not None and given != desc[name]:
            raise InputError(
                f"{spec}: {name}={given} disagrees with the run's record ({desc[name]})"
            )
    return int(desc["z_dim"]), desc["n_classes"]
