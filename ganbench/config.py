"""Suites: strict YAML → frozen dataclasses → a plain cross product of cells.

A suite names its axes (``datasets``, ``objectives``, ``architectures``,
``seeds`` and optionally ``variants``) and shared ``train``/``eval`` settings.
Axis entries are a registry name or a mapping ``{name, label?, params?,
train?}``. Training settings resolve in this order, later wins::

    TrainConfig defaults < suite ``train`` < the dataset entry's ``train`` (e.g. more
    steps for a harder mixture) < the objective's paper defaults (e.g. WGAN-GP's
    n_critic 5) < the variant's ``train`` < the objective entry's ``train``

Every error names the file, the key path, the bad value and what is valid.

This module parses suites of the ``gan`` kind, the default of the optional
top-level ``kind:``; :func:`ganbench.kinds.load_suite` loads a suite of any
kind (:mod:`ganbench.kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from ganbench.architectures import ARCHITECTURES
from ganbench.axes import (
    ComponentSpec,
    Variant,
    parse_axis,
    parse_entry,
    parse_seeds,
    parse_variants,
)
from ganbench.datasets import DATASETS
from ganbench.errors import ConfigError, echo
from ganbench.kinds import file_digest, kind_name
from ganbench.kinds.gan import NAME as KIND
from ganbench.limits import EVAL_MAX, TRAIN_MAX, check_counts
from ganbench.metrics import METRICS
from ganbench.metrics.config import EvalConfig
from ganbench.objectives import OBJECTIVES
from ganbench.papers import Paper, parse_paper
from ganbench.params import resolve_params
from ganbench.record import config_run_id
from ganbench.registry import Registry
from ganbench.search.spec import SearchSpec, parse_search
from ganbench.strict import check_keys, expect, suite_header, unique_labels
from ganbench.train.config import TrainConfig, resolved_train
from ganbench.yamlio import load_yaml_file

TOP_KEYS = {
    "kind",
    "name",
    "description",
    "seeds",
    "datasets",
    "objectives",
    "architectures",
    "variants",
    "objective_params",
    "train",
    "eval",
    "paper",
    "search",
}


@dataclass(frozen=True)
class Cell:
    """One point of the matrix: dataset × objective × architecture × variant × seed."""

    suite: str
    dataset: ComponentSpec
    objective: ComponentSpec
    architecture: ComponentSpec
    variant: str
    seed: int
    train: TrainConfig
    eval: EvalConfig

    def resolved(self) -> dict[str, Any]:
        """The JSON-able resolved config; its hash is the run id."""
        return _jsonable(
            {
                "dataset": {
                    "name": self.dataset.name,
                    "label": self.dataset.label,
                    "params": self.dataset.params,
                },
                "objective": {
                    "name": self.objective.name,
                    "label": self.objective.label,
                    "params": self.objective.params,
                },
                "architecture": {
                    "name": self.architecture.name,
                    "label": self.architecture.label,
                    "params": self.architecture.params,
                },
                "variant": self.variant,
                "seed": self.seed,
                "train": resolved_train(self.train),
                "eval": asdict(self.eval),
            }
        )

    @property
    def run_id(self) -> str:
        """Stable 16-hex-digit hash of the resolved config and the record schema."""
        return config_run_id(self.resolved())

    @property
    def coords(self) -> dict[str, Any]:
        """Display coordinates used by the leaderboard."""
        return {
            "dataset": self.dataset.label,
            "objective": self.objective.label,
            "architecture": self.architecture.label,
            "variant": self.variant,
            "seed": self.seed,
        }


@dataclass(frozen=True)
class Suite:
    """A validated suite file."""

    name: str
    path: Path
    file_hash: str
    description: str
    seeds: tuple[int, ...]
    datasets: tuple[ComponentSpec, ...]
    objectives: tuple[ComponentSpec, ...]
    architectures: tuple[ComponentSpec, ...]
    variants: tuple[Variant, ...]
    train: dict[str, Any]
    eval: EvalConfig
    paper: Paper | None = None  # the published table a paper suite reproduces
    search: SearchSpec | None = None  # a hyper-parameter search (ganbench.search)

    def cells(self) -> list[Cell]:
        """The cross product of the axes, in a stable order.

        For a search suite: the trial cells of its first phase
        (:func:`ganbench.search.plan.search_cells`); the re-runs of the best
        depend on their records.
        """
        if self.search is not None:
            from ganbench.search.plan import search_cells

            return search_cells(self)
        out = []
        for ds in self.datasets:
            for obj in self.objectives:
                for base in self.architectures:
                    for var in self.variants:
                        train = resolve_train(self, obj, var, ds)
                        arch = resolve_architecture(self, base, var)
                        for seed in self.seeds:
                            out.append(
                                Cell(self.name, ds, obj, arch, var.label, seed, train, self.eval)
                            )
        return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


def resolve_train(
    suite: Suite, obj: ComponentSpec, var: Variant, ds: ComponentSpec | None = None
) -> TrainConfig:
    """Merge the training settings of a cell (see the module docstring for the order)."""
    objective = OBJECTIVES.get(obj.name)
    data = ds.train if ds is not None else {}
    merged = {**suite.train, **data, **objective.train_defaults, **var.train, **obj.train}
    where = f"{suite.path}: objectives[{obj.label}].train"
    train = build_train_config(merged, where)
    try:
        objective.check_train(train)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return train


def resolve_architecture(suite: Suite, arch: ComponentSpec, var: Variant) -> ComponentSpec:
    """``arch`` with the variant's architecture overrides applied (and type-checked)."""
    if not var.architecture:
        return arch
    where = f"{suite.path}: variants[{var.label}].architecture"
    fn = ARCHITECTURES.get(arch.name)
    params = resolve_params(fn, {**arch.params, **var.architecture}, where=where, skip=("ctx",))
    return ComponentSpec(arch.name, arch.label, params, arch.train)


