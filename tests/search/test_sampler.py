"""Trial sampling (determinism, prefixes, ranges, coverage) and apply_trial."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from ganbench.errors import ConfigError
from ganbench.search import SearchSpace, apply_trial, parse_space, sample_trials

RAW = {
    "train.lr": "log_uniform(1e-4, 1e-2)",
    "train.betas.0": [0.0, 0.5],
    "train.n_critic": "int_range(1, 5)",
    "objective.a": "uniform(-1, 0)",
    "train.optimizer": "choice(adam, rmsprop, sgd)",
}
SPACE = parse_space(RAW, "t")
SAMPLERS = ["random", "sobol"]


def in_range(trial: dict) -> bool:
    return (
        1e-4 <= trial["train.lr"] <= 1e-2
        and trial["train.betas.0"] in (0.0, 0.5)
        and trial["train.n_critic"] in range(1, 6)
        and -1.0 <= trial["objective.a"] <= 0.0
        and trial["train.optimizer"] in ("adam", "rmsprop", "sgd")
    )


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_deterministic_and_seeded(sampler: str) -> None:
    a = sample_trials(SPACE, 7, sampler, 3)
    assert a == sample_trials(SPACE, 7, sampler, 3)
    assert a != sample_trials(SPACE, 7, sampler, 4)
    assert a == sample_trials(parse_space(dict(reversed(RAW.items())), "t"), 7, sampler, 3)
    assert all(type(t["train.lr"]) is float and type(t["train.n_critic"]) is int for t in a)


@pytest.mark.parametrize("sampler", SAMPLERS)
@pytest.mark.parametrize(("k", "big"), [(1, 2), (5, 13), (20, 40), (16, 17)])
def test_fewer_trials_are_a_prefix(sampler: str, k: int, big: int) -> None:
    assert sample_trials(SPACE, k, sampler, 0) == sample_trials(SPACE, big, sampler, 0)[:k]


def test_random_values_do_not_depend_on_other_parameters() -> None:
    shared = sample_trials(SPACE, 10, "random", 1)
    extra = SPACE.merged(parse_space({"objective.gp_weight": "log_uniform(0.1, 100)"}, "t"))
    more = sample_trials(extra, 10, "random", 1)
    assert [{p: t[p] for p in SPACE.paths} for t in more] == shared
    lr_only = sample_trials(parse_space({"train.lr": RAW["train.lr"]}, "t"), 10, "random", 1)
    assert [t["train.lr"] for t in lr_only] == [t["train.lr"] for t in shared]


@pytest.mark.parametrize("sampler", SAMPLERS)
def test_values_in_range_for_many_seeds(sampler: str) -> None:
    for seed in range(20):
        trials = sample_trials(SPACE, 16, sampler, seed)
        assert len(trials) == 16 and all(in_range(t) for t in trials)


def test_log_uniform_is_uniform_in_log_space() -> None:
    space = parse_space({"train.lr": "log_uniform(1e-4, 1)"}, "t")
    for sampler, n, slack in (("random", 2000, 80), ("sobol", 1024, 0)):
        logs = [math.log10(t["train.lr"]) for t in sample_trials(space, n, sampler, 0)]
        counts, _ = np.histogram(logs, bins=4, range=(-4, 0))
        assert np.all(np.abs(counts - n / 4) <= slack), (sampler, counts)


def test_choice_and_int_range_cover_every_value() -> None:
    space = parse_space({"train.n_critic": "int_range(1, 4)", "objective.x": ["a", "b"]}, "t")
    for seed in range(5):
        sobol = sample_trials(space, 4, "sobol", seed)  # one point per quarter, per dimension
        assert sorted(t["train.n_critic"] for t in sobol) == [1, 2, 3, 4]
        assert sorted(t["objective.x"] for t in sobol) == ["a", "a", "b", "b"]
        rand = sample_trials(space, 200, "random", seed)
        assert {t["train.n_critic"] for t in rand} == {1, 2, 3, 4}
        assert {t["objective.x"] for t in rand} == {"a", "b"}


def test_sobol_with_any_k_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for k in (1, 3, 5, 24):
            assert len(sample_trials(SPACE, k, "sobol", 0)) == k


def test_empty_space_and_bad_arguments() -> None:
    assert sample_trials(SearchSpace(), 3, "sobol", 0) == [{}, {}, {}]
    assert sample_trials(SearchSpace(), 2, "random", 0) == [{}, {}]
    with pytest.raises(ValueError, match="k must be"):
        sample_trials(SPACE, 0, "random", 0)
    with pytest.raises(ValueError, match="unknown sampler 'grid'"):
        sample_trials(SPACE, 2, "grid", 0)
    with pytest.raises(ValueError, match="seed must be"):
        sample_trials(SPACE, 2, "random", -1)


BASE = {"train": {"lr": 1e-3, "betas": (0.5, 0.999), "steps": [1, 2]}, "objective": {}}


def test_apply_trial_sets_dotted_paths() -> None:
    trial = {"train.lr": 0.01, "train.betas.0": 0.0, "objective.a": -0.5, "architecture.width": 8}
    out = apply_trial(BASE, trial)
    assert out["train"] == {"lr": 0.01, "betas": (0.0, 0.999), "steps": [1, 2]}
    assert out["objective"] == {"a": -0.5} and out["architecture"] == {"width": 8}
    assert BASE["train"]["betas"] == (0.5, 0.999) and BASE["objective"] == {}
    assert apply_trial(BASE, {"train.steps.1": 9})["train"]["steps"] == [1, 9]
    assert apply_trial(BASE, {"train.betas": [0.0, 0.9]})["train"]["betas"] == [0.0, 0.9]
    assert apply_trial(BASE, {}) == BASE


def test_apply_trial_copies_deeply() -> None:
    value = [1, 2]
    out = apply_trial(BASE, {"objective.list": value})
    out["objective"]["list"].append(3)
    out["train"]["steps"].append(3)
    assert value == [1, 2] and BASE["train"]["steps"] == [1, 2]


@pytest.mark.parametrize(
    ("trial", "message"),
    [
        (
            {"train.betas.2": 0.0},
            "train.betas.2: index 2 out of range for (0.5, 0.999) (valid: 0..1)",
        ),
        ({"train.lr.0": 0.0}, "train.lr.0: index 0 needs a list or tuple"),
        ({"train.eps.0": 0.0}, "train.eps.0: no value at 'eps' to index"),
        ({"train.lr.x": 0.0}, "train.lr.x: 'x' needs a mapping"),
    ],
)
def test_apply_trial_errors(trial: dict, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        apply_trial(BASE, trial, where="s.yaml: search")
    text = str(info.value)
    assert text.startswith("s.yaml: search: ") and message in text and "\n" not in text
