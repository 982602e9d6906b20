"""Score one input against one reference under one protocol: the cell of ``ganbench eval``.

An :class:`EvalCell` is (input, reference, protocol, metrics, n, seed). Its
config names everything a number depends on (the input's content hash, the
reference's identity, every resolved option), so its run id changes when any
of them does and a re-run skips cells whose record exists. Its record has the
same typed shape as a trained cell's (:mod:`ganbench.record`, ``kind: eval``)
and is written to ``<results>/eval/<name>/<run_id>.json`` by ``ganbench eval``
(``<results>/<suite>/`` for an eval suite). The report's
coordinates map to the leaderboard's columns: the reference is the
``dataset``, the input the ``objective`` (the entry ranked), the protocol the
``architecture``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from ganbench.datasets.base import dataset_facts
from ganbench.env import environment
from ganbench.errors import ConfigError, GanbenchError
from ganbench.evaluate.input_common import file_sha256, files_sha256
from ganbench.evaluate.input_files import image_files
from ganbench.evaluate.inputs import load_samples, parse_input
from ganbench.evaluate.protocols import PROTOCOLS, Protocol
from ganbench.evaluate.references import Reference, StatsReference
from ganbench.kinds.evaluation import NAME
from ganbench.metrics import METRICS
from ganbench.metrics.config import EvalConfig
from ganbench.metrics.evaluate import evaluate_samples
from ganbench.metrics.sample_quality import NEEDS_REAL_FEATURES
from ganbench.record import RecordHead, RunRecord, config_run_id, eval_record

log = logging.getLogger(__name__)

IMAGE_METRICS = ("fid", "kid", "precision", "recall")  # default for image inputs
KEEP_POINTS = 1000  # generated points kept in the record for the report's scatter plots


class EvalError(GanbenchError):
    """An evaluation that cannot produce a trustworthy number (nothing is written)."""


@dataclass(frozen=True)
class EvalInput:
    """An input to score: display name, spec, and how to sample a generator."""

    name: str
    spec: str
    z_dim: int | None = None
    n_classes: int | None = None
    sha256: str = ""  # filled by make_cell (fingerprint of the content)


def fingerprint(spec: str) -> str:
    """SHA-256 of an input's content: a file's bytes, a folder's image files, a module's source.

    Computed when a cell is made (so its run id names the content it scores)
    and never memoised: a file changed between two calls gives a new hash.
    """
    parsed = parse_input(spec)
    if parsed.input_type == "folder" and parsed.path is not None:
        return files_sha256(parsed.path, image_files(parsed.path))
    if parsed.path is not None:
        return file_sha256(parsed.path)
    digest = hashlib.sha256(spec.encode())
    try:
        found = importlib.util.find_spec(str(parsed.module))
    except (ImportError, ValueError):
        found = None
    if found is not None and found.origin and Path(found.origin).is_file():
        digest.update(file_sha256(Path(found.origin)).encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class EvalCell:
    """One (input, reference, protocol, seed) evaluation."""

    suite: str
    input: EvalInput
    reference: Reference
    protocol: Protocol
    metrics: tuple[str, ...]
    n: int | None  # samples scored; None = every stored sample of a folder/array input
    seed: int
    options: dict[str, Any] = field(default_factory=dict)  # resolved eval options

    def config(self) -> dict[str, Any]:
        """The resolved config hashed into the run id."""
        inp = self.input
        return {
            "kind": NAME,
            "input": {
                "spec": inp.spec,
                "sha256": inp.sha256,
                "z_dim": inp.z_dim,
                "n_classes": inp.n_classes,
            },
            "reference": self.reference.identity(),
            "protocol": self.protocol.name,
            "metrics": list(self.metrics),
            "n": self.n,
            "options": self.options,
            "metric_versions": {m: METRICS.get(m).version for m in self.metrics},
            "seed": self.seed,
        }

    @functools.cached_property
    def run_id(self) -> str:
        """Hash of :meth:`config`."""
        return config_run_id(self.config())

    def coords(self) -> dict[str, str | int]:
        """Leaderboard coordinates (reference → dataset, input → objective, protocol → arch)."""
        return {
            "dataset": self.reference.label,
            "objective": self.input.name,
            "architecture": self.protocol.name,
            "variant": "-",
            "seed": self.seed,
        }


def make_cell(
    suite: str,
    inp: EvalInput,
    reference: Reference,
    *,
    protocol: str,
    metrics: list[str] | None,
    n: int | None,
    seed: int,
    n_real: int | None = None,
    options: dict[str, Any] | None = None,
) -> EvalCell:
    """Resolve one cell: protocol options, reference split, metric list and sample count."""
    proto = PROTOCOLS.get(protocol)
    overrides = dict(options or {})
    if n_real is not None:
        overrides["n_real"] = n_real
    resolved = proto.resolved_options(overrides)
    resolved["reference_split"] = reference.split(resolved["reference_split"])
    kind = reference.dataset().kind
    names = list(metrics) if metrics else _default_metrics(reference, kind)
    for name in names:
        spec = METRICS.get(name)  # unknown names: one line with close matches
        if not spec.applies_to(reference.dataset()):
            need = ", ".join(sorted(spec.requires))
            raise ConfigError(f"metric {name} needs {need}; reference {reference.label} is {kind}")
    if isinstance(reference, StatsReference) and reference.stats().features is None:
        lacking = sorted(NEEDS_REAL_FEATURES & set(names))
        if lacking:
            raise ConfigError(
                f"{', '.join(lacking)}: need the reference's raw features; {reference.path} has "
                "only mu and sigma (pytorch-fid layout); write one with `ganbench stats` "
                "or ask for fid only"
            )
    if n is not None and n < 2:
        raise ConfigError(f"-n {n}: expected at least 2 samples")
    count = n if n is not None or not parse_input(inp.spec).is_generator else proto.n_fake
    inp = replace(inp, sha256=fingerprint(inp.spec))
    return EvalCell(suite, inp, reference, proto, tuple(names), count, seed, resolved)


def _default_metrics(reference: Reference, kind: str) -> list[str]:
    if kind == "images":
        return list(IMAGE_METRICS)
    ds = reference.dataset()
    return [e.name for e in METRICS.entries() if e.obj.default and e.obj.applies_to(ds)]


def evaluate_cell(cell: EvalCell, device: torch.device) -> RunRecord:
    """Load the input, compute the metrics and build the record (raises on bad input)."""
    from ganbench.runner.execute import now_iso

    started, t0 = now_iso(), time.perf_counter()
    inp = cell.input
    samples = load_samples(
        inp.spec, n=cell.n, seed=cell.seed, device=device, z_dim=inp.z_dim, n_classes=inp.n_classes
    )
    load_s = time.perf_counter() - t0
    if parse_input(inp.spec).path is not None and fingerprint(inp.spec) != inp.sha256:
        raise EvalError(f"{inp.spec}: changed on disk since the evaluation was planned; re-run")
    dataset = cell.reference.dataset()
    if samples.kind != dataset.kind:
        raise EvalError(
            f"{inp.spec}: {samples.kind} cannot be scored against {cell.reference.label} "
            f"({dataset.kind})"
        )
    data = samples.data
    cfg = EvalConfig(
        n_samples=max(int(data.shape[0]), 2), metrics=list(cell.metrics), options=cell.options
    )
    metrics = evaluate_samples(
        dataset,
        data,
        cfg,
        seed=cell.seed,
        device=device,
        real_source=cell.reference.real_source(),
    )
    failed = {k: v["error"] for k, v in metrics.items() if "error" in v}
    if failed:
        name, error = next(iter(failed.items()))
        raise EvalError(f"{inp.name}: metric {name} failed: {error}")
    for entry in metrics.values():  # the preset that fixed the settings, beside them
        if isinstance(entry.get("protocol"), dict):
            entry["protocol"]["protocol_preset"] = cell.protocol.name
    head = RecordHead(
        cell.run_id, cell.suite, cell.coords(), cell.config(), environment(device), kind=NAME
    )
    rec = eval_record(
        head,
        metrics=metrics,
        input_type=samples.input_type,
        input_description=samples.description,
        n_samples=int(data.shape[0]),
        reference=cell.reference.label,
        protocol=cell.protocol.name,
        started=started,
        finished=now_iso(),
        load_s=load_s,
        eval_s=time.perf_counter() - t0 - load_s,
        points=data[:KEEP_POINTS].tolist() if samples.kind == "points" else None,
        data=dataset_facts(dataset),
    )
    log.info("%s: %s in %.1f s", inp.name, cell.run_id, time.perf_counter() - t0)
    return rec
