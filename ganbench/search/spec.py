"""The ``search:`` section of a suite: a tuning budget per objective (Lucic et al. 2018).

Syntax (every key but ``sampler``, ``seed``, ``space`` and ``objectives`` is required)::

    search:
      trials: 24                 # K configurations sampled per objective (1..4096)
      sampler: sobol             # random (default) | sobol
      seed: 0                    # default 0; the same suite samples the same trials
      metric: hq                 # picks each objective's best trial (direction: metric registry)
      fresh_seeds: [100, 101]    # the best configuration is re-run on these seeds
      space:                     # shared by every objective (syntax: ganbench.search.space)
        train.lr: log_uniform(1e-4, 1e-2)
        train.betas.0: [0.0, 0.5]
        train.n_critic: int_range(1, 5)
      objectives:                # per objective label: parameters added or overriding
        wgan-gp: {objective.gp_weight: "log_uniform(0.1, 100)"}   # quoted in {...}

An objective listed under ``objectives`` searches the shared space merged with its
own entries (its own win on the same path); others search the shared space. The
integration checks what this module cannot: that ``metric`` is a registered
metric, that the objective labels exist in the suite, that every path names a
parameter (:meth:`SearchSpec.all_paths`), and that the fresh seeds differ from the
search seeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ganbench.errors import ConfigError, echo
from ganbench.search.sampler import SAMPLERS
from ganbench.search.space import SearchSpace, parse_space
from ganbench.strict import check_keys, expect

MAX_TRIALS = 4096
MAX_SEED = 2**31 - 1
SEARCH_KEYS = {"trials", "sampler", "seed", "metric", "fresh_seeds", "space", "objectives"}
REQUIRED_KEYS = ("trials", "metric", "fresh_seeds")

Sampler = Literal["random", "sobol"]


@dataclass(frozen=True)
class SearchSpec:
    """A parsed ``search:`` section."""

    trials: int  # K: configurations sampled per objective
    sampler: Sampler  # "random" or "sobol"
    seed: int  # the sampler's seed
    metric: str  # the metric that picks the best trial (not checked against the registry here)
    fresh_seeds: tuple[int, ...]  # seeds the best configuration is re-run on
    space: SearchSpace  # shared by every objective
    objectives: tuple[tuple[str, SearchSpace], ...] = ()  # label → additions/overrides, sorted

    def space_for(self, objective: str) -> SearchSpace:
        """The space searched for the objective labelled ``objective``."""
        extra = dict(self.objectives).get(objective)
        return self.space if extra is None else self.space.merged(extra)

    @property
    def objective_labels(self) -> tuple[str, ...]:
        """Labels with their own entries under ``objectives`` (to check against the suite)."""
        return tuple(label for label, _ in self.objectives)

    def all_paths(self) -> tuple[str, ...]:
        """Every parameter path in the shared and per-objective spaces, sorted."""
        paths = set(self.space.paths)
        for _, extra in self.objectives:
            paths.update(extra.paths)
        return tuple(sorted(paths))


def _int(raw: Any, where: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        raise ConfigError(f"{where}: expected an integer in {low}..{high}, got {echo(raw)}")
    return raw


def _fresh_seeds(raw: Any, where: str) -> tuple[int, ...]:
    expect(raw, list, where, "a list of seeds")
    if not raw:
        raise ConfigError(f"{where}: empty list (give at least one seed)")
    seeds = tuple(_int(s, f"{where}[{i}]", 0, MAX_SEED) for i, s in enumerate(raw))
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"{where}: duplicate seeds in {echo(raw)}")
    return seeds


def _objectives(raw: Any, shared: SearchSpace, where: str) -> tuple[tuple[str, SearchSpace], ...]:
    expect(raw, dict, where, "a mapping of objective labels to parameter spaces")
    out: list[tuple[str, SearchSpace]] = []
    for label, space in raw.items():
        if not isinstance(label, str) or not label.strip():
            raise ConfigError(f"{where}: expected an objective label, got {echo(label)}")
        extra = parse_space(space, f"{where}.{label}")
        if not extra.params:
            raise ConfigError(f"{where}.{label}: empty space (omit the objective instead)")
        shared.merged(extra, f"{where}.{label}")  # a shared path may not overlap its items
        out.append((label, extra))
    return tuple(sorted(out, key=lambda item: item[0]))


def parse_search(mapping: Any, where: str) -> SearchSpec:
    """A :class:`SearchSpec` from the ``search:`` mapping; ``where`` names it in errors."""
    expect(mapping, dict, where, "a mapping")
    check_keys(mapping, SEARCH_KEYS, where)
    for key in REQUIRED_KEYS:
        if key not in mapping:
            raise ConfigError(f"{where}: missing required key {key!r}")
    trials = _int(mapping["trials"], f"{where}.trials", 1, MAX_TRIALS)
    sampler = mapping.get("sampler", "random")
    if sampler not in SAMPLERS:
        raise ConfigError(
            f"{where}.sampler: unknown sampler {echo(sampler)} (valid: {', '.join(SAMPLERS)})"
        )
    seed = _int(mapping.get("seed", 0), f"{where}.seed", 0, MAX_SEED)
    metric = mapping["metric"]
    if not isinstance(metric, str) or not metric.strip():
        raise ConfigError(f"{where}.metric: expected a metric name, got {echo(metric)}")
    fresh = _fresh_seeds(mapping["fresh_seeds"], f"{where}.fresh_seeds")
    space = parse_space(mapping.get("space", {}) or {}, f"{where}.space")
    objectives = _objectives(mapping.get("objectives", {}) or {}, space, f"{where}.objectives")
    if not space.params and not objectives:
        raise ConfigError(
            f"{where}: nothing to search (give 'space' or 'objectives' with parameter paths)"
        )
    return SearchSpec(trials, sampler, seed, metric, fresh, space, objectives)
