"""``kind: eval`` suites: several inputs × references × protocols × seeds, one report.

Example::

    name: checkpoints-vs-cifar
    kind: eval
    inputs:
      - samples/run-a                          # a folder, an array file, a generator file
      - {name: gen-b, path: "mypkg.models:make_generator", z_dim: 128, n_classes: 10}
    against: [cifar10:test]                    # one spec or a list (ganbench eval --against)
    protocols: [ttur-10k, clean-fid]           # default [ttur-10k]
    metrics: [fid, kid]                        # default: fid kid precision recall (images)
    n: 10000                                   # default: the protocol's (generators) / all
    n_real: 10000                              # default: the protocol's
    seeds: [0, 1, 2]                           # sampling seeds, default [0]

Relative file and folder paths are resolved against the suite file's folder;
``module:callable`` inputs are imported with the working directory on
``sys.path``. Every key is checked (one-line errors naming the key); the cells
are the cross product, in this order: reference, input, protocol, seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench.axes import parse_seeds
from ganbench.errors import ConfigError, echo
from ganbench.evaluate.cli import input_names
from ganbench.evaluate.protocols import DEFAULT_PROTOCOL, PROTOCOLS
from ganbench.evaluate.references import Reference, parse_reference
from ganbench.evaluate.run import EvalCell, EvalInput, make_cell
from ganbench.strict import check_keys, check_label, expect, suite_header

TOP_KEYS = {
    "name",
    "kind",
    "description",
    "inputs",
    "against",
    "protocols",
    "metrics",
    "n",
    "n_real",
    "seeds",
}
INPUT_KEYS = {"name", "path", "z_dim", "n_classes"}
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class EvalSuite:
    """A validated ``kind: eval`` suite."""

    name: str
    path: Path
    file_hash: str
    description: str
    inputs: tuple[EvalInput, ...]
    references: tuple[Reference, ...]
    protocols: tuple[str, ...]
    metrics: tuple[str, ...] | None
    n: int | None
    n_real: int | None
    seeds: tuple[int, ...]

    def cells(self) -> list[EvalCell]:
        """Every (reference, input, protocol, seed) cell, resolved (hashes the inputs)."""
        return [
            make_cell(
                self.name,
                inp,
                ref,
                protocol=proto,
                metrics=list(self.metrics) if self.metrics else None,
                n=self.n,
                seed=seed,
                n_real=self.n_real,
            )
            for ref in self.references
            for inp in self.inputs
            for proto in self.protocols
            for seed in self.seeds
        ]

    def summary(self) -> str:
        """``n cells = r references × i inputs × p protocols × s seeds``."""
        r, i, p, s = (len(x) for x in (self.references, self.inputs, self.protocols, self.seeds))
        return f"{r * i * p * s} cells = {r} references × {i} inputs × {p} protocols × {s} seeds"


def _count(data: Mapping[str, Any], key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 2 <= value <= MAX_COUNT:
        raise ConfigError(f"{where}: {key}: expected an integer 2..{MAX_COUNT}, got {echo(value)}")
    return value


def _resolve_path(spec: str, base: Path) -> str:
    """``spec`` made absolute against the suite's folder when it names a file or folder there."""
    candidate = base / spec
    if not Path(spec).is_absolute() and candidate.exists():
        return str(candidate)
    return spec


def _inputs(raw: Any, base: Path, where: str) -> tuple[EvalInput, ...]:
    items = expect(raw, list, f"{where}: inputs", "a non-empty list of inputs")
    if not items:
        raise ConfigError(f"{where}: inputs: empty list")
    specs, given = [], []
    for i, item in enumerate(items):
        w = f"{where}: inputs[{i}]"
        if isinstance(item, str):
            item = {"path": item}
        expect(item, dict, w, "a path / module:callable, or a mapping with 'path'")
        check_keys(item, INPUT_KEYS, w)
        path = expect(item.get("path"), str, f"{w}.path", "a path or module:callable")
        for key in ("z_dim", "n_classes"):
            v = item.get(key)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < 1):
                raise ConfigError(f"{w}.{key}: expected a positive integer, got {echo(v)}")
        specs.append(_resolve_path(path, base))
        given.append(item)
    names = input_names(specs)
    out = []
    for i, (spec, item, auto) in enumerate(zip(specs, given, names, strict=True)):
        label = check_label(item.get("name", auto), f"{where}: inputs[{i}].name")
        out.append(EvalInput(label, spec, item.get("z_dim"), item.get("n_classes")))
    labels = [x.name for x in out]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{where}: inputs: duplicate names {echo(labels)} (set 'name')")
    return tuple(out)


def _str_list(data: Mapping[str, Any], key: str, where: str, default: list[str]) -> list[str]:
    raw = data.get(key, default)
    if isinstance(raw, str):
        raw = [raw]
    items = expect(raw, list, f"{where}: {key}", "a string or a list of strings")
    if not items or not all(isinstance(x, str) for x in items):
        raise ConfigError(f"{where}: {key}: expected a non-empty list of strings, got {echo(raw)}")
    if len(set(items)) != len(items):
        raise ConfigError(f"{where}: {key}: duplicate entries in {echo(items)}")
    return list(items)


def parse_eval_suite(data: Mapping[str, Any], path: Path, file_hash: str = "") -> EvalSuite:
    """Validate a parsed ``kind: eval`` mapping (strict: unknown keys are errors)."""
    where = str(path)
    check_keys(data, TOP_KEYS, where)
    name, desc = suite_header(data, path)
    base = path.parent
    if "against" not in data:
        raise ConfigError(f"{where}: missing required key 'against' (the reference)")
    refs = []
    for spec in _str_list(data, "against", where, []):
        try:
            refs.append(parse_reference(_resolve_ref(spec, base)))
        except ConfigError as exc:
            raise ConfigError(f"{where}: against: {exc}") from None
    protocols = _str_list(data, "protocols", where, [DEFAULT_PROTOCOL])
    for p in protocols:
        if p not in PROTOCOLS:
            raise ConfigError(f"{where}: protocols: {PROTOCOLS.unknown_message(p)}")
    metrics = _str_list(data, "metrics", where, []) if "metrics" in data else None
    seeds = parse_seeds(data, where) if "seeds" in data else (0,)
    suite = EvalSuite(
        name=name,
        path=path,
        file_hash=file_hash,
        description=desc,
        inputs=_inputs(data.get("inputs"), base, where),
        references=tuple(refs),
        protocols=tuple(protocols),
        metrics=tuple(metrics) if metrics else None,
        n=_count(data, "n", where),
        n_real=_count(data, "n_real", where),
        seeds=seeds,
    )
    try:
        suite.cells()  # metric applicability, stats-file contents, input specs
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return suite


def _resolve_ref(spec: str, base: Path) -> str:
    kind, sep, rest = spec.partition(":")
    if sep and kind in ("folder", "stats"):
        return f"{kind}:{_resolve_path(rest, base)}"
    return _resolve_path(spec, base)
