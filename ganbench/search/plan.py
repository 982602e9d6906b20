"""Planning a search suite: trial cells (phase 1) and re-runs of the best (phase 2).

Phase 1: for every dataset × objective × architecture, the ``K`` trials that
:func:`~ganbench.search.sampler.sample_trials` draws from the objective's space
(the same trials for the same suite and seed, so a killed search resumes
without re-sampling), each on every search seed (the suite's ``seeds``). A
trial is an ordinary :class:`~ganbench.config.Cell` whose variant is
``trial-NN`` and whose resolved config holds the sampled values: a trial's
values override every other source of the setting (suite, dataset, objective
entry, the objective's paper defaults).

Phase 2: the best trial of each dataset × objective × architecture, chosen
from the phase-1 records by the search metric averaged over the search seeds
(:func:`ganbench.search.report.select_best`), re-run on ``fresh_seeds`` with
variant ``best``. Its cells exist only once phase 1's records do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from ganbench.architectures import ARCHITECTURES
from ganbench.axes import ComponentSpec, Variant
from ganbench.config import Cell, Suite, build_component, build_train_config, resolve_train
from ganbench.errors import ConfigError
from ganbench.objectives import OBJECTIVES
from ganbench.params import resolve_params
from ganbench.search.sampler import apply_trial, sample_trials
from ganbench.search.spec import SearchSpec

BEST = "best"  # the variant of a phase-2 re-run


def trial_label(index: int) -> str:
    """``trial-03``: the variant label of trial ``index`` (zero-padded to two digits)."""
    return f"trial-{index:02d}"


def _spec(suite: Suite) -> SearchSpec:
    if suite.search is None:
        raise ConfigError(f"{suite.path}: the suite has no search section")
    return suite.search


def trials_for(suite: Suite, objective: ComponentSpec) -> list[dict[str, Any]]:
    """The K sampled parameter sets of ``objective`` (path → value), in trial order."""
    spec = _spec(suite)
    return sample_trials(spec.space_for(objective.label), spec.trials, spec.sampler, spec.seed)


def trial_cell(
    suite: Suite,
    ds: ComponentSpec,
    obj: ComponentSpec,
    arch: ComponentSpec,
    trial: dict[str, Any],
    variant: str,
    seed: int,
) -> Cell:
    """The cell of one trial: the resolved settings with the trial's values set on top."""
    where = f"{suite.path}: search ({obj.label}, {ds.label}, {variant})"
    train = asdict(resolve_train(suite, obj, Variant("default"), ds))
    base = {"train": train, "objective": dict(obj.params), "architecture": dict(arch.params)}
    applied = apply_trial(base, trial, where=where)
    train_cfg = build_train_config(applied["train"], f"{where}: train")
    try:
        OBJECTIVES.get(obj.name).check_train(train_cfg)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    objective = OBJECTIVES.get(obj.name)
    obj_params = resolve_params(objective, applied["objective"], where=f"{where}: objective")
    new_obj = ComponentSpec(obj.name, obj.label, obj_params, obj.train)
    build_component(new_obj, OBJECTIVES, f"{where}: objective")  # range checks
    arch_fn = ARCHITECTURES.get(arch.name)
    arch_params = resolve_params(
        arch_fn, applied["architecture"], where=f"{where}: architecture", skip=("ctx",)
    )
    new_arch = ComponentSpec(arch.name, arch.label, arch_params, arch.train)
    return Cell(suite.name, ds, new_obj, new_arch, variant, seed, train_cfg, suite.eval)


def search_cells(suite: Suite) -> list[Cell]:
    """Phase 1: every trial of every dataset × objective × architecture, on the search seeds."""
    out = []
    for obj in suite.objectives:
        trials = trials_for(suite, obj)
        for ds in suite.datasets:
            for arch in suite.architectures:
                for i, trial in enumerate(trials):
                    for seed in suite.seeds:
                        out.append(trial_cell(suite, ds, obj, arch, trial, trial_label(i), seed))
    return out


def rerun_cells(suite: Suite, chosen: Sequence[tuple[str, str, str, int]]) -> list[Cell]:
    """Phase 2: the chosen trial of each ``(dataset, objective, architecture)`` on fresh seeds."""
    spec = _spec(suite)
    by_label = {
        "dataset": {d.label: d for d in suite.datasets},
        "objective": {o.label: o for o in suite.objectives},
        "architecture": {a.label: a for a in suite.architectures},
    }
    sampled: dict[str, list[dict[str, Any]]] = {}  # each objective's trials, drawn once
    out = []
    for ds_label, obj_label, arch_label, index in chosen:
        ds = by_label["dataset"][ds_label]
        obj = by_label["objective"][obj_label]
        arch = by_label["architecture"][arch_label]
        if obj_label not in sampled:
            sampled[obj_label] = trials_for(suite, obj)
        trial = sampled[obj_label][index]
        for seed in spec.fresh_seeds:
            out.append(trial_cell(suite, ds, obj, arch, trial, BEST, seed))
    return out