def build_train_config(values: Mapping[str, Any], where: str) -> TrainConfig:
    """Type-check ``values`` against :class:`TrainConfig` and construct it."""
    params = resolve_params(TrainConfig, values, where=where)
    check_counts(params, TRAIN_MAX, where)
    try:
        return TrainConfig(**params)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def parse_suite(data: Any, path: Path, file_hash: str = "") -> Suite:
    """Validate a parsed suite mapping; ``path`` is used in messages and for the default name."""
    where = str(path)
    if kind_name(data, where) != KIND:
        raise ConfigError(f"{where}: a kind {echo(data['kind'])} suite is not a GAN suite")
    check_keys(data, TOP_KEYS, where)
    name, desc = suite_header(data, path)
    obj_params = expect(
        data.get("objective_params", {}) or {}, dict, f"{where}: objective_params", "a mapping"
    )
    for key, val in obj_params.items():
        if key not in OBJECTIVES:
            raise ConfigError(f"{where}: objective_params: {OBJECTIVES.unknown_message(key)}")
        expect(val, dict, f"{where}: objective_params.{key}", "a mapping")
    datasets = [
        parse_entry(d, DATASETS, f"{where}: datasets[{i}]", None, allow_train=True)
        for i, d in enumerate(parse_axis(data, "datasets", where))
    ]
    objectives = [
        parse_entry(o, OBJECTIVES, f"{where}: objectives[{i}]", obj_params, allow_train=True)
        for i, o in enumerate(parse_axis(data, "objectives", where))
    ]
    architectures = [
        parse_entry(a, ARCHITECTURES, f"{where}: architectures[{i}]", None, skip=("ctx",))
        for i, a in enumerate(parse_axis(data, "architectures", where))
    ]
    for key, specs in (
        ("datasets", datasets),
        ("objectives", objectives),
        ("architectures", architectures),
    ):
        unique_labels(specs, f"{where}: {key}")
    train = expect(data.get("train", {}) or {}, dict, f"{where}: train", "a mapping")
    build_train_config(train, f"{where}: train")  # type-check the shared settings alone
    for i, ds in enumerate(datasets):
        if ds.train:
            build_train_config({**train, **ds.train}, f"{where}: datasets[{i}].train")
    eval_raw = expect(data.get("eval", {}) or {}, dict, f"{where}: eval", "a mapping")
    eval_params = resolve_params(EvalConfig, eval_raw, where=f"{where}: eval")
    check_counts(eval_params, EVAL_MAX, f"{where}: eval")
    for i, m in enumerate(eval_params.get("metrics") or []):
        if m not in METRICS:
            raise ConfigError(f"{where}: eval.metrics[{i}]: {METRICS.unknown_message(m)}")
    if eval_params.get("track_every") and eval_params["track_metric"] not in METRICS:
        raise ConfigError(
            f"{where}: eval.track_metric: {METRICS.unknown_message(eval_params['track_metric'])}"
        )
    try:
        eval_cfg = EvalConfig(**eval_params)
    except ValueError as exc:
        raise ConfigError(f"{where}: eval: {exc}") from None
    variants = parse_variants(data, where)
    paper = None
    if data.get("paper") is not None:
        axes = {
            "dataset": [d.label for d in datasets],
            "objective": [o.label for o in objectives],
            "architecture": [a.label for a in architectures],
            "variant": [v.label for v in variants],
        }
        paper = parse_paper(data["paper"], where, axes, eval_cfg.metrics or METRICS.names())
    suite = Suite(
        name=name,
        path=path,
        file_hash=file_hash,
        description=desc,
        seeds=parse_seeds(data, where),
        datasets=tuple(datasets),
        objectives=tuple(objectives),
        architectures=tuple(architectures),
        variants=variants,
        train=dict(train),
        eval=eval_cfg,
        paper=paper,
    )
    if data.get("search") is not None:
        return _with_search(suite, data, where)
    for ds in suite.datasets:  # resolves (and so validates) every cell's training settings
        for obj in suite.objectives:
            for var in suite.variants:
                resolve_train(suite, obj, var, ds)
    for arch in suite.architectures:  # and every variant's architecture overrides
        for var in suite.variants:
            resolve_architecture(suite, arch, var)
    return suite


def _with_search(suite: Suite, data: Mapping[str, Any], where: str) -> Suite:
    """``suite`` with its ``search:`` section, checked against the rest of the suite."""
    if "variants" in data:
        raise ConfigError(f"{where}: search: cannot be combined with variants (trials are them)")
    spec = parse_search(data["search"], f"{where}: search")
    if spec.metric not in METRICS:
        raise ConfigError(f"{where}: search.metric: {METRICS.unknown_message(spec.metric)}")
    if suite.eval.metrics is not None and spec.metric not in suite.eval.metrics:
        raise ConfigError(f"{where}: search.metric: {spec.metric} is not in eval.metrics")
    labels = [o.label for o in suite.objectives]
    for label in spec.objective_labels:
        if label not in labels:
            raise ConfigError(
                f"{where}: search.objectives.{label}: not an objective of the suite "
                f"(valid: {', '.join(labels)})"
            )
    overlap = sorted(set(spec.fresh_seeds) & set(suite.seeds))
    if overlap:
        raise ConfigError(
            f"{where}: search.fresh_seeds: {overlap} are search seeds too (the re-runs "
            "must use seeds the search never saw)"
        )
    searched = replace(suite, search=spec)
    searched.cells()  # resolves (and so validates) every trial's settings
    return searched


def load_suite(path: str | Path) -> Suite:
    """Load and validate a GAN suite file (any kind: :func:`ganbench.kinds.load_suite`)."""
    p = Path(path)
    return parse_suite(load_yaml_file(p), p, file_digest(p))


def build_component(spec: ComponentSpec, registry: Registry[Any], where: str, *args: Any) -> Any:
    """Instantiate ``spec`` from ``registry``; a ``ValueError`` becomes a :class:`ConfigError`."""
    try:
        return registry.get(spec.name)(*args, **spec.params)
    except ValueError as exc:
        raise ConfigError(f"{where}: {spec.label}: {exc}") from None


def config_fields(cls: type) -> list[str]:
    """Names of a config dataclass's fields (for docs and ``ganbench ls``)."""
    return [f.name for f in fields(cls)]
